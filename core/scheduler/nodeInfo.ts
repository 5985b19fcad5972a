import type { Node, StringMap, Taint } from '../api/types.js';
import { units } from './quantities.js';
import { resourcesFromList, ZERO_RESOURCES, type Resources } from './resources.js';
import { hasAffinityTerms, type PodInfo } from './podInfo.js';

const NO_TAINTS: readonly Taint[] = Object.freeze([]);

/**
 * One node as the scheduler sees it (upstream's framework.NodeInfo): its allocatable resources,
 * the aggregate requests of the pods on it (assumed ones included) and those pods. Aggregates are
 * kept up to date on every add/remove so Filter and Score read plain numbers.
 */
export class NodeInfo {
  /** Dense position in the cache's node list; -1 while the Node object itself is unknown. */
  index = -1;
  node: Node | undefined;
  labels: StringMap = {};
  taints: readonly Taint[] = NO_TAINTS;
  unschedulable = false;
  allocatable: Resources = ZERO_RESOURCES;
  allowedPodNumber = 0;

  requestedCpuMilli = 0;
  requestedMemory = 0;
  requestedEphemeral = 0;
  requestedScalar: Map<string, number> | undefined;
  nonZeroCpuMilli = 0;
  nonZeroMemory = 0;

  /** Pods on this node by key, in arrival order. */
  readonly pods = new Map<string, PodInfo>();
  /** Pods with any inter-pod (anti-)affinity term; InterPodAffinity scans only these. */
  podsWithAffinity = 0;
  podsWithRequiredAntiAffinity = 0;

  constructor(readonly name: string) {}

  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? NO_TAINTS;
    this.unschedulable = node.spec?.unschedulable === true;
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    this.allocatable = resourcesFromList(alloc);
    const pods = alloc?.['pods'];
    this.allowedPodNumber = pods === undefined ? 0 : units(pods);
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
    this.requestedCpuMilli += sign * r.cpuMilli;
    this.requestedMemory += sign * r.memory;
    this.requestedEphemeral += sign * r.ephemeralStorage;
    if (r.scalar !== undefined) {
      this.requestedScalar ??= new Map();
      for (const [k, v] of r.scalar) this.requestedScalar.set(k, (this.requestedScalar.get(k) ?? 0) + sign * v);
    }
    this.nonZeroCpuMilli += sign * p.nonZeroCpuMilli;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    if (hasAffinityTerms(p)) this.podsWithAffinity += sign;
    if (p.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += sign;
  }
}
