import type { Node, Pod, Taint, TopologySpreadConstraint, Affinity, Toleration } from '../../../core/api/types.js';

export function node(
  name: string,
  opts: { cpu?: string; memory?: string; pods?: number; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {},
): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(opts.labels ?? {}) } },
    spec: { taints: opts.taints ?? [], ...(opts.unschedulable === true ? { unschedulable: true } : {}) },
    status: { allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: String(opts.pods ?? 110) } },
  };
}

let uid = 0;
export function pod(
  name: string,
  opts: {
    cpu?: string;
    memory?: string;
    namespace?: string;
    labels?: Record<string, string>;
    priority?: number;
    nodeName?: string;
    affinity?: Affinity;
    tolerations?: Toleration[];
    spread?: TopologySpreadConstraint[];
    owner?: string;
    start?: number;
    nodeSelector?: Record<string, string>;
  } = {},
): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu !== undefined) requests['cpu'] = opts.cpu;
  if (opts.memory !== undefined) requests['memory'] = opts.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      uid: `uid-${name}-${uid++}`,
      labels: opts.labels ?? {},
      creationTimestamp: opts.start ?? 0,
      ...(opts.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: opts.owner, uid: opts.owner, controller: true }] }),
    },
    spec: {
      containers: [{ name: 'c', resources: { requests } }],
      ...(opts.nodeName === undefined ? {} : { nodeName: opts.nodeName }),
      ...(opts.priority === undefined ? {} : { priority: opts.priority }),
      ...(opts.affinity === undefined ? {} : { affinity: opts.affinity }),
      ...(opts.tolerations === undefined ? {} : { tolerations: opts.tolerations }),
      ...(opts.spread === undefined ? {} : { topologySpreadConstraints: opts.spread }),
      ...(opts.nodeSelector === undefined ? {} : { nodeSelector: opts.nodeSelector }),
    },
  };
}

/** A deterministic [0,1) stream (mulberry32) for tests. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function bound(p: Pod, nodeName: string): Pod {
  return { ...p, spec: { ...p.spec, nodeName } };
}
