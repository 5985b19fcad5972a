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
  return Object.freeze({ ...obj, metadata: Object.freeze({ ...obj.metadata, resourceVersion: String(revision) }) }) as KubeObject;
}

/** The object as stored: without resourceVersion (the store's modRevision is the truth). */
export function forStorage(obj: KubeObject): KubeObject {
  if (obj.metadata.resourceVersion === undefined) return obj;
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return Object.freeze({ ...obj, metadata: Object.freeze(meta) }) as KubeObject;
}
