import type { Container, LabelSelector, Pod, PodAffinityTerm, StringMap, Toleration, TopologySpreadConstraint } from '../api/types.js';
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
  /**
   * The pod version this was built from. A bound pod's later versions that change nothing the
   * scheduler reads (status updates) replace it in place, with `startTime`: upstream's
   * PodInfo.Update, so the cache keeps one PodInfo per placed pod instead of rebuilding it.
   */
  pod: Pod;
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
  startTime: number;
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

interface PodRequests {
  readonly requests: Resources;
  readonly nonZeroCpu: number;
  readonly nonZeroMem: number;
}

/**
 * Requests parsed per containers array: the versions of a pod (and the pods of one template, when
 * they share it) share the array, so the quantities are parsed once, not on every pod event.
 */
const requestsByContainers = new WeakMap<readonly Container[], PodRequests>();

function podRequests(spec: Pod['spec']): PodRequests {
  const memo = spec.initContainers === undefined ? requestsByContainers.get(spec.containers) : undefined;
  if (memo !== undefined) return memo;
  let requests = ZERO_RESOURCES;
  let nonZeroCpu = 0;
  let nonZeroMem = 0;
  for (const c of spec.containers) {
    const req = c.resources?.requests;
    const r = resourcesFromList(req);
    requests = addResources(requests, r);
    nonZeroCpu += req?.['cpu'] === undefined ? DEFAULT_MILLI_CPU_REQUEST : r.cpuMilli;
    nonZeroMem += req?.['memory'] === undefined ? DEFAULT_MEMORY_REQUEST : r.memory;
  }
  for (const c of spec.initContainers ?? []) {
    const r = resourcesFromList(c.resources?.requests);
    requests = maxResources(requests, r);
    nonZeroCpu = Math.max(nonZeroCpu, r.cpuMilli);
    nonZeroMem = Math.max(nonZeroMem, r.memory);
  }
  const out = { requests, nonZeroCpu, nonZeroMem };
  if (spec.initContainers === undefined) requestsByContainers.set(spec.containers, out);
  return out;
}

/** Shared by every PodInfo without such terms (most pods): no empty array per pod. */
const NONE: readonly never[] = Object.freeze([]);

/** `xs.map(f)`, or the shared empty array. */
function mapOrNone<T, U>(xs: readonly T[] | undefined, f: (x: T) => U): readonly U[] {
  return xs === undefined || xs.length === 0 ? NONE : xs.map(f);
}

/** Builds the scheduler's view of a pod. Pure; called once per pod version. */
export function buildPodInfo(pod: Pod): PodInfo {
  const meta = pod.metadata;
  const spec = pod.spec;
  const namespace = meta.namespace ?? 'default';
  const name = meta.name ?? '';
  const labels = meta.labels ?? {};
  const { requests, nonZeroCpu, nonZeroMem } = podRequests(spec);
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
    preferredNodeTerms: mapOrNone(na?.preferredDuringSchedulingIgnoredDuringExecution, (p) => ({
      weight: p.weight,
      term: compileNodeSelectorTerm(p.preference),
    })),
    tolerations: spec.tolerations ?? NONE,
    requiredAffinity: mapOrNone(pa?.requiredDuringSchedulingIgnoredDuringExecution, (t) => compileAffinityTerm(t, namespace, labels)),
    requiredAntiAffinity: mapOrNone(paa?.requiredDuringSchedulingIgnoredDuringExecution, (t) => compileAffinityTerm(t, namespace, labels)),
    preferredAffinity: mapOrNone(pa?.preferredDuringSchedulingIgnoredDuringExecution, (w) => ({
      ...compileAffinityTerm(w.podAffinityTerm, namespace, labels),
      weight: w.weight,
    })),
    preferredAntiAffinity: mapOrNone(paa?.preferredDuringSchedulingIgnoredDuringExecution, (w) => ({
      ...compileAffinityTerm(w.podAffinityTerm, namespace, labels),
      weight: w.weight,
    })),
    spreadConstraints: mapOrNone(spec.topologySpreadConstraints, (c) => compileSpread(c, labels)),
    ownerUid: owner?.uid,
    startTime: podStartTime(pod),
    terminating: meta.deletionTimestamp !== undefined,
  };
}

function podStartTime(pod: Pod): number {
  return pod.status?.startTime ?? pod.metadata.creationTimestamp ?? 0;
}

/**
 * Upstream's PodInfo.Update for a version that changes nothing the PodInfo derives from (same uid,
 * spec but for spec.nodeName, labels, owners and deletion mark; status aside): takes the new object
 * in place and returns true. Returns false, changing nothing, when the PodInfo must be rebuilt.
 * nodeName may differ because nothing here derives from it: the binding of a pod the scheduler
 * assumed keeps the PodInfo it was scheduled with.
 */
export function updatePodInfoInPlace(info: PodInfo, pod: Pod): boolean {
  const a = info.pod;
  if (a === pod) return true;
  const ma = a.metadata;
  const mb = pod.metadata;
  if (!sameSpecButNodeName(a.spec, pod.spec) || ma.uid !== mb.uid || ma.namespace !== mb.namespace || ma.name !== mb.name) return false;
  if (ma.deletionTimestamp !== mb.deletionTimestamp || ma.ownerReferences !== mb.ownerReferences || !sameLabels(ma.labels, mb.labels)) return false;
  info.pod = pod;
  info.startTime = podStartTime(pod);
  return true;
}

/** Every field the same object but nodeName (the binding's change: the API server spreads the rest). */
function sameSpecButNodeName(a: Pod['spec'], b: Pod['spec']): boolean {
  if (a === b) return true;
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  let n = 0;
  for (const k in ra) {
    if (k === 'nodeName') continue;
    if (ra[k] !== rb[k]) return false;
    n++;
  }
  for (const k in rb) if (k !== 'nodeName') n--;
  return n === 0;
}

function sameLabels(a: StringMap | undefined, b: StringMap | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _k in b) n--;
  return n === 0;
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
