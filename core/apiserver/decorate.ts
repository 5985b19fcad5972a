import type { KubeObject } from '../api/types.js';
import type { KeyValue } from '../store/mvccTypes.js';

/**
 * Objects are stored without a resourceVersion (as kube-apiserver stores them in etcd) and get the
 * key's modRevision stamped on the way out. The stamped copy is shallow (spec and status stay
 * shared) and memoised per KeyValue, so the watch cache, gets and lists of every API server hand out
 * one object per stored revision.
 */
const stamped = new WeakMap<KeyValue, KubeObject>();

export function objectFromKv(kv: KeyValue): KubeObject {
  let obj = stamped.get(kv);
  if (obj === undefined) {
    obj = withResourceVersion(kv.value as KubeObject, kv.modRevision);
    stamped.set(kv, obj);
  }
  return obj;
}

/** A shallow, frozen copy of `obj` with `metadata.resourceVersion` set to `revision`. */
export function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  const meta = shallowCopy(obj.metadata);
  meta['resourceVersion'] = String(revision);
  const out = shallowCopy(obj);
  out['metadata'] = Object.freeze(meta);
  return Object.freeze(out) as unknown as KubeObject;
}

/** The object as stored: without resourceVersion (the store's modRevision is the truth). */
export function forStorage(obj: KubeObject): KubeObject {
  if (obj.metadata.resourceVersion === undefined) return obj;
  const out = shallowCopy(obj);
  out['metadata'] = Object.freeze(shallowCopy(obj.metadata, 'resourceVersion'));
  return Object.freeze(out) as unknown as KubeObject;
}

/**
 * A shallow, mutable copy of `o` (without the key `omit`), built key by key. Same keys in the same
 * order as `{ ...o }` / `const { omit, ...rest } = o`, but V8 gives a spread clone a hidden class of
 * its own, so adding a key to it or freezing it costs a fresh class per object (about a microsecond
 * and a kilobyte each); these run several times per request on every write path.
 */
export function shallowCopy(o: object, omit?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const src = o as Record<string, unknown>;
  for (const k in src) if (k !== omit) out[k] = src[k];
  return out;
}
