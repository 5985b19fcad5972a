import type { Component, Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { ms, s } from '../../sim/time.js';
import type { Lease, Node, Pod } from '../api/types.js';
import { conditionOf } from '../api/conditions.js';
import { ApiClient } from '../client/apiClient.js';
import { Informer } from '../client/informer.js';
import { crashLoopDelay, nextBackoffStep } from './crashLoopBackoff.js';
import type { NodeIdentity } from './nodeStatus.js';
import { nodeObject, nodeStatusConditions } from './nodeStatus.js';
import type { ContainerState, ImageBehaviour } from './podWorker.js';
import { buildPodStatus, newContainerState, probeTiming } from './podWorker.js';

export interface KubeletConfig extends NodeIdentity {
  readonly apiServers: readonly string[];
  /** Bearer token; default `token-kubelet-<node>` (the API server's authenticator maps it to system:node:<node>). */
  readonly token?: string;
  /** Client-side rate limit; kubelet defaults since 1.27: 50 qps, burst 100. */
  readonly qps?: number;
  readonly burst?: number;
  /** Image behaviour by reference; others use defaultImage. */
  readonly images?: Readonly<Record<string, ImageBehaviour>>;
  /** Default: starts in 1s, becomes ready. */
  readonly defaultImage?: ImageBehaviour;
  /** Node Lease renew interval, default 10s (NodeLeaseDurationSeconds × 0.25). */
  readonly leaseRenewIntervalUs?: Micros;
  /** Node Lease leaseDurationSeconds, default 40. */
  readonly leaseDurationSeconds?: number;
  /** How often the kubelet computes node status (--node-status-update-frequency), default 10s. */
  readonly nodeStatusUpdateFrequencyUs?: Micros;
  /** Status is posted at least this often even when unchanged (nodeStatusReportFrequency), default 5m. */
  readonly nodeStatusReportFrequencyUs?: Micros;
  /** Time to stop a pod's containers on graceful deletion (capped by its grace period), default 500ms. */
  readonly stopLatencyUs?: Micros;
}

const DEFAULT_IMAGE: ImageBehaviour = { startupUs: s(1), ready: true };
const LEASE_NAMESPACE = 'kube-node-lease';
/**
 * Upstream retry backoffs, both doubling to 7 s: registration sleeps 100 ms, 200 ms, 400 ms… before
 * its attempts (we skip the first sleep, so a retry waits 200 ms, 400 ms…); the node lease
 * controller waits 200 ms, 400 ms… after a failed ensure.
 */
const REGISTER_RETRY_FIRST_US = ms(200);
const LEASE_RETRY_FIRST_US = ms(200);
const MAX_BACKOFF_US = s(7);
/** component-helpers lease controller maxUpdateRetries. */
const MAX_LEASE_UPDATE_RETRIES = 5;
/** The pod status manager's periodic sync (syncPeriod): how soon a failed status write is retried. */
const POD_STATUS_SYNC_US = s(10);
/** kubelet nodeStatusUpdateRetry. */
const NODE_STATUS_UPDATE_RETRY = 5;
/** Both periodic loops run under wait.JitterUntil(…, 0.04, sliding): each wait is [1, 1.04) × the period. */
const LOOP_JITTER = 0.04;

function jittered(ctx: Context, periodUs: Micros): Micros {
  return Math.round(ctx.rng.jitter(periodUs, LOOP_JITTER));
}

interface PodWorker {
  readonly key: string;
  readonly uid: string;
  pod: Pod;
  readonly containers: ContainerState[];
  readonly startTime: number;
  terminating: boolean;
  flushArmed: boolean;
}

/**
 * The kubelet of one node: registers the Node, renews its Lease in kube-node-lease, reports node
 * status, and runs the pods bound to it (watched with field selector spec.nodeName) through a
 * container-runtime model: image pull, start latency, readiness/liveness probes, CrashLoopBackOff
 * restarts, pod phase and conditions, and graceful deletion. It keeps nothing but pulled images
 * across a crash: after a restart it rebuilds everything from the API server.
 */
export class Kubelet implements Component {
  private readonly cfg: KubeletConfig;
  private client: ApiClient | undefined;
  private pods: Informer<'pods'> | undefined;
  /** Our own Node (field selector metadata.name): upstream's nodeLister, read by the first status try. */
  private node: Informer<'nodes'> | undefined;
  private readonly workers = new Map<string, PodWorker>();
  private lease: Lease | undefined;
  private lastStatusPostUs: Micros = Number.NEGATIVE_INFINITY;
  private pulled = new Set<string>();
  private ctx: Context | undefined;

  constructor(cfg: KubeletConfig) {
    this.cfg = cfg;
  }

  /** Pods this kubelet is running (tests read it). */
  runningPods(): number {
    return this.workers.size;
  }

  start(ctx: Context): void {
    this.ctx = ctx;
    this.pulled = new Set(ctx.disk.get<string[]>('pulledImages') ?? []);
    const client = new ApiClient({
      user: `system:node:${this.cfg.nodeName}`,
      token: this.cfg.token ?? `token-kubelet-${this.cfg.nodeName}`,
      endpoints: this.cfg.apiServers,
      qps: this.cfg.qps ?? 50,
      burst: this.cfg.burst ?? 100,
    });
    this.client = client;
    client.start(ctx);
    // Both caches are read by key only: no indexes.
    const node = new Informer(client, 'nodes', { fieldSelector: { name: this.cfg.nodeName }, indexes: [] });
    this.node = node;
    node.start(ctx);
    this.register(ctx, REGISTER_RETRY_FIRST_US);
    this.syncLease(ctx);
    const pods = new Informer(client, 'pods', { fieldSelector: { nodeName: this.cfg.nodeName }, indexes: [] });
    this.pods = pods;
    pods.addEventHandler({
      onAdd: (p) => this.podSeen(ctx, p),
      onUpdate: (_o, p) => this.podSeen(ctx, p),
      onDelete: (p) => this.podGone(ctx, p),
    });
    pods.start(ctx);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    this.client?.handleTimer(ctx, tag);
  }

  private timer(ctx: Context, delayUs: Micros, fn: (c: Context) => void): number {
    const client = this.client;
    if (client === undefined) return 0;
    return client.timers.set(ctx, delayUs, fn);
  }

  private cancel(ctx: Context, handle: number | undefined): void {
    if (handle !== undefined) this.client?.timers.cancel(ctx, handle);
  }

  // ───────────── registration, node Lease and status ─────────────

  /**
   * registerWithAPIServer: create the Node until it is there. A create that failed or timed out (a
   * lost request or answer) is retried after a backoff doubling to 7 s, as upstream; AlreadyExists
   * means an earlier attempt (or an earlier incarnation) got through. Upstream also sleeps 100 ms
   * before the first attempt; we start at once, so only failures cost time.
   */
  private register(ctx: Context, retryUs: Micros): void {
    this.client?.create(ctx, 'nodes', nodeObject(this.cfg), (r, c) => {
      if (r.ok || r.status.code === 409) {
        // Node status is synced only once the Node exists (upstream syncNodeStatus registers first).
        this.syncNodeStatus(c);
        return;
      }
      this.timer(c, retryUs, (c2) => this.register(c2, Math.min(MAX_BACKOFF_US, retryUs * 2)));
    });
  }

  /**
   * The node lease controller's sync (component-helpers lease controller), run every renew interval
   * (plus up to 4 % jitter) counted from the end of the previous sync (wait.JitterUntil, sliding):
   * update the Lease we hold (up to 5 tries; a conflict re-reads it first); failing that, or holding
   * none, ensure it exists
   * (get, create on 404) retrying with a backoff of 200 ms doubling to 7 s, then update it unless
   * it was just created. Without the retries one lost or refused renewal would cost a whole
   * interval and, repeated, the node's grace period.
   */
  private syncLease(ctx: Context): void {
    const lease = this.lease;
    if (lease === undefined) {
      this.ensureThenUpdateLease(ctx, this.nextLeaseSync);
      return;
    }
    this.retryUpdateLease(ctx, lease, 0, this.leaseUpdated);
  }

  // The lease and node-status loops' callbacks, made once rather than on every 10 s round of every kubelet.
  private readonly syncLeaseNow = (c: Context): void => this.syncLease(c);
  private readonly nextLeaseSync = (c: Context): void => {
    this.timer(c, jittered(c, this.cfg.leaseRenewIntervalUs ?? s(10)), this.syncLeaseNow);
  };
  private readonly leaseUpdated = (c: Context, ok: boolean): void => {
    if (ok) this.nextLeaseSync(c);
    else this.ensureThenUpdateLease(c, this.nextLeaseSync);
  };
  private readonly syncNodeStatusNow = (c: Context): void => this.syncNodeStatus(c);
  private readonly nextNodeStatusSync = (c: Context): void => {
    this.timer(c, jittered(c, this.cfg.nodeStatusUpdateFrequencyUs ?? s(10)), this.syncNodeStatusNow);
  };

  private ensureThenUpdateLease(ctx: Context, done: (c: Context) => void): void {
    this.backoffEnsureLease(ctx, LEASE_RETRY_FIRST_US, (c, lease, created) => {
      this.lease = lease;
      if (created) done(c);
      else this.retryUpdateLease(c, lease, 0, (c2) => done(c2));
    });
  }

  private backoffEnsureLease(ctx: Context, retryUs: Micros, cb: (c: Context, lease: Lease, created: boolean) => void): void {
    this.ensureLease(ctx, (c, lease, created) => {
      if (lease !== undefined) {
        cb(c, lease, created);
        return;
      }
      this.timer(c, retryUs, (c2) => this.backoffEnsureLease(c2, Math.min(MAX_BACKOFF_US, retryUs * 2), cb));
    });
  }

  /** Reads our Lease, creating it if it does not exist; `lease` undefined = failed (retry). */
  private ensureLease(ctx: Context, cb: (c: Context, lease: Lease | undefined, created: boolean) => void): void {
    const client = this.client;
    if (client === undefined) return;
    client.get(ctx, 'leases', LEASE_NAMESPACE, this.cfg.nodeName, (r, c) => {
      if (r.ok) {
        cb(c, r.object, false);
        return;
      }
      if (r.status.code !== 404) {
        cb(c, undefined, false);
        return;
      }
      const now = c.now() / 1e6;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.cfg.nodeName, namespace: LEASE_NAMESPACE },
        spec: { ...this.leaseSpec(now), acquireTime: now },
      };
      client.create(c, 'leases', lease, (cr, c2) => cb(c2, cr.ok ? cr.object : undefined, cr.ok));
    });
  }

  private retryUpdateLease(ctx: Context, base: Lease, attempt: number, cb: (c: Context, ok: boolean) => void): void {
    const client = this.client;
    if (client === undefined) return;
    if (attempt >= MAX_LEASE_UPDATE_RETRIES) {
      cb(ctx, false);
      return;
    }
    const renewed: Lease = {
      ...base,
      spec: this.leaseSpec(ctx.now() / 1e6, base.spec),
    };
    client.update(ctx, 'leases', renewed, (r, c) => {
      if (r.ok) {
        this.lease = r.object;
        cb(c, true);
        return;
      }
      if (r.status.code === 409) {
        // Someone else wrote the Lease: our copy is stale, so read the latest before trying again.
        this.backoffEnsureLease(c, LEASE_RETRY_FIRST_US, (c2, latest) => {
          this.lease = latest;
          this.retryUpdateLease(c2, latest, attempt + 1, cb);
        });
        return;
      }
      this.retryUpdateLease(c, base, attempt + 1, cb);
    });
  }

  /** This node's Lease spec renewed at nowSeconds, over `base` (the stored spec) when renewing. */
  private leaseSpec(nowSeconds: number, base?: Lease['spec']): Lease['spec'] {
    return { ...base, holderIdentity: this.cfg.nodeName, leaseDurationSeconds: this.cfg.leaseDurationSeconds ?? 40, renewTime: nowSeconds };
  }

  /**
   * syncNodeStatus, every nodeStatusUpdateFrequency (plus up to 4 % jitter) counted from the end of
   * the previous sync:
   * post the status when it is not Ready or the report is due, trying up to 5 times
   * (nodeStatusUpdateRetry) so a lost or conflicting write does not wait a whole period.
   */
  private syncNodeStatus(ctx: Context): void {
    this.updateNodeStatus(ctx, 0, this.nextNodeStatusSync);
  }

  private updateNodeStatus(ctx: Context, tryNumber: number, done: (c: Context) => void): void {
    const client = this.client;
    if (client === undefined) return;
    // The first try reads our Node from the local lister (upstream tryUpdateNodeStatus since
    // v1.30: kl.nodeLister.Get when tryNumber is 0), so an unchanged status costs no request at
    // all; a stale copy fails the status write's CAS, and the retries read the store.
    const cached = tryNumber === 0 ? this.node?.getByName(undefined, this.cfg.nodeName) : undefined;
    if (cached !== undefined && !this.nodeStatusDue(ctx, cached)) {
      done(ctx);
      return;
    }
    const retry = (c: Context): void => {
      if (tryNumber + 1 < NODE_STATUS_UPDATE_RETRY) this.updateNodeStatus(c, tryNumber + 1, done);
      else done(c);
    };
    if (tryNumber === 0) {
      if (cached === undefined) retry(ctx);
      else this.postNodeStatusIfNeeded(ctx, cached, retry, done);
      return;
    }
    client.get(ctx, 'nodes', undefined, this.cfg.nodeName, (r, c) => {
      if (!r.ok) {
        // Our Node was deleted: register it again (there is nothing to post a status to).
        if (r.status.code === 404) client.create(c, 'nodes', nodeObject(this.cfg), () => undefined);
        retry(c);
        return;
      }
      this.postNodeStatusIfNeeded(c, r.object, retry, done);
    });
  }

  /** Whether a status must be posted: the node is not Ready with its capacity, or the report is due (nodeStatusReportFrequency). */
  private nodeStatusDue(ctx: Context, node: Node): boolean {
    const due = ctx.now() - this.lastStatusPostUs >= (this.cfg.nodeStatusReportFrequencyUs ?? s(300));
    return due || node.status?.capacity === undefined || conditionOf(node.status.conditions, 'Ready')?.status !== 'True';
  }

  /** Posts the status if nodeStatusDue. */
  private postNodeStatusIfNeeded(ctx: Context, node: Node, retry: (c: Context) => void, done: (c: Context) => void): void {
    const client = this.client;
    if (client === undefined) return;
    if (!this.nodeStatusDue(ctx, node)) {
      done(ctx);
      return;
    }
    const status = {
      ...node.status,
      capacity: this.cfg.capacity,
      allocatable: this.cfg.allocatable ?? this.cfg.capacity,
      conditions: nodeStatusConditions(node.status?.conditions, ctx.now() / 1e6),
      nodeInfo: { kubeletVersion: 'v1.32.0-kubesim', containerRuntimeVersion: 'kubesim://1', operatingSystem: 'linux', architecture: 'amd64' },
    };
    client.updateStatus(ctx, 'nodes', { ...node, status }, (u, c2) => {
      if (!u.ok) {
        retry(c2);
        return;
      }
      this.lastStatusPostUs = c2.now();
      done(c2);
    });
  }

  // ───────────── pods ─────────────

  private podSeen(ctx: Context, pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    let w = this.workers.get(uid);
    if (w === undefined) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      w = this.startWorker(ctx, `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`, uid, pod);
    }
    w.pod = pod;
    if (pod.metadata.deletionTimestamp !== undefined && !w.terminating) {
      this.terminate(ctx, w);
      return;
    }
    // Someone else (the node lifecycle controller) rewrote our status: put ours back.
    const apiReady = conditionOf(pod.status?.conditions, 'Ready')?.status === 'True';
    let ourReady = true;
    for (const c of w.containers) if (!c.ready) ourReady = false;
    if (!w.terminating && apiReady !== ourReady) this.markDirty(ctx, w);
  }

  private startWorker(ctx: Context, key: string, uid: string, pod: Pod): PodWorker {
    const previous = pod.status?.containerStatuses;
    const containers = pod.spec.containers.map((spec) => {
      const prev = previous?.find((c) => c.name === spec.name);
      // A container that ran before our (re)start is gone with the crash: this is a restart.
      const ran = prev !== undefined && (prev.started === true || prev.state?.running !== undefined || prev.restartCount > 0);
      return newContainerState(spec, (prev?.restartCount ?? 0) + (ran ? 1 : 0));
    });
    const w: PodWorker = { key, uid, pod, containers, startTime: pod.status?.startTime ?? ctx.now() / 1e6, terminating: false, flushArmed: false };
    this.workers.set(uid, w);
    if (pod.metadata.deletionTimestamp === undefined) {
      ctx.observe({ type: 'kubelet.startPod', subject: key, node: this.cfg.nodeName });
      for (const c of containers) this.runContainer(ctx, w, c);
      this.markDirty(ctx, w);
    }
    return w;
  }

  private image(c: ContainerState): ImageBehaviour {
    return this.cfg.images?.[c.spec.image ?? ''] ?? this.cfg.defaultImage ?? DEFAULT_IMAGE;
  }

  /** Pull (if needed), then start; on running, begin probing. */
  private runContainer(ctx: Context, w: PodWorker, c: ContainerState): void {
    const img = this.image(c);
    const ref = c.spec.image ?? '';
    const pullUs = this.pulled.has(ref) ? 0 : (img.pullUs ?? 0);
    c.phase = pullUs > 0 ? 'pulling' : 'starting';
    c.timer = this.timer(ctx, pullUs, (c1) => {
      if (!this.pulled.has(ref)) {
        this.pulled.add(ref);
        c1.disk.set('pulledImages', [...this.pulled].sort());
      }
      c.phase = 'starting';
      c.timer = this.timer(c1, img.startupUs, (c2) => this.containerRunning(c2, w, c));
    });
  }

  private containerRunning(ctx: Context, w: PodWorker, c: ContainerState): void {
    if (w.terminating) return;
    const img = this.image(c);
    c.phase = 'running';
    c.sinceUs = ctx.now();
    c.readinessFailures = 0;
    c.livenessFailures = 0;
    const readiness = c.spec.readinessProbe;
    if (readiness === undefined) {
      c.ready = img.ready;
    } else {
      const t = probeTiming(readiness);
      this.timer(ctx, t.initialDelayUs, (c1) => this.probeReadiness(c1, w, c, c.sinceUs));
    }
    const liveness = c.spec.livenessProbe;
    if (liveness !== undefined && !img.ready) {
      const t = probeTiming(liveness);
      this.timer(ctx, t.initialDelayUs, (c1) => this.probeLiveness(c1, w, c, c.sinceUs));
    }
    ctx.observe({ type: 'kubelet.containerStarted', subject: w.key, container: c.spec.name, node: this.cfg.nodeName, restartCount: c.restartCount });
    this.markDirty(ctx, w);
  }

  private alive(w: PodWorker, c: ContainerState, runStartUs: Micros): boolean {
    return !w.terminating && this.workers.get(w.uid) === w && c.phase === 'running' && c.sinceUs === runStartUs;
  }

  private probeReadiness(ctx: Context, w: PodWorker, c: ContainerState, runStartUs: Micros): void {
    if (!this.alive(w, c, runStartUs) || c.spec.readinessProbe === undefined) return;
    const t = probeTiming(c.spec.readinessProbe);
    const ok = this.image(c).ready;
    const before = c.ready;
    if (ok) {
      c.readinessFailures = 0;
      c.ready = true;
    } else if (++c.readinessFailures >= t.failureThreshold) {
      c.ready = false;
    }
    if (c.ready !== before) this.markDirty(ctx, w);
    this.timer(ctx, t.periodUs, (c1) => this.probeReadiness(c1, w, c, runStartUs));
  }

  private probeLiveness(ctx: Context, w: PodWorker, c: ContainerState, runStartUs: Micros): void {
    if (!this.alive(w, c, runStartUs) || c.spec.livenessProbe === undefined) return;
    const t = probeTiming(c.spec.livenessProbe);
    if (++c.livenessFailures < t.failureThreshold) {
      this.timer(ctx, t.periodUs, (c1) => this.probeLiveness(c1, w, c, runStartUs));
      return;
    }
    // Liveness failed: the container is killed and restarted after CrashLoopBackOff.
    const now = ctx.now();
    c.backoffStep = nextBackoffStep(c.backoffStep, now - c.sinceUs);
    c.lastTerminated = { exitCode: 137, reason: 'Error', startedAt: c.sinceUs / 1e6, finishedAt: now / 1e6 };
    c.phase = 'backoff';
    c.ready = false;
    c.restartCount++;
    c.sinceUs = now;
    ctx.observe({ type: 'kubelet.containerRestart', subject: w.key, container: c.spec.name, restartCount: c.restartCount, backoffUs: crashLoopDelay(c.backoffStep) });
    this.markDirty(ctx, w);
    c.timer = this.timer(ctx, crashLoopDelay(c.backoffStep), (c1) => {
      if (w.terminating || this.workers.get(w.uid) !== w) return;
      c.phase = 'starting';
      c.timer = this.timer(c1, this.image(c).startupUs, (c2) => this.containerRunning(c2, w, c));
    });
  }

  /** Status manager: coalesce changes into one status write per turn. */
  private markDirty(ctx: Context, w: PodWorker): void {
    if (w.flushArmed) return;
    w.flushArmed = true;
    this.timer(ctx, 0, (c) => {
      w.flushArmed = false;
      if (w.terminating || this.workers.get(w.uid) !== w) return;
      const status = buildPodStatus(w.pod, w.containers, w.startTime, c.now() / 1e6, this.cfg.nodeName);
      const { resourceVersion: _rv, ...metadata } = w.pod.metadata;
      void _rv;
      this.client?.updateStatus(c, 'pods', { ...w.pod, metadata, status }, (r, c2) => {
        // The status manager resends a status the API server did not take at its next sync (every
        // 10 s upstream); without it a lost write leaves the pod Pending in the API for good.
        if (!r.ok && r.status.code !== 404) this.timer(c2, POD_STATUS_SYNC_US, (c3) => this.markDirty(c3, w));
      });
    });
  }

  /** Graceful deletion: stop the containers, then remove the pod for good (grace 0). */
  private terminate(ctx: Context, w: PodWorker): void {
    w.terminating = true;
    for (const c of w.containers) {
      this.cancel(ctx, c.timer);
      c.phase = 'stopped';
      c.ready = false;
    }
    const graceUs = s(w.pod.metadata.deletionGracePeriodSeconds ?? w.pod.spec.terminationGracePeriodSeconds ?? 30);
    const stopUs = Math.min(graceUs, this.cfg.stopLatencyUs ?? ms(500));
    this.timer(ctx, stopUs, (c) => {
      ctx.observe({ type: 'kubelet.podStopped', subject: w.key, node: this.cfg.nodeName });
      this.client?.delete(c, 'pods', w.pod.metadata.namespace, w.pod.metadata.name ?? '', () => undefined, {
        gracePeriodSeconds: 0,
        preconditions: { uid: w.uid },
      });
    });
  }

  private podGone(ctx: Context, pod: Pod): void {
    const w = this.workers.get(pod.metadata.uid ?? '');
    if (w === undefined) return;
    for (const c of w.containers) this.cancel(ctx, c.timer);
    w.terminating = true;
    this.workers.delete(w.uid);
  }
}
