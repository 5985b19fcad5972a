import type { Micros } from '../../sim/time.js';
import type { CommittedWrite } from './checkers/committedWrites.js';
import type { Deployment, Node, Pod, ReplicaSet } from '../api/types.js';
import { RollingBoundsChecker } from './rollingBounds.js';
import { parseMilli, parseValue } from '../api/quantity.js';
import { isPodReady } from '../controlplane/podUtil.js';
import { SchedulerCheckers } from '../scheduler/checkers/schedulerCheckers.js';
import type { ObservedState } from './observed.js';
import { percentile, round, type Percentiles } from './summary.js';

interface PodRecord {
  pod: Pod;
  /** The node whose capacity this pod's requests currently occupy (bound, not yet gone). */
  placedOn: NodeUse | undefined;
  readonly cpuMilli: number;
  readonly memBytes: number;
  readonly createdUs: Micros;
  boundUs: Micros | undefined;
  readyUs: Micros | undefined;
  counted: 'pending' | 'running' | 'terminating' | 'none';
  ready: boolean;
  /** Counted in `unbound`: pending, not terminating, no node yet. */
  unbound: boolean;
  /** Commit time at which it last became unbound. */
  unboundSinceUs: Micros;
  /** Carries PodScheduled=False with reason Unschedulable (the scheduler found no node for it). */
  unschedulable: boolean;
  /** In `schedulablePending`: unbound and not marked unschedulable. */
  waiting: boolean;
  /** Commit time at which it last entered `schedulablePending`. */
  waitingSinceUs: Micros;
}

/** What the bound pods request of one node (kept for nodes not, or no longer, known too). */
interface NodeUse {
  cpuMilli: number;
  memBytes: number;
  pods: number;
}

/** A known node's allocatable CPU and memory, with its use. */
interface NodeAlloc {
  cpuMilli: number;
  memBytes: number;
  readonly use: NodeUse;
}

/**
 * How long a pod may wait for a node and still count as converged: a pod that arrived a moment ago
 * and is in the scheduler's queue is normal operation, not a cluster that has failed to recover.
 * Without it a steady stream of arrivals (1/s) keeps the cluster "unconverged" until the stream
 * ends, whatever the fault. 5 s is several times the scheduler's latency under the scenarios' loads
 * and above its first unschedulable back-off (1 s, doubling), below a failover (leaseDuration 15 s).
 */
export const PENDING_GRACE_US: Micros = 5_000_000;

const PODS = '/registry/pods/';
const NODES = '/registry/nodes/';
const DEPLOYMENTS = '/registry/apps/deployments/';
const REPLICASETS = '/registry/apps/replicasets/';

/**
 * Watches what the store commits — like kube-state-metrics, but reading the replicated log from
 * outside rather than through the API, so it adds no load and sees every committed change at its
 * commit time. It reads each committed change once, in order, from the run's CommittedWrites (the
 * one shadow MVCC the API checkers also read; the first member to apply an index defines it and
 * store.logMatching checks that all members agree). From the objects it keeps
 * pod counts, scheduling and startup latencies, the scheduler checkers and Deployment convergence.
 */
export class ClusterObserver {
  private readonly pods = new Map<string, PodRecord>();
  private readonly deployments = new Map<string, Deployment>();
  readonly checkers = new SchedulerCheckers();
  private podsBound = 0;
  private readonly schedulingLatencyMs: number[] = [];
  private readonly startupLatencyMs: number[] = [];
  private readonly bindsPerSecond = new Map<number, number>();
  /** Known nodes in order of arrival (the per-second sample walks them: one record, no lookups). */
  private readonly allocs = new Map<string, NodeAlloc>();
  private readonly uses = new Map<string, NodeUse>();
  /** Per sample: the mean over nodes of CPU requested / allocatable. */
  private readonly utilisation: number[] = [];
  /** The highest single node's CPU requested / allocatable over all samples. */
  private utilisationMax = 0;
  private readonly fragmentation: number[] = [];
  private maxNodesUsed = 0;
  /** The records counted in `unbound`, for the per-second fragmentation count. */
  private readonly unboundPods = new Set<PodRecord>();

  readonly rolling: RollingBoundsChecker;
  /** Pods waiting for a node; kept incrementally so the convergence check is O(1) per event. */
  private unbound = 0;
  /**
   * Unbound pods the scheduler has not marked PodScheduled=False/Unschedulable: the "schedulable
   * pending" pods convergence waits for. Insertion order is entry time (commits arrive in time
   * order), so the first is the one waiting longest.
   */
  private readonly schedulablePending = new Set<PodRecord>();
  /** The set's first record, kept aside: converged() is asked after every observation. */
  private oldestPending: PodRecord | undefined;
  /** Deployments not at ready = updated = desired, by storage key. */
  private readonly unconverged = new Set<string>();
  private readonly replicaSets = new Map<string, ReplicaSet>();

  constructor(private readonly state: ObservedState) {
    state.podsModelled = true;
    this.rolling = new RollingBoundsChecker(() => state.faultsActive > 0);
  }

  /** One committed log entry's changes, in commit order (the run's shared CommittedWrites replays the log). */
  onEntry(timeUs: Micros, writes: readonly CommittedWrite[]): void {
    for (const w of writes) this.onWrite(timeUs, w.key, w.deleted ? undefined : w.value);
    this.rolling.check(timeUs);
  }

  /** A key was put (`value`) or deleted (undefined). */
  private onWrite(timeUs: Micros, key: string, value: unknown): void {
    if (key.startsWith(PODS)) this.onPod(timeUs, key, value as Pod | undefined);
    else if (key.startsWith(NODES)) {
      if (value !== undefined) {
        const n = value as Node;
        this.checkers.onNode(timeUs, n);
        const list = n.status?.allocatable ?? n.status?.capacity;
        const name = n.metadata.name ?? '';
        const known = this.allocs.get(name);
        if (known !== undefined) {
          known.cpuMilli = cpuOf(list);
          known.memBytes = memOf(list);
        } else this.allocs.set(name, { cpuMilli: cpuOf(list), memBytes: memOf(list), use: this.useOf(name) });
      } else {
        this.checkers.onNodeDelete(timeUs, key.slice(NODES.length));
        this.allocs.delete(key.slice(NODES.length));
      }
    } else if (key.startsWith(DEPLOYMENTS)) {
      const previous = this.deployments.get(key);
      const d = value as Deployment | undefined;
      if (d !== undefined) this.deployments.set(key, d);
      else this.deployments.delete(key);
      if (d !== undefined && !deploymentConverged(d)) this.unconverged.add(key);
      else this.unconverged.delete(key);
      const uid = (d ?? previous)?.metadata.uid;
      if (uid !== undefined) this.rolling.onDeployment(d, uid);
    } else if (key.startsWith(REPLICASETS)) {
      const previous = this.replicaSets.get(key);
      const rs = value as ReplicaSet | undefined;
      if (rs === undefined) this.replicaSets.delete(key);
      else this.replicaSets.set(key, rs);
      const uid = (rs ?? previous)?.metadata.uid;
      if (uid !== undefined) this.rolling.onReplicaSet(rs, uid, previous);
    }
  }

  private onPod(timeUs: Micros, key: string, pod: Pod | undefined): void {
    let rec = this.pods.get(key);
    if (pod === undefined) {
      if (rec === undefined) return;
      this.setCounted(rec, 'none', false);
      this.unplace(rec);
      this.pods.delete(key);
      this.checkers.onPodGone(timeUs, rec.pod.metadata.uid ?? key);
      return;
    }
    if (rec === undefined || (rec.pod.metadata.uid ?? '') !== (pod.metadata.uid ?? '')) {
      if (rec !== undefined) this.setCounted(rec, 'none', false);
      rec = {
        pod,
        placedOn: undefined,
        cpuMilli: podCpuMilli(pod),
        memBytes: podMemBytes(pod),
        createdUs: timeUs,
        boundUs: undefined,
        readyUs: undefined,
        counted: 'none',
        ready: false,
        unbound: false,
        unboundSinceUs: timeUs,
        unschedulable: false,
        waiting: false,
        waitingSinceUs: timeUs,
      };
      this.pods.set(key, rec);
    }
    const wasBound = (rec.pod.spec.nodeName ?? '') !== '' && rec.boundUs !== undefined;
    const wasTerminating = rec.pod.metadata.deletionTimestamp !== undefined;
    rec.pod = pod;
    const node = pod.spec.nodeName ?? '';
    if (node !== '' && !wasBound) {
      rec.boundUs = timeUs;
      this.podsBound++;
      this.state.bindingsThisSecond++;
      const second = Math.floor(timeUs / 1e6);
      this.bindsPerSecond.set(second, (this.bindsPerSecond.get(second) ?? 0) + 1);
      this.schedulingLatencyMs.push((timeUs - rec.createdUs) / 1000);
      this.checkers.onBinding(timeUs, pod, node);
      const use = this.useOf(node);
      rec.placedOn = use;
      use.cpuMilli += rec.cpuMilli;
      use.memBytes += rec.memBytes;
      use.pods++;
    }
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    if (terminating && !wasTerminating) this.checkers.onPodTerminating(timeUs, pod.metadata.uid ?? key);
    const ready = isPodReady(pod);
    if (ready && rec.readyUs === undefined) {
      rec.readyUs = timeUs;
      this.startupLatencyMs.push((timeUs - rec.createdUs) / 1000);
    }
    const phase = pod.status?.phase ?? 'Pending';
    if (phase === 'Succeeded' || phase === 'Failed') this.unplace(rec);
    rec.unschedulable = markedUnschedulable(pod);
    const counted = terminating ? 'terminating' : phase === 'Pending' ? 'pending' : phase === 'Running' ? 'running' : 'none';
    this.setCounted(rec, counted, !terminating && phase === 'Running' && ready, timeUs);
  }

  private unplace(rec: PodRecord): void {
    const use = rec.placedOn;
    if (use === undefined) return;
    rec.placedOn = undefined;
    use.cpuMilli -= rec.cpuMilli;
    use.memBytes -= rec.memBytes;
    use.pods--;
  }

  private useOf(node: string): NodeUse {
    let use = this.uses.get(node);
    if (use === undefined) {
      use = { cpuMilli: 0, memBytes: 0, pods: 0 };
      this.uses.set(node, use);
    }
    return use;
  }

  /**
   * Once per simulated second, the placement figures `kubesim compare` reports (issue 6 defines
   * them per node, so they tell policies apart: the cluster-wide ratio is the same under every
   * policy that binds the same pods): node utilisation is CPU requested / allocatable of one node;
   * nodes in use host at least one pod; fragmentation counts pending pods that fit in the sum of
   * the free CPU and memory but on no single node.
   */
  sample(): void {
    let utilSum = 0;
    let nodes = 0;
    let nodesUsed = 0;
    for (const a of this.allocs.values()) {
      if (a.cpuMilli === 0) continue;
      const util = a.use.cpuMilli / a.cpuMilli;
      utilSum += util;
      nodes++;
      this.utilisationMax = Math.max(this.utilisationMax, util);
      if (a.use.pods > 0) nodesUsed++;
    }
    if (nodes === 0) return;
    this.utilisation.push(utilSum / nodes);
    this.fragmentation.push(this.unboundPods.size === 0 ? 0 : this.fragmentedPending());
    this.maxNodesUsed = Math.max(this.maxNodesUsed, nodesUsed);
  }

  /** Pending pods whose requests fit in the cluster's summed free CPU and memory but on no one node. */
  private fragmentedPending(): number {
    const freeCpu: number[] = [];
    const freeMem: number[] = [];
    let sumCpu = 0;
    let sumMem = 0;
    for (const a of this.allocs.values()) {
      const c = Math.max(0, a.cpuMilli - a.use.cpuMilli);
      const m = Math.max(0, a.memBytes - a.use.memBytes);
      freeCpu.push(c);
      freeMem.push(m);
      sumCpu += c;
      sumMem += m;
    }
    let count = 0;
    for (const rec of this.unboundPods) {
      if (rec.cpuMilli > sumCpu || rec.memBytes > sumMem) continue;
      let fitsOne = false;
      for (let i = 0; i < freeCpu.length && !fitsOne; i++) fitsOne = rec.cpuMilli <= (freeCpu[i] ?? 0) && rec.memBytes <= (freeMem[i] ?? 0);
      if (!fitsOne) count++;
    }
    return count;
  }

  /**
   * utilisationMean: mean over samples of the mean node utilisation; utilisationMax: the busiest
   * node at any sample; nodesUsed: the most nodes in use at once; fragmentation: the mean over
   * samples of the fragmented-pending count.
   */
  placement(): { utilisationMean: number; utilisationMax: number; nodesUsed: number; fragmentation: number } {
    const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    return {
      utilisationMean: round(mean(this.utilisation), 4),
      utilisationMax: round(this.utilisationMax, 4),
      nodesUsed: this.maxNodesUsed,
      fragmentation: round(mean(this.fragmentation), 4),
    };
  }

  private setCounted(rec: PodRecord, counted: PodRecord['counted'], ready: boolean, timeUs: Micros = rec.unboundSinceUs): void {
    const pods = this.state.pods;
    if (rec.counted !== 'none') pods[rec.counted]--;
    if (rec.ready) pods.ready--;
    if (rec.ready !== ready) this.rolling.onReadyChange(rec.pod, ready ? 1 : -1);
    const unbound = counted === 'pending' && (rec.pod.spec.nodeName ?? '') === '';
    if (unbound !== rec.unbound) {
      this.unbound += unbound ? 1 : -1;
      // Commits arrive in time order, so the set's first record is the one waiting longest.
      if (unbound) {
        rec.unboundSinceUs = timeUs;
        this.unboundPods.add(rec);
      } else this.unboundPods.delete(rec);
    }
    rec.unbound = unbound;
    const waiting = unbound && !rec.unschedulable;
    if (waiting !== rec.waiting) {
      if (waiting) {
        rec.waitingSinceUs = timeUs;
        this.schedulablePending.add(rec);
        this.oldestPending ??= rec;
      } else {
        this.schedulablePending.delete(rec);
        if (this.oldestPending === rec) this.oldestPending = this.schedulablePending.values().next().value;
      }
      rec.waiting = waiting;
    }
    rec.counted = counted;
    rec.ready = ready;
    if (counted !== 'none') pods[counted]++;
    if (ready) pods.ready++;
  }

  /**
   * Every Deployment has ready = updated = desired replicas and no schedulable pod has waited for
   * a node longer than PENDING_GRACE_US at `nowUs`. A pod the scheduler marked PodScheduled=False
   * with reason Unschedulable (nothing fits it now) is not schedulable pending: an over-committed
   * workload converges once everything that fits runs. O(1): the longest-waiting schedulable
   * pending pod is the set's first.
   */
  converged(nowUs: Micros): boolean {
    if (this.unconverged.size !== 0) return false;
    const oldest = this.oldestPending;
    return oldest === undefined || nowUs - oldest.waitingSinceUs < PENDING_GRACE_US;
  }

  figures(endUs: Micros): {
    podsBound: number;
    throughputPerSec: { mean: number; peak: number };
    latencyMs: Percentiles;
    startupMs: Percentiles;
  } {
    const seconds = [...this.bindsPerSecond.keys()];
    // Mean over the busy window: from the first to the last second with a binding.
    const busy = seconds.length === 0 ? 0 : Math.max(...seconds) - Math.min(...seconds) + 1;
    void endUs;
    return {
      podsBound: this.podsBound,
      throughputPerSec: { mean: busy === 0 ? 0 : round(this.podsBound / busy, 3), peak: Math.max(0, ...this.bindsPerSecond.values()) },
      latencyMs: pcts(this.schedulingLatencyMs),
      startupMs: pcts(this.startupLatencyMs),
    };
  }
}

/** The scheduler's mark on a pod it found no node for: PodScheduled=False, reason Unschedulable. */
function markedUnschedulable(pod: Pod): boolean {
  for (const c of pod.status?.conditions ?? []) if (c.type === 'PodScheduled') return c.status === 'False' && c.reason === 'Unschedulable';
  return false;
}

function deploymentConverged(d: Deployment): boolean {
  const desired = d.spec.replicas ?? 1;
  const st = d.status;
  if ((st?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return false;
  return (st?.readyReplicas ?? 0) === desired && (st?.updatedReplicas ?? 0) === desired && (st?.replicas ?? 0) === desired;
}

function cpuOf(list: Readonly<Record<string, string>> | undefined): number {
  const q = list?.['cpu'];
  return q === undefined ? 0 : parseMilli(q);
}

function memOf(list: Readonly<Record<string, string>> | undefined): number {
  const q = list?.['memory'];
  return q === undefined ? 0 : parseValue(q);
}

/** Sum of the containers' memory requests, bytes. */
function podMemBytes(pod: Pod): number {
  let total = 0;
  for (const c of pod.spec.containers) total += memOf(c.resources?.requests);
  return total;
}

/** Sum of the containers' CPU requests, millicores (what the scheduler reserves). */
function podCpuMilli(pod: Pod): number {
  let total = 0;
  for (const c of pod.spec.containers) total += cpuOf(c.resources?.requests);
  return total;
}

function pcts(samples: readonly number[]): Percentiles {
  const r = (v: number | null): number | null => (v === null ? null : round(v, 3));
  return { p50: r(percentile(samples, 50)), p90: r(percentile(samples, 90)), p99: r(percentile(samples, 99)) };
}
