import type { Component, Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import type { ResourceInfo } from '../api/registry.js';
import { RESOURCES, resourceForPlural, storageKey } from '../api/registry.js';
import type { KubeObject, Lease } from '../api/types.js';
import { TimerRouter } from '../client/timerRouter.js';
import type { ApplyResult, Compare, KeyValue, TxnOp } from '../store/mvccTypes.js';
import { assertNever } from '../util/assert.js';
import { forStorage, objectFromKv, withResourceVersion } from './decorate.js';
import type { ApiPolicy, ClusterView, RequestAttributes, UserInfo } from './policy.js';
import type { ApiRequest, ApiResult, Binding, ClientToServer, ObjectList, ResourceName, WatchEvent } from './protocol.js';
import { REQUEST_OVERHEAD_BYTES, isClientToServer, isMutatingVerb, objectSizeBytes } from './protocol.js';
import type { Status } from './status.js';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  internalError,
  invalid,
  notFound,
  status,
  timeout,
  tooManyRequests,
  unauthorized,
} from './status.js';
import type { StorePort, StoreWatchHandle } from './storePort.js';
import type { Prepared } from './strategy.js';
import { planDelete, prepareBinding, prepareCreate, prepareStatusUpdate, prepareUpdate, shouldRemoveAfterUpdate, staleConflict } from './strategy.js';
import type { CacheWatcher, WatchCacheOptions } from './watchCache.js';
import { WatchCache, matches } from './watchCache.js';

/** Simulated CPU per pipeline stage (µs of the API server's single CPU). */
export interface StageCosts {
  readonly authenticationUs: Micros;
  readonly authorizationUs: Micros;
  readonly mutatingUs: Micros;
  readonly schemaUs: Micros;
  readonly validatingUs: Micros;
  /** Encoding/decoding one object to or from the store. */
  readonly storageUs: Micros;
  /** Per item returned by a list. */
  readonly perListItemUs: Micros;
  /** Per watch event sent to one watcher. */
  readonly perWatchEventUs: Micros;
}

export const DEFAULT_STAGE_COSTS: StageCosts = Object.freeze({
  authenticationUs: 10,
  authorizationUs: 20,
  mutatingUs: 40,
  schemaUs: 30,
  validatingUs: 30,
  storageUs: 50,
  perListItemUs: 2,
  perWatchEventUs: 3,
});

export interface ApiServerConfig {
  readonly policy: ApiPolicy;
  /** --max-requests-inflight (read-only requests at once); default 400. Past it: 429. */
  readonly maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight; default 200. */
  readonly maxMutatingRequestsInflight?: number;
  readonly costs?: Partial<StageCosts>;
  readonly watchCache?: WatchCacheOptions;
  /** BOOKMARK to every watcher this often (µs); default 60 s (upstream sends them about once a minute). */
  readonly bookmarkIntervalUs?: Micros;
  /** A watcher that got events gets a progress BOOKMARK this much later (µs); default 1 s. Bounds how long a lost last message goes unnoticed. */
  readonly progressBookmarkIntervalUs?: Micros;
  /** Watches end after a random [1, 2)× this (µs; 504 Timeout, the client rewatches); default 1800 s (--min-request-timeout). */
  readonly minRequestTimeoutUs?: Micros;
  /** A list at resourceVersion N waits this long for the watch cache to reach N, then 504; default 3 s. */
  readonly listWaitUs?: Micros;
  /** Resources served from watch caches; default all registered ones. */
  readonly cachedResources?: readonly ResourceName[];
  /** Retries of an unconditional read-modify-write on a CAS miss (upstream GuaranteedUpdate loops); default 5. */
  readonly maxGuaranteedUpdateRetries?: number;
}

/** Pipeline stage at which a request was rejected, as recorded for metrics (SPEC `api.rejectedByStage`). */
export type RejectionStage = 'inflight' | 'authentication' | 'authorization' | 'mutating' | 'schema' | 'validating' | 'fencing' | 'storage' | 'request';

/** The observation every request produces (ctx.observe), for metrics.csv and the checkers. */
export interface ApiRequestObservation {
  readonly type: 'api.request';
  readonly verb: ApiRequest['verb'];
  readonly resource: ResourceName;
  readonly user: string;
  readonly code: number;
  readonly stage?: RejectionStage;
  readonly namespace?: string;
  readonly name?: string;
  /** For successful writes: the store revision the write committed at. */
  readonly revision?: number;
  /**
   * For successful writes: the resourceVersion (store modRevision) of the stored object the write
   * was computed from and compare-and-swapped against; 0 for a create. Lets an outside checker
   * compare it with the store's history (api.optimisticConcurrency).
   */
  readonly baseRevision?: number;
  /** For writes: the resourceVersion precondition the client sent (body or delete options), if any. */
  readonly precondition?: string;
  readonly [field: string]: unknown;
}

interface InFlight {
  readonly req: ApiRequest;
  readonly from: EndpointId;
  /** The sending client's connection state (never replaced), so a response costs no lookup. */
  readonly conn: ClientState;
  readonly resource: ResourceInfo;
  readonly mutating: boolean;
  user: UserInfo | undefined;
  attempts: number;
  /**
   * CPU spent on the request (authentication, authorization) but not yet waited for: charged with
   * the next stage's CPU, or before the response. One wait per stage would be one timer event per
   * stage; the request's stages run back to back on the server's CPU either way.
   */
  cpuDebtUs: number;
}

/** A watch as this server files it in a cache: with its client's connection state, for sequence numbers. */
interface ServedWatcher extends CacheWatcher {
  readonly conn: ClientState;
}

interface ServedWatch {
  readonly watcher: ServedWatcher;
  readonly cache: WatchCache<ServedWatcher>;
  readonly timer: number;
}

interface ListWaiter {
  readonly f: InFlight;
  readonly rv: number;
  readonly timer: number;
}

const OK = 200;

/**
 * kube-apiserver: stateless in front of the store. Every request goes authentication →
 * authorization → mutating admission → schema validation → validating admission → persist (CAS on
 * resourceVersion = the store's modRevision) → response; each stage charges simulated CPU and a
 * rejection is answered with the Status upstream gives and recorded with its stage. Lists and
 * watches are served from per-resource watch caches, each fed by one store watch.
 */
export class ApiServer implements Component {
  private readonly config: ApiServerConfig;
  private readonly store: StorePort;
  private readonly policy: ApiPolicy;
  private readonly costs: StageCosts;
  private readonly timers = new TimerRouter('apiserver');
  private readonly caches = new Map<string, WatchCache<ServedWatcher>>();
  private readonly storeWatches = new Map<string, StoreWatchHandle>();
  private readonly watches = new Map<string, ServedWatch>();
  /**
   * Per endpoint, per client: its latest session (older sessions' watches are dead incarnations),
   * and the session messages go to with the last ConnectionSeq sent to it. Keyed in two levels so
   * that a request or a message costs no key string.
   */
  private readonly clientStates = new Map<EndpointId, Map<string, ClientState>>();
  private readonly watchesByClient = new Map<string, Set<string>>();
  private readonly listWaiters = new Map<string, ListWaiter[]>();
  private readonly flushPending = new Set<string>();
  private readonly recentlyActive = new Set<string>();
  private progressTimerPending = false;
  /** Boot id, drawn at start: clients compare it to notice a restart that reset their watches. */
  private incarnation = 0;
  private inflightReadOnly = 0;
  private inflightMutating = 0;
  private view: ClusterView | undefined;
  private ctx: Context | undefined;

  constructor(config: ApiServerConfig, store: StorePort) {
    this.config = config;
    this.store = store;
    this.policy = config.policy;
    this.costs = { ...DEFAULT_STAGE_COSTS, ...(config.costs ?? {}) };
  }

  // ───────────── Component ─────────────

  start(ctx: Context): void {
    this.ctx = ctx;
    this.incarnation = 1 + ctx.rng.int(2 ** 31);
    this.store.start(ctx);
    const names = this.config.cachedResources ?? RESOURCES.map((r) => r.resource as ResourceName);
    for (const name of names) {
      const r = resourceForPlural(name);
      if (r === undefined) continue;
      this.caches.set(r.resource, new WatchCache<ServedWatcher>(r, this.config.watchCache ?? {}));
      this.initCache(ctx, r.resource);
    }
    this.view = this.makeView();
    this.timers.set(ctx, this.config.bookmarkIntervalUs ?? s(60), (c) => this.bookmarks(c));
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    if (this.store.handleMessage(ctx, from, message)) return;
    if (!isClientToServer(message)) return;
    const m = message as ClientToServer;
    switch (m.type) {
      case 'api/request':
        this.onRequest(ctx, from, m);
        return;
      case 'api/watch-cancel':
        this.endWatch(watchKey(clientKeyOf(from, m.client), m.session, m.id), undefined, ctx);
        return;
      case 'api/ping':
        ctx.send(from, Object.freeze({ type: 'api/pong', id: m.id, client: m.client, session: m.session, incarnation: this.incarnation, connSeq: this.nextConnSeq(from, m.client, m.session) }), 64);
        return;
      default:
        assertNever(m, 'client message');
    }
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    if (this.store.handleTimer(ctx, tag)) return;
    this.timers.handleTimer(ctx, tag);
  }

  /** For tests and checkers: the watch cache of a resource. */
  watchCache(resource: ResourceName): WatchCache | undefined {
    return this.caches.get(resource);
  }
  inflight(): { readonly readOnly: number; readonly mutating: number } {
    return { readOnly: this.inflightReadOnly, mutating: this.inflightMutating };
  }
  watchCount(): number {
    return this.watches.size;
  }

  // ───────────── watch caches ─────────────

  private prefixOf(r: ResourceInfo, namespace: string | undefined): string {
    const base = storageKey(r, undefined, '');
    // storageKey of a namespaced kind with no namespace ends in `//`; the resource prefix is everything before.
    const root = r.namespaced ? base.slice(0, base.length - 1) : base;
    return r.namespaced && namespace !== undefined && namespace !== '' ? `${root}${namespace}/` : root;
  }

  private initCache(ctx: Context, resource: string): void {
    const cache = this.caches.get(resource);
    if (cache === undefined) return;
    cache.ready = false;
    this.storeWatches.get(resource)?.cancel(ctx);
    this.storeWatches.delete(resource);
    const prefix = this.prefixOf(cache.resource, undefined);
    this.store.range(ctx, prefix, false, (r, c) => {
      if (!r.ok || r.value.type !== 'ok') {
        this.timers.set(c, s(1), (c2) => this.initCache(c2, resource));
        return;
      }
      const rev = r.value.revision;
      // Watchers of a previous incarnation of this cache may have missed events: make them relist.
      for (const w of [...cache.watchers()]) this.endWatch(w.key, expired('watch cache reinitialised; relist'), c);
      cache.replace(r.value.kvs, rev);
      this.storeWatches.set(
        resource,
        this.store.watch(c, prefix, rev + 1, {
          onEvents: (events, revision, c2) => this.onStoreEvents(c2, cache, events, revision),
          onCompacted: (_rev, c2) => this.initCache(c2, resource),
        }),
      );
      this.wakeListWaiters(c, cache);
    });
  }

  private onStoreEvents(ctx: Context, cache: WatchCache<ServedWatcher>, events: Parameters<WatchCache['apply']>[0], revision: number): void {
    const fanout = cache.apply(events, revision, ctx.now());
    const name = cache.resource.resource;
    // Every batch costs CPU; one pending flush sends whatever has accumulated by the time it runs.
    const delay = fanout > 0 ? ctx.useCpu(fanout * this.costs.perWatchEventUs) : 0;
    if (fanout > 0 && !this.flushPending.has(name)) {
      this.flushPending.add(name);
      this.timers.set(ctx, delay, (c) => {
        this.flushPending.delete(name);
        this.flush(c, cache);
      });
    }
    this.wakeListWaiters(ctx, cache);
  }

  private flush(ctx: Context, cache: WatchCache<ServedWatcher>): void {
    for (const w of cache.takeDirty()) {
      if (w.buffer.length === 0) continue;
      this.noteActive(ctx, w);
      const events = w.buffer;
      w.buffer = [];
      let size = REQUEST_OVERHEAD_BYTES;
      for (const e of events) size += e.type === 'BOOKMARK' ? 50 : objectSizeBytes(e.object);
      ctx.send(w.to, Object.freeze({ type: 'api/watch-event', id: w.id, client: w.client, session: w.session, incarnation: this.incarnation, connSeq: nextSeqOn(w.conn, w.session), seq: ++w.seq, events: Object.freeze(events) }), size);
    }
  }

  /**
   * A watcher that just got events gets a progress BOOKMARK shortly after: the network may drop a
   * watch message that TCP would have retransmitted, and the bookmark's sequence number lets the
   * client notice a lost last message within about a second instead of at the next minute's bookmark.
   */
  private noteActive(ctx: Context, w: ServedWatcher): void {
    this.recentlyActive.add(w.key);
    if (this.progressTimerPending) return;
    this.progressTimerPending = true;
    this.timers.set(ctx, this.config.progressBookmarkIntervalUs ?? s(1), (c) => {
      this.progressTimerPending = false;
      const keys = [...this.recentlyActive];
      this.recentlyActive.clear();
      for (const key of keys) {
        const served = this.watches.get(key);
        if (served === undefined || served.watcher.buffer.length > 0) continue;
        const wt = served.watcher;
        const bookmark: readonly WatchEvent[] = Object.freeze([Object.freeze({ type: 'BOOKMARK', resourceVersion: String(Math.max(wt.lastRv, served.cache.rv)) })]);
        if (wt.lastRv < served.cache.rv) wt.lastRv = served.cache.rv;
        c.send(wt.to, Object.freeze({ type: 'api/watch-event', id: wt.id, client: wt.client, session: wt.session, incarnation: this.incarnation, connSeq: nextSeqOn(wt.conn, wt.session), seq: ++wt.seq, events: bookmark }), 100);
      }
    });
  }

  private bookmarks(ctx: Context): void {
    for (const cache of this.caches.values()) {
      if (!cache.ready) continue;
      this.flush(ctx, cache);
      const rv = cache.rv;
      const bookmark: readonly WatchEvent[] = Object.freeze([Object.freeze({ type: 'BOOKMARK', resourceVersion: String(rv) })]);
      for (const w of cache.watchers()) {
        if (w.lastRv < rv) w.lastRv = rv;
        ctx.send(w.to, Object.freeze({ type: 'api/watch-event', id: w.id, client: w.client, session: w.session, incarnation: this.incarnation, connSeq: nextSeqOn(w.conn, w.session), seq: ++w.seq, events: bookmark }), 100);
      }
    }
    this.timers.set(ctx, this.config.bookmarkIntervalUs ?? s(60), (c) => this.bookmarks(c));
  }

  private makeView(): ClusterView {
    const caches = this.caches;
    return {
      get: <T extends KubeObject>(resource: ResourceName, namespace: string | undefined, name: string): T | undefined =>
        caches.get(resource)?.get(namespace, name) as T | undefined,
      list: <T extends KubeObject>(resource: ResourceName, namespace?: string): readonly T[] =>
        (caches.get(resource)?.sharedList(namespace) ?? []) as readonly T[],
      podsOnNode: (nodeName: string): readonly KubeObject[] => caches.get('pods')?.list(undefined, { nodeName }) ?? [],
      nowSeconds: (): number => (this.ctx?.now() ?? 0) / 1e6,
    };
  }

  // ───────────── request pipeline ─────────────

  private onRequest(ctx: Context, from: EndpointId, req: ApiRequest): void {
    const conn = this.trackSession(ctx, from, req);
    const resource = resourceForPlural(req.resource);
    const mutating = isMutatingVerb(req.verb);
    if (resource === undefined) {
      this.finishEarly(ctx, from, req, notFound('resources', req.resource), 'request');
      return;
    }
    const f: InFlight = { req, from, conn, resource, mutating, user: undefined, attempts: 0, cpuDebtUs: 0 };
    if (req.verb === 'watch') {
      this.startWatch(ctx, f);
      return;
    }
    if (mutating ? this.inflightMutating >= (this.config.maxMutatingRequestsInflight ?? 200) : this.inflightReadOnly >= (this.config.maxRequestsInflight ?? 400)) {
      this.finishEarly(ctx, from, req, tooManyRequests('Too many requests, please try again later.'), 'inflight');
      return;
    }
    if (mutating) this.inflightMutating++;
    else this.inflightReadOnly++;
    let cost = this.costs.authenticationUs;
    f.user = this.policy.authenticate(req.token);
    if (f.user === undefined) {
      this.afterCpu(ctx, cost, (c) => this.respond(c, f, { ok: false, status: unauthorized() }, 'authentication'));
      return;
    }
    cost += this.costs.authorizationUs;
    const attrs = this.attributes(f, f.user);
    const decision = this.policy.authorize(attrs, this.clusterView());
    if (!decision.allowed) {
      const st = forbidden(f.user.name, attrs.verb, attrs.subresource === undefined ? req.resource : `${req.resource}/${attrs.subresource}`, req.namespace, decision.reason);
      this.afterCpu(ctx, cost, (c) => this.respond(c, f, { ok: false, status: st }, 'authorization'));
      return;
    }
    // On an idle CPU the handler may start at once and the filters' CPU is charged with its next
    // stage (one timer per request, not two). Behind a backlog the handler must not read state
    // before the filters have run (upstream runs them first): it waits, or a read-modify-write would
    // read the cache the whole backlog earlier than it writes, and conflict more than upstream.
    if (ctx.useCpu(0) > 0) {
      this.afterCpu(ctx, cost, (c) => this.dispatch(c, f));
      return;
    }
    f.cpuDebtUs = cost;
    this.dispatch(ctx, f);
  }

  private dispatch(ctx: Context, f: InFlight): void {
    const verb = f.req.verb;
    switch (verb) {
      case 'get':
        this.doGet(ctx, f);
        return;
      case 'list':
        this.doList(ctx, f);
        return;
      case 'create':
        this.doCreate(ctx, f);
        return;
      case 'update':
      case 'updateStatus':
      case 'bind':
      case 'delete':
        this.readModifyWrite(ctx, f);
        return;
      case 'watch':
        return; // handled in onRequest
      default:
        assertNever(verb, 'verb');
    }
  }

  /** RBAC's view of the request: `updateStatus` is update on pods/status, `bind` is create on pods/binding. */
  private attributes(f: InFlight, user: UserInfo): RequestAttributes {
    const req = f.req;
    const verb = req.verb === 'updateStatus' ? 'update' : req.verb === 'bind' ? 'create' : req.verb;
    const subresource = req.verb === 'updateStatus' ? 'status' : req.verb === 'bind' ? 'binding' : undefined;
    const name = req.name ?? (req.body !== undefined ? req.body.metadata.name : undefined);
    const namespace = f.resource.namespaced ? (req.namespace ?? req.body?.metadata.namespace) : undefined;
    const old = name === undefined ? undefined : this.caches.get(req.resource)?.get(namespace, name);
    // Optional fields are set one by one: `{ ...(x ? {} : { x }) }` costs V8 a fresh hidden class
    // per object (about a microsecond each), and this runs twice per request.
    const attrs: Mutable<RequestAttributes> = { user, verb, apiGroup: f.resource.group, resource: req.resource };
    if (subresource !== undefined) attrs.subresource = subresource;
    if (namespace !== undefined) attrs.namespace = namespace;
    if (name !== undefined) attrs.name = name;
    if (req.body !== undefined) attrs.object = req.body;
    if (old !== undefined) attrs.oldObject = old;
    return attrs;
  }

  private clusterView(): ClusterView {
    if (this.view === undefined) this.view = this.makeView();
    return this.view;
  }

  // ───────────── reads ─────────────

  private doGet(ctx: Context, f: InFlight): void {
    const name = f.req.name ?? '';
    const key = storageKey(f.resource, f.req.namespace, name);
    if (f.req.resourceVersion === '0') {
      const cache = this.caches.get(f.req.resource);
      if (cache !== undefined && cache.ready) {
        const obj = cache.get(f.req.namespace, name);
        this.respond(ctx, f, obj === undefined ? { ok: false, status: notFound(f.req.resource, name) } : { ok: true, object: obj });
        return;
      }
    }
    this.store.range(ctx, key, true, (r, c) => {
      if (!r.ok) return this.respond(c, f, { ok: false, status: storeStatus(r.code, r.message) }, 'storage');
      if (r.value.type !== 'ok') return this.respond(c, f, { ok: false, status: internalError(`store range: ${r.value.type}`) }, 'storage');
      const kv = r.value.kvs[0];
      this.afterCpuFor(c, f, this.costs.storageUs, (c2) =>
        this.respond(c2, f, kv === undefined ? { ok: false, status: notFound(f.req.resource, name) } : { ok: true, object: objectFromKv(kv) }),
      );
    });
  }

  private doList(ctx: Context, f: InFlight): void {
    const rvText = f.req.resourceVersion;
    const cache = this.caches.get(f.req.resource);
    if (rvText === undefined || rvText === '' || cache === undefined) {
      this.listFromStore(ctx, f);
      return;
    }
    const rv = Number(rvText);
    if (!Number.isInteger(rv) || rv < 0) {
      this.respond(ctx, f, { ok: false, status: badRequest(`invalid resourceVersion "${rvText}"`) }, 'request');
      return;
    }
    if (!cache.ready) {
      this.respond(ctx, f, { ok: false, status: tooManyRequests('storage is (re)initializing', 1) }, 'storage');
      return;
    }
    if (cache.rv >= rv) {
      this.listFromCache(ctx, f, cache);
      return;
    }
    // Not fresh enough yet: wait for the cache to catch up, as upstream does for "too large resource version".
    const waiters = this.listWaiters.get(cache.resource.resource) ?? [];
    const timer = this.timers.set(ctx, this.config.listWaitUs ?? s(3), (c) => {
      const list = this.listWaiters.get(cache.resource.resource) ?? [];
      const i = list.findIndex((w) => w.f === f);
      if (i < 0) return;
      list.splice(i, 1);
      this.respond(c, f, { ok: false, status: timeout(`Too large resource version: ${rv}, current: ${cache.rv}`) }, 'storage');
    });
    waiters.push({ f, rv, timer });
    this.listWaiters.set(cache.resource.resource, waiters);
  }

  private wakeListWaiters(ctx: Context, cache: WatchCache<ServedWatcher>): void {
    const waiters = this.listWaiters.get(cache.resource.resource);
    if (waiters === undefined || waiters.length === 0 || !cache.ready) return;
    const ready = waiters.filter((w) => w.rv <= cache.rv);
    if (ready.length === 0) return;
    this.listWaiters.set(cache.resource.resource, waiters.filter((w) => w.rv > cache.rv));
    for (const w of ready) {
      this.timers.cancel(ctx, w.timer);
      this.listFromCache(ctx, w.f, cache);
    }
  }

  private listFromCache(ctx: Context, f: InFlight, cache: WatchCache<ServedWatcher>): void {
    const items = cache.list(f.resource.namespaced ? f.req.namespace : undefined, f.req.fieldSelector);
    const list: ObjectList<KubeObject> = Object.freeze({ kind: 'List', items: Object.freeze(items), resourceVersion: String(cache.rv) });
    this.afterCpuFor(ctx, f, items.length * this.costs.perListItemUs + 1, (c) => this.respond(c, f, { ok: true, object: list }));
  }

  private listFromStore(ctx: Context, f: InFlight): void {
    const namespace = f.resource.namespaced ? f.req.namespace : undefined;
    const name = f.req.fieldSelector?.name;
    // A name selector with the namespace known names one key: read it alone, as upstream's
    // ListPredicate does when the selector matches a single object (MatchesSingle), instead of
    // ranging the whole prefix (a kubelet's node informer relisting would read every node).
    const single = name !== undefined && (!f.resource.namespaced || namespace !== undefined);
    const prefix = single ? storageKey(f.resource, namespace, name) : this.prefixOf(f.resource, namespace);
    this.store.range(ctx, prefix, single, (r, c) => {
      if (!r.ok) return this.respond(c, f, { ok: false, status: storeStatus(r.code, r.message) }, 'storage');
      if (r.value.type !== 'ok') return this.respond(c, f, { ok: false, status: internalError(`store range: ${r.value.type}`) }, 'storage');
      const node = f.req.fieldSelector?.nodeName;
      const items: KubeObject[] = [];
      for (const kv of r.value.kvs) {
        const o = objectFromKv(kv);
        if (matches(o, undefined, node, name)) items.push(o);
      }
      const list: ObjectList<KubeObject> = Object.freeze({ kind: 'List', items: Object.freeze(items), resourceVersion: String(r.value.revision) });
      this.afterCpuFor(c, f, r.value.kvs.length * (this.costs.perListItemUs + this.costs.storageUs / 10) + 1, (c2) => this.respond(c2, f, { ok: true, object: list }));
    });
  }

  // ───────────── watch ─────────────

  private startWatch(ctx: Context, f: InFlight): void {
    const req = f.req;
    const user = this.policy.authenticate(req.token);
    if (user === undefined) return this.refuseWatch(ctx, f, unauthorized(), 'authentication');
    f.user = user;
    const attrs = this.attributes(f, user);
    const d = this.policy.authorize(attrs, this.clusterView());
    if (!d.allowed) return this.refuseWatch(ctx, f, forbidden(user.name, 'watch', req.resource, req.namespace, d.reason), 'authorization');
    const cache = this.caches.get(req.resource);
    if (cache === undefined) return this.refuseWatch(ctx, f, status(405, 'MethodNotAllowed', `watch of ${req.resource} is not served`), 'request');
    if (!cache.ready) return this.refuseWatch(ctx, f, tooManyRequests('storage is (re)initializing', 1), 'storage');
    const rvText = req.resourceVersion ?? '0';
    const fromRv = rvText === '' ? 0 : Number(rvText);
    if (!Number.isInteger(fromRv) || fromRv < 0) return this.refuseWatch(ctx, f, badRequest(`invalid resourceVersion "${rvText}"`), 'request');
    const clientKey = clientKeyOf(f.from, req.client);
    const watcher: ServedWatcher = {
      id: req.id,
      client: req.client, session: req.session,
      clientKey,
      key: watchKey(clientKey, req.session, req.id),
      to: f.from,
      conn: f.conn,
      namespace: f.resource.namespaced ? req.namespace : undefined,
      nodeName: req.fieldSelector?.nodeName,
      name: req.fieldSelector?.name,
      lastRv: 0,
      buffer: [],
      seq: 0,
    };
    if (!cache.addWatcher(watcher, fromRv)) {
      return this.refuseWatch(ctx, f, expired(`too old resource version: ${fromRv} (${cache.oldestResourceVersion()})`), 'storage');
    }
    const key = watcher.key;
    const min = this.config.minRequestTimeoutUs ?? s(1800);
    const timer = this.timers.set(ctx, ctx.rng.uniform(min, 2 * min), (c) => this.endWatch(key, status(504, 'Timeout', 'watch closed by server timeout'), c));
    this.watches.set(key, { watcher, cache, timer });
    let set = this.watchesByClient.get(clientKey);
    if (set === undefined) {
      set = new Set();
      this.watchesByClient.set(clientKey, set);
    }
    set.add(key);
    this.observe(ctx, f, OK, undefined);
    // Like HTTP response headers, something is sent soon even on a quiet watch (a progress
    // BOOKMARK): a client that hears nothing knows its watch request was lost and asks again.
    this.noteActive(ctx, watcher);
    if (watcher.buffer.length > 0) {
      const delay = ctx.useCpu(watcher.buffer.length * this.costs.perWatchEventUs + this.costs.authenticationUs + this.costs.authorizationUs);
      this.timers.set(ctx, delay, (c) => this.flush(c, cache));
    }
  }

  private refuseWatch(ctx: Context, f: InFlight, st: Status, stage: RejectionStage): void {
    this.observe(ctx, f, st.code, stage);
    ctx.send(f.from, Object.freeze({ type: 'api/watch-end', id: f.req.id, client: f.req.client, session: f.req.session, incarnation: this.incarnation, connSeq: nextSeqOn(f.conn, f.req.session), status: st }), 200);
  }

  /** Ends a watch; with a status the client is told (410, 504), without one it is dropped silently. */
  private endWatch(key: string, st: Status | undefined, ctx: Context): void {
    const w = this.watches.get(key);
    if (w === undefined) return;
    this.watches.delete(key);
    this.timers.cancel(ctx, w.timer);
    w.cache.removeWatcher(w.watcher);
    this.watchesByClient.get(w.watcher.clientKey)?.delete(key);
    if (st !== undefined) {
      // Deliver what was buffered first, so the client's last resourceVersion is exact.
      if (w.watcher.buffer.length > 0) {
        const events = w.watcher.buffer;
        w.watcher.buffer = [];
        ctx.send(w.watcher.to, Object.freeze({ type: 'api/watch-event', id: w.watcher.id, client: w.watcher.client, session: w.watcher.session, incarnation: this.incarnation, connSeq: nextSeqOn(w.watcher.conn, w.watcher.session), seq: ++w.watcher.seq, events: Object.freeze(events) }), REQUEST_OVERHEAD_BYTES);
      }
      ctx.send(w.watcher.to, Object.freeze({ type: 'api/watch-end', id: w.watcher.id, client: w.watcher.client, session: w.watcher.session, incarnation: this.incarnation, connSeq: nextSeqOn(w.watcher.conn, w.watcher.session), status: st }), 200);
    }
  }

  /** nextSeqOn for a client known by endpoint and name. */
  private nextConnSeq(to: EndpointId, client: string, session: number): number {
    return nextSeqOn(this.clientState(to, client), session);
  }

  private clientState(endpoint: EndpointId, client: string): ClientState {
    let byClient = this.clientStates.get(endpoint);
    if (byClient === undefined) {
      byClient = new Map();
      this.clientStates.set(endpoint, byClient);
    }
    let c = byClient.get(client);
    if (c === undefined) {
      c = { session: undefined, connSession: Number.NEGATIVE_INFINITY, connSeq: 0 };
      byClient.set(client, c);
    }
    return c;
  }

  /** Notes the request's session (a newer one ends the client's older watches); returns the client's state. */
  private trackSession(ctx: Context, from: EndpointId, req: ApiRequest): ClientState {
    const c = this.clientState(from, req.client);
    const known = c.session;
    if (known === req.session) return c;
    if (known !== undefined && known > req.session) return c; // a late request of a dead incarnation
    c.session = req.session;
    const set = this.watchesByClient.get(clientKeyOf(from, req.client));
    if (set === undefined) return c;
    for (const key of [...set]) this.endWatch(key, undefined, ctx);
    return c;
  }

  // ───────────── writes ─────────────

  private doCreate(ctx: Context, f: InFlight): void {
    const body = f.req.body;
    if (body === undefined || body.kind === 'Binding' || body.kind !== f.resource.kind) {
      this.respond(ctx, f, { ok: false, status: badRequest(`create ${f.req.resource}: body must be a ${f.resource.kind}`) }, 'request');
      return;
    }
    const prepared = prepareCreate(f.resource, body, {
      namespace: f.req.namespace,
      nowSeconds: ctx.now() / 1e6,
      uid: uid(ctx),
      nameSuffix: nameSuffix(ctx),
    });
    if (!prepared.ok) return this.respond(ctx, f, prepared, 'schema');
    this.admitAndPersist(ctx, f, prepared.object, undefined);
  }

  /**
   * update / updateStatus / bind / delete: read the stored object (from the watch cache when it is
   * the version the client named, else from the store), apply the strategy, admit, and persist with a
   * CAS on the modRevision read. An unconditional request that loses the race re-reads and retries.
   */
  private readModifyWrite(ctx: Context, f: InFlight): void {
    const name = f.req.name ?? f.req.body?.metadata.name ?? '';
    const namespace = f.resource.namespaced ? (f.req.namespace ?? f.req.body?.metadata.namespace) : undefined;
    const key = storageKey(f.resource, namespace, name);
    const wantedRv = f.req.verb === 'delete' ? f.req.deleteOptions?.preconditions?.resourceVersion : bodyResourceVersion(f.req);
    const cached = this.caches.get(f.req.resource)?.get(namespace, name);
    // The cache is a hint only: the CAS on its modRevision catches a stale read, and the retry reads the store.
    if (f.attempts === 0 && cached !== undefined && (wantedRv === undefined || wantedRv === '' || cached.metadata.resourceVersion === wantedRv)) {
      this.modify(ctx, f, key, cached);
      return;
    }
    this.store.range(ctx, key, true, (r, c) => {
      if (!r.ok) return this.respond(c, f, { ok: false, status: storeStatus(r.code, r.message) }, 'storage');
      if (r.value.type !== 'ok') return this.respond(c, f, { ok: false, status: internalError(`store range: ${r.value.type}`) }, 'storage');
      const kv = r.value.kvs[0];
      if (kv === undefined) return this.respond(c, f, { ok: false, status: notFound(f.req.resource, name) });
      this.modify(c, f, key, objectFromKv(kv));
    });
  }

  private modify(ctx: Context, f: InFlight, key: string, old: KubeObject): void {
    const req = f.req;
    const body = req.body;
    const verb = req.verb;
    const now = ctx.now() / 1e6;
    let prepared: Prepared;
    switch (verb) {
      case 'update':
        if (body === undefined || body.kind === 'Binding') return this.respond(ctx, f, { ok: false, status: badRequest('update needs an object body') }, 'request');
        prepared = prepareUpdate(f.resource, body, old);
        break;
      case 'updateStatus':
        if (body === undefined || body.kind === 'Binding') return this.respond(ctx, f, { ok: false, status: badRequest('status update needs an object body') }, 'request');
        prepared = prepareStatusUpdate(f.resource, body, old);
        break;
      case 'bind':
        if (body === undefined || body.kind !== 'Binding') return this.respond(ctx, f, { ok: false, status: badRequest('bind needs a Binding body') }, 'request');
        prepared = prepareBinding(old, body as Binding, now);
        break;
      case 'delete':
        this.doDelete(ctx, f, key, old);
        return;
      case 'get':
      case 'list':
      case 'watch':
      case 'create':
        return this.respond(ctx, f, { ok: false, status: internalError(`modify called for ${verb}`) }, 'request');
      default:
        return assertNever(verb, 'verb');
    }
    if (!prepared.ok) return this.respond(ctx, f, prepared, prepared.status.code === 409 ? 'storage' : 'request');
    this.admitAndPersist(ctx, f, prepared.object, old);
  }

  private doDelete(ctx: Context, f: InFlight, key: string, old: KubeObject): void {
    const pre = f.req.deleteOptions?.preconditions;
    if (pre?.uid !== undefined && pre.uid !== old.metadata.uid) {
      return this.respond(ctx, f, { ok: false, status: conflict(f.req.resource, old.metadata.name ?? '', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ''}`) }, 'storage');
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== old.metadata.resourceVersion) {
      return this.respond(ctx, f, { ok: false, status: staleConflict(f.resource, old) }, 'storage');
    }
    const plan = planDelete(old, f.req.deleteOptions?.gracePeriodSeconds, ctx.now() / 1e6);
    switch (plan.type) {
      case 'unchanged':
        // Nothing to write (the object is already terminating), yet a stale fencing token is still
        // refused: fencing decides who may write, whether or not the bytes would change.
        if (f.req.fencing !== undefined) return this.answerFencedNoop(ctx, f, old);
        return this.respond(ctx, f, { ok: true, object: old });
      case 'mark':
        return this.persist(ctx, f, key, old, plan.object);
      case 'remove':
        return this.persist(ctx, f, key, old, undefined);
      default:
        return assertNever(plan, 'delete plan');
    }
  }

  /** A fenced request that writes nothing: check its token against the Lease as read from the store. */
  private answerFencedNoop(ctx: Context, f: InFlight, old: KubeObject): void {
    const fencing = f.req.fencing;
    const leases = resourceForPlural('leases');
    if (fencing === undefined || leases === undefined) return this.respond(ctx, f, { ok: true, object: old });
    this.store.range(ctx, storageKey(leases, fencing.leaseNamespace, fencing.leaseName), true, (r, c) => {
      if (!r.ok) return this.respond(c, f, { ok: false, status: storeStatus(r.code, r.message) }, 'storage');
      const kv: KeyValue | undefined = r.value.type === 'ok' ? r.value.kvs[0] : undefined;
      if (kv === undefined) return this.respond(c, f, { ok: false, status: fencingConflict(f, 'lease not found') }, 'fencing');
      const transitions = (objectFromKv(kv) as Lease).spec.leaseTransitions ?? 0;
      if (fencing.leaseTransitions < transitions) {
        return this.respond(c, f, { ok: false, status: fencingConflict(f, `fencing token ${fencing.leaseTransitions} is older than lease transitions ${transitions}`) }, 'fencing');
      }
      this.respond(c, f, { ok: true, object: old });
    });
  }

  /** Mutating admission → schema validation → validating admission, then persist. */
  private admitAndPersist(ctx: Context, f: InFlight, object: KubeObject, old: KubeObject | undefined): void {
    const user = f.user;
    if (user === undefined) return this.respond(ctx, f, { ok: false, status: unauthorized() }, 'authentication');
    // Only creates and updates go through the admission plugins: bindings and status writes (most
    // writes) skip building their attributes and the cache read that comes with them.
    const attrs = f.req.verb === 'create' || f.req.verb === 'update' ? this.attributes(f, user) : undefined;
    const view = this.clusterView();
    let cost = 0;
    let obj = object;
    if (attrs !== undefined) {
      cost += this.costs.mutatingUs;
      const m = this.policy.mutate(attrs, obj, view);
      if (!m.ok) return this.afterCpuFor(ctx, f, cost, (c) => this.respond(c, f, m, 'mutating'));
      obj = m.object;
    }
    cost += this.costs.schemaUs;
    const causes = this.policy.validateSchema(obj, old);
    if (causes.length > 0) {
      const st = invalid(obj.kind, obj.metadata.name ?? '', causes);
      return this.afterCpuFor(ctx, f, cost, (c) => this.respond(c, f, { ok: false, status: st }, 'schema'));
    }
    if (attrs !== undefined) {
      cost += this.costs.validatingUs;
      const v = this.policy.validate(attrs, obj, view);
      if (!v.ok) return this.afterCpuFor(ctx, f, cost, (c) => this.respond(c, f, v, 'validating'));
    }
    const key = storageKey(f.resource, obj.metadata.namespace, obj.metadata.name ?? '');
    const final = old !== undefined && shouldRemoveAfterUpdate(obj) ? undefined : obj;
    this.afterCpuFor(ctx, f, cost + this.costs.storageUs, (c) => this.persist(c, f, key, old, final));
  }

  /**
   * Writes `next` (or deletes, if undefined) with a CAS on `old`'s modRevision (0 = must not exist),
   * plus, with a fencing token, a CAS on the Lease it names.
   */
  private persist(ctx: Context, f: InFlight, key: string, old: KubeObject | undefined, next: KubeObject | undefined, freshLease?: Lease): void {
    const compares: Compare[] = [{ key, modRevision: old === undefined ? 0 : Number(old.metadata.resourceVersion ?? '0') }];
    const fencing = f.req.fencing;
    let leaseKey: string | undefined;
    if (fencing !== undefined) {
      const leases = resourceForPlural('leases');
      // The watch cache's Lease may lag; the CAS on its modRevision catches that and casMiss re-reads the store.
      const lease = freshLease ?? (this.caches.get('leases')?.get(fencing.leaseNamespace, fencing.leaseName) as Lease | undefined);
      if (leases === undefined) return this.respond(ctx, f, { ok: false, status: internalError('leases not registered') }, 'fencing');
      leaseKey = storageKey(leases, fencing.leaseNamespace, fencing.leaseName);
      if (lease === undefined) return this.respond(ctx, f, { ok: false, status: fencingConflict(f, 'lease not found') }, 'fencing');
      const transitions = lease.spec.leaseTransitions ?? 0;
      if (fencing.leaseTransitions < transitions) {
        return this.respond(ctx, f, { ok: false, status: fencingConflict(f, `fencing token ${fencing.leaseTransitions} is older than lease transitions ${transitions}`) }, 'fencing');
      }
      compares.push({ key: leaseKey, modRevision: Number(lease.metadata.resourceVersion ?? '0') });
    }
    const op: TxnOp = next === undefined ? { type: 'delete', key } : { type: 'put', key, value: forStorage(next), sizeBytes: objectSizeBytes(next) };
    this.store.write(ctx, { type: 'txn', compares, success: [op], failure: [] }, (r, c) => {
      if (!r.ok) return this.respond(c, f, { ok: false, status: storeStatus(r.code, r.message) }, 'storage');
      const result = r.value;
      if (result.type !== 'txn') return this.respond(c, f, { ok: false, status: internalError(`unexpected store result ${result.type}`) }, 'storage');
      if (result.succeeded) return this.committed(c, f, old, next, result);
      this.casMiss(c, f, key, old, next, leaseKey);
    });
  }

  private committed(ctx: Context, f: InFlight, old: KubeObject | undefined, next: KubeObject | undefined, result: Extract<ApplyResult, { type: 'txn' }>): void {
    const rev = result.revision;
    const shown = next !== undefined ? withResourceVersion(next, rev) : old !== undefined ? withResourceVersion(old, rev) : undefined;
    if (shown === undefined) return this.respond(ctx, f, { ok: false, status: internalError('nothing written') }, 'storage');
    const base = old === undefined ? 0 : Number(old.metadata.resourceVersion ?? '0');
    this.respond(ctx, f, { ok: true, object: shown }, undefined, rev, base);
  }

  /** The CAS failed: someone wrote first (or the fencing Lease moved). Decide between 409 and a retry. */
  private casMiss(ctx: Context, f: InFlight, key: string, old: KubeObject | undefined, next: KubeObject | undefined, leaseKey: string | undefined): void {
    const verb = f.req.verb;
    const name = f.req.name ?? f.req.body?.metadata.name ?? '';
    if (leaseKey === undefined) return this.retryOrConflict(ctx, f, old, name, verb);
    // Either the object or the Lease moved. Re-read the Lease: a newer holder fences this write out;
    // otherwise re-read the object: if it is unchanged, only the Lease moved (e.g. its holder renewed
    // it), and the write is retried against the fresh Lease rather than failing spuriously.
    this.store.range(ctx, leaseKey, true, (r, c) => {
      if (!r.ok) return this.respond(c, f, { ok: false, status: storeStatus(r.code, r.message) }, 'storage');
      const kv: KeyValue | undefined = r.value.type === 'ok' ? r.value.kvs[0] : undefined;
      const lease = kv === undefined ? undefined : (objectFromKv(kv) as Lease);
      const transitions = lease?.spec.leaseTransitions ?? 0;
      if (lease === undefined || (f.req.fencing?.leaseTransitions ?? 0) < transitions) {
        return this.respond(c, f, { ok: false, status: fencingConflict(f, `fencing token is older than lease transitions ${transitions}`) }, 'fencing');
      }
      this.store.range(c, key, true, (o, c2) => {
        if (!o.ok) return this.respond(c2, f, { ok: false, status: storeStatus(o.code, o.message) }, 'storage');
        const current = o.value.type === 'ok' ? (o.value.kvs[0]?.modRevision ?? 0) : -1;
        const expected = old === undefined ? 0 : Number(old.metadata.resourceVersion ?? '0');
        f.attempts++;
        if (current === expected && f.attempts <= (this.config.maxGuaranteedUpdateRetries ?? 5)) return this.persist(c2, f, key, old, next, lease);
        this.retryOrConflict(c2, f, old, name, verb);
      });
    });
  }

  private retryOrConflict(ctx: Context, f: InFlight, old: KubeObject | undefined, name: string, verb: ApiRequest['verb']): void {
    if (verb === 'create') return this.respond(ctx, f, { ok: false, status: alreadyExists(f.req.resource, name) }, 'storage');
    const bodyRv = bodyResourceVersion(f.req);
    const conditional = verb === 'delete' ? f.req.deleteOptions?.preconditions?.resourceVersion !== undefined : bodyRv !== undefined && bodyRv !== '';
    f.attempts++;
    if (conditional || f.attempts > (this.config.maxGuaranteedUpdateRetries ?? 5) || old === undefined) {
      return this.respond(ctx, f, { ok: false, status: conflict(f.req.resource, name, 'the object has been modified; please apply your changes to the latest version and try again') }, 'storage');
    }
    this.readModifyWrite(ctx, f);
  }

  // ───────────── responses ─────────────

  private afterCpu(ctx: Context, costUs: Micros, fn: (ctx: Context) => void): void {
    this.timers.set(ctx, ctx.useCpu(Math.max(1, costUs)), fn);
  }

  /** afterCpu for a stage of request `f`, paying its CPU debt with it. */
  private afterCpuFor(ctx: Context, f: InFlight, costUs: Micros, fn: (ctx: Context) => void): void {
    const debt = f.cpuDebtUs;
    f.cpuDebtUs = 0;
    this.afterCpu(ctx, costUs + debt, fn);
  }

  private respond(ctx: Context, f: InFlight, result: ApiResult<KubeObject | ObjectList<KubeObject>>, stage?: RejectionStage, revision?: number, baseRevision?: number): void {
    if (f.cpuDebtUs > 0) {
      // The response leaves once the CPU the request used is spent.
      this.afterCpuFor(ctx, f, 0, (c) => this.respond(c, f, result, stage, revision, baseRevision));
      return;
    }
    if (f.mutating) this.inflightMutating--;
    else this.inflightReadOnly--;
    const code = result.ok ? OK : result.status.code;
    this.observe(ctx, f, code, result.ok ? undefined : (stage ?? 'storage'), revision, baseRevision);
    let size = REQUEST_OVERHEAD_BYTES;
    if (result.ok) {
      const o = result.object;
      size += o.kind === 'List' ? o.items.length * 2_000 : objectSizeBytes(o);
    }
    ctx.send(f.from, Object.freeze({ type: 'api/response', id: f.req.id, client: f.req.client, session: f.req.session, incarnation: this.incarnation, connSeq: nextSeqOn(f.conn, f.req.session), result: Object.freeze(result) }), size);
  }

  /** A request refused before it was counted in flight (unknown resource, 429). */
  private finishEarly(ctx: Context, from: EndpointId, req: ApiRequest, st: Status, stage: RejectionStage): void {
    const resource = resourceForPlural(req.resource);
    const f: InFlight = { req, from, conn: this.clientState(from, req.client), resource: resource ?? (RESOURCES[0] as ResourceInfo), mutating: isMutatingVerb(req.verb), user: undefined, attempts: 0, cpuDebtUs: 0 };
    this.observe(ctx, f, st.code, stage);
    if (req.verb === 'watch') ctx.send(from, Object.freeze({ type: 'api/watch-end', id: req.id, client: req.client, session: req.session, incarnation: this.incarnation, connSeq: nextSeqOn(f.conn, req.session), status: st }), 200);
    else ctx.send(from, Object.freeze({ type: 'api/response', id: req.id, client: req.client, session: req.session, incarnation: this.incarnation, connSeq: nextSeqOn(f.conn, req.session), result: Object.freeze({ ok: false, status: st }) }), REQUEST_OVERHEAD_BYTES);
  }

  private observe(ctx: Context, f: InFlight, code: number, stage: RejectionStage | undefined, revision?: number, baseRevision?: number): void {
    const req = f.req;
    const name = req.name ?? req.body?.metadata.name;
    const precondition = req.verb === 'delete' ? req.deleteOptions?.preconditions?.resourceVersion : f.mutating ? bodyResourceVersion(req) : undefined;
    const obs: Mutable<ApiRequestObservation> = { type: 'api.request', verb: req.verb, resource: req.resource, user: f.user?.name ?? 'system:anonymous', code };
    if (stage !== undefined) obs.stage = stage;
    if (req.namespace !== undefined) obs.namespace = req.namespace;
    if (name !== undefined) obs.name = name;
    if (revision !== undefined) obs.revision = revision;
    if (baseRevision !== undefined) obs.baseRevision = baseRevision;
    if (precondition !== undefined && precondition !== '') obs.precondition = precondition;
    ctx.observe(obs);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ClientState {
  /** Latest session seen in a request; undefined before the first. */
  session: number | undefined;
  /** Session the connection's numbers belong to (−∞ before the first message) and the last number sent. */
  connSession: number;
  connSeq: number;
}

/**
 * The next number on the connection to a client session (protocol.ts, ConnectionSeq). A newer
 * session of the client starts again at 1; a message to an older one, which that client no longer
 * reads, takes no number.
 */
/** A client as the server tracks its sessions and watches: `${endpoint}|${client}`. */
function clientKeyOf(endpoint: EndpointId, client: string): string {
  return `${endpoint}|${client}`;
}

/** A served watch, as its start and the client's watch-cancel both name it. */
function watchKey(clientKey: string, session: number, id: number): string {
  return `${clientKey}|${session}|${id}`;
}

function nextSeqOn(c: ClientState, session: number): number {
  if (c.connSession < session) {
    c.connSession = session;
    c.connSeq = 1;
    return 1;
  }
  return c.connSession === session ? ++c.connSeq : 0;
}

function bodyResourceVersion(req: ApiRequest): string | undefined {
  const body = req.body;
  return body === undefined || body.kind === 'Binding' ? undefined : body.metadata.resourceVersion;
}

function storeStatus(code: 503 | 504, message: string): Status {
  return code === 503 ? status(503, 'ServiceUnavailable', `etcdserver: ${message}`) : status(504, 'Timeout', `etcdserver: request timed out: ${message}`);
}

function fencingConflict(f: InFlight, why: string): Status {
  return conflict(f.req.resource, f.req.name ?? f.req.body?.metadata.name ?? '', `fenced: ${why}`);
}

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const DASH_CODE = '-'.charCodeAt(0);
/** Character codes of one uid, reused: the string is made in one piece rather than 36 appends. */
const uidCodes = new Array<number>(36).fill(0);

/** A random UUID from the server's own stream (deterministic per seed). */
function uid(ctx: Context): string {
  let j = 0;
  for (let i = 0; i < 32; i++) {
    if (i === 8 || i === 12 || i === 16 || i === 20) uidCodes[j++] = DASH_CODE;
    uidCodes[j++] = HEX_CODES[ctx.rng.int(16)] ?? 48;
  }
  return String.fromCharCode(...uidCodes);
}

/** Five characters as upstream's generateName suffix (consonants and digits). */
function nameSuffix(ctx: Context): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[ctx.rng.int(alphabet.length)] ?? 'x';
  return out;
}
