import type { LabelSelector, Pod, PodAffinityTerm, StringMap, Toleration, TopologySpreadConstraint } from '../api/types.js';
import {
  compileLabelSelector,
  compileNodeSelectorTerm,
  matchesLabels,
  type CompiledLabelSelector,
  type CompiledNodeSelectorTerm,
} from './selector.js';
import {
  addResources,
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  maxResources,
  resourcesFromList,
  ZERO_RESOURCES,
  type Resources,
} from './resources.js';

/** An inter-pod (anti-)affinity term, compiled. `namespaces === null` means every namespace. */
export interface AffinityTerm {
  readonly selector: CompiledLabelSelector;
  readonly namespaces: ReadonlySet<string> | null;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly hard: boolean;
  readonly selector: CompiledLabelSelector;
  readonly minDomains: number;
  /** Honor (default): only nodes matching the pod's node affinity/selector count as domains. */
  readonly honorNodeAffinity: boolean;
  /** Honor: only nodes whose taints the pod tolerates count (default Ignore). */
  readonly honorNodeTaints: boolean;
}

/**
 * Everything the scheduler needs to know about a pod, computed once when the pod enters the
 * scheduler (upstream's framework.PodInfo): parsed requests, compiled selectors and terms.
 */
export interface PodInfo {
  readonly pod: Pod;
  /** `namespace/name`. */
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: StringMap;
  readonly priority: number;
  readonly preemptionPolicy: 'PreemptLowerPriority' | 'Never';
  /** Effective requests used by the fit filter: max(sum of containers, max of init containers). */
  readonly requests: Resources;
  /** Requests with upstream's defaults for containers without any (100m CPU, 200Mi), for scoring. */
  readonly nonZeroCpuMilli: number;
  readonly nonZeroMemory: number;
  readonly nodeSelector: StringMap | undefined;
  /** undefined: no required node affinity. Terms are ORed. */
  readonly requiredNodeTerms: readonly CompiledNodeSelectorTerm[] | undefined;
  readonly preferredNodeTerms: readonly { readonly weight: number; readonly term: CompiledNodeSelectorTerm }[];
  readonly tolerations: readonly Toleration[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  readonly spreadConstraints: readonly SpreadConstraint[];
  /** UID of the controlling owner (ReplicaSet, …); default spreading groups pods by it. */
  readonly ownerUid: string | undefined;
  /** Simulated seconds the pod started (or was created); preemption spares older pods first. */
  readonly startTime: number;
  readonly terminating: boolean;
}

function affinityNamespaces(term: PodAffinityTerm, ownNamespace: string): ReadonlySet<string> | null {
  const listed = term.namespaces ?? [];
  const sel = term.namespaceSelector;
  // An empty namespaceSelector ({}) selects every namespace. A non-empty one would need Namespace
  // labels, which the scheduler does not watch: only the listed namespaces are used then.
  if (sel !== undefined && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) {
    return null;
  }
  if (listed.length === 0 && sel === undefined) return new Set([ownNamespace]);
  return new Set(listed);
}

/** matchLabelKeys: the pod's own values for those keys are ANDed into the selector. */
function withMatchLabelKeys(
  selector: LabelSelector | undefined,
  keys: readonly string[] | undefined,
  labels: StringMap,
): LabelSelector | undefined {
  if (selector === undefined || keys === undefined || keys.length === 0) return selector;
  const extra = keys.flatMap((k) => {
    const v = labels[k];
    return v === undefined ? [] : [{ key: k, operator: 'In' as const, values: [v] }];
  });
  return { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
}

function compileAffinityTerm(term: PodAffinityTerm, ns: string, labels: StringMap): AffinityTerm {
  return {
    selector: compileLabelSelector(withMatchLabelKeys(term.labelSelector, term.matchLabelKeys, labels)),
    namespaces: affinityNamespaces(term, ns),
    topologyKey: term.topologyKey,
  };
}

function compileSpread(c: TopologySpreadConstraint, labels: StringMap): SpreadConstraint {
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    hard: c.whenUnsatisfiable === 'DoNotSchedule',
    selector: compileLabelSelector(withMatchLabelKeys(c.labelSelector, c.matchLabelKeys, labels)),
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
  };
}

/** Builds the scheduler's view of a pod. Pure; called once per pod version. */
export function buildPodInfo(pod: Pod): PodInfo {
  const meta = pod.metadata;
  const spec = pod.spec;
  const namespace = meta.namespace ?? 'default';
  const name = meta.name ?? '';
  const labels = meta.labels ?? {};
  let sum = ZERO_RESOURCES;
  let nonZeroCpu = 0;
  let nonZeroMem = 0;
  for (const c of spec.containers) {
    const req = c.resources?.requests;
    sum = addResources(sum, resourcesFromList(req));
    const r = resourcesFromList(req);
    nonZeroCpu += req?.['cpu'] === undefined ? DEFAULT_MILLI_CPU_REQUEST : r.cpuMilli;
    nonZeroMem += req?.['memory'] === undefined ? DEFAULT_MEMORY_REQUEST : r.memory;
  }
  let requests = sum;
  for (const c of spec.initContainers ?? []) {
    const r = resourcesFromList(c.resources?.requests);
    requests = maxResources(requests, r);
    nonZeroCpu = Math.max(nonZeroCpu, r.cpuMilli);
    nonZeroMem = Math.max(nonZeroMem, r.memory);
  }
  const na = spec.affinity?.nodeAffinity;
  const pa = spec.affinity?.podAffinity;
  const paa = spec.affinity?.podAntiAffinity;
  const required = na?.requiredDuringSchedulingIgnoredDuringExecution;
  const owner = meta.ownerReferences?.find((o) => o.controller === true) ?? meta.ownerReferences?.[0];
  return {
    pod,
    key: `${namespace}/${name}`,
    uid: meta.uid ?? `${namespace}/${name}`,
    namespace,
    name,
    labels,
    priority: spec.priority ?? 0,
    preemptionPolicy: spec.preemptionPolicy ?? 'PreemptLowerPriority',
    requests,
    nonZeroCpuMilli: nonZeroCpu,
    nonZeroMemory: nonZeroMem,
    nodeSelector: spec.nodeSelector !== undefined && Object.keys(spec.nodeSelector).length > 0 ? spec.nodeSelector : undefined,
    requiredNodeTerms: required === undefined ? undefined : required.nodeSelectorTerms.map(compileNodeSelectorTerm),
    preferredNodeTerms: (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => ({
      weight: p.weight,
      term: compileNodeSelectorTerm(p.preference),
    })),
    tolerations: spec.tolerations ?? [],
    requiredAffinity: (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileAffinityTerm(t, namespace, labels)),
    requiredAntiAffinity: (paa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      compileAffinityTerm(t, namespace, labels),
    ),
    preferredAffinity: (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileAffinityTerm(w.podAffinityTerm, namespace, labels),
      weight: w.weight,
    })),
    preferredAntiAffinity: (paa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
      ...compileAffinityTerm(w.podAffinityTerm, namespace, labels),
      weight: w.weight,
    })),
    spreadConstraints: (spec.topologySpreadConstraints ?? []).map((c) => compileSpread(c, labels)),
    ownerUid: owner?.uid,
    startTime: pod.status?.startTime ?? meta.creationTimestamp ?? 0,
    terminating: meta.deletionTimestamp !== undefined,
  };
}

/** True when a pod has any inter-pod (anti-)affinity term: the cache indexes such pods. */
export function hasAffinityTerms(p: PodInfo): boolean {
  return (
    p.requiredAffinity.length > 0 ||
    p.requiredAntiAffinity.length > 0 ||
    p.preferredAffinity.length > 0 ||
    p.preferredAntiAffinity.length > 0
  );
}

/** Whether an affinity term selects pod `p` (namespace and labels). */
export function termMatchesPod(term: AffinityTerm, p: PodInfo): boolean {
  if (term.namespaces !== null && !term.namespaces.has(p.namespace)) return false;
  return matchesLabels(term.selector, p.labels);
}
