import type { KubeObject } from '../api/types.js';
import { objectKey } from '../api/registry.js';

/** The indexes an Indexer can keep: by namespace, by pods' spec.nodeName, by ownerReferences' uids. */
export type IndexName = 'namespace' | 'nodeName' | 'owner';

const ALL_INDEXES: readonly IndexName[] = Object.freeze(['namespace', 'nodeName', 'owner']);

/**
 * The informer's read-only local cache (client-go's thread-safe store + indexers), keyed by
 * `namespace/name`, with the indexes controllers need so no event handler scans everything:
 * namespace, node name (pods' spec.nodeName; `''` = unbound) and owner uid (ownerReferences).
 * As client-go's Indexers, each is kept only if asked for: a cache nobody queries by node or owner
 * (a kubelet's, the scheduler's) would otherwise keep a set entry per object per index, and move
 * it on every binding, for nothing.
 * Objects are the API server's, shared by reference: never mutate them.
 */
export class Indexer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly byNamespaceIdx: Map<string, Set<string>> | undefined;
  private readonly byNodeIdx: Map<string, Set<string>> | undefined;
  private readonly byOwnerIdx: Map<string, Set<string>> | undefined;
  private readonly indexed: boolean;

  constructor(indexes: readonly IndexName[] = ALL_INDEXES) {
    this.byNamespaceIdx = indexes.includes('namespace') ? new Map() : undefined;
    this.byNodeIdx = indexes.includes('nodeName') ? new Map() : undefined;
    this.byOwnerIdx = indexes.includes('owner') ? new Map() : undefined;
    this.indexed = indexes.length > 0;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }
  has(key: string): boolean {
    return this.items.has(key);
  }
  size(): number {
    return this.items.size;
  }
  keys(): IterableIterator<string> {
    return this.items.keys();
  }
  values(): IterableIterator<T> {
    return this.items.values();
  }

  /** Inserts or replaces; returns the previous object. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    if (!this.indexed) return old;
    // Most updates (status, bindings aside) keep every index entry: leave the sets alone.
    if (old !== undefined && sameIndexEntries(old, obj)) return old;
    if (old !== undefined) this.unindex(key, old);
    this.index(key, obj);
    return old;
  }

  /** Removes by key; returns the removed object. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    if (this.indexed) this.unindex(key, old);
    return old;
  }

  byNamespace(namespace: string): T[] {
    return this.resolve(need(this.byNamespaceIdx, 'namespace').get(namespace));
  }
  byNodeName(nodeName: string): T[] {
    return this.resolve(need(this.byNodeIdx, 'nodeName').get(nodeName));
  }
  byOwnerUid(uid: string): T[] {
    return this.resolve(need(this.byOwnerIdx, 'owner').get(uid));
  }
  countByNodeName(nodeName: string): number {
    return need(this.byNodeIdx, 'nodeName').get(nodeName)?.size ?? 0;
  }

  private resolve(keys: Set<string> | undefined): T[] {
    const out: T[] = [];
    if (keys === undefined) return out;
    for (const k of keys) {
      const o = this.items.get(k);
      if (o !== undefined) out.push(o);
    }
    return out;
  }

  private index(key: string, obj: T): void {
    if (this.byNamespaceIdx !== undefined) add(this.byNamespaceIdx, obj.metadata.namespace ?? '', key);
    if (this.byNodeIdx !== undefined && obj.kind === 'Pod') add(this.byNodeIdx, obj.spec.nodeName ?? '', key);
    const refs = obj.metadata.ownerReferences;
    if (this.byOwnerIdx !== undefined && refs !== undefined) for (const ref of refs) add(this.byOwnerIdx, ref.uid, key);
  }

  private unindex(key: string, obj: T): void {
    if (this.byNamespaceIdx !== undefined) del(this.byNamespaceIdx, obj.metadata.namespace ?? '', key);
    if (this.byNodeIdx !== undefined && obj.kind === 'Pod') del(this.byNodeIdx, obj.spec.nodeName ?? '', key);
    const refs = obj.metadata.ownerReferences;
    if (this.byOwnerIdx !== undefined && refs !== undefined) for (const ref of refs) del(this.byOwnerIdx, ref.uid, key);
  }
}

function need(idx: Map<string, Set<string>> | undefined, name: IndexName): Map<string, Set<string>> {
  if (idx === undefined) throw new Error(`assertion failed: Indexer: the ${name} index was not asked for`);
  return idx;
}

function sameIndexEntries(a: KubeObject, b: KubeObject): boolean {
  if ((a.metadata.namespace ?? '') !== (b.metadata.namespace ?? '') || a.kind !== b.kind) return false;
  if (a.kind === 'Pod' && b.kind === 'Pod' && (a.spec.nodeName ?? '') !== (b.spec.nodeName ?? '')) return false;
  const ra = a.metadata.ownerReferences;
  const rb = b.metadata.ownerReferences;
  if (ra === rb) return true;
  if (ra === undefined || rb === undefined || ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) if (ra[i]?.uid !== rb[i]?.uid) return false;
  return true;
}

function add(idx: Map<string, Set<string>>, value: string, key: string): void {
  let set = idx.get(value);
  if (set === undefined) {
    set = new Set();
    idx.set(value, set);
  }
  set.add(key);
}

function del(idx: Map<string, Set<string>>, value: string, key: string): void {
  const set = idx.get(value);
  if (set === undefined) return;
  set.delete(key);
  if (set.size === 0) idx.delete(value);
}
