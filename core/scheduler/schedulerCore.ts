import type { Micros } from '../../sim/time.js';
import type { Node, Pod } from '../api/types.js';
import { SchedulingAlgorithm, type ScheduleResult } from './algorithm.js';
import { SchedulerCache } from './cache.js';
import type { ClusterEvent } from './clusterEvent.js';
import { cycleCostUs, DEFAULT_COST_MODEL, type SchedulerCostModel } from './costModel.js';
import type { CycleState } from './cycleState.js';
import type { Framework } from './framework.js';
import { buildPodInfo, updatePodInfoInPlace, type PodInfo } from './podInfo.js';
import { buildFramework, type ProfileSpec } from './profiles.js';
import { builtinRegistry, type PluginRegistry } from './registry.js';
import { DEFAULT_QUEUE_OPTIONS, SchedulingQueue, type QueuedPod, type QueueOptions } from './schedulingQueue.js';
import { Code } from './status.js';
import { assertNever } from '../util/assert.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerCoreOptions {
  readonly profile: ProfileSpec;
  /** Registry holding the profile's plugins; defaults to the built-ins. */
  readonly registry?: PluginRegistry;
  /** The seeded stream for tie-breaks and preemption offsets: a number in [0, 1). */
  readonly random: () => number;
  /** Cluster-wide default when the profile sets none; 0 = adaptive. */
  readonly percentageOfNodesToScore?: number;
  readonly queue?: QueueOptions;
  readonly cost?: SchedulerCostModel;
  /** Pods whose spec.schedulerName is this (or absent) are ours. */
  readonly schedulerName?: string;
}

/** What a scheduling cycle decided; the component turns it into API calls. */
export type CycleOutcome =
  | { readonly type: 'bind'; readonly pod: QueuedPod; readonly nodeName: string; readonly state: CycleState; readonly costUs: Micros; readonly feasibleNodes: number }
  | {
      readonly type: 'unschedulable';
      readonly pod: QueuedPod;
      readonly message: string;
      readonly costUs: Micros;
      /** Set when PostFilter chose a node by evicting these pods. */
      readonly preemption: { readonly nodeName: string; readonly victims: readonly PodInfo[] } | undefined;
    }
  | { readonly type: 'error'; readonly pod: QueuedPod; readonly message: string; readonly costUs: Micros };

function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/**
 * The scheduler without I/O: cache, queue, profile and cycle, driven by informer events and by
 * `scheduleOne`. The kube-scheduler component feeds it from informers and performs the bindings
 * and evictions it asks for; tests and the benchmark drive it directly.
 */
export class SchedulerCore {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly algorithm: SchedulingAlgorithm;
  readonly schedulerName: string;
  private readonly cost: SchedulerCostModel;

  constructor(options: SchedulerCoreOptions) {
    const { framework } = buildFramework(options.profile, options.registry ?? builtinRegistry(), this.cache, options.random);
    this.framework = framework;
    this.algorithm = new SchedulingAlgorithm(this.cache, framework, options.random, {
      percentageOfNodesToScore: options.profile.percentageOfNodesToScore ?? options.percentageOfNodesToScore ?? 0,
      nodeOrder: options.profile.nodeOrder ?? 'roundRobin',
      stopAtFirstFeasible: options.profile.stopAtFirstFeasible ?? false,
    });
    this.queue = new SchedulingQueue(options.queue ?? DEFAULT_QUEUE_OPTIONS, (plugin, event) => framework.pluginCaresAbout(plugin, event));
    this.cost = options.cost ?? DEFAULT_COST_MODEL;
    this.schedulerName = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
  }

  private ours(pod: Pod): boolean {
    const name = pod.spec.schedulerName;
    return name === undefined || name === '' || name === this.schedulerName;
  }

  // ───────── informer events ─────────

  onNodeAdd(node: Node, nowUs: Micros): void {
    this.cache.upsertNode(node);
    this.queue.onClusterEvent('NodeAdd', nowUs);
  }

  onNodeUpdate(oldNode: Node | undefined, node: Node, nowUs: Micros): void {
    this.cache.upsertNode(node);
    for (const e of nodeChangeEvents(oldNode, node)) this.queue.onClusterEvent(e, nowUs);
  }

  onNodeDelete(name: string, nowUs: Micros): void {
    this.cache.removeNode(name);
    this.queue.onClusterEvent('NodeDelete', nowUs);
  }

  /** Pod added or updated: bound pods go to the cache, pending pods of ours to the queue. */
  onPodUpsert(pod: Pod, nowUs: Micros): void {
    const nodeName = pod.spec.nodeName;
    if (nodeName !== undefined && nodeName !== '' && !isTerminal(pod)) {
      const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
      const known = this.cache.placement(key);
      if (known !== undefined && known.nodeName === nodeName && updatePodInfoInPlace(known.info, pod)) {
        if (!known.assumed) {
          // A confirmed pod's status update (the kubelet's): the placement stays, the PodInfo is kept.
          this.queue.onClusterEvent('AssignedPodUpdate', nowUs);
          return;
        }
        // The binding of a pod we assumed there: confirmed with the PodInfo it was scheduled with
        // (placed again, as a rebuilt one would be; only the rebuild is saved).
        this.queue.delete(key);
        this.cache.addOrUpdatePod(known.info, nodeName);
        this.queue.onClusterEvent('AssignedPodAdd', nowUs);
        return;
      }
    }
    const info = buildPodInfo(pod);
    if (nodeName !== undefined && nodeName !== '') {
      this.queue.delete(info.key);
      if (isTerminal(pod)) {
        this.onPodDelete(info.key, nowUs);
        return;
      }
      const known = this.cache.placement(info.key);
      this.cache.addOrUpdatePod(info, nodeName);
      this.queue.onClusterEvent(known === undefined || known.assumed ? 'AssignedPodAdd' : 'AssignedPodUpdate', nowUs);
      return;
    }
    if (!this.ours(pod) || info.terminating || isTerminal(pod)) {
      this.queue.delete(info.key);
      return;
    }
    // A pending pod we assumed: the informer has not seen our binding yet; keep the assumption.
    if (this.cache.isAssumed(info.key)) return;
    const queued = this.queue.get(info.key);
    if (queued !== undefined) this.queue.update(info, nowUs, podUpdated(queued.info.pod, pod));
    else this.queue.add(info, nowUs);
  }

  onPodDelete(key: string, nowUs: Micros): void {
    this.queue.delete(key);
    const placed = this.cache.placement(key);
    if (placed === undefined) return;
    this.cache.removePod(key);
    this.queue.onClusterEvent('AssignedPodDelete', nowUs);
  }

  // ───────── cycles ─────────

  /** Runs one scheduling cycle for the next pod, if any; assumes the pod on success. */
  scheduleOne(nowUs: Micros): CycleOutcome | undefined {
    this.queue.flush(nowUs);
    const q = this.queue.pop();
    if (q === undefined) return undefined;
    const result = this.algorithm.schedule(q.info);
    return this.finish(q, result, nowUs);
  }

  private finish(q: QueuedPod, result: ScheduleResult, nowUs: Micros): CycleOutcome {
    switch (result.type) {
      case 'scheduled': {
        const nodeName = result.node.name;
        // Assume first, then Reserve (upstream order): the next cycle sees the pod on the node.
        this.cache.assumePod(q.info, nodeName);
        const reserve = this.framework.runReserve(result.state, q.info, nodeName);
        const costUs = cycleCostUs(this.cost, result);
        if (reserve.code !== Code.Success) {
          this.cache.forgetPod(q.info.key);
          this.queue.addBackoff(q, nowUs);
          return { type: 'error', pod: q, message: reserve.reasons.join(', '), costUs };
        }
        this.queue.done(q.info.key);
        return { type: 'bind', pod: q, nodeName, state: result.state, costUs, feasibleNodes: result.feasibleNodes };
      }
      case 'unschedulable': {
        const pf = result.postFilter;
        const preemption =
          pf !== undefined && pf.status.code === Code.Success && pf.nominatedNodeName !== undefined
            ? { nodeName: pf.nominatedNodeName, victims: pf.victims ?? [] }
            : undefined;
        const examined = pf?.nodesExamined ?? 0;
        this.queue.addUnschedulable(q, result.diagnosis.unschedulablePlugins, nowUs);
        return { type: 'unschedulable', pod: q, message: result.message, costUs: cycleCostUs(this.cost, result, examined), preemption };
      }
      case 'error':
        this.queue.addBackoff(q, nowUs);
        return { type: 'error', pod: q, message: result.status.reasons.join(', '), costUs: cycleCostUs(this.cost, result) };
      default:
        return assertNever(result, 'schedule result');
    }
  }

  /** The binding failed (conflict, timeout): forget the assumption and retry after backoff. */
  bindingFailed(outcome: { readonly pod: QueuedPod; readonly nodeName: string; readonly state: CycleState }, nowUs: Micros): void {
    this.cache.forgetPod(outcome.pod.info.key);
    this.framework.runUnreserve(outcome.state, outcome.pod.info, outcome.nodeName);
    this.queue.requeueAfterBindFailure(outcome.pod, nowUs);
    // The freed capacity may help others waiting on resources.
    this.queue.onClusterEvent('AssignedPodDelete', nowUs);
  }
}

/**
 * Upstream's isPodUpdated: whether a pod changed beyond resourceVersion, generation, managedFields,
 * finalizers and status. Status-only updates (the scheduler's own PodScheduled condition and
 * nomination) do not give an unschedulable pod another attempt.
 */
export function podUpdated(oldPod: Pod, pod: Pod): boolean {
  if (oldPod === pod) return false;
  const strip = (p: Pod): string => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, finalizers: _f, ...meta } = p.metadata as Record<string, unknown>;
    return JSON.stringify([meta, p.spec]);
  };
  return strip(oldPod) !== strip(pod);
}

/** Which cluster events a node update amounts to. */
export function nodeChangeEvents(oldNode: Node | undefined, node: Node): ClusterEvent[] {
  if (oldNode === undefined) return ['NodeAdd'];
  const events: ClusterEvent[] = [];
  if (JSON.stringify(oldNode.metadata.labels ?? {}) !== JSON.stringify(node.metadata.labels ?? {})) events.push('NodeLabelChange');
  if (JSON.stringify(oldNode.spec?.taints ?? []) !== JSON.stringify(node.spec?.taints ?? [])) events.push('NodeTaintChange');
  if (JSON.stringify(oldNode.status?.allocatable ?? {}) !== JSON.stringify(node.status?.allocatable ?? {})) {
    events.push('NodeAllocatableChange');
  }
  if ((oldNode.spec?.unschedulable ?? false) !== (node.spec?.unschedulable ?? false)) events.push('NodeSchedulableChange');
  return events;
}
