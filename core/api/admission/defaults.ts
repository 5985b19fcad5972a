/**
 * Defaulting (the API server's SetDefaults_* for each kind), applied before the mutating
 * admission plugins. Pure: returns a new object, never changes the input. Only fields that are
 * absent are filled; values users set are kept.
 */
import type {
  Container, Deployment, HorizontalPodAutoscaler, HPAScalingRules, KubeObject, Pod, PodSpec, PodTemplateSpec,
  PriorityClass, Probe, ReplicaSet, Subject,
} from '../types.js';
import { resourceForKind } from '../registry.js';
import { SpecMemo } from './specMemo.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';
export const DEFAULT_HPA_CPU_UTILIZATION = 80;

function defaultProbe(p: Probe | undefined): Probe | undefined {
  if (p === undefined) return undefined;
  return { ...p, timeoutSeconds: p.timeoutSeconds ?? 1, periodSeconds: p.periodSeconds ?? 10, successThreshold: p.successThreshold ?? 1, failureThreshold: p.failureThreshold ?? 3 };
}

/** `:latest` or no tag (and no digest) pulls Always, anything else IfNotPresent, as upstream. */
function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (image === undefined || image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  const tag = colon < 0 ? '' : image.slice(colon + 1);
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container, requestsFromLimits: boolean): Container {
  const out: { -readonly [K in keyof Container]: Container[K] } = {
    ...c,
    imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(c.image),
    terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
    terminationMessagePolicy: c.terminationMessagePolicy ?? 'File',
  };
  if (c.ports !== undefined) out.ports = c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  for (const k of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
    const p = defaultProbe(c[k]);
    if (p !== undefined) out[k] = p;
  }
  // A pod (not a template) with limits but no requests gets requests equal to its limits.
  const limits = c.resources?.limits;
  if (requestsFromLimits && limits !== undefined) {
    const requests: Record<string, string> = { ...(c.resources?.requests ?? {}) };
    let added = false;
    for (const [name, value] of Object.entries(limits)) {
      if (requests[name] === undefined) {
        requests[name] = value;
        added = true;
      }
    }
    // Keep the object as it was when nothing is missing, so defaulting twice changes nothing.
    if (added) out.resources = { ...c.resources, requests };
  }
  return out;
}

/** PodSpec defaults; `isPod` adds the defaults upstream applies to pods only, not templates. */
export function defaultPodSpec(spec: PodSpec, isPod: boolean): PodSpec {
  const out: { -readonly [K in keyof PodSpec]: PodSpec[K] } = {
    ...spec,
    containers: spec.containers.map((c) => defaultContainer(c, isPod)),
    restartPolicy: spec.restartPolicy ?? 'Always',
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS,
    dnsPolicy: spec.dnsPolicy ?? 'ClusterFirst',
    schedulerName: spec.schedulerName ?? DEFAULT_SCHEDULER_NAME,
  };
  if (spec.initContainers !== undefined) out.initContainers = spec.initContainers.map((c) => defaultContainer(c, isPod));
  // The ServiceAccount admission plugin's default, folded in here: every pod runs as some account.
  if (isPod && (spec.serviceAccountName === undefined || spec.serviceAccountName === '')) out.serviceAccountName = spec.serviceAccount ?? 'default';
  return out;
}

function defaultTemplate(t: PodTemplateSpec): PodTemplateSpec {
  return { ...t, spec: defaultPodSpec(t.spec, false) };
}

const defaultedPodSpecs = new SpecMemo();

function defaultPod(p: Pod): Pod {
  return { ...p, spec: defaultedPodSpecs.derive(p.spec, true, undefined, undefined, defaultPodSpec) };
}

function defaultReplicaSet(rs: ReplicaSet): ReplicaSet {
  return { ...rs, spec: { ...rs.spec, replicas: rs.spec.replicas ?? 1, template: defaultTemplate(rs.spec.template) } };
}

function defaultDeployment(d: Deployment): Deployment {
  const s = d.spec;
  const type = s.strategy?.type ?? 'RollingUpdate';
  const strategy = type === 'RollingUpdate'
    ? {
      type,
      rollingUpdate: {
        maxUnavailable: s.strategy?.rollingUpdate?.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE,
        maxSurge: s.strategy?.rollingUpdate?.maxSurge ?? DEFAULT_MAX_SURGE,
      },
    }
    : { ...s.strategy, type };
  return {
    ...d,
    spec: {
      ...s,
      replicas: s.replicas ?? 1,
      strategy,
      revisionHistoryLimit: s.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT,
      progressDeadlineSeconds: s.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS,
      template: defaultTemplate(s.template),
    },
  };
}

/** Upstream's default HPA behaviour: scale up fast (100% or 4 pods per 15 s), down after a 300 s window. */
export const DEFAULT_SCALE_UP: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }],
};
export const DEFAULT_SCALE_DOWN: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

function defaultRules(r: HPAScalingRules | undefined, d: typeof DEFAULT_SCALE_UP): HPAScalingRules {
  return {
    ...r,
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds,
    selectPolicy: r?.selectPolicy ?? d.selectPolicy,
    policies: r?.policies ?? d.policies,
  };
}

function defaultHPA(h: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  const s = h.spec;
  const metrics = s.metrics === undefined || s.metrics.length === 0
    ? [{ type: 'Resource' as const, resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization: DEFAULT_HPA_CPU_UTILIZATION } } }]
    : s.metrics;
  const spec = { ...s, minReplicas: s.minReplicas ?? 1, metrics };
  // As upstream, behaviour defaults are filled only when the user gave a behaviour at all.
  if (s.behavior !== undefined) spec.behavior = { scaleUp: defaultRules(s.behavior.scaleUp, DEFAULT_SCALE_UP), scaleDown: defaultRules(s.behavior.scaleDown, DEFAULT_SCALE_DOWN) };
  return { ...h, spec };
}

function defaultSubject(s: Subject): Subject {
  if (s.apiGroup !== undefined) return s;
  return { ...s, apiGroup: s.kind === 'ServiceAccount' ? '' : 'rbac.authorization.k8s.io' };
}

function defaultPriorityClass(pc: PriorityClass): PriorityClass {
  return { ...pc, preemptionPolicy: pc.preemptionPolicy ?? 'PreemptLowerPriority' };
}

/** Applies every default for the object's kind, including `metadata.namespace: default` for namespaced kinds. */
export function applyDefaults(obj: KubeObject): KubeObject {
  const info = resourceForKind(obj.kind);
  const withNs: KubeObject = info?.namespaced === true && (obj.metadata.namespace === undefined || obj.metadata.namespace === '')
    ? { ...obj, metadata: { ...obj.metadata, namespace: 'default' } }
    : obj;
  switch (withNs.kind) {
    case 'Pod': return defaultPod(withNs);
    case 'ReplicaSet': return defaultReplicaSet(withNs);
    case 'Deployment': return defaultDeployment(withNs);
    case 'HorizontalPodAutoscaler': return defaultHPA(withNs);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return withNs.subjects === undefined ? withNs : { ...withNs, subjects: withNs.subjects.map(defaultSubject) };
    case 'PriorityClass': return defaultPriorityClass(withNs);
    default: return withNs;
  }
}
