import type { Context } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { ms, s } from '../../sim/time.js';
import { objectKey } from '../api/registry.js';
import type { FieldSelector, ObjectList, ObjectOf, ResourceName, WatchEvent } from '../apiserver/protocol.js';
import type { Status } from '../apiserver/status.js';
import { assertNever } from '../util/assert.js';
import type { ApiResult } from '../apiserver/protocol.js';
import type { ApiClient, WatchHandle } from './apiClient.js';
import { Indexer, type IndexName } from './indexer.js';

export interface InformerOptions {
  readonly namespace?: string;
  /** e.g. `{nodeName: 'worker-7'}` for a kubelet, `{nodeName: ''}` for unbound pods. */
  readonly fieldSelector?: FieldSelector;
  /** Re-delivers every cached object as onUpdate(o, o) this often (local µs); 0/absent = never. */
  readonly resyncPeriodUs?: Micros;
  /** First retry delay after a failed list; doubles up to 30 s (client-go reflector: 800 ms … 30 s). */
  readonly backoffInitialUs?: Micros;
  /** Indexes the cache keeps (client-go's Indexers); default all three. Name only those you query: each costs a set entry per object. */
  readonly indexes?: readonly IndexName[];
}

export interface EventHandler<T> {
  readonly onAdd?: (obj: T, ctx: Context) => void;
  readonly onUpdate?: (oldObj: T, newObj: T, ctx: Context) => void;
  /** `obj` is the last state the informer knew (client-go's DeletedFinalStateUnknown is folded in). */
  readonly onDelete?: (obj: T, ctx: Context) => void;
}

const MAX_BACKOFF_US = s(30);

/**
 * client-go's shared informer: a reflector (list, then watch from the list's resourceVersion),
 * an indexed read-only cache and event handlers.
 *
 * Recovery, as the reflector does it: a watch that ends with 410 Expired relists with a consistent
 * read; one that ends because the connection's server died (503) relists from the last
 * resourceVersion on the next server (served by its watch cache); a server-side watch timeout (504)
 * just rewatches. The relist's diff against the cache is delivered to the handlers, so they see
 * adds/updates/deletes they missed.
 */
export class Informer<R extends ResourceName> {
  readonly resource: R;
  private readonly client: ApiClient;
  private readonly options: InformerOptions;
  private readonly cache: Indexer<ObjectOf<R>>;
  private readonly handlers: EventHandler<ObjectOf<R>>[] = [];
  private synced = false;
  private started = false;
  private lastRv = '';
  private lastRvNum = 0;
  private watchHandle: WatchHandle | undefined;
  private backoffUs: Micros;
  /** Bumped on every (re)list so a late answer of an abandoned attempt is ignored. */
  private generation = 0;
  private relists = 0;

  constructor(client: ApiClient, resource: R, options: InformerOptions = {}) {
    this.client = client;
    this.resource = resource;
    this.options = options;
    this.cache = new Indexer(options.indexes);
    this.backoffUs = options.backoffInitialUs ?? ms(800);
  }

  /** Adds handlers; if the cache already holds objects they are delivered as adds (as upstream). */
  addEventHandler(handler: EventHandler<ObjectOf<R>>, ctx?: Context): void {
    this.handlers.push(handler);
    if (ctx !== undefined && handler.onAdd !== undefined) for (const o of this.cache.values()) handler.onAdd(o, ctx);
  }

  start(ctx: Context): void {
    if (this.started) return;
    this.started = true;
    this.doList(ctx, '0');
    const period = this.options.resyncPeriodUs ?? 0;
    if (period > 0) this.scheduleResync(ctx, period);
  }

  /** True once the first list has been delivered to the cache and handlers. */
  hasSynced(): boolean {
    return this.synced;
  }
  lastSyncResourceVersion(): string {
    return this.lastRv;
  }
  /** How many times the informer relisted after its first list (410s, dead servers). */
  relistCount(): number {
    return this.relists;
  }

  get(key: string): ObjectOf<R> | undefined {
    return this.cache.get(key);
  }
  getByName(namespace: string | undefined, name: string): ObjectOf<R> | undefined {
    return this.cache.get(namespace === undefined || namespace === '' ? name : `${namespace}/${name}`);
  }
  list(): IterableIterator<ObjectOf<R>> {
    return this.cache.values();
  }
  keys(): IterableIterator<string> {
    return this.cache.keys();
  }
  size(): number {
    return this.cache.size();
  }
  byNamespace(namespace: string): ObjectOf<R>[] {
    return this.cache.byNamespace(namespace);
  }
  /** Pods on a node (`''` = unbound pods). */
  byNodeName(nodeName: string): ObjectOf<R>[] {
    return this.cache.byNodeName(nodeName);
  }
  byOwnerUid(uid: string): ObjectOf<R>[] {
    return this.cache.byOwnerUid(uid);
  }
  /** The cache itself, for index counts without building arrays. */
  indexer(): Indexer<ObjectOf<R>> {
    return this.cache;
  }

  /** Stops watching (a component that lost its lease keeps the cache but wants no more events). */
  stop(ctx: Context): void {
    this.started = false;
    this.generation++;
    this.watchHandle?.stop(ctx);
    this.watchHandle = undefined;
  }

  // ───────────── reflector ─────────────

  private doList(ctx: Context, resourceVersion: string | undefined): void {
    const gen = ++this.generation;
    const opts = {
      ...(this.options.namespace === undefined ? {} : { namespace: this.options.namespace }),
      ...(this.options.fieldSelector === undefined ? {} : { fieldSelector: this.options.fieldSelector }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    };
    this.client.list(ctx, this.resource, opts, (r: ApiResult<ObjectList<ObjectOf<R>>>, c: Context) => {
      if (gen !== this.generation || !this.started) return;
      if (!r.ok) {
        // 410 on a list means the RV we asked for is gone: fall back to a consistent read.
        this.retryLater(c, r.status.code === 410 ? undefined : resourceVersion);
        return;
      }
      this.replace(c, r.object);
      this.backoffUs = this.options.backoffInitialUs ?? ms(800);
      this.watch(c);
    });
  }

  private watch(ctx: Context): void {
    const gen = this.generation;
    const opts = {
      resourceVersion: this.lastRv,
      ...(this.options.namespace === undefined ? {} : { namespace: this.options.namespace }),
      ...(this.options.fieldSelector === undefined ? {} : { fieldSelector: this.options.fieldSelector }),
    };
    this.watchHandle = this.client.watch(ctx, this.resource, opts, {
      onEvents: (events: readonly WatchEvent[], c: Context) => {
        if (gen === this.generation) this.apply(c, events);
      },
      onEnd: (status: Status, c: Context) => {
        if (gen !== this.generation || !this.started) return;
        this.watchHandle = undefined;
        this.onWatchEnd(c, status);
      },
    });
  }

  private onWatchEnd(ctx: Context, status: Status): void {
    if (status.code === 410) {
      this.relists++;
      this.doList(ctx, undefined); // consistent relist: our resourceVersion is no longer served
    } else if (status.code === 504 && status.reason === 'Timeout') {
      this.watch(ctx); // the server closed a long-running watch; resume where we were
    } else if (status.code === 503) {
      this.relists++;
      this.doList(ctx, this.lastRv); // the server died: relist on the next one, from its watch cache
    } else {
      this.relists++;
      this.retryLater(ctx, this.lastRv);
    }
  }

  private retryLater(ctx: Context, resourceVersion: string | undefined): void {
    const delay = ctx.rng.jitter(this.backoffUs, 1);
    this.backoffUs = Math.min(MAX_BACKOFF_US, this.backoffUs * 2);
    const gen = ++this.generation;
    this.client.timers.set(ctx, delay, (c) => {
      if (gen === this.generation && this.started) this.doList(c, resourceVersion);
    });
  }

  /** Replaces the cache with a list, telling handlers the difference. */
  private replace(ctx: Context, list: ObjectList<ObjectOf<R>>): void {
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.cache.upsert(obj);
      if (old === undefined) for (const h of this.handlers) h.onAdd?.(obj, ctx);
      else if (old !== obj && old.metadata.resourceVersion !== obj.metadata.resourceVersion) for (const h of this.handlers) h.onUpdate?.(old, obj, ctx);
    }
    if (seen.size !== this.cache.size()) {
      const gone: string[] = [];
      for (const key of this.cache.keys()) if (!seen.has(key)) gone.push(key);
      for (const key of gone) {
        const old = this.cache.remove(key);
        if (old !== undefined) for (const h of this.handlers) h.onDelete?.(old, ctx);
      }
    }
    this.setRv(list.resourceVersion);
    this.synced = true;
  }

  private apply(ctx: Context, events: readonly WatchEvent[]): void {
    for (const ev of events) {
      switch (ev.type) {
        case 'ADDED':
        case 'MODIFIED': {
          const obj = ev.object as ObjectOf<R>;
          const old = this.cache.upsert(obj);
          if (old === undefined) for (const h of this.handlers) h.onAdd?.(obj, ctx);
          else for (const h of this.handlers) h.onUpdate?.(old, obj, ctx);
          this.setRv(obj.metadata.resourceVersion ?? this.lastRv);
          break;
        }
        case 'DELETED': {
          const obj = ev.object as ObjectOf<R>;
          const old = this.cache.remove(objectKey(obj));
          if (old !== undefined) for (const h of this.handlers) h.onDelete?.(obj, ctx);
          this.setRv(obj.metadata.resourceVersion ?? this.lastRv);
          break;
        }
        case 'BOOKMARK':
          this.setRv(ev.resourceVersion);
          break;
        default:
          assertNever(ev, 'watch event');
      }
    }
  }

  private setRv(rv: string): void {
    const n = Number(rv);
    if (n >= this.lastRvNum) {
      this.lastRvNum = n;
      this.lastRv = rv;
    }
  }

  private scheduleResync(ctx: Context, period: Micros): void {
    this.client.timers.set(ctx, period, (c) => {
      if (!this.started) return;
      if (this.synced) for (const o of this.cache.values()) for (const h of this.handlers) h.onUpdate?.(o, o, c);
      this.scheduleResync(c, period);
    });
  }
}
