import { ALLOC_CPU, ALLOC_EPHEMERAL, ALLOC_MEMORY, NON_ZERO_CPU, NON_ZERO_MEMORY, REQ_CPU, REQ_EPHEMERAL, REQ_MEMORY, type NodeInfo } from './nodeInfo.js';
import type { PodInfo } from './podInfo.js';
import type { Resources } from './resources.js';
import { MaxNodeScore } from './status.js';

/** A resource and its weight in a scoring strategy (upstream's config.ResourceSpec). */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export const DEFAULT_RESOURCE_SPECS: readonly ResourceSpec[] = Object.freeze([
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
]);

function amount(r: Resources, name: string): number {
  switch (name) {
    case 'cpu':
      return r.cpuMilli;
    case 'memory':
      return r.memory;
    case 'ephemeral-storage':
      return r.ephemeralStorage;
    default:
      return r.scalar?.get(name) ?? 0;
  }
}

export function allocatableOf(node: NodeInfo, name: string): number {
  switch (name) {
    case 'cpu':
      return node.allocatableCpuMilli;
    case 'memory':
      return node.allocatableMemory;
    case 'ephemeral-storage':
      return node.allocatableEphemeral;
    default:
      return node.allocatable.scalar?.get(name) ?? 0;
  }
}

/**
 * Node's requests including the incoming pod, as upstream's calculateResourceAllocatableRequest:
 * with `nonZero`, CPU and memory use the defaults for containers without requests (so best-effort
 * pods still spread), other resources use plain requests.
 */
export function requestedWithPod(node: NodeInfo, pod: PodInfo, name: string, nonZero: boolean): number {
  switch (name) {
    case 'cpu':
      return nonZero ? node.nonZeroCpuMilli + pod.nonZeroCpuMilli : node.requestedCpuMilli + pod.requests.cpuMilli;
    case 'memory':
      return nonZero ? node.nonZeroMemory + pod.nonZeroMemory : node.requestedMemory + pod.requests.memory;
    case 'ephemeral-storage':
      return node.requestedEphemeral + pod.requests.ephemeralStorage;
    default:
      return (node.requestedScalar?.get(name) ?? 0) + (pod.requests.scalar?.get(name) ?? 0);
  }
}

export function podRequest(pod: PodInfo, name: string): number {
  return amount(pod.requests, name);
}

/** (capacity − requested) × 100 / capacity, integer; 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MaxNodeScore) / capacity);
}

/** requested × 100 / capacity, integer; requested is capped at capacity (non-zero defaults can exceed it). */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MaxNodeScore) / capacity);
}

/** A point of RequestedToCapacityRatio's shape: utilisation 0..100 → score 0..10 (upstream's scale). */
export interface UtilizationShapePoint {
  readonly utilization: number;
  readonly score: number;
}

/** Upstream's MaxCustomPriorityScore: shape scores are 0..10 and scaled by 100/10. */
const MAX_CUSTOM_PRIORITY_SCORE = 10;

/** The broken-linear function of RequestedToCapacityRatio, over shape points sorted by utilisation. */
export function brokenLinear(shape: readonly UtilizationShapePoint[], p: number): number {
  for (let i = 0; i < shape.length; i++) {
    const cur = shape[i];
    if (cur === undefined || p > cur.utilization) continue;
    const prev = shape[i - 1];
    if (prev === undefined) return cur.score;
    return prev.score + Math.trunc(((cur.score - prev.score) * (p - prev.utilization)) / (cur.utilization - prev.utilization));
  }
  return shape[shape.length - 1]?.score ?? 0;
}

/** Scales a 0..10 shape to the 0..100 node-score range, as upstream does when building the scorer. */
export function scaleShape(shape: readonly UtilizationShapePoint[]): UtilizationShapePoint[] {
  return shape.map((p) => ({ utilization: p.utilization, score: p.score * (MaxNodeScore / MAX_CUSTOM_PRIORITY_SCORE) }));
}

export function requestedToCapacityRatioScore(shape: readonly UtilizationShapePoint[], requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return brokenLinear(shape, 100);
  return brokenLinear(shape, Math.trunc((requested * 100) / capacity));
}

/**
 * BalancedAllocation: 1 − the standard deviation of the requested fractions (each capped at 1),
 * × 100, truncated. Two resources: std = |f1 − f2| / 2. `fractions` is scratch space of length ≥ n.
 */
export function balancedScore(fractions: Float64Array, n: number): number {
  let std = 0;
  if (n === 2) {
    std = Math.abs(((fractions[0] ?? 0) - (fractions[1] ?? 0)) / 2);
  } else if (n > 2) {
    let total = 0;
    for (let i = 0; i < n; i++) total += fractions[i] ?? 0;
    const mean = total / n;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const d = (fractions[i] ?? 0) - mean;
      sum += d * d;
    }
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * MaxNodeScore);
}

/**
 * A resource spec resolved to NodeTable columns, so batch scorers read a node's allocatable and
 * requested amounts straight from its row: `alloc`, `req` (plain requests) and `nonZero` (with the
 * defaults for containers without requests) columns, and the pod's matching amounts. Extended
 * resources have no columns (`alloc` −1): they go through NodeInfo.
 */
export interface ResourceColumns {
  readonly name: string;
  readonly weight: number;
  readonly alloc: number;
  readonly req: number;
  readonly nonZero: number;
}

export function resourceColumns(specs: readonly ResourceSpec[]): readonly ResourceColumns[] {
  return specs.map((s) => {
    switch (s.name) {
      case 'cpu':
        return { name: s.name, weight: s.weight, alloc: ALLOC_CPU, req: REQ_CPU, nonZero: NON_ZERO_CPU };
      case 'memory':
        return { name: s.name, weight: s.weight, alloc: ALLOC_MEMORY, req: REQ_MEMORY, nonZero: NON_ZERO_MEMORY };
      case 'ephemeral-storage':
        return { name: s.name, weight: s.weight, alloc: ALLOC_EPHEMERAL, req: REQ_EPHEMERAL, nonZero: REQ_EPHEMERAL };
      default:
        return { name: s.name, weight: s.weight, alloc: -1, req: -1, nonZero: -1 };
    }
  });
}

/** The pod's amount of a resource, as requestedWithPod adds it. */
export function podAmount(pod: PodInfo, name: string, nonZero: boolean): number {
  switch (name) {
    case 'cpu':
      return nonZero ? pod.nonZeroCpuMilli : pod.requests.cpuMilli;
    case 'memory':
      return nonZero ? pod.nonZeroMemory : pod.requests.memory;
    default:
      return amount(pod.requests, name);
  }
}

/** The pod's amount for each column, into `out` (once per cycle, before a batch scorer's node loop). */
export function fillPodAmounts(pod: PodInfo, cols: readonly ResourceColumns[], nonZero: boolean, out: Float64Array): void {
  for (let c = 0; c < cols.length; c++) out[c] = podAmount(pod, cols[c]?.name ?? '', nonZero);
}

/** A batch scorer's path for resources without NodeTable columns: one node at a time. */
export function scoreEachNode(pod: PodInfo, nodes: readonly NodeInfo[], scores: Float64Array, count: number, scoreNode: (pod: PodInfo, node: NodeInfo) => number): void {
  for (let j = 0; j < count; j++) {
    const node = nodes[j];
    scores[j] = node === undefined ? 0 : scoreNode(pod, node);
  }
}
