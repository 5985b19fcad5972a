import type { EndpointId } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import type { ResourceInfo } from '../api/registry.js';
import { objectKey } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import type { KeyValue, WatchEvent as StoreEvent } from '../store/mvccTypes.js';
import { assert } from '../util/assert.js';
import { objectFromKv, withResourceVersion } from './decorate.js';
import type { FieldSelector, WatchEvent } from './protocol.js';

/** One change as the cache keeps it: enough to filter by namespace and node for any watcher. */
export interface CachedEvent {
  readonly rv: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly object: KubeObject;
  readonly prevObject: KubeObject | undefined;
  readonly atUs: Micros;
  /**
   * What watchers are sent for this change, made on first use and shared by every watcher that
   * sees the change the same way (events are immutable, like the objects they carry). Created
   * undefined, so every cached event has one shape whichever of them get filled.
   */
  added: WatchEvent | undefined;
  modified: WatchEvent | undefined;
  deleted: WatchEvent | undefined;
}

/** A client's watch as the cache serves it. Events go to `buffer` and are flushed in one message per batch. */
export interface CacheWatcher {
  readonly id: number;
  readonly session: number;
  /** The client's name within its component (echoed in every message). */
  readonly client: string;
  /** `${endpoint}|${client}`: sessions are tracked per client. */
  readonly clientKey: string;
  /** `${clientKey}|${session}|${id}`: the watch's identity on its server, made once (it keys every index). */
  readonly key: string;
  readonly to: EndpointId;
  readonly namespace: string | undefined;
  readonly nodeName: string | undefined;
  /** metadata.name field selector, if any. */
  readonly name?: string | undefined;
  /** Events with rv ≤ this were already delivered (or precede the watch). */
  lastRv: number;
  buffer: WatchEvent[];
  /** Sequence number of the last message sent on this watch. */
  seq: number;
}

export interface WatchCacheOptions {
  /** Events are kept at least this long (local µs); default 75 s (upstream's eventFreshDuration). */
  readonly historyWindowUs?: Micros;
  /** …and at least this many; default 100 (upstream --default-watch-cache-size). */
  readonly minEvents?: number;
  /** …and at most this many; default 100 × 1024 (upstream's dynamic-size upper bound). */
  readonly maxEvents?: number;
}

/**
 * kube-apiserver's watch cache (the Cacher) for one resource: the current objects with namespace
 * and node indexes, a window of recent events, and the watchers fed from one store watch.
 * A watch from a resourceVersion older than the window is refused with 410 Expired.
 */
export class WatchCache<W extends CacheWatcher = CacheWatcher> {
  readonly resource: ResourceInfo;
  /** Whether the initial list from the store has been loaded. */
  ready = false;
  /** Revision the cache is consistent at. */
  rv = 0;
  /**
   * Entries by objectKey. An entry outlives the versions of its object: an update that keeps its
   * index keys only swaps `obj`, with no map write and no key string. Lists return entries in the
   * order they were last inserted or re-indexed (a re-index, a pod bound to a node, re-files the
   * entry at the end, as upstream's delete and re-insert does).
   */
  private readonly objects = new Map<string, Entry>();
  /** By namespace ('' for cluster-scoped kinds), then by name: lookups without building a key string. */
  private readonly nsIndex = new Map<string, Map<string, Entry>>();
  /** Pods by node name ('' = unbound), in list order (a re-index moves an entry between sets). */
  private readonly nodeIndex = new Map<string, Set<Entry>>();
  /** Counts changes to the objects, for `sharedList`. */
  private changes = 0;
  /** Lists by namespace ('' = all) as of `sharedListsAt` changes. */
  private readonly sharedLists = new Map<string, readonly KubeObject[]>();
  private sharedListsAt = -1;
  private history: CachedEvent[] = [];
  private head = 0;
  /** A watch from rv ≥ this can be served from history. */
  private oldestRv = 0;
  private readonly windowUs: Micros;
  private readonly minEvents: number;
  private readonly maxEvents: number;
  /** Watchers without a node filter, and those with one by node name (so an event touches only its node's). */
  // Keyed by endpoint, client, session and id: a watch id is only unique within one client session,
  // and two controller-managers (old and new leader) use the same ids on one API server.
  private readonly unfiltered = new Map<string, W>();
  /** unfiltered's values in its order, rebuilt when a watch starts or ends: every event walks them. */
  private unfilteredList: readonly W[] = [];
  private readonly byNode = new Map<string, Map<string, W>>();
  /** Watchers with a metadata.name selector (and no node one), by that name. */
  private readonly byName = new Map<string, Map<string, W>>();
  private readonly dirty: W[] = [];

  constructor(resource: ResourceInfo, options: WatchCacheOptions = {}) {
    this.resource = resource;
    this.windowUs = options.historyWindowUs ?? s(75);
    this.minEvents = options.minEvents ?? 100;
    this.maxEvents = options.maxEvents ?? 100 * 1024;
  }

  /** Loads a consistent list at `revision`; history restarts there. */
  replace(kvs: readonly KeyValue[], revision: number): void {
    this.objects.clear();
    this.nsIndex.clear();
    this.nodeIndex.clear();
    this.changes++;
    for (const kv of kvs) this.insert(objectFromKv(kv));
    this.history = [];
    this.head = 0;
    this.rv = revision;
    this.oldestRv = revision;
    this.ready = true;
  }

  size(): number {
    return this.objects.size;
  }
  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.nsIndex.get(namespace ?? '')?.get(name)?.obj;
  }
  /** Objects matching the filter, from the narrowest index. */
  list(namespace: string | undefined, fieldSelector: FieldSelector | undefined): KubeObject[] {
    const node = fieldSelector?.nodeName;
    const name = fieldSelector?.name;
    if (name !== undefined && (!this.resource.namespaced || (namespace !== undefined && namespace !== ''))) {
      const o = this.get(namespace, name);
      return o !== undefined && matches(o, namespace, node, name) ? [o] : [];
    }
    let entries: Iterable<Entry>;
    if (node !== undefined) entries = this.nodeIndex.get(node) ?? [];
    else if (namespace !== undefined && namespace !== '') entries = this.nsIndex.get(namespace)?.values() ?? [];
    else entries = this.objects.values();
    const out: KubeObject[] = [];
    for (const e of entries) if (matches(e.obj, namespace, node, name)) out.push(e.obj);
    return out;
  }

  /**
   * list(namespace) as one frozen array shared by every caller until the objects next change: the
   * authorizers and admission plugins cache what they derive from a list by its identity.
   */
  sharedList(namespace: string | undefined): readonly KubeObject[] {
    if (this.sharedListsAt !== this.changes) {
      this.sharedLists.clear();
      this.sharedListsAt = this.changes;
    }
    const ns = namespace ?? '';
    let list = this.sharedLists.get(ns);
    if (list === undefined) {
      list = Object.freeze(this.list(namespace, undefined));
      this.sharedLists.set(ns, list);
    }
    return list;
  }

  /** Applies a batch of store events (in revision order) and fans them out to watchers' buffers. */
  apply(events: readonly StoreEvent[], revision: number, nowUs: Micros): number {
    let fanout = 0;
    for (const ev of events) {
      if (ev.revision <= this.rv) continue; // already seen (a resumed store watch may repeat)
      const key = ev.kv.key;
      let cached: CachedEvent;
      if (ev.type === 'put') {
        const obj = objectFromKv(ev.kv);
        const entry = this.entryOf(obj);
        const prev = entry?.obj;
        if (entry === undefined) this.insert(obj);
        else if (prev !== undefined && sameIndexKeys(prev, obj)) entry.obj = obj; // indexes unchanged
        else this.reindex(entry, obj);
        cached = { rv: ev.revision, type: prev === undefined ? 'ADDED' : 'MODIFIED', object: obj, prevObject: prev, atUs: nowUs, added: undefined, modified: undefined, deleted: undefined };
      } else {
        const prevKv = ev.prevKv;
        if (prevKv === null) continue;
        const prev = objectFromKv(prevKv);
        const entry = this.entryOf(prev);
        if (entry !== undefined) this.remove(entry);
        cached = { rv: ev.revision, type: 'DELETED', object: withResourceVersion(prev, ev.revision), prevObject: prev, atUs: nowUs, added: undefined, modified: undefined, deleted: undefined };
      }
      assert(key.length > 0, 'store event without key');
      this.changes++;
      this.rv = ev.revision;
      this.history.push(cached);
      fanout += this.fanOut(cached);
    }
    if (revision > this.rv) this.rv = revision;
    this.trim(nowUs);
    return fanout;
  }

  /**
   * Registers a watcher from `fromRv` (exclusive). Returns false if that revision is older than the
   * window (the caller answers 410 Expired). fromRv 0 replays the current state as ADDED events.
   */
  addWatcher(w: W, fromRv: number): boolean {
    if (fromRv === 0) {
      for (const o of this.list(w.namespace, selectorOf(w))) this.emit(w, { type: 'ADDED', object: o });
      w.lastRv = this.rv;
    } else if (fromRv < this.oldestRv) {
      return false;
    } else {
      w.lastRv = fromRv;
      for (let i = this.historyIndexAfter(fromRv); i < this.history.length; i++) {
        const ev = this.history[i];
        if (ev !== undefined) this.deliver(w, ev);
      }
    }
    if (w.nodeName !== undefined) addWatcherTo(this.byNode, w.nodeName, w);
    else if (w.name !== undefined) addWatcherTo(this.byName, w.name, w);
    else {
      this.unfiltered.set(w.key, w);
      this.unfilteredList = [...this.unfiltered.values()];
    }
    return true;
  }

  removeWatcher(w: W): void {
    const key = w.key;
    if (w.nodeName !== undefined) removeWatcherFrom(this.byNode, w.nodeName, key);
    else if (w.name !== undefined) removeWatcherFrom(this.byName, w.name, key);
    else if (this.unfiltered.delete(key)) this.unfilteredList = [...this.unfiltered.values()];
  }

  /** Every watcher (for bookmarks, shutdown). */
  *watchers(): IterableIterator<W> {
    yield* this.unfiltered.values();
    for (const m of this.byNode.values()) yield* m.values();
    for (const m of this.byName.values()) yield* m.values();
  }
  watcherCount(): number {
    let n = this.unfiltered.size;
    for (const m of this.byNode.values()) n += m.size;
    for (const m of this.byName.values()) n += m.size;
    return n;
  }

  /** Watchers with buffered events since the last call (each once), emptied by the caller. */
  takeDirty(): W[] {
    const out = this.dirty.splice(0, this.dirty.length);
    return out;
  }

  /** Oldest resourceVersion a watch can resume from (for 410 messages and tests). */
  oldestResourceVersion(): number {
    return this.oldestRv;
  }

  private fanOut(ev: CachedEvent): number {
    let n = 0;
    const unfiltered = this.unfilteredList;
    for (let i = 0; i < unfiltered.length; i++) n += this.deliver(unfiltered[i] as W, ev);
    if (ev.object.kind === 'Pod') {
      const now = ev.object.spec.nodeName ?? '';
      const before = ev.prevObject?.kind === 'Pod' ? (ev.prevObject.spec.nodeName ?? '') : undefined;
      const a = this.byNode.get(now);
      if (a !== undefined) for (const w of a.values()) n += this.deliver(w, ev);
      if (before !== undefined && before !== now) {
        const b = this.byNode.get(before);
        if (b !== undefined) for (const w of b.values()) n += this.deliver(w, ev);
      }
    }
    if (this.byName.size > 0) {
      // A name never changes across updates, so the object's name finds every watcher it concerns.
      const named = this.byName.get(ev.object.metadata.name ?? '');
      if (named !== undefined) for (const w of named.values()) n += this.deliver(w, ev);
    }
    return n;
  }

  /** Translates a change into what this watcher's filter sees (a pod leaving its filter is DELETED to it). */
  private deliver(w: W, ev: CachedEvent): number {
    if (ev.rv <= w.lastRv) return 0;
    w.lastRv = ev.rv;
    const nowIn = ev.type !== 'DELETED' && matches(ev.object, w.namespace, w.nodeName, w.name);
    const wasIn = ev.prevObject !== undefined && matches(ev.prevObject, w.namespace, w.nodeName, w.name);
    if (ev.type === 'DELETED') {
      if (!wasIn) return 0;
      this.emit(w, (ev.deleted ??= watchEvent('DELETED', ev.object)));
    } else if (nowIn && wasIn) this.emit(w, (ev.modified ??= watchEvent('MODIFIED', ev.object)));
    else if (nowIn) this.emit(w, (ev.added ??= watchEvent('ADDED', ev.object)));
    else if (wasIn) this.emit(w, (ev.deleted ??= watchEvent('DELETED', ev.object)));
    else return 0;
    return 1;
  }

  private emit(w: W, ev: WatchEvent): void {
    if (w.buffer.length === 0) this.dirty.push(w);
    w.buffer.push(ev);
  }

  /** The entry holding the current version of `obj`, found by namespace and name. */
  private entryOf(obj: KubeObject): Entry | undefined {
    return this.nsIndex.get(obj.metadata.namespace ?? '')?.get(obj.metadata.name ?? '');
  }

  private insert(obj: KubeObject): void {
    const e: Entry = { key: objectKey(obj), obj };
    this.file(e);
    if (obj.kind === 'Pod') addTo(this.nodeIndex, obj.spec.nodeName ?? '', e);
  }

  /** Files `e` at the end of objects and of its namespace's map. */
  private file(e: Entry): void {
    const obj = e.obj;
    this.objects.set(e.key, e);
    const ns = obj.metadata.namespace ?? '';
    let byName = this.nsIndex.get(ns);
    if (byName === undefined) {
      byName = new Map();
      this.nsIndex.set(ns, byName);
    }
    byName.set(obj.metadata.name ?? '', e);
  }

  /** A new version under other index keys (only the node can differ): re-filed at the end of every index. */
  private reindex(e: Entry, obj: KubeObject): void {
    this.remove(e);
    e.obj = obj;
    this.file(e);
    if (obj.kind === 'Pod') addTo(this.nodeIndex, obj.spec.nodeName ?? '', e);
  }

  /** Takes `e` out of every index, as filed under its current object. */
  private remove(e: Entry): void {
    const obj = e.obj;
    this.objects.delete(e.key);
    const ns = obj.metadata.namespace ?? '';
    const byName = this.nsIndex.get(ns);
    if (byName !== undefined) {
      byName.delete(obj.metadata.name ?? '');
      if (byName.size === 0) this.nsIndex.delete(ns);
    }
    if (obj.kind === 'Pod') removeFrom(this.nodeIndex, obj.spec.nodeName ?? '', e);
  }

  /** Drops events older than the window, keeping at least minEvents and at most maxEvents. */
  private trim(nowUs: Micros): void {
    let kept = this.history.length - this.head;
    while (kept > this.minEvents) {
      const ev = this.history[this.head];
      if (ev === undefined) break;
      if (kept <= this.maxEvents && nowUs - ev.atUs < this.windowUs) break;
      this.oldestRv = ev.rv; // a watch from ev.rv still gets everything after it
      this.head++;
      kept--;
    }
    if (this.head > 1024 && this.head * 2 > this.history.length) {
      this.history = this.history.slice(this.head);
      this.head = 0;
    }
  }

  private historyIndexAfter(rv: number): number {
    let lo = this.head;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid]?.rv ?? Infinity) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Whether `obj` passes a watch's or list's filter (namespace, spec.nodeName, metadata.name). */
export function matches(obj: KubeObject, namespace: string | undefined, nodeName: string | undefined, name?: string): boolean {
  if (namespace !== undefined && namespace !== '' && obj.metadata.namespace !== namespace) return false;
  if (name !== undefined && obj.metadata.name !== name) return false;
  if (nodeName !== undefined) return obj.kind === 'Pod' && (obj.spec.nodeName ?? '') === nodeName;
  return true;
}

function selectorOf(w: CacheWatcher): FieldSelector | undefined {
  if (w.nodeName === undefined && w.name === undefined) return undefined;
  const selector: { nodeName?: string; name?: string } = {};
  if (w.nodeName !== undefined) selector.nodeName = w.nodeName;
  if (w.name !== undefined) selector.name = w.name;
  return selector;
}

function addWatcherTo<W extends CacheWatcher>(idx: Map<string, Map<string, W>>, value: string, w: W): void {
  let m = idx.get(value);
  if (m === undefined) {
    m = new Map();
    idx.set(value, m);
  }
  m.set(w.key, w);
}

function removeWatcherFrom<W extends CacheWatcher>(idx: Map<string, Map<string, W>>, value: string, key: string): void {
  const m = idx.get(value);
  if (m === undefined) return;
  m.delete(key);
  if (m.size === 0) idx.delete(value);
}

/** Whether an update leaves an object under the same namespace and node index entries. */
function sameIndexKeys(a: KubeObject, b: KubeObject): boolean {
  if ((a.metadata.namespace ?? '') !== (b.metadata.namespace ?? '')) return false;
  if (a.kind !== 'Pod' || b.kind !== 'Pod') return a.kind === b.kind;
  return (a.spec.nodeName ?? '') === (b.spec.nodeName ?? '');
}

/** The current version of one object and its key, filed in the cache's indexes. */
interface Entry {
  readonly key: string;
  obj: KubeObject;
}

function watchEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): WatchEvent {
  return Object.freeze({ type, object });
}

function addTo(idx: Map<string, Set<Entry>>, value: string, e: Entry): void {
  let set = idx.get(value);
  if (set === undefined) {
    set = new Set();
    idx.set(value, set);
  }
  set.add(e);
}

function removeFrom(idx: Map<string, Set<Entry>>, value: string, e: Entry): void {
  const set = idx.get(value);
  if (set === undefined) return;
  set.delete(e);
  if (set.size === 0) idx.delete(value);
}
