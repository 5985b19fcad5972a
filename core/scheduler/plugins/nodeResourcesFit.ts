import type { Plugin } from '../plugin.js';
import type { NodeInfo } from '../nodeInfo.js';
import type { PodInfo } from '../podInfo.js';
import { assertNever } from '../../util/assert.js';
import {
  allocatableOf,
  DEFAULT_RESOURCE_SPECS,
  leastRequestedScore,
  mostRequestedScore,
  requestedToCapacityRatioScore,
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
  if (node.pods.size + 1 > node.allowedPodNumber) mask |= PODS;
  const r = pod.requests;
  // A pod requesting nothing only needs a pod slot.
  if (r.cpuMilli === 0 && r.memory === 0 && r.ephemeralStorage === 0 && r.scalar === undefined) {
    return mask === 0 ? SUCCESS : (REJECTIONS[mask] ?? SUCCESS);
  }
  const a = node.allocatable;
  if (r.cpuMilli > a.cpuMilli - node.requestedCpuMilli) mask |= CPU;
  if (r.memory > a.memory - node.requestedMemory) mask |= MEMORY;
  if (r.ephemeralStorage > a.ephemeralStorage - node.requestedEphemeral) mask |= EPHEMERAL;
  let extra: string[] | undefined;
  if (r.scalar !== undefined) {
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
  return {
    name: NODE_RESOURCES_FIT,
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'],
    filter(_state, pod, node) {
      return fitsRequest(pod, node);
    },
    score(_state, pod, node) {
      let total = 0;
      let weights = 0;
      // Indexed, not for-of: this runs per node per pod, and the array iterator was not optimised
      // away here (its result objects were a fifth of a rollout's allocation).
      for (let i = 0; i < specs.length; i++) {
        const spec = specs[i];
        if (spec === undefined) continue;
        const alloc = allocatableOf(node, spec.name);
        if (alloc === 0) continue;
        const req = requestedWithPod(node, pod, spec.name, true);
        let s: number;
        switch (type) {
          case 'LeastAllocated':
            s = leastRequestedScore(req, alloc);
            break;
          case 'MostAllocated':
            s = mostRequestedScore(req, alloc);
            break;
          case 'RequestedToCapacityRatio':
            s = requestedToCapacityRatioScore(shape, req, alloc);
            break;
          default:
            return assertNever(type, 'scoring strategy');
        }
        total += s * spec.weight;
        weights += spec.weight;
      }
      if (weights === 0) return 0;
      // Upstream rounds only for RequestedToCapacityRatio; the others integer-divide.
      return type === 'RequestedToCapacityRatio' ? Math.round(total / weights) : Math.trunc(total / weights);
    },
  };
}
