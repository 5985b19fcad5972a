import type { Node, StringMap, Taint } from '../api/types.js';
import { units } from './quantities.js';
import { resourcesFromList, ZERO_RESOURCES, type Resources } from './resources.js';
import { hasAffinityTerms, type PodInfo } from './podInfo.js';

const NO_TAINTS: readonly Taint[] = Object.freeze([]);

/** Columns of a NodeTable row (read directly by the resource scorers' batch loops). */
export const ALLOC_CPU = 0;
export const ALLOC_MEMORY = 1;
export const ALLOC_EPHEMERAL = 2;
const ALLOWED_PODS = 3;
export const REQ_CPU = 4;
export const REQ_MEMORY = 5;
export const REQ_EPHEMERAL = 6;
export const NON_ZERO_CPU = 7;
export const NON_ZERO_MEMORY = 8;
const POD_COUNT = 9;
export const STRIDE = 10;

/**
 * The numbers Filter and Score read on every node, one row per listed node (by NodeInfo.index) in
 * one Float64Array. A cycle scans hundreds of nodes; read from NodeInfo objects, each number was a
 * separate boxed double scattered over the heap (several cache misses per node, the largest cost of
 * a cycle inside a full simulation), here a node's figures share two cache lines and consecutive
 * nodes are adjacent. NodeInfo keeps its own copy (the source of truth) and writes its row.
 */
export class NodeTable {
  data = new Float64Array(0);

  ensure(rows: number): void {
    if (this.data.length >= rows * STRIDE) return;
    const next = new Float64Array(Math.max(rows, 2 * (this.data.length / STRIDE), 64) * STRIDE);
    next.set(this.data);
    this.data = next;
  }
}

/**
 * One node as the scheduler sees it (upstream's framework.NodeInfo): its allocatable resources,
 * the aggregate requests of the pods on it (assumed ones included) and those pods. Aggregates are
 * kept up to date on every add/remove so Filter and Score read plain numbers; while the node is
 * listed they are read from its NodeTable row.
 */
export class NodeInfo {
  private idx = -1;
  node: Node | undefined;
  labels: StringMap = {};
  taints: readonly Taint[] = NO_TAINTS;
  unschedulable = false;
  allocatable: Resources = ZERO_RESOURCES;
  private allowedPods = 0;

  private reqCpu = 0;
  private reqMemory = 0;
  private reqEphemeral = 0;
  requestedScalar: Map<string, number> | undefined;
  private nzCpu = 0;
  private nzMemory = 0;

  /** Pods on this node by key, in arrival order. */
  readonly pods = new Map<string, PodInfo>();
  /** Pods with any inter-pod (anti-)affinity term; InterPodAffinity scans only these. */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;

  constructor(
    readonly name: string,
    private readonly table: NodeTable = new NodeTable(),
  ) {}

  /** Dense position in the cache's node list; -1 while the Node object itself is unknown. */
  get index(): number {
    return this.idx;
  }
  set index(i: number) {
    this.idx = i;
    this.sync();
  }

  get allowedPodNumber(): number {
    return this.idx < 0 ? this.allowedPods : (this.table.data[this.idx * STRIDE + ALLOWED_PODS] ?? 0);
  }
  get podCount(): number {
    return this.idx < 0 ? this.pods.size : (this.table.data[this.idx * STRIDE + POD_COUNT] ?? 0);
  }
  get allocatableCpuMilli(): number {
    return this.idx < 0 ? this.allocatable.cpuMilli : (this.table.data[this.idx * STRIDE + ALLOC_CPU] ?? 0);
  }
  get allocatableMemory(): number {
    return this.idx < 0 ? this.allocatable.memory : (this.table.data[this.idx * STRIDE + ALLOC_MEMORY] ?? 0);
  }
  get allocatableEphemeral(): number {
    return this.idx < 0 ? this.allocatable.ephemeralStorage : (this.table.data[this.idx * STRIDE + ALLOC_EPHEMERAL] ?? 0);
  }
  get requestedCpuMilli(): number {
    return this.idx < 0 ? this.reqCpu : (this.table.data[this.idx * STRIDE + REQ_CPU] ?? 0);
  }
  get requestedMemory(): number {
    return this.idx < 0 ? this.reqMemory : (this.table.data[this.idx * STRIDE + REQ_MEMORY] ?? 0);
  }
  get requestedEphemeral(): number {
    return this.idx < 0 ? this.reqEphemeral : (this.table.data[this.idx * STRIDE + REQ_EPHEMERAL] ?? 0);
  }
  get nonZeroCpuMilli(): number {
    return this.idx < 0 ? this.nzCpu : (this.table.data[this.idx * STRIDE + NON_ZERO_CPU] ?? 0);
  }
  get nonZeroMemory(): number {
    return this.idx < 0 ? this.nzMemory : (this.table.data[this.idx * STRIDE + NON_ZERO_MEMORY] ?? 0);
  }

  /** The table holding this node's row (at index × STRIDE while listed). */
  get rows(): Float64Array {
    return this.table.data;
  }

  /** Writes this node's figures into its table row (when listed). */
  private sync(): void {
    if (this.idx < 0) return;
    this.table.ensure(this.idx + 1);
    const d = this.table.data;
    const o = this.idx * STRIDE;
    d[o + ALLOC_CPU] = this.allocatable.cpuMilli;
    d[o + ALLOC_MEMORY] = this.allocatable.memory;
    d[o + ALLOC_EPHEMERAL] = this.allocatable.ephemeralStorage;
    d[o + ALLOWED_PODS] = this.allowedPods;
    d[o + REQ_CPU] = this.reqCpu;
    d[o + REQ_MEMORY] = this.reqMemory;
    d[o + REQ_EPHEMERAL] = this.reqEphemeral;
    d[o + NON_ZERO_CPU] = this.nzCpu;
    d[o + NON_ZERO_MEMORY] = this.nzMemory;
    d[o + POD_COUNT] = this.pods.size;
  }

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.unschedulable = node.spec?.unschedulable === true;
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    this.allocatable = resourcesFromList(alloc);
    const pods = alloc?.['pods'];
    this.allowedPods = pods === undefined ? 0 : units(pods);
    this.sync();
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.key, p);
    this.applyPod(p, 1);
  }

  /** Removes the pod with `p`'s key; returns the version that was there (it may be older than `p`). */
  removePod(p: PodInfo): PodInfo | undefined {
    const present = this.pods.get(p.key);
    if (present === undefined) return undefined;
    this.pods.delete(p.key);
    // Subtract what was added, which may be an older version of the pod than `p`.
    this.applyPod(present, -1);
    return present;
  }

  private applyPod(p: PodInfo, sign: 1 | -1): void {
    const r = p.requests;
    this.reqCpu += sign * r.cpuMilli;
    this.reqMemory += sign * r.memory;
    this.reqEphemeral += sign * r.ephemeralStorage;
    if (r.scalar !== undefined) {
      this.requestedScalar ??= new Map();
      for (const [k, v] of r.scalar) this.requestedScalar.set(k, (this.requestedScalar.get(k) ?? 0) + sign * v);
    }
    this.nzCpu += sign * p.nonZeroCpuMilli;
    this.nzMemory += sign * p.nonZeroMemory;
    if (hasAffinityTerms(p)) this.podsWithAffinity += sign;
    if (p.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += sign;
    this.sync();
  }
}
