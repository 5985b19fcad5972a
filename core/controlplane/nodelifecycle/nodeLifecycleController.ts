import type { Context } from '../../../sim/component.js';
import type { Micros } from '../../../sim/time.js';
import { ms, s } from '../../../sim/time.js';
import type { Condition, Node, NodeConditionType, Pod, PodConditionType } from '../../api/types.js';
import { conditionOf } from '../../api/conditions.js';
import type { ControllerEnv } from '../controllerEnv.js';
import type { EvictionRateConfig, ZoneState } from './evictionRate.js';
import { DEFAULT_EVICTION_RATE, TokenBucket, computeZoneState, zoneEvictionQps } from './evictionRate.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, hasTaint, withTaints, zoneOf } from './taints.js';

export interface NodeLifecycleConfig {
  /** --node-monitor-period, default 5s. */
  readonly nodeMonitorPeriodUs: Micros;
  /** --node-monitor-grace-period: no heartbeat for this long → Ready=Unknown; 50s since Kubernetes 1.32 (40s before). */
  readonly gracePeriodUs: Micros;
  readonly eviction: EvictionRateConfig;
}

export const DEFAULT_NODE_LIFECYCLE: NodeLifecycleConfig = Object.freeze({
  nodeMonitorPeriodUs: s(5),
  gracePeriodUs: s(50),
  eviction: DEFAULT_EVICTION_RATE,
});

/** NodeEvictionPeriod: how often the rate-limited tainting queues are worked. */
const TAINTER_PERIOD_US = ms(100);

interface Health {
  /** Local time we last saw the node's Lease or Ready heartbeat change (client-go style: our clock only). */
  probeUs: Micros;
  leaseRv: string | undefined;
  heartbeat: number | undefined;
}

/**
 * Node lifecycle controller (pkg/controller/nodelifecycle): every node-monitor-period it checks each
 * node's heartbeat (node Lease renewals and Ready heartbeats, timed by its OWN clock when it saw them
 * change); after the grace period it marks the node Ready=Unknown, its pods not ready, and taints it
 * unreachable (NoSchedule at once, NoExecute through a per-zone rate-limited queue). Zones with most
 * nodes down are tainted slowly or not at all, and if every zone is down nothing is evicted.
 */
export class NodeLifecycleController {
  private readonly env: ControllerEnv;
  private readonly cfg: NodeLifecycleConfig;
  private readonly health = new Map<string, Health>();
  /** Per zone: nodes waiting for a NoExecute taint, in FIFO order. */
  private readonly taintQueues = new Map<string, string[]>();
  /** Taint key each queued node is waiting for (not-ready or unreachable). */
  private readonly pendingTaint = new Map<string, string>();
  /** node → zone of its entry in taintQueues. */
  private readonly queued = new Map<string, string>();
  /** Serialised per-node taint changes, applied like a patch on the latest copy (no CAS conflicts). */
  private readonly patches = new Map<string, { inFlight: boolean; queued: Array<(n: Node) => Node>; latest: Node | undefined }>();
  private readonly buckets = new Map<string, TokenBucket>();
  private allZonesDown = false;
  private tainterArmed = false;
  readonly zoneStates = new Map<string, ZoneState>();

  constructor(env: ControllerEnv, cfg: NodeLifecycleConfig = DEFAULT_NODE_LIFECYCLE) {
    this.env = env;
    this.cfg = cfg;
    env.informers.nodeLeases.addEventHandler({
      onAdd: (l) => this.leaseSeen(l.metadata.name ?? '', l.metadata.resourceVersion),
      onUpdate: (_o, l) => this.leaseSeen(l.metadata.name ?? '', l.metadata.resourceVersion),
    });
    env.informers.nodes.addEventHandler({
      onAdd: (n) => this.nodeSeen(n),
      onUpdate: (_o, n) => this.nodeSeen(n),
      onDelete: (n) => this.health.delete(n.metadata.name ?? ''),
    });
  }

  start(ctx: Context): void {
    this.env.timers.set(ctx, this.cfg.nodeMonitorPeriodUs, (c) => this.monitor(c));
  }

  private healthOf(name: string): Health {
    let h = this.health.get(name);
    if (h === undefined) {
      // First sight counts as a heartbeat: a new leader gives every node a full grace period.
      h = { probeUs: this.env.ctx.now(), leaseRv: undefined, heartbeat: undefined };
      this.health.set(name, h);
    }
    return h;
  }

  private leaseSeen(name: string, rv: string | undefined): void {
    const h = this.healthOf(name);
    if (h.leaseRv !== rv) {
      h.leaseRv = rv;
      h.probeUs = this.env.ctx.now();
    }
  }

  private nodeSeen(node: Node): void {
    const h = this.healthOf(node.metadata.name ?? '');
    const ready = readyCondition(node);
    if (ready?.status === 'True' && ready.lastHeartbeatTime !== undefined && ready.lastHeartbeatTime !== h.heartbeat) {
      h.heartbeat = ready.lastHeartbeatTime;
      h.probeUs = this.env.ctx.now();
    }
  }

  private monitor(ctx: Context): void {
    if (!this.env.alive()) return;
    this.env.timers.set(ctx, this.cfg.nodeMonitorPeriodUs, (c) => this.monitor(c));
    const now = ctx.now();
    const zoneCounts = new Map<string, { ready: number; notReady: number }>();
    for (const node of this.env.informers.nodes.list()) {
      const name = node.metadata.name ?? '';
      const h = this.healthOf(name);
      let ready = readyStatus(node);
      if (now - h.probeUs > this.cfg.gracePeriodUs && ready !== 'Unknown') {
        this.markUnknown(ctx, node);
        ready = 'Unknown';
      }
      const zone = zoneOf(node);
      const zc = zoneCounts.get(zone) ?? { ready: 0, notReady: 0 };
      // A node that never reported counts as not ready for the zone's health, as upstream's nil condition.
      if (ready === 'True') zc.ready++;
      else zc.notReady++;
      zoneCounts.set(zone, zc);
      // No Ready condition yet (the kubelet registered but its first status post is still on the way,
      // e.g. after a lost request): upstream leaves such a node alone until the grace period from
      // its first observation has passed and it is marked NodeStatusNeverUpdated above.
      if (ready !== undefined) this.reconcileTaints(ctx, node, ready);
    }
    this.updateZones(zoneCounts);
    this.workTaintQueues(ctx);
  }

  /** tryUpdateNodeHealth after the grace period: every condition Unknown, pods marked not ready. */
  private markUnknown(ctx: Context, node: Node): void {
    const nowS = this.env.nowSeconds();
    const conditions: Condition<NodeConditionType>[] = (node.status?.conditions ?? []).map((c) =>
      c.status === 'Unknown'
        ? c
        : { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: nowS },
    );
    if (!conditions.some((c) => c.type === 'Ready')) {
      conditions.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastTransitionTime: nowS });
    }
    ctx.observe({ type: 'node.notReady', subject: node.metadata.name ?? '', detail: 'Ready=Unknown: no heartbeat within the grace period' });
    this.env.writer.updateStatus(ctx, 'nodes', { ...node, status: { ...node.status, conditions } }, (r) => {
      if (!r.ok || !this.env.alive()) return;
      for (const pod of this.env.informers.pods.byNodeName(node.metadata.name ?? '')) this.markPodNotReady(ctx, pod, nowS);
    });
  }

  private markPodNotReady(ctx: Context, pod: Pod, nowS: number): void {
    const conds = pod.status?.conditions ?? [];
    if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    const conditions: Condition<PodConditionType>[] = conds.map((c) =>
      c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason: 'NodeNotReady', lastTransitionTime: nowS } : c,
    );
    this.env.writer.updateStatus(ctx, 'pods', { ...pod, status: { ...pod.status, conditions } }, () => undefined);
  }

  private reconcileTaints(ctx: Context, node: Node, ready: string): void {
    const name = node.metadata.name ?? '';
    if (ready === 'True') {
      this.dequeue(name);
      if (hasNodeHealthTaint(node)) {
        this.patchNode(ctx, name, (n) => withTaints(withTaints(n, [], [TAINT_UNREACHABLE, TAINT_NOT_READY], 'NoExecute'), [], [TAINT_UNREACHABLE, TAINT_NOT_READY], 'NoSchedule'));
      }
      return;
    }
    const key = ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const other = key === TAINT_NOT_READY ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    // TaintNodeByCondition: NoSchedule at once, so nothing new lands there.
    if (!hasTaint(node, key, 'NoSchedule')) {
      this.patchNode(ctx, name, (n) => withTaints(n, [{ key, effect: 'NoSchedule' }], [other], 'NoSchedule'));
    }
    if (!hasTaint(node, key, 'NoExecute')) {
      this.pendingTaint.set(name, key);
      this.enqueue(zoneOf(node), name);
    }
  }

  /**
   * Upstream changes taints with a strategic-merge patch, which cannot conflict. We emulate it: one
   * write per node at a time, each applied to the newest copy we have (the previous write's answer or
   * the informer's), sent without a resourceVersion precondition.
   */
  private patchNode(ctx: Context, name: string, change: (n: Node) => Node): void {
    let p = this.patches.get(name);
    if (p === undefined) {
      p = { inFlight: false, queued: [], latest: undefined };
      this.patches.set(name, p);
    }
    p.queued.push(change);
    this.flushPatches(ctx, name);
  }

  private flushPatches(ctx: Context, name: string): void {
    const p = this.patches.get(name);
    if (p === undefined || p.inFlight || p.queued.length === 0 || !this.env.alive()) return;
    const cached = this.env.informers.nodes.get(name);
    const base = newer(p.latest, cached);
    if (base === undefined) {
      p.queued = [];
      return;
    }
    let next = base;
    for (const change of p.queued.splice(0)) next = change(next);
    const { resourceVersion: _rv, ...metadata } = next.metadata;
    void _rv;
    p.inFlight = true;
    this.env.writer.update(ctx, 'nodes', { ...next, metadata }, (r) => {
      p.inFlight = false;
      if (r.ok) p.latest = r.object;
      this.flushPatches(ctx, name);
    });
  }

  private enqueue(zone: string, name: string): void {
    if (this.queued.has(name)) return;
    this.queued.set(name, zone);
    const q = this.taintQueues.get(zone) ?? [];
    q.push(name);
    this.taintQueues.set(zone, q);
  }

  /** O(1) for nodes not queued, which is nearly all of them at every pass. */
  private dequeue(name: string): void {
    this.pendingTaint.delete(name);
    const zone = this.queued.get(name);
    if (zone === undefined) return;
    this.queued.delete(name);
    const q = this.taintQueues.get(zone);
    const i = q?.indexOf(name) ?? -1;
    if (q !== undefined && i >= 0) q.splice(i, 1);
  }

  private updateZones(counts: Map<string, { ready: number; notReady: number }>): void {
    const nowS = this.env.ctx.now() / 1e6;
    let allFull = counts.size > 0;
    for (const [zone, c] of counts) {
      const st = computeZoneState(c.ready, c.notReady, this.cfg.eviction);
      this.zoneStates.set(zone, st);
      if (st !== 'FullDisruption') allFull = false;
    }
    const wasAllDown = this.allZonesDown;
    this.allZonesDown = allFull;
    if (allFull && !wasAllDown) this.enterFullDisruption();
    if (!allFull && wasAllDown) {
      // Leaving full disruption: every node gets a fresh grace period (probe timestamps reset).
      const now = this.env.ctx.now();
      for (const h of this.health.values()) h.probeUs = now;
    }
    for (const [zone, c] of counts) {
      const st = this.zoneStates.get(zone) ?? 'Normal';
      const qps = zoneEvictionQps(st, c.ready + c.notReady, allFull, this.cfg.eviction);
      const b = this.buckets.get(zone);
      if (b === undefined) this.buckets.set(zone, new TokenBucket(qps, 1, nowS));
      else b.setRate(qps, nowS);
    }
  }

  /**
   * Every zone fully disrupted: the controller presumes its own connectivity is at fault, stops all
   * tainting and lifts the NoExecute taints it set (upstream markNodeAsReachable for every node).
   */
  private enterFullDisruption(): void {
    const ctx = this.env.ctx;
    ctx.observe({ type: 'node.fullDisruption', subject: 'all-zones', detail: 'every zone fully disrupted: evictions stopped' });
    for (const q of this.taintQueues.values()) q.splice(0);
    this.queued.clear();
    this.pendingTaint.clear();
    for (const node of this.env.informers.nodes.list()) {
      const name = node.metadata.name ?? '';
      if (hasTaint(node, TAINT_UNREACHABLE, 'NoExecute') || hasTaint(node, TAINT_NOT_READY, 'NoExecute')) {
        this.patchNode(ctx, name, (n) => withTaints(n, [], [TAINT_UNREACHABLE, TAINT_NOT_READY], 'NoExecute'));
      }
    }
  }

  private workTaintQueues(ctx: Context): void {
    if (!this.env.alive()) return;
    const nowS = ctx.now() / 1e6;
    let waiting = false;
    for (const zone of [...this.taintQueues.keys()].sort()) {
      const q = this.taintQueues.get(zone) ?? [];
      const bucket = this.buckets.get(zone);
      while (q.length > 0 && bucket !== undefined && !this.allZonesDown && bucket.tryAccept(nowS)) {
        const name = q.shift() ?? '';
        this.queued.delete(name);
        this.taintNoExecute(ctx, name);
      }
      if (q.length > 0) waiting = true;
    }
    if (waiting && !this.tainterArmed) {
      this.tainterArmed = true;
      this.env.timers.set(ctx, TAINTER_PERIOD_US, (c) => {
        this.tainterArmed = false;
        this.workTaintQueues(c);
      });
    }
  }

  private taintNoExecute(ctx: Context, name: string): void {
    const key = this.pendingTaint.get(name);
    this.pendingTaint.delete(name);
    if (key === undefined || this.env.informers.nodes.get(name) === undefined) return;
    const other = key === TAINT_NOT_READY ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    const taint = { key, effect: 'NoExecute' as const, timeAdded: this.env.nowSeconds() };
    ctx.observe({ type: 'node.tainted', subject: name, detail: `${key}:NoExecute` });
    this.patchNode(ctx, name, (n) => withTaints(n, [taint], [other], 'NoExecute'));
  }
}

/** The node's Ready condition (this runs for every node every monitor period). */
function readyCondition(node: Node): Condition<NodeConditionType> | undefined {
  return conditionOf(node.status?.conditions, 'Ready');
}

function readyStatus(node: Node): Condition<NodeConditionType>['status'] | undefined {
  return readyCondition(node)?.status;
}

/** Whether the node carries a not-ready or unreachable taint, NoSchedule or NoExecute. */
function hasNodeHealthTaint(node: Node): boolean {
  return (
    hasTaint(node, TAINT_UNREACHABLE, 'NoExecute') ||
    hasTaint(node, TAINT_NOT_READY, 'NoExecute') ||
    hasTaint(node, TAINT_UNREACHABLE, 'NoSchedule') ||
    hasTaint(node, TAINT_NOT_READY, 'NoSchedule')
  );
}

/** The copy with the higher resourceVersion (the API server's revisions are decimal integers). */
function newer(a: Node | undefined, b: Node | undefined): Node | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Number(a.metadata.resourceVersion ?? 0) >= Number(b.metadata.resourceVersion ?? 0) ? a : b;
}
