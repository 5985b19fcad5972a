import type { Plugin } from '../plugin.js';
import { STRIDE, type NodeInfo } from '../nodeInfo.js';
import type { PodInfo } from '../podInfo.js';
import { assertNever } from '../../util/assert.js';
import {
  allocatableOf,
  DEFAULT_RESOURCE_SPECS,
  leastRequestedScore,
  mostRequestedScore,
  fillPodAmounts,
  requestedToCapacityRatioScore,
  resourceColumns,
  scoreEachNode,
  requestedWithPod,
  scaleShape,
  type ResourceSpec,
  type UtilizationShapePoint,
} from '../resourceAllocation.js';
import { Code, status, SUCCESS, type Status } from '../status.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

/** NodeResourcesFitArgs.scoringStrategy. */
export interface ScoringStrategy {
  readonly type: ScoringStrategyType;
  readonly resources?: readonly ResourceSpec[];
  /** Only for RequestedToCapacityRatio: points (utilisation 0..100, score 0..10). */
  readonly shape?: readonly UtilizationShapePoint[];
}

const TOO_MANY_PODS = 'Too many pods';
const CPU = 1;
const MEMORY = 2;
const EPHEMERAL = 4;
const PODS = 8;

/** Preallocated rejections for every combination of the four common shortages (index = bitmask). */
const REJECTIONS: readonly Status[] = Array.from({ length: 16 }, (_, mask) => {
  const reasons: string[] = [];
  if (mask & PODS) reasons.push(TOO_MANY_PODS);
  if (mask & CPU) reasons.push('Insufficient cpu');
  if (mask & MEMORY) reasons.push('Insufficient memory');
  if (mask & EPHEMERAL) reasons.push('Insufficient ephemeral-storage');
  return status(Code.Unschedulable, ...reasons);
});

/** Upstream's fitsRequest: pod count, then each requested resource against allocatable − requested. */
export function fitsRequest(pod: PodInfo, node: NodeInfo): Status {
  let mask = 0;
  if (node.podCount + 1 > node.allowedPodNumber) mask |= PODS;
  const r = pod.requests;
  // A pod requesting nothing only needs a pod slot.
  if (r.cpuMilli === 0 && r.memory === 0 && r.ephemeralStorage === 0 && r.scalar === undefined) {
    return mask === 0 ? SUCCESS : (REJECTIONS[mask] ?? SUCCESS);
  }
  if (r.cpuMilli > node.allocatableCpuMilli - node.requestedCpuMilli) mask |= CPU;
  if (r.memory > node.allocatableMemory - node.requestedMemory) mask |= MEMORY;
  if (r.ephemeralStorage > node.allocatableEphemeral - node.requestedEphemeral) mask |= EPHEMERAL;
  let extra: string[] | undefined;
  if (r.scalar !== undefined) {
    const a = node.allocatable;
    for (const [name, v] of r.scalar) {
      if (v === 0) continue;
      if (v > (a.scalar?.get(name) ?? 0) - (node.requestedScalar?.get(name) ?? 0)) (extra ??= []).push(`Insufficient ${name}`);
    }
  }
  if (extra !== undefined) return status(Code.Unschedulable, ...(REJECTIONS[mask]?.reasons ?? []), ...extra);
  return mask === 0 ? SUCCESS : (REJECTIONS[mask] ?? SUCCESS);
}

/**
 * Filter: the pod's requests fit the node's free allocatable resources and a pod slot is free.
 * Score (scoringStrategy, default LeastAllocated on cpu and memory with weight 1): a weighted
 * average over resources with allocatable > 0, integer-divided by the weight sum, as upstream.
 */
export function nodeResourcesFit(args?: { readonly scoringStrategy?: ScoringStrategy }): Plugin {
  const strategy = args?.scoringStrategy ?? { type: 'LeastAllocated' };
  const specs = strategy.resources ?? DEFAULT_RESOURCE_SPECS;
  const shape = scaleShape(strategy.shape ?? [
    { utilization: 0, score: 10 },
    { utilization: 100, score: 0 },
  ]);
  const type = strategy.type;
  const cols = resourceColumns(specs);
  const tabular = cols.every((c) => c.alloc >= 0);
  const podAmounts = new Float64Array(cols.length);
  if (type !== 'LeastAllocated' && type !== 'MostAllocated' && type !== 'RequestedToCapacityRatio') assertNever(type, 'scoring strategy');
  /** One resource's score under the strategy (a conditional, not a switch: it runs per node per resource). */
  const resourceScore = (requested: number, allocatable: number): number =>
    type === 'LeastAllocated'
      ? leastRequestedScore(requested, allocatable)
      : type === 'MostAllocated'
        ? mostRequestedScore(requested, allocatable)
        : requestedToCapacityRatioScore(shape, requested, allocatable);
  // Upstream rounds only for RequestedToCapacityRatio; the others integer-divide.
  const weightedMean = (total: number, weights: number): number =>
    weights === 0 ? 0 : type === 'RequestedToCapacityRatio' ? Math.round(total / weights) : Math.trunc(total / weights);
  const scoreNode = (pod: PodInfo, node: NodeInfo): number => {
    let total = 0;
    let weights = 0;
    // Indexed, not for-of: this runs per node per pod, and the array iterator was not optimised
    // away here (its result objects were a fifth of a rollout's allocation).
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      if (spec === undefined) continue;
      const alloc = allocatableOf(node, spec.name);
      if (alloc === 0) continue;
      total += resourceScore(requestedWithPod(node, pod, spec.name, true), alloc) * spec.weight;
      weights += spec.weight;
    }
    return weightedMean(total, weights);
  };
  return {
    name: NODE_RESOURCES_FIT,
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'],
    filter(_state, pod, node) {
      return fitsRequest(pod, node);
    },
    score(_state, pod, node) {
      return scoreNode(pod, node);
    },
    scoreAll(_state, pod, nodes, scores, count) {
      if (!tabular) return scoreEachNode(pod, nodes, scores, count, scoreNode);
      // scoreNode, reading each node's NodeTable row.
      fillPodAmounts(pod, cols, true, podAmounts);
      for (let j = 0; j < count; j++) {
        const node = nodes[j];
        const i = node?.index ?? -1;
        if (node === undefined || i < 0) {
          scores[j] = node === undefined ? 0 : scoreNode(pod, node);
          continue;
        }
        const d = node.rows;
        const o = i * STRIDE;
        let total = 0;
        let weights = 0;
        for (let c = 0; c < cols.length; c++) {
          const col = cols[c];
          if (col === undefined) continue;
          const alloc = d[o + col.alloc] ?? 0;
          if (alloc === 0) continue;
          total += resourceScore((d[o + col.nonZero] ?? 0) + (podAmounts[c] ?? 0), alloc) * col.weight;
          weights += col.weight;
        }
        scores[j] = weightedMean(total, weights);
      }
    },
  };
}
