import type { Component, Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { ms, s } from '../../sim/time.js';
import type { Condition, Node, Pod, PodConditionType } from '../api/types.js';
import type { ApiResult, FencingToken } from '../apiserver/protocol.js';
import { ApiClient } from '../client/apiClient.js';
import { Informer } from '../client/informer.js';
import type { LeaderElectionTimings } from '../controlplane/leaderElectionConfig.js';
import type { LeaderElector } from '../controlplane/leaderElector.js';
import { LeaderElectionSession } from '../controlplane/leaderElectionSession.js';
import type { SchedulerCostModel } from './costModel.js';
import type { PodInfo } from './podInfo.js';
import { POLICIES, type ProfileSpec } from './profiles.js';
import type { PluginRegistry } from './registry.js';
import { SchedulerCore, type CycleOutcome } from './schedulerCore.js';
import { assertNever } from '../util/assert.js';

export const SCHEDULER_COMPONENT = 'kube-scheduler';
const LEASE_NAMESPACE = 'kube-system';
/** Upstream flushes pods unschedulable for too long every 30 s. */
const UNSCHEDULABLE_FLUSH_US: Micros = s(30);
const SYNC_POLL_US: Micros = ms(100);

export interface KubeSchedulerConfig {
  /** Endpoint names of the kube-apiservers. */
  readonly apiServers: readonly string[];
  /** Lease holder identity; default `<host>_kube-scheduler`. */
  readonly identity?: string;
  readonly token?: string;
  /** Client-side rate limit; upstream kube-scheduler defaults 50 qps, burst 100. */
  readonly qps?: number;
  readonly burst?: number;
  /** false: no election; the loop runs while `setLeading(true)` says so (tests, single master). */
  readonly leaderElect?: boolean;
  readonly leaderElection?: Partial<LeaderElectionTimings> & { readonly fencing?: boolean };
  /** Default: the `default` policy. */
  readonly profile?: ProfileSpec;
  /** Holds custom plugins of a `custom` profile; default: built-ins. */
  readonly registry?: PluginRegistry;
  /** 0 = adaptive (upstream default). */
  readonly percentageOfNodesToScore?: number;
  readonly cost?: SchedulerCostModel;
}

/** One leadership term's state: upstream the process exits when it loses the lease, so nothing survives. */
interface Term {
  alive: boolean;
  readonly core: SchedulerCore;
  readonly pods: Informer<'pods'>;
  readonly nodes: Informer<'nodes'>;
  readonly token: number;
  /** A cycle (or its CPU delay) is pending. */
  cycleScheduled: boolean;
  /** Local time of the pending wake-up for backoff/unschedulable flushes, if any. */
  wakeAtUs: Micros | undefined;
  /**
   * PodScheduled=False messages this term wrote (or is writing) per pending pod, so a retry that
   * fails the same way writes nothing even before the informer shows the first write. Entries
   * leave when the pod is bound or deleted, or when the write fails.
   */
  readonly failureWrites: Map<string, { readonly uid: string; readonly message: string }>;
}

function podKey(p: Pod): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name ?? ''}`;
}

/**
 * kube-scheduler: leader-elected through the `kube-system/kube-scheduler` Lease; while leading it
 * watches pods and nodes, runs scheduling cycles one at a time on its host's simulated CPU (the
 * cost model charges each cycle with ctx.useCpu), and binds asynchronously through pods/binding,
 * subject to its client rate limit. Preemption deletes the victims and nominates the node.
 *
 * Observations: `scheduler.bound` {pod, node, uid, object, attempts, queuedForUs},
 * `scheduler.bindFailed`, `scheduler.unschedulable` {pod, message, attempts},
 * `scheduler.preempted` {pod, node, victims}, and `election.write` for every write (stale-write checker).
 */
export class KubeScheduler implements Component {
  private readonly config: KubeSchedulerConfig;
  private client: ApiClient | undefined;
  private election: LeaderElectionSession | undefined;
  private term: Term | undefined;
  private identity = '';

  constructor(config: KubeSchedulerConfig) {
    this.config = config;
  }

  leaderElector(): LeaderElector | undefined {
    return this.election?.elector;
  }

  isLeading(): boolean {
    return this.term?.alive === true;
  }

  /** The current term's scheduler core (tests and checkers read queue/cache sizes). */
  core(): SchedulerCore | undefined {
    return this.term?.core;
  }

  start(ctx: Context): void {
    const token = this.config.token ?? 'token-kube-scheduler';
    this.identity = this.config.identity ?? `${ctx.hostName}_${SCHEDULER_COMPONENT}`;
    this.client = new ApiClient({
      user: 'system:kube-scheduler',
      token,
      endpoints: this.config.apiServers,
      qps: this.config.qps ?? 50,
      burst: this.config.burst ?? 100,
    });
    this.client.start(ctx);
    if (this.config.leaderElect === false) return;
    const le = this.config.leaderElection ?? {};
    this.election = new LeaderElectionSession(
      ctx,
      {
        user: 'system:kube-scheduler',
        token,
        apiServers: this.config.apiServers,
        leaseNamespace: LEASE_NAMESPACE,
        elector: { ...le, lockName: SCHEDULER_COMPONENT, identity: this.identity, component: SCHEDULER_COMPONENT, fencing: le.fencing ?? false },
      },
      {
        onStartedLeading: (_c, tok) => this.startTerm(ctx, tok),
        onStoppedLeading: () => this.stopTerm(ctx),
      },
    );
    this.election.start();
  }

  /** Without leader election: start or stop scheduling (the hook a harness or single master uses). */
  setLeading(ctx: Context, leading: boolean): void {
    if (leading && this.term === undefined) this.startTerm(ctx, 0);
    if (!leading) this.stopTerm(ctx);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    if (this.election?.handleMessage(from, message) === true) return;
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    if (this.election?.handleTimer(tag) === true) return;
    this.client?.handleTimer(ctx, tag);
  }

  private fencing(term: Term): FencingToken | undefined {
    return this.config.leaderElection?.fencing === true
      ? { leaseNamespace: LEASE_NAMESPACE, leaseName: SCHEDULER_COMPONENT, leaseTransitions: term.token }
      : undefined;
  }

  private startTerm(ctx: Context, token: number): void {
    const client = this.client;
    if (client === undefined) return;
    this.stopTerm(ctx);
    const rng = ctx.rng.fork('tiebreak');
    const core = new SchedulerCore({
      profile: this.config.profile ?? POLICIES.default,
      ...(this.config.registry === undefined ? {} : { registry: this.config.registry }),
      random: () => rng.next(),
      ...(this.config.percentageOfNodesToScore === undefined ? {} : { percentageOfNodesToScore: this.config.percentageOfNodesToScore }),
      ...(this.config.cost === undefined ? {} : { cost: this.config.cost }),
    });
    const term: Term = {
      alive: true,
      core,
      // The scheduler reads its caches by key only (its own SchedulerCache indexes the rest).
      pods: new Informer(client, 'pods', { indexes: [] }),
      nodes: new Informer(client, 'nodes', { indexes: [] }),
      token,
      cycleScheduled: false,
      wakeAtUs: undefined,
      failureWrites: new Map(),
    };
    this.term = term;
    term.nodes.addEventHandler({
      onAdd: (n: Node, c) => this.onEvent(c, term, () => core.onNodeAdd(n, c.now())),
      onUpdate: (o: Node, n: Node, c) => this.onEvent(c, term, () => core.onNodeUpdate(o, n, c.now())),
      onDelete: (n: Node, c) => this.onEvent(c, term, () => core.onNodeDelete(n.metadata.name ?? '', c.now())),
    });
    term.pods.addEventHandler({
      onAdd: (p: Pod, c) => this.onEvent(c, term, () => core.onPodUpsert(p, c.now())),
      onUpdate: (_o: Pod, p: Pod, c) =>
        this.onEvent(c, term, () => {
          if ((p.spec.nodeName ?? '') !== '') term.failureWrites.delete(podKey(p));
          core.onPodUpsert(p, c.now());
        }),
      onDelete: (p: Pod, c) =>
        this.onEvent(c, term, () => {
          term.failureWrites.delete(podKey(p));
          core.onPodDelete(podKey(p), c.now());
        }),
    });
    term.nodes.start(ctx);
    term.pods.start(ctx);
    // Informers report synced only after delivering their first list, so poll as client-go's
    // WaitForCacheSync does (every 100 ms) and start the loop once both are synced.
    const waitForSync = (c: Context): void => {
      if (!term.alive) return;
      if (term.pods.hasSynced() && term.nodes.hasSynced()) this.kick(c, term);
      else client.timers.set(c, SYNC_POLL_US, waitForSync);
    };
    client.timers.set(ctx, SYNC_POLL_US, waitForSync);
    const flush = (c: Context): void => {
      if (!term.alive) return;
      this.kick(c, term);
      client.timers.set(c, UNSCHEDULABLE_FLUSH_US, flush);
    };
    client.timers.set(ctx, UNSCHEDULABLE_FLUSH_US, flush);
  }

  private stopTerm(ctx: Context): void {
    const term = this.term;
    this.term = undefined;
    if (term === undefined) return;
    term.alive = false;
    term.pods.stop(ctx);
    term.nodes.stop(ctx);
  }

  private onEvent(ctx: Context, term: Term, apply: () => void): void {
    if (!term.alive) return;
    apply();
    this.kick(ctx, term);
  }

  /** Starts the loop if it is idle and there may be work. */
  private kick(ctx: Context, term: Term): void {
    if (!term.alive || term.cycleScheduled || this.client === undefined) return;
    if (!term.pods.hasSynced() || !term.nodes.hasSynced()) return;
    term.cycleScheduled = true;
    this.client.timers.set(ctx, 0, (c) => this.cycle(c, term));
  }

  /** One scheduling cycle: decide now, spend its CPU, then act on the decision and go on. */
  private cycle(ctx: Context, term: Term): void {
    const client = this.client;
    if (!term.alive || client === undefined) return;
    const outcome = term.core.scheduleOne(ctx.now());
    if (outcome === undefined) {
      term.cycleScheduled = false;
      this.armWake(ctx, term);
      return;
    }
    const delay = ctx.useCpu(outcome.costUs);
    client.timers.set(ctx, delay, (c) => {
      if (!term.alive) return;
      this.act(c, term, outcome);
      this.cycle(c, term);
    });
  }

  /** Sleeps until the queue's next backoff expiry when nothing is ready. */
  private armWake(ctx: Context, term: Term): void {
    const client = this.client;
    const at = term.core.queue.nextFlushUs();
    if (client === undefined || at === undefined) return;
    if (term.wakeAtUs !== undefined && term.wakeAtUs <= at) return;
    term.wakeAtUs = at;
    client.timers.set(ctx, Math.max(0, at - ctx.now()), (c) => {
      if (term.wakeAtUs === at) term.wakeAtUs = undefined;
      this.kick(c, term);
    });
  }

  private act(ctx: Context, term: Term, outcome: CycleOutcome): void {
    switch (outcome.type) {
      case 'bind':
        this.bind(ctx, term, outcome);
        return;
      case 'unschedulable':
        ctx.observe({
          type: 'scheduler.unschedulable',
          subject: outcome.pod.info.key,
          pod: outcome.pod.info.key,
          message: outcome.message,
          attempts: outcome.pod.attempts,
        });
        if (outcome.preemption !== undefined) this.preempt(ctx, term, outcome.pod.info, outcome.preemption.nodeName, outcome.preemption.victims);
        this.recordFailure(ctx, term, outcome.pod.info, outcome.message, outcome.preemption?.nodeName);
        return;
      case 'error':
        ctx.observe({ type: 'scheduler.error', subject: outcome.pod.info.key, pod: outcome.pod.info.key, message: outcome.message });
        return;
      default:
        assertNever(outcome, 'cycle outcome');
    }
  }

  private observeWrite(ctx: Context, term: Term, verb: string, resource: string, name: string, r: ApiResult<unknown>): void {
    ctx.observe({
      type: 'election.write',
      subject: SCHEDULER_COMPONENT,
      component: SCHEDULER_COMPONENT,
      identity: this.identity,
      token: term.token,
      verb,
      resource,
      name,
      accepted: r.ok,
      fenced: !r.ok && r.status.code === 409 && /fenc/i.test(r.status.message),
      code: r.ok ? 200 : r.status.code,
    });
  }

  private bind(ctx: Context, term: Term, outcome: Extract<CycleOutcome, { type: 'bind' }>): void {
    const client = this.client;
    if (client === undefined) return;
    const info = outcome.pod.info;
    // The version scheduled; info.pod itself moves on to the bound pod if the informer sees it first.
    const scheduled = info.pod;
    const fencing = this.fencing(term);
    client.bind(
      ctx,
      info.namespace,
      info.name,
      outcome.nodeName,
      (r) => {
        this.observeWrite(ctx, term, 'create', 'pods/binding', info.name, r);
        if (r.ok) {
          ctx.observe({
            type: 'scheduler.bound',
            subject: info.key,
            pod: info.key,
            uid: info.uid,
            node: outcome.nodeName,
            object: { ...scheduled, spec: { ...scheduled.spec, nodeName: outcome.nodeName } },
            attempts: outcome.pod.attempts,
            queuedForUs: ctx.now() - outcome.pod.initialAttemptUs,
            feasibleNodes: outcome.feasibleNodes,
          });
          return;
        }
        ctx.observe({ type: 'scheduler.bindFailed', subject: info.key, pod: info.key, node: outcome.nodeName, code: r.status.code, detail: r.status.message });
        if (!term.alive) return;
        term.core.bindingFailed(outcome, ctx.now());
        // Gone or bound by someone else: the informer will tell; do not retry a ghost.
        const current = term.pods.get(info.key);
        if (current === undefined || (current.spec.nodeName ?? '') !== '' || r.status.code === 404) term.core.queue.delete(info.key);
        this.kick(ctx, term);
      },
      { podUid: info.uid, ...(fencing === undefined ? {} : { fencing }) },
    );
  }

  private preempt(ctx: Context, term: Term, pod: PodInfo, nodeName: string, victims: readonly PodInfo[]): void {
    const client = this.client;
    if (client === undefined) return;
    ctx.observe({
      type: 'scheduler.preempted',
      subject: pod.key,
      pod: pod.key,
      node: nodeName,
      victims: victims.map((v) => v.key),
      detail: `${victims.length} victim(s) on ${nodeName}`,
    });
    const fencing = this.fencing(term);
    const opts = fencing === undefined ? {} : { fencing };
    for (const v of victims) {
      client.delete(ctx, 'pods', v.namespace, v.name, (r) => this.observeWrite(ctx, term, 'delete', 'pods', v.name, r), {
        preconditions: { uid: v.uid },
        ...opts,
      });
    }
    // The nomination (status.nominatedNodeName, so the next attempt tries the node first) goes
    // with the PodScheduled condition in recordFailure's one status write, as upstream's updatePod.
  }

  /**
   * Upstream's handleSchedulingFailure → updatePod: a failed attempt sets the pod's condition
   * PodScheduled=False, reason Unschedulable, with the framework's message (and the nominated node
   * after preemption) in one status write. Nothing is written when neither would change — the
   * condition as the informer shows it or as this term last wrote it carries the same message —
   * so retries that fail the same way cost no API call. The write goes through the rate-limited
   * client with the term's fencing token, guarded by the pod's resourceVersion (a conflict means the
   * pod changed: the record is dropped and the next failure writes again); binding sets
   * PodScheduled=True (the API server's binding strategy).
   */
  private recordFailure(ctx: Context, term: Term, pod: PodInfo, message: string, nominatedNodeName: string | undefined): void {
    const client = this.client;
    if (client === undefined) return;
    const current = term.pods.get(pod.key);
    if (current === undefined || (current.metadata.uid ?? '') !== pod.uid || (current.spec.nodeName ?? '') !== '') return;
    const conditions = current.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === 'PodScheduled');
    const written = term.failureWrites.get(pod.key);
    const lastMessage =
      written !== undefined && written.uid === pod.uid ? written.message : old?.status === 'False' && old.reason === 'Unschedulable' ? old.message : undefined;
    const nominationCurrent = nominatedNodeName === undefined || current.status?.nominatedNodeName === nominatedNodeName;
    if (lastMessage === message && nominationCurrent) return;
    const now = ctx.now() / 1e6;
    const condition: Condition<PodConditionType> = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastTransitionTime: old?.status === 'False' ? (old.lastTransitionTime ?? now) : now,
    };
    const status = {
      ...(current.status ?? {}),
      conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), condition],
      ...(nominatedNodeName === undefined ? {} : { nominatedNodeName }),
    };
    const record = { uid: pod.uid, message };
    term.failureWrites.set(pod.key, record);
    const fencing = this.fencing(term);
    client.updateStatus(
      ctx,
      'pods',
      { ...current, status },
      (r) => {
        this.observeWrite(ctx, term, 'updateStatus', 'pods', pod.name, r);
        if (!r.ok && term.failureWrites.get(pod.key) === record) term.failureWrites.delete(pod.key);
      },
      fencing === undefined ? {} : { fencing },
    );
  }
}
