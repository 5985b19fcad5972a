import type { Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import type { KubeObject, Pod } from '../api/types.js';
import type {
  ApiRequest,
  ApiResult,
  Binding,
  DeleteOptions,
  FencingToken,
  FieldSelector,
  ObjectList,
  ObjectOf,
  ResourceName,
  ServerToClient,
  Verb,
  WatchEvent,
} from '../apiserver/protocol.js';
import { isServerToClient, requestSizeBytes } from '../apiserver/protocol.js';
import type { Status } from '../apiserver/status.js';
import { serviceUnavailable, status, timeout } from '../apiserver/status.js';
import { assertNever } from '../util/assert.js';
import { LoadBalancer } from './loadBalancer.js';
import { TimerRouter } from './timerRouter.js';
import { TokenBucket } from './tokenBucket.js';

export interface ApiClientConfig {
  /** The identity, for logs and observations; the API server authenticates `token`, not this. */
  readonly user: string;
  /** Bearer token the API server's authenticator maps to `user`. */
  readonly token: string;
  /** Names of the kube-apiserver endpoints behind the load balancer, e.g. `kube-apiserver@master-1`; distinct. */
  readonly endpoints: readonly string[];
  /** Client-side rate limit (requests/s); upstream defaults: controller-manager 20, scheduler 50, kubelet 50. */
  readonly qps: number;
  /** Token-bucket burst; upstream defaults: controller-manager 30, scheduler 100, kubelet 100. */
  readonly burst: number;
  /** Distinguishes several clients in one component (default: `user`). */
  readonly name?: string;
  /** Per-request timeout, local µs; default 10 s. Shorter finds dead servers sooner but gives up on slow ones. */
  readonly requestTimeoutUs?: Micros;
  /** How long a server that timed out is skipped, µs; default 10 s. */
  readonly suspectCooldownUs?: Micros;
  /** Quiet time on the connection before a health ping, µs; default 30 s (client-go's HTTP/2 ReadIdleTimeout). */
  readonly readIdleTimeoutUs?: Micros;
  /** Time to wait for the pong, µs; default 15 s (client-go's PingTimeout). */
  readonly pingTimeoutUs?: Micros;
  /** Retries of a 429 (after its Retry-After), as client-go's rest client; default 10. */
  readonly maxRetries?: number;
  /** A watch with no message (not even a bookmark) for this long is resumed, µs; default 150 s (2.5 bookmark intervals). */
  readonly watchSilenceUs?: Micros;
}

/** Receives an API call's outcome; `ctx` is the host component's context at delivery. */
export type ApiCallback<T> = (result: ApiResult<T>, ctx: Context) => void;

export interface WriteOptions {
  /** Fencing token for leader-elected writers (scenario `leaderElection.fencing`). */
  readonly fencing?: FencingToken;
  /** Overrides the client's request timeout for this call. */
  readonly timeoutUs?: Micros;
}

export interface ListOptions {
  readonly namespace?: string;
  /** `undefined` = consistent read from the store; `'0'` = from the watch cache, any freshness. */
  readonly resourceVersion?: string;
  readonly fieldSelector?: FieldSelector;
  readonly timeoutUs?: Micros;
}

export interface WatchOptions {
  readonly namespace?: string;
  /** Events strictly after this resourceVersion (normally the list's). */
  readonly resourceVersion: string;
  readonly fieldSelector?: FieldSelector;
}

export interface WatchHandler<T> {
  /** A batch of events in resourceVersion order (BOOKMARKs carry only progress). */
  onEvents(events: readonly WatchEvent[], ctx: Context): void;
  /** The watch is over: 410 Expired (relist), 503 connection lost / 504 (rewatch), 401/403 (refused). */
  onEnd(status: Status, ctx: Context): void;
  /** Only for typing: the object type the events carry. */
  readonly _type?: T;
}

export interface WatchHandle {
  readonly id: number;
  /** Stops the watch; `onEnd` is not called. */
  stop(ctx: Context): void;
}

type RequestFields = Omit<ApiRequest, 'type' | 'id' | 'client' | 'session' | 'token'>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Pending {
  readonly fields: RequestFields;
  readonly callback: ApiCallback<unknown>;
  readonly timeoutUs: Micros;
  attempts: number;
  retries429: number;
  endpointIndex: number;
  timer: number;
}

interface ActiveWatch {
  readonly fields: RequestFields;
  readonly handler: WatchHandler<unknown>;
  endpointIndex: number;
  /** Sequence number of the last message applied. */
  seq: number;
  /** Local time of the last message on this watch (a silent watch is presumed dead). */
  lastHeardUs: Micros;
}

const READ_VERBS: ReadonlySet<Verb> = new Set<Verb>(['get', 'list', 'watch']);

/**
 * A component's connection to the API: client-go's rest client + rate limiter + the load balancer.
 * Embed one per identity; forward `handleMessage`/`handleTimer` first in onMessage/onTimer.
 * See core/client/README.md for the wiring. In short:
 *
 * ```ts
 * class PodGC implements Component {
 *   private readonly client = new ApiClient({ user: 'system:kube-controller-manager', token, endpoints, qps: 20, burst: 30 });
 *   private readonly pods = new Informer(this.client, 'pods');
 *   private readonly queue = new WorkQueue<string>(this.client.timers, { name: 'podgc', workers: 2, process: (ctx, key) => this.sync(ctx, key) });
 *   start(ctx: Context): void {
 *     this.client.start(ctx);
 *     this.pods.addEventHandler({ onUpdate: (_old, pod, c) => this.queue.add(c, objectKey(pod)) });
 *     this.pods.start(ctx);
 *   }
 *   onMessage(ctx: Context, from: EndpointId, msg: Message): void { if (this.client.handleMessage(ctx, from, msg)) return; }
 *   onTimer(ctx: Context, tag: TimerTag): void { if (this.client.handleTimer(ctx, tag)) return; }
 *   private sync(ctx: Context, key: string): void {
 *     const pod = this.pods.get(key);                       // read from the cache, never from the API
 *     if (pod?.status?.phase !== 'Succeeded') return this.queue.done(ctx, key, true);
 *     this.client.delete(ctx, 'pods', pod.metadata.namespace, pod.metadata.name ?? '', (r) =>
 *       this.queue.done(ctx, key, r.ok || r.status.code === 404));   // failure → rate-limited requeue
 *   }
 * }
 * ```
 */
export class ApiClient {
  readonly user: string;
  readonly name: string;
  /** Timers of this client and of the Informers/WorkQueues built on it. */
  readonly timers: TimerRouter;
  private readonly config: ApiClientConfig;
  private readonly lb: LoadBalancer;
  private readonly bucket: TokenBucket;
  private readonly requestTimeoutUs: Micros;
  private readonly readIdleTimeoutUs: Micros;
  private readonly pingTimeoutUs: Micros;
  private readonly maxRetries: number;
  private readonly watchSilenceUs: Micros;
  private session = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly watches = new Map<number, ActiveWatch>();
  /** Local time anything was last heard from each server (drives health pings). */
  private readonly lastHeardUs: Micros[];
  /** Last boot id seen from each server. */
  private readonly incarnations: (number | undefined)[];
  /** Highest ConnectionSeq received from each server (since its boot id last changed). */
  private readonly connSeqs: number[];
  private healthTimer: number | undefined;
  private pingId: number | undefined;
  private started = false;

  constructor(config: ApiClientConfig) {
    this.config = config;
    this.user = config.user;
    this.name = config.name ?? config.user;
    this.timers = new TimerRouter(`apiclient/${this.name}`);
    this.lb = new LoadBalancer(config.endpoints, config.suspectCooldownUs ?? s(10));
    this.bucket = new TokenBucket(config.qps, config.burst);
    this.requestTimeoutUs = config.requestTimeoutUs ?? s(10);
    this.readIdleTimeoutUs = config.readIdleTimeoutUs ?? s(30);
    this.pingTimeoutUs = config.pingTimeoutUs ?? s(15);
    this.maxRetries = config.maxRetries ?? 10;
    this.watchSilenceUs = config.watchSilenceUs ?? s(150);
    this.lastHeardUs = config.endpoints.map(() => 0);
    this.incarnations = config.endpoints.map(() => undefined);
    this.connSeqs = config.endpoints.map(() => 0);
  }

  /** Call from Component.start. The session grows across restarts so servers can drop a dead incarnation's watches. */
  start(ctx: Context): void {
    this.started = true;
    this.session = Math.max(1, Math.floor(ctx.now())) * 1024 + ctx.rng.int(1024);
    this.lb.start(ctx);
  }

  /** The API server the connection is on now (endpoint name). */
  currentEndpoint(): string {
    return this.lb.names[this.lb.currentIndex()] ?? '';
  }

  // ───────────── typed verbs ─────────────

  /** `resourceVersion: '0'` is served from the API server's watch cache (possibly stale), as client-go's FromApiserverCache. */
  get<R extends ResourceName>(
    ctx: Context,
    resource: R,
    namespace: string | undefined,
    name: string,
    cb: ApiCallback<ObjectOf<R>>,
    opts?: { readonly timeoutUs?: Micros; readonly resourceVersion?: string },
  ): void {
    const fields: RequestFields = withNs({ verb: 'get', resource, name }, namespace);
    this.request(ctx, opts?.resourceVersion === undefined ? fields : { ...fields, resourceVersion: opts.resourceVersion }, cb as ApiCallback<unknown>, opts?.timeoutUs);
  }

  list<R extends ResourceName>(ctx: Context, resource: R, opts: ListOptions, cb: ApiCallback<ObjectList<ObjectOf<R>>>): void {
    let fields: RequestFields = withNs({ verb: 'list', resource }, opts.namespace);
    if (opts.resourceVersion !== undefined) fields = { ...fields, resourceVersion: opts.resourceVersion };
    if (opts.fieldSelector !== undefined) fields = { ...fields, fieldSelector: opts.fieldSelector };
    this.request(ctx, fields, cb as ApiCallback<unknown>, opts.timeoutUs);
  }

  create<R extends ResourceName>(ctx: Context, resource: R, obj: ObjectOf<R>, cb: ApiCallback<ObjectOf<R>>, opts?: WriteOptions): void {
    this.write(ctx, 'create', resource, obj, cb as ApiCallback<unknown>, opts);
  }

  /** Full update with compare-and-swap on `obj.metadata.resourceVersion` (409 Conflict if stale). */
  update<R extends ResourceName>(ctx: Context, resource: R, obj: ObjectOf<R>, cb: ApiCallback<ObjectOf<R>>, opts?: WriteOptions): void {
    this.write(ctx, 'update', resource, obj, cb as ApiCallback<unknown>, opts);
  }

  /** Status subresource: only `status` is taken from `obj`; CAS if it carries a resourceVersion. */
  updateStatus<R extends ResourceName>(ctx: Context, resource: R, obj: ObjectOf<R>, cb: ApiCallback<ObjectOf<R>>, opts?: WriteOptions): void {
    this.write(ctx, 'updateStatus', resource, obj, cb as ApiCallback<unknown>, opts);
  }

  /** Deletes, or starts graceful deletion (the result then carries deletionTimestamp). */
  delete<R extends ResourceName>(
    ctx: Context,
    resource: R,
    namespace: string | undefined,
    name: string,
    cb: ApiCallback<ObjectOf<R>>,
    opts?: DeleteOptions & WriteOptions,
  ): void {
    let fields: RequestFields = withNs({ verb: 'delete', resource, name }, namespace);
    if (opts?.gracePeriodSeconds !== undefined || opts?.preconditions !== undefined) {
      const deleteOptions: DeleteOptions = {
        ...(opts.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: opts.gracePeriodSeconds }),
        ...(opts.preconditions === undefined ? {} : { preconditions: opts.preconditions }),
      };
      fields = { ...fields, deleteOptions };
    }
    if (opts?.fencing !== undefined) fields = { ...fields, fencing: opts.fencing };
    this.request(ctx, fields, cb as ApiCallback<unknown>, opts?.timeoutUs);
  }

  /** POST pods/<name>/binding: sets spec.nodeName once (409 if the pod is already bound). */
  bind(ctx: Context, namespace: string, podName: string, nodeName: string, cb: ApiCallback<Pod>, opts?: WriteOptions & { readonly podUid?: string }): void {
    const binding: Binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: opts?.podUid === undefined ? { name: podName, namespace } : { name: podName, namespace, uid: opts.podUid },
      target: { kind: 'Node', name: nodeName },
    };
    const body = Object.freeze(binding);
    let fields: RequestFields = { verb: 'bind', resource: 'pods', namespace, name: podName, body };
    if (opts?.fencing !== undefined) fields = { ...fields, fencing: opts.fencing };
    this.request(ctx, fields, cb as ApiCallback<unknown>, opts?.timeoutUs);
  }

  /** Starts a watch on the current server. Events arrive in resourceVersion order until `onEnd`. */
  watch<R extends ResourceName>(ctx: Context, resource: R, opts: WatchOptions, handler: WatchHandler<ObjectOf<R>>): WatchHandle {
    let fields: RequestFields = withNs({ verb: 'watch', resource, resourceVersion: opts.resourceVersion }, opts.namespace);
    if (opts.fieldSelector !== undefined) fields = { ...fields, fieldSelector: opts.fieldSelector };
    const id = this.nextId++;
    const watch: ActiveWatch = { fields, handler: handler as WatchHandler<unknown>, endpointIndex: this.lb.currentIndex(), seq: 0, lastHeardUs: ctx.now() };
    this.watches.set(id, watch);
    this.throttled(ctx, (c) => {
      if (this.watches.get(id) !== watch) return; // stopped while throttled
      watch.endpointIndex = this.lb.currentIndex();
      const to = this.lb.endpoint(c, watch.endpointIndex);
      if (to === undefined) {
        this.watches.delete(id);
        handler.onEnd(serviceUnavailable(`no endpoint for ${this.currentEndpoint()}`), c);
        return;
      }
      this.sendRequest(c, to, id, fields);
      this.ensureHealthCheck(c);
      // The server answers a watch at once (a bookmark at the latest): silence means the request
      // or its answer was lost, which TCP would have retransmitted; end it so the informer rewatches
      // rather than waiting out watchSilenceUs with no events.
      this.timers.set(c, this.requestTimeoutUs, (c2) => {
        if (this.watches.get(id) === watch && watch.seq === 0) this.abandonWatch(c2, id, watch, to, status(504, 'Timeout', 'watch not established: no answer'));
      });
    });
    return {
      id,
      stop: (c: Context): void => {
        const w = this.watches.get(id);
        if (w === undefined) return;
        this.watches.delete(id);
        const to = this.lb.endpoint(c, w.endpointIndex);
        if (to !== undefined) c.send(to, Object.freeze({ type: 'api/watch-cancel', id, client: this.name, session: this.session }), 64);
      },
    };
  }

  /** Requests waiting for an answer (for tests and leak checks). */
  pendingCount(): number {
    return this.pending.size;
  }
  watchCount(): number {
    return this.watches.size;
  }

  // ───────────── host forwarding ─────────────

  /** Returns true if `msg` was for this client (the host then ignores it). */
  handleMessage(ctx: Context, from: EndpointId, msg: Message): boolean {
    if (!isServerToClient(msg)) return false;
    const m = msg as ServerToClient;
    if (m.session !== this.session || m.client !== this.name) return false;
    const index = this.serverIndex(ctx, from);
    if (index >= 0) {
      this.lastHeardUs[index] = ctx.now();
      this.checkIncarnation(ctx, index, m.incarnation);
      this.checkConnSeq(ctx, from, index, m.connSeq);
    }
    switch (m.type) {
      case 'api/response':
        this.onResponse(ctx, m.id, m.result);
        return true;
      case 'api/watch-event': {
        const w = this.watches.get(m.id);
        if (w === undefined) {
          // A watch we stopped or gave up on: tell the server, as a TCP reset would.
          ctx.send(from, Object.freeze({ type: 'api/watch-cancel', id: m.id, client: this.name, session: this.session }), 64);
          return true;
        }
        if (m.seq <= w.seq) return true; // a duplicate delivery
        if (m.seq !== w.seq + 1) {
          // A message was lost: the stream is broken, as a reset connection would be. Resume from the last resourceVersion.
          this.abandonWatch(ctx, m.id, w, from, status(504, 'Timeout', `watch stream broken: expected message ${w.seq + 1}, got ${m.seq}`));
          return true;
        }
        w.seq = m.seq;
        w.lastHeardUs = ctx.now();
        w.handler.onEvents(m.events, ctx);
        return true;
      }
      case 'api/watch-end': {
        const w = this.watches.get(m.id);
        if (w === undefined) return true;
        this.watches.delete(m.id);
        w.handler.onEnd(m.status, ctx);
        return true;
      }
      case 'api/pong':
        if (m.id === this.pingId) this.pingId = undefined;
        return true;
      default:
        return assertNever(m, 'server message');
    }
  }

  /** Returns true if `tag` was a timer of this client or of an Informer/WorkQueue on it. */
  handleTimer(ctx: Context, tag: TimerTag): boolean {
    return this.timers.handleTimer(ctx, tag);
  }

  // ───────────── internals ─────────────

  private write(ctx: Context, verb: Verb, resource: ResourceName, obj: KubeObject, cb: ApiCallback<unknown>, opts: WriteOptions | undefined): void {
    const fields: Mutable<RequestFields> = { verb, resource, body: obj };
    const { namespace, name } = obj.metadata;
    if (namespace !== undefined && namespace !== '') fields.namespace = namespace;
    if (name !== undefined && name !== '') fields.name = name;
    if (opts?.fencing !== undefined) fields.fencing = opts.fencing;
    this.request(ctx, fields, cb, opts?.timeoutUs);
  }

  private request(ctx: Context, fields: RequestFields, callback: ApiCallback<unknown>, timeoutUs: Micros | undefined): void {
    if (!this.started) throw new Error(`ApiClient ${this.name}: start(ctx) was not called`);
    const p: Pending = { fields, callback, timeoutUs: timeoutUs ?? this.requestTimeoutUs, attempts: 0, retries429: 0, endpointIndex: 0, timer: 0 };
    // throttled() inlined: most requests find a token, and then need no closure.
    const delay = this.bucket.reserve(ctx.now());
    if (delay === 0) this.attempt(ctx, p);
    else this.timers.set(ctx, delay, (c) => this.attempt(c, p));
  }

  /** Waits for a token of the client-side bucket (requests are delayed in order, never dropped). */
  private throttled(ctx: Context, fn: (ctx: Context) => void): void {
    const delay = this.bucket.reserve(ctx.now());
    if (delay === 0) fn(ctx);
    else this.timers.set(ctx, delay, fn);
  }

  private attempt(ctx: Context, p: Pending): void {
    p.attempts++;
    p.endpointIndex = this.lb.currentIndex();
    const to = this.lb.endpoint(ctx, p.endpointIndex);
    if (to === undefined) {
      p.callback({ ok: false, status: serviceUnavailable(`no endpoint for ${this.currentEndpoint()}`) }, ctx);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, p);
    this.sendRequest(ctx, to, id, p.fields);
    p.timer = this.timers.set(ctx, p.timeoutUs, (c) => this.onTimeout(c, id, p));
  }

  private sendRequest(ctx: Context, to: EndpointId, id: number, fields: RequestFields): void {
    // Built field by field in one order rather than spread from `fields`: a spread of objects of
    // varying shape plus added keys costs V8 a fresh hidden class per request (it was the costliest
    // line of the client, ~6% of a rollout).
    const req: Mutable<ApiRequest> = { type: 'api/request', id, client: this.name, session: this.session, token: this.config.token, verb: fields.verb, resource: fields.resource };
    if (fields.namespace !== undefined) req.namespace = fields.namespace;
    if (fields.name !== undefined) req.name = fields.name;
    if (fields.body !== undefined) req.body = fields.body;
    if (fields.resourceVersion !== undefined) req.resourceVersion = fields.resourceVersion;
    if (fields.fieldSelector !== undefined) req.fieldSelector = fields.fieldSelector;
    if (fields.deleteOptions !== undefined) req.deleteOptions = fields.deleteOptions;
    if (fields.fencing !== undefined) req.fencing = fields.fencing;
    ctx.send(to, Object.freeze(req), requestSizeBytes(req));
  }

  private onTimeout(ctx: Context, id: number, p: Pending): void {
    if (this.pending.get(id) !== p) return;
    this.pending.delete(id);
    this.connectionFailed(ctx, p.endpointIndex, `request to ${this.lb.names[p.endpointIndex] ?? '?'} timed out`);
    // Reads are safe to repeat elsewhere; a write may have been applied, so its caller must re-read.
    if (READ_VERBS.has(p.fields.verb) && p.attempts < this.lb.size()) {
      this.attempt(ctx, p);
      return;
    }
    p.callback({ ok: false, status: timeout(`${p.fields.verb} ${p.fields.resource}: no answer within ${p.timeoutUs}us; the request may or may not have been applied`) }, ctx);
  }

  private onResponse(ctx: Context, id: number, result: ApiResult<unknown>): void {
    const p = this.pending.get(id);
    if (p === undefined) return; // answered after its timeout: the caller already got a 504
    this.pending.delete(id);
    this.timers.cancel(ctx, p.timer);
    if (!result.ok && result.status.code === 429 && p.retries429 < this.maxRetries) {
      // The server refused before doing anything, so any verb may be retried after Retry-After.
      p.retries429++;
      const after = s(result.status.details?.retryAfterSeconds ?? 1);
      this.timers.set(ctx, after, (c) => this.throttled(c, (c2) => this.attempt(c2, p)));
      return;
    }
    p.callback(result, ctx);
  }

  /** The index of the server behind endpoint `from` (the last, should one be listed twice); -1 if none. */
  private serverIndex(ctx: Context, from: EndpointId): number {
    let index = -1;
    for (let i = 0; i < this.lb.size(); i++) if (this.lb.endpoint(ctx, i) === from) index = i;
    return index;
  }

  /**
   * The connection to server `index` is considered broken: skip that server for a while and end
   * every watch on it (503), so informers reconnect through the next server.
   */
  private connectionFailed(ctx: Context, index: number, why: string): void {
    this.lb.fail(ctx.now(), index);
    const ended: [number, ActiveWatch][] = [];
    for (const [id, w] of this.watches) if (w.endpointIndex === index) ended.push([id, w]);
    for (const [id, w] of ended) {
      this.watches.delete(id);
      const to = this.lb.endpoint(ctx, index);
      if (to !== undefined) ctx.send(to, Object.freeze({ type: 'api/watch-cancel', id, client: this.name, session: this.session }), 64);
      w.handler.onEnd(serviceUnavailable(`connection lost: ${why}`), ctx);
    }
  }

  /**
   * A boot id different from the last one seen from that server means it restarted: every watch on
   * it is gone, as the reset connection would tell, so they end with 503 and their informers resume.
   */
  private checkIncarnation(ctx: Context, index: number, incarnation: number): void {
    const known = this.incarnations[index];
    if (known === incarnation) return;
    this.incarnations[index] = incarnation;
    this.connSeqs[index] = 0; // a new server instance numbers its messages from 1
    if (known === undefined) return;
    const ended: [number, ActiveWatch][] = [];
    for (const [id, w] of this.watches) if (w.endpointIndex === index) ended.push([id, w]);
    for (const [id, w] of ended) {
      this.watches.delete(id);
      w.handler.onEnd(serviceUnavailable(`connection reset: ${this.lb.names[index] ?? '?'} restarted`), ctx);
    }
  }

  /**
   * A gap in the server's ConnectionSeq: the network lost a message on the connection, which TCP
   * would have retransmitted or answered with a reset. Any watch on that server may have lost its
   * last events with nothing after them to show it (a quiet stream after a partition), so every one
   * ends with 504 and resumes from its last resourceVersion, as after a reset connection. Requests in
   * flight keep their own timeouts. A duplicate (a number already seen) changes nothing.
   */
  private checkConnSeq(ctx: Context, from: EndpointId, index: number, connSeq: number): void {
    const last = this.connSeqs[index] ?? 0;
    if (connSeq <= last) return;
    this.connSeqs[index] = connSeq;
    if (connSeq === last + 1) return;
    const ended: [number, ActiveWatch][] = [];
    for (const [id, w] of this.watches) if (w.endpointIndex === index) ended.push([id, w]);
    for (const [id, w] of ended) {
      this.abandonWatch(ctx, id, w, from, status(504, 'Timeout', `connection to ${this.lb.names[index] ?? '?'} lost messages ${last + 1}..${connSeq - 1}`));
    }
  }

  /** Ends a watch on the client side (the server is told to stop), then tells its handler. */
  private abandonWatch(ctx: Context, id: number, w: ActiveWatch, to: EndpointId | undefined, st: Status): void {
    this.watches.delete(id);
    if (to !== undefined) ctx.send(to, Object.freeze({ type: 'api/watch-cancel', id, client: this.name, session: this.session }), 64);
    w.handler.onEnd(st, ctx);
  }

  /** HTTP/2-style health check while watches are open: ping after a quiet period, give up without a pong. */
  private ensureHealthCheck(ctx: Context): void {
    if (this.healthTimer !== undefined) return;
    this.healthTimer = this.timers.set(ctx, this.readIdleTimeoutUs, (c) => this.healthCheck(c));
  }

  private healthCheck(ctx: Context): void {
    this.healthTimer = undefined;
    if (this.watches.size === 0) return;
    // A watch whose end message was lost would wait forever: servers bookmark every minute, so a
    // watch silent for much longer is presumed gone and resumed.
    const silent: [number, ActiveWatch][] = [];
    for (const [id, w] of this.watches) if (ctx.now() - w.lastHeardUs > this.watchSilenceUs) silent.push([id, w]);
    for (const [id, w] of silent) this.abandonWatch(ctx, id, w, this.lb.endpoint(ctx, w.endpointIndex), status(504, 'Timeout', 'watch silent for too long'));
    if (this.watches.size === 0) return;
    const i = this.lb.currentIndex();
    const quietUs = ctx.now() - (this.lastHeardUs[i] ?? 0);
    if (quietUs < this.readIdleTimeoutUs) {
      this.healthTimer = this.timers.set(ctx, this.readIdleTimeoutUs - quietUs, (c) => this.healthCheck(c));
      return;
    }
    const to = this.lb.endpoint(ctx, i);
    if (to === undefined) return;
    const pingId = this.nextId++;
    this.pingId = pingId;
    ctx.send(to, Object.freeze({ type: 'api/ping', id: pingId, client: this.name, session: this.session }), 64);
    this.healthTimer = this.timers.set(ctx, this.pingTimeoutUs, (c) => {
      this.healthTimer = undefined;
      if (this.pingId === pingId) {
        this.pingId = undefined;
        this.connectionFailed(c, i, `no pong from ${this.lb.names[i] ?? '?'} within ${this.pingTimeoutUs}us`);
      }
      if (this.watches.size > 0) this.ensureHealthCheck(c);
    });
  }
}

function withNs<T extends object>(fields: T, namespace: string | undefined): T | (T & { namespace: string }) {
  return namespace === undefined || namespace === '' ? fields : { ...fields, namespace };
}

/** True for any message of the API protocol (hosts with several clients drop those none consumed). */
export function isApiMessage(msg: Message): boolean {
  return msg.type.startsWith('api/');
}
