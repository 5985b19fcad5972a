import type { Condition, Node, NodeConditionType, ResourceList, Taint } from '../api/types.js';

export interface NodeIdentity {
  readonly nodeName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** Capacity as quantities, e.g. `{cpu: "4", memory: "16Gi", pods: "110"}`. */
  readonly capacity: ResourceList;
  /** Defaults to capacity (no system reservations modelled). */
  readonly allocatable?: ResourceList;
}

/** The Node object a kubelet registers (registerWithTaints, its labels, hostname label). */
export function nodeObject(id: NodeIdentity): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: id.nodeName, labels: { 'kubernetes.io/hostname': id.nodeName, 'kubernetes.io/os': 'linux', ...id.labels } },
    spec: id.taints.length > 0 ? { taints: id.taints } : {},
  };
}

/** The status the kubelet reports: capacity, allocatable and its conditions with a fresh heartbeat. */
export function nodeStatusConditions(previous: readonly Condition<NodeConditionType>[] | undefined, nowSeconds: number): Condition<NodeConditionType>[] {
  const want: Array<[NodeConditionType, 'True' | 'False', string, string]> = [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
    ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
    ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ];
  return want.map(([type, status, reason, message]) => {
    const prev = previous?.find((c) => c.type === type);
    const transitioned = prev === undefined || prev.status !== status;
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: nowSeconds,
      lastTransitionTime: transitioned ? nowSeconds : (prev.lastTransitionTime ?? nowSeconds),
    };
  });
}
