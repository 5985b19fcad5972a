/**
 * Semantic validation of objects, as the API server's registry strategies do before persisting
 * (pkg/apis/<group>/validation upstream). Returns field errors with paths; the API server turns a
 * non-empty list into 422 Invalid. Messages follow upstream's wording where it matters to users.
 *
 * Validation runs after defaulting in the API server; it is also run by the manifest loader on
 * undefaulted objects, so fields that defaulting fills (restartPolicy, strategy, namespace…) are
 * accepted when absent.
 */
import type { FieldError } from './fieldError.js';
import { child, index, key, required, invalid, notSupported, forbidden, duplicate, tooLong } from './fieldError.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names.js';
import { deepEqual } from './equality.js';
import { compileSelector, isEmptySelector, validateLabels, validateLabelSelector } from './labels.js';
import { compareQuantity, parseQuantity } from './quantity.js';
import type { Quantity } from './quantity.js';
import { resourceForKind } from './registry.js';
import { assertNever } from '../util/assert.js';
import type {
  Affinity, ClusterRole, ClusterRoleBinding, Container, Deployment, HorizontalPodAutoscaler, IntOrString, KubeObject,
  LabelSelector, Lease, LimitRange, Namespace, Node, NodeSelectorRequirement, NodeSelectorTerm, ObjectMeta, Pod,
  PodAffinityTerm, PodSpec, PodTemplateSpec, PolicyRule, PriorityClass, Probe, ReplicaSet, ResourceList, ResourceQuota,
  RoleRef, Role, RoleBinding, ServiceAccount, Subject, Toleration, TopologySpreadConstraint,
} from './types.js';

type Errs = FieldError[];

/** Upstream's cap on the total size of annotations. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
/** Highest priority a user PriorityClass may have (system classes go above). */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';

// ───────────────────────────── small helpers ─────────────────────────────

function nonNegative(v: number | undefined, path: string, errs: Errs): void {
  if (v !== undefined && v < 0) errs.push(invalid(path, v, 'must be greater than or equal to 0'));
}

function positive(v: number | undefined, path: string, errs: Errs): void {
  if (v !== undefined && v <= 0) errs.push(invalid(path, v, 'must be greater than 0'));
}

function oneOf<T extends string>(v: string | undefined, valid: readonly T[], path: string, errs: Errs): void {
  if (v !== undefined && !(valid as readonly string[]).includes(v)) errs.push(notSupported(path, v, valid));
}

function qualifiedName(v: string, path: string, errs: Errs): void {
  for (const m of isQualifiedName(v)) errs.push(invalid(path, v, m));
}

/** Name rule for kinds whose names only need to be a URL path segment (RBAC kinds). */
function isPathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

type NameRule = (name: string) => string[];

// ───────────────────────────── metadata ─────────────────────────────

/** Field paths under an ObjectMeta, built once for the usual `metadata` (this runs on every write). */
interface MetaPaths {
  readonly name: string;
  readonly generateName: string;
  readonly namespace: string;
  readonly generation: string;
  readonly labels: string;
  readonly annotations: string;
  readonly ownerReferences: string;
  readonly finalizers: string;
}

function metaPaths(path: string): MetaPaths {
  return {
    name: child(path, 'name'),
    generateName: child(path, 'generateName'),
    namespace: child(path, 'namespace'),
    generation: child(path, 'generation'),
    labels: child(path, 'labels'),
    annotations: child(path, 'annotations'),
    ownerReferences: child(path, 'ownerReferences'),
    finalizers: child(path, 'finalizers'),
  };
}

const METADATA_PATHS = metaPaths('metadata');

/** ObjectMeta validation for a kind: name format, namespace presence, labels, annotations, owners. */
export function validateObjectMeta(meta: ObjectMeta, namespaced: boolean, nameRule: NameRule, path = 'metadata'): FieldError[] {
  const errs: Errs = [];
  const paths = path === 'metadata' ? METADATA_PATHS : metaPaths(path);
  const name = meta.name;
  if ((name === undefined || name === '') && (meta.generateName === undefined || meta.generateName === '')) {
    errs.push(required(paths.name, 'name or generateName is required'));
  } else if (name !== undefined && name !== '') {
    for (const m of nameRule(name)) errs.push(invalid(paths.name, name, m));
  }
  if (meta.generateName !== undefined && meta.generateName !== '') {
    // A generated name appends 5 characters; the prefix itself must be a valid name once they are added.
    for (const m of nameRule(`${meta.generateName}abcde`)) errs.push(invalid(paths.generateName, meta.generateName, m));
  }
  const ns = meta.namespace;
  if (namespaced) {
    if (ns !== undefined && ns !== '') for (const m of isDNS1123Label(ns)) errs.push(invalid(paths.namespace, ns, m));
  } else if (ns !== undefined && ns !== '') {
    errs.push(forbidden(paths.namespace, 'not allowed on this type'));
  }
  nonNegative(meta.generation, paths.generation, errs);
  if (meta.labels !== undefined) for (const e of validateLabels(meta.labels, paths.labels)) errs.push(e);
  const annotations = meta.annotations;
  if (annotations !== undefined) {
    let annotationBytes = 0;
    for (const k of Object.keys(annotations)) {
      qualifiedName(k.toLowerCase(), paths.annotations, errs);
      annotationBytes += k.length + (annotations[k] as string).length;
    }
    if (annotationBytes > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(paths.annotations, TOTAL_ANNOTATION_SIZE_LIMIT));
  }
  const owners = meta.ownerReferences;
  if (owners !== undefined) {
    let controllers = 0;
    owners.forEach((o, i) => {
      if (o.controller === true) controllers++;
      if (o.apiVersion !== '' && o.kind !== '' && o.name !== '' && o.uid !== '') return;
      const p = index(paths.ownerReferences, i);
      if (o.apiVersion === '') errs.push(invalid(child(p, 'apiVersion'), o.apiVersion, 'version must not be empty'));
      if (o.kind === '') errs.push(invalid(child(p, 'kind'), o.kind, 'kind must not be empty'));
      if (o.name === '') errs.push(invalid(child(p, 'name'), o.name, 'name must not be empty'));
      if (o.uid === '') errs.push(invalid(child(p, 'uid'), o.uid, 'uid must not be empty'));
    });
    if (controllers > 1) errs.push(invalid(paths.ownerReferences, 'multiple controllers', 'Only one reference can have Controller set to true'));
  }
  (meta.finalizers ?? []).forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(invalid(index(paths.finalizers, i), f, m));
  });
  return errs;
}

// ───────────────────────────── resources ─────────────────────────────

/**
 * kubesim holds amounts as exact JS numbers below 2^53: cpu in milli-units (up to 9·10^12 cores)
 * and everything else in whole units (up to 8 PiB of memory). Larger amounts are rejected so that
 * milliValue()/value() stay exact everywhere downstream.
 */
const MAX_SAFE_MILLI_NANOS = BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
const MAX_SAFE_UNIT_NANOS = BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000_000n;

function isCpuLike(name: string): boolean {
  return name === 'cpu' || name.endsWith('.cpu');
}

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

function isResourceName(name: string): boolean {
  if (STANDARD_CONTAINER_RESOURCES.includes(name) || name.startsWith('hugepages-')) return true;
  // Extended resources must be domain-qualified (`example.com/gpu`) and outside kubernetes.io.
  return name.includes('/') && !name.startsWith('kubernetes.io/') && isQualifiedName(name).length === 0;
}

/** Parses every quantity of a ResourceList; invalid or negative ones become errors. */
export function validateResourceList(list: ResourceList | undefined, path: string, allowName: (n: string) => boolean = () => true): FieldError[] {
  const errs: Errs = [];
  for (const [name, text] of Object.entries(list ?? {})) {
    const p = key(path, name);
    if (!allowName(name)) errs.push(invalid(p, name, 'must be a standard resource type or fully qualified'));
    const q = parseQuantity(text);
    if (!q.ok) errs.push(invalid(p, text, q.error));
    else if (q.quantity.nanos < 0n) errs.push(invalid(p, text, 'must be greater than or equal to 0'));
    else if (q.quantity.nanos > (isCpuLike(name) ? MAX_SAFE_MILLI_NANOS : MAX_SAFE_UNIT_NANOS)) {
      errs.push(invalid(p, text, `must be at most ${isCpuLike(name) ? '9007199254740991m' : '9007199254740991'} (kubesim counts resources in exact numbers)`));
    }
  }
  return errs;
}

function quantityOf(list: ResourceList | undefined, name: string): Quantity | undefined {
  const text = list?.[name];
  if (text === undefined) return undefined;
  const q = parseQuantity(text);
  return q.ok ? q.quantity : undefined;
}

function validateResources(c: Container, path: string, errs: Errs): void {
  const p = child(path, 'resources');
  const requests = c.resources?.requests;
  const limits = c.resources?.limits;
  errs.push(...validateResourceList(limits, child(p, 'limits'), isResourceName));
  errs.push(...validateResourceList(requests, child(p, 'requests'), isResourceName));
  for (const name of Object.keys(requests ?? {})) {
    const req = quantityOf(requests, name);
    const lim = quantityOf(limits, name);
    if (req !== undefined && lim !== undefined && compareQuantity(req, lim) > 0) {
      errs.push(invalid(key(child(p, 'requests'), name), requests?.[name], `must be less than or equal to ${name} limit of ${limits?.[name] ?? ''}`));
    }
  }
}

// ───────────────────────────── pods ─────────────────────────────

function validateProbe(probe: Probe | undefined, path: string, errs: Errs, isReadiness: boolean): void {
  if (probe === undefined) return;
  const handlers = [probe.httpGet, probe.tcpSocket, probe.exec, probe.grpc].filter((h) => h !== undefined).length;
  if (handlers === 0) errs.push(required(path, 'must specify a handler type'));
  if (handlers > 1) errs.push(forbidden(path, 'may not specify more than 1 handler type'));
  nonNegative(probe.initialDelaySeconds, child(path, 'initialDelaySeconds'), errs);
  nonNegative(probe.timeoutSeconds, child(path, 'timeoutSeconds'), errs);
  nonNegative(probe.periodSeconds, child(path, 'periodSeconds'), errs);
  nonNegative(probe.successThreshold, child(path, 'successThreshold'), errs);
  nonNegative(probe.failureThreshold, child(path, 'failureThreshold'), errs);
  if (!isReadiness && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), probe.successThreshold, 'must be 1'));
  }
}

function validateContainer(c: Container, path: string, errs: Errs): void {
  if (c.name === undefined || c.name === '') errs.push(required(child(path, 'name')));
  else for (const m of isDNS1123Label(c.name)) errs.push(invalid(child(path, 'name'), c.name, m));
  if (c.image === undefined || c.image.trim() === '') errs.push(required(child(path, 'image')));
  else if (c.image !== c.image.trim()) errs.push(invalid(child(path, 'image'), c.image, 'must not have leading or trailing whitespace'));
  oneOf(c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never'], child(path, 'imagePullPolicy'), errs);
  (c.ports ?? []).forEach((port, i) => {
    const p = index(child(path, 'ports'), i);
    if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
      errs.push(invalid(child(p, 'containerPort'), port.containerPort, 'must be between 1 and 65535, inclusive'));
    }
    if (port.hostPort !== undefined && (port.hostPort < 0 || port.hostPort > 65535)) {
      errs.push(invalid(child(p, 'hostPort'), port.hostPort, 'must be between 1 and 65535, inclusive'));
    }
    oneOf(port.protocol, ['TCP', 'UDP', 'SCTP'], child(p, 'protocol'), errs);
  });
  validateResources(c, path, errs);
  validateProbe(c.readinessProbe, child(path, 'readinessProbe'), errs, true);
  validateProbe(c.livenessProbe, child(path, 'livenessProbe'), errs, false);
  validateProbe(c.startupProbe, child(path, 'startupProbe'), errs, false);
}

function validateTolerations(tolerations: readonly Toleration[] | undefined, path: string, errs: Errs): void {
  (tolerations ?? []).forEach((t, i) => {
    const p = index(path, i);
    if (t.key !== undefined && t.key !== '') qualifiedName(t.key, child(p, 'key'), errs);
    if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') {
      errs.push(invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(child(p, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
      errs.push(invalid(child(p, 'operator'), t.value, 'value must be empty when `operator` is \'Exists\''));
    }
    oneOf(t.operator, ['Equal', 'Exists'], child(p, 'operator'), errs);
    oneOf(t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], child(p, 'effect'), errs);
  });
}

function validateNodeSelectorRequirement(r: NodeSelectorRequirement, path: string, errs: Errs, isField: boolean): void {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || !/^-?[0-9]+$/.test(values[0] ?? '')) errs.push(required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(notSupported(child(path, 'operator'), r.operator, ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn']));
  }
  if (isField) {
    if (r.key !== 'metadata.name') errs.push(notSupported(child(path, 'key'), r.key, ['metadata.name']));
  } else {
    qualifiedName(r.key, child(path, 'key'), errs);
  }
}

function validateNodeSelectorTerm(term: NodeSelectorTerm, path: string, errs: Errs): void {
  (term.matchExpressions ?? []).forEach((r, i) => validateNodeSelectorRequirement(r, index(child(path, 'matchExpressions'), i), errs, false));
  (term.matchFields ?? []).forEach((r, i) => validateNodeSelectorRequirement(r, index(child(path, 'matchFields'), i), errs, true));
}

function validatePodAffinityTerm(term: PodAffinityTerm, path: string, errs: Errs): void {
  errs.push(...validateLabelSelector(term.labelSelector, child(path, 'labelSelector')));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, 'namespaceSelector')));
  (term.namespaces ?? []).forEach((ns, i) => {
    for (const m of isDNS1123Label(ns)) errs.push(invalid(index(child(path, 'namespaces'), i), ns, m));
  });
  if (term.topologyKey === undefined || term.topologyKey === '') errs.push(required(child(path, 'topologyKey'), 'can not be empty'));
  else qualifiedName(term.topologyKey, child(path, 'topologyKey'), errs);
}

function weight(w: number, path: string, errs: Errs): void {
  if (w < 1 || w > 100) errs.push(invalid(path, w, 'must be in the range 1-100'));
}

function validateAffinity(a: Affinity | undefined, path: string, errs: Errs): void {
  if (a === undefined) return;
  const na = a.nodeAffinity;
  if (na !== undefined) {
    const p = child(path, 'nodeAffinity');
    const req = na.requiredDuringSchedulingIgnoredDuringExecution;
    if (req !== undefined) {
      const rp = child(child(p, 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
      if (req.nodeSelectorTerms.length === 0) errs.push(required(rp, 'must have at least one node selector term'));
      req.nodeSelectorTerms.forEach((t, i) => validateNodeSelectorTerm(t, index(rp, i), errs));
    }
    (na.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = index(child(p, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      weight(t.weight, child(tp, 'weight'), errs);
      validateNodeSelectorTerm(t.preference, child(tp, 'preference'), errs);
    });
  }
  for (const [name, pa] of [['podAffinity', a.podAffinity], ['podAntiAffinity', a.podAntiAffinity]] as const) {
    if (pa === undefined) continue;
    const p = child(path, name);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) =>
      validatePodAffinityTerm(t, index(child(p, 'requiredDuringSchedulingIgnoredDuringExecution'), i), errs));
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = index(child(p, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      weight(t.weight, child(tp, 'weight'), errs);
      validatePodAffinityTerm(t.podAffinityTerm, child(tp, 'podAffinityTerm'), errs);
    });
  }
}

function validateTopologySpread(constraints: readonly TopologySpreadConstraint[] | undefined, path: string, errs: Errs): void {
  const seen = new Set<string>();
  (constraints ?? []).forEach((c, i) => {
    const p = index(path, i);
    if (c.maxSkew <= 0) errs.push(invalid(child(p, 'maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (c.topologyKey === '') errs.push(required(child(p, 'topologyKey'), 'can not be empty'));
    else qualifiedName(c.topologyKey, child(p, 'topologyKey'), errs);
    oneOf(c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway'], child(p, 'whenUnsatisfiable'), errs);
    if (c.minDomains !== undefined) {
      if (c.minDomains <= 0) errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'must be greater than 0'));
      else if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(invalid(child(p, 'minDomains'), c.minDomains, 'can only use minDomains if whenUnsatisfiable=DoNotSchedule'));
      }
    }
    oneOf(c.nodeAffinityPolicy, ['Honor', 'Ignore'], child(p, 'nodeAffinityPolicy'), errs);
    oneOf(c.nodeTaintsPolicy, ['Honor', 'Ignore'], child(p, 'nodeTaintsPolicy'), errs);
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
    const pair = `${c.topologyKey}\u0000${c.whenUnsatisfiable}`;
    if (seen.has(pair)) errs.push(duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(pair);
  });
}

/** The only part of validatePodSpec that reads spec.nodeName (see specErrorsAfterBinding). */
function validateNodeName(nodeName: string | undefined, path: string, errs: Errs): void {
  if (nodeName !== undefined && nodeName !== '') {
    for (const m of isDNS1123Subdomain(nodeName)) errs.push(invalid(child(path, 'nodeName'), nodeName, m));
  }
}

/** PodSpec validation (ValidatePodSpec): containers, scheduling constraints, policies. */
export function validatePodSpec(spec: PodSpec, path: string): FieldError[] {
  const errs: Errs = [];
  const cp = child(path, 'containers');
  if (spec.containers.length === 0) errs.push(required(cp));
  const names = new Set<string>();
  const all: [string, readonly Container[]][] = [[cp, spec.containers], [child(path, 'initContainers'), spec.initContainers ?? []]];
  for (const [p, list] of all) {
    list.forEach((c, i) => {
      validateContainer(c, index(p, i), errs);
      if (c.name !== undefined && c.name !== '') {
        if (names.has(c.name)) errs.push(duplicate(child(index(p, i), 'name'), c.name));
        names.add(c.name);
      }
    });
  }
  oneOf(spec.restartPolicy, ['Always', 'OnFailure', 'Never'], child(path, 'restartPolicy'), errs);
  oneOf(spec.dnsPolicy, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], child(path, 'dnsPolicy'), errs);
  oneOf(spec.preemptionPolicy, ['PreemptLowerPriority', 'Never'], child(path, 'preemptionPolicy'), errs);
  nonNegative(spec.terminationGracePeriodSeconds, child(path, 'terminationGracePeriodSeconds'), errs);
  positive(spec.activeDeadlineSeconds, child(path, 'activeDeadlineSeconds'), errs);
  validateNodeName(spec.nodeName, path, errs);
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  validateTolerations(spec.tolerations, child(path, 'tolerations'), errs);
  validateAffinity(spec.affinity, child(path, 'affinity'), errs);
  validateTopologySpread(spec.topologySpreadConstraints, child(path, 'topologySpreadConstraints'), errs);
  if (spec.schedulerName !== undefined) for (const m of isDNS1123Subdomain(spec.schedulerName)) errs.push(invalid(child(path, 'schedulerName'), spec.schedulerName, m));
  if (spec.priorityClassName !== undefined && spec.priorityClassName !== '') {
    for (const m of isDNS1123Subdomain(spec.priorityClassName)) errs.push(invalid(child(path, 'priorityClassName'), spec.priorityClassName, m));
  }
  const sa = spec.serviceAccountName;
  if (sa !== undefined && sa !== '') for (const m of isDNS1123Subdomain(sa)) errs.push(invalid(child(path, 'serviceAccountName'), sa, m));
  return errs;
}

/**
 * Errors of pod specs already validated, by identity: objects are immutable and shared by reference,
 * so the pods of one ReplicaSet share their template's spec and a status update keeps the stored
 * spec — each is checked once, not at every write (a WeakMap: never iterated, so order-free).
 */
const podSpecErrors = new WeakMap<PodSpec, readonly FieldError[]>();

/**
 * Whether two pod specs have the same keys in the same order and the same values by reference,
 * nodeName aside (absent in one and last in the other counts as the same place, as a binding's
 * `{ ...spec, nodeName }` puts it). Then anything computed from a spec's values and key order, with
 * nodeName set alike, is the same for both; a binding's spec is the only change most pods see.
 */
function sameButNodeName(a: PodSpec, b: PodSpec): boolean {
  const ra = a as unknown as Readonly<Record<string, unknown>>;
  const rb = b as unknown as Readonly<Record<string, unknown>>;
  const ka = Object.keys(ra);
  const kb = Object.keys(rb);
  const na = ka.indexOf('nodeName');
  const nb = kb.indexOf('nodeName');
  const len = na < 0 ? ka.length : ka.length - 1;
  if (len !== (nb < 0 ? kb.length : kb.length - 1)) return false;
  if ((na < 0 ? len : na) !== (nb < 0 ? len : nb)) return false;
  for (let x = 0; x < len; x++) {
    const k = ka[na >= 0 && x >= na ? x + 1 : x] as string;
    if (k !== kb[nb >= 0 && x >= nb ? x + 1 : x] || ra[k] !== rb[k]) return false;
  }
  return true;
}

/**
 * Seeds the spec cache for `next`, a spec that differs from the already-validated `prev` in
 * nodeName only: when `prev` had no errors, `next` has only those of its nodeName (no other check
 * of validatePodSpec reads nodeName), so binding a pod does not validate its whole spec again.
 */
function specErrorsAfterBinding(next: PodSpec, prev: PodSpec): void {
  if (podSpecErrors.has(next) || podSpecErrors.get(prev)?.length !== 0) return;
  const errs: Errs = [];
  validateNodeName(next.nodeName, 'spec', errs);
  podSpecErrors.set(next, errs);
}

function validatePod(pod: Pod): Errs {
  let specErrs = podSpecErrors.get(pod.spec);
  if (specErrs === undefined) {
    specErrs = validatePodSpec(pod.spec, 'spec');
    podSpecErrors.set(pod.spec, specErrs);
  }
  const errs = validateObjectMeta(pod.metadata, true, isDNS1123Subdomain);
  for (const e of specErrs) errs.push(e);
  return errs;
}

// ───────────────────────────── workloads ─────────────────────────────

function validateTemplate(
  template: PodTemplateSpec, selector: LabelSelector | undefined, path: string, errs: Errs,
): void {
  const labels = template.metadata?.labels;
  errs.push(...validateLabels(labels, child(child(path, 'metadata'), 'labels')));
  if (selector !== undefined && !isEmptySelector(selector) && !compileSelector(selector)(labels)) {
    errs.push(invalid(child(child(path, 'metadata'), 'labels'), labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodSpec(template.spec, child(path, 'spec')));
  const rp = template.spec.restartPolicy;
  if (rp !== undefined && rp !== 'Always') errs.push(notSupported(child(child(path, 'spec'), 'restartPolicy'), rp, ['Always']));
  if (template.spec.activeDeadlineSeconds !== undefined) {
    errs.push(forbidden(child(child(path, 'spec'), 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
}

function validateSelectorPresent(selector: LabelSelector | undefined, path: string, errs: Errs, kind: string): void {
  if (selector === undefined) {
    errs.push(required(path));
    return;
  }
  errs.push(...validateLabelSelector(selector, path));
  if (isEmptySelector(selector)) errs.push(invalid(path, selector, `empty selector is invalid for ${kind}`));
}

function validateReplicaSet(rs: ReplicaSet): Errs {
  const errs = validateObjectMeta(rs.metadata, true, isDNS1123Subdomain);
  nonNegative(rs.spec.replicas, 'spec.replicas', errs);
  nonNegative(rs.spec.minReadySeconds, 'spec.minReadySeconds', errs);
  validateSelectorPresent(rs.spec.selector, 'spec.selector', errs, 'deployment');
  validateTemplate(rs.spec.template, rs.spec.selector, 'spec.template', errs);
  return errs;
}

/** maxSurge/maxUnavailable: a non-negative integer or a percentage `N%`. */
function intOrPercent(v: IntOrString | undefined, path: string, errs: Errs): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') {
    nonNegative(v, path, errs);
    return v;
  }
  const m = /^([0-9]+)%$/.exec(v);
  if (m === null) {
    errs.push(invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    return undefined;
  }
  return Number(m[1]);
}

function validateDeployment(d: Deployment): Errs {
  const errs = validateObjectMeta(d.metadata, true, isDNS1123Subdomain);
  const spec = d.spec;
  nonNegative(spec.replicas, 'spec.replicas', errs);
  validateSelectorPresent(spec.selector, 'spec.selector', errs, 'deployment');
  validateTemplate(spec.template, spec.selector, 'spec.template', errs);
  const strategy = spec.strategy;
  if (strategy !== undefined) {
    oneOf(strategy.type, ['Recreate', 'RollingUpdate'], 'spec.strategy.type', errs);
    const ru = strategy.rollingUpdate;
    if (strategy.type === 'Recreate' && ru !== undefined) {
      errs.push(forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
    } else if (ru !== undefined) {
      const surge = intOrPercent(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge', errs);
      const unavailable = intOrPercent(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable', errs);
      if (typeof ru.maxUnavailable === 'string' && unavailable !== undefined && unavailable > 100) {
        errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'must not be greater than 100%'));
      }
      if (surge === 0 && unavailable === 0) {
        errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
    }
  }
  nonNegative(spec.minReadySeconds, 'spec.minReadySeconds', errs);
  nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit', errs);
  const pds = spec.progressDeadlineSeconds;
  if (pds !== undefined) {
    nonNegative(pds, 'spec.progressDeadlineSeconds', errs);
    if (pds <= (spec.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

// ───────────────────────────── cluster objects ─────────────────────────────

function validateNamespace(ns: Namespace): Errs {
  return validateObjectMeta(ns.metadata, false, isDNS1123Label);
}

function validateNode(node: Node): Errs {
  const errs = validateObjectMeta(node.metadata, false, isDNS1123Subdomain);
  const seen = new Set<string>();
  (node.spec?.taints ?? []).forEach((t, i) => {
    const p = index('spec.taints', i);
    if (t.key === '') errs.push(required(child(p, 'key')));
    else qualifiedName(t.key, child(p, 'key'), errs);
    if (t.value !== undefined && t.value !== '') for (const m of validateLabels({ x: t.value }, '')) errs.push(invalid(child(p, 'value'), t.value, m.detail));
    oneOf(t.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute'], child(p, 'effect'), errs);
    const k = `${t.key}\u0000${t.effect}`;
    if (seen.has(k)) errs.push(duplicate(p, `${t.key}:${t.effect}`));
    seen.add(k);
  });
  errs.push(...validateResourceList(node.status?.capacity, 'status.capacity'));
  errs.push(...validateResourceList(node.status?.allocatable, 'status.allocatable'));
  return errs;
}

function validateLease(lease: Lease): Errs {
  const errs = validateObjectMeta(lease.metadata, true, isDNS1123Subdomain);
  positive(lease.spec.leaseDurationSeconds, 'spec.leaseDurationSeconds', errs);
  nonNegative(lease.spec.leaseTransitions, 'spec.leaseTransitions', errs);
  return errs;
}

function validateHPA(hpa: HorizontalPodAutoscaler): Errs {
  const errs = validateObjectMeta(hpa.metadata, true, isDNS1123Subdomain);
  const s = hpa.spec;
  const ref = s.scaleTargetRef;
  if (ref.kind === '') errs.push(required('spec.scaleTargetRef.kind'));
  if (ref.name === '') errs.push(required('spec.scaleTargetRef.name'));
  else for (const m of isPathSegmentName(ref.name)) errs.push(invalid('spec.scaleTargetRef.name', ref.name, m));
  const min = s.minReplicas;
  if (min !== undefined && min < 1) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (s.maxReplicas < 1) errs.push(invalid('spec.maxReplicas', s.maxReplicas, 'must be greater than 0'));
  if (min !== undefined && s.maxReplicas < min) errs.push(invalid('spec.maxReplicas', s.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  (s.metrics ?? []).forEach((m, i) => {
    const p = index('spec.metrics', i);
    if (m.type !== 'Resource') {
      errs.push(notSupported(child(p, 'type'), m.type, ['Resource']));
      return;
    }
    const r = m.resource;
    if (r === undefined) {
      errs.push(required(child(p, 'resource'), 'must populate information for the given metric source'));
      return;
    }
    if (r.name === '') errs.push(required(child(child(p, 'resource'), 'name')));
    const t = r.target;
    const tp = child(child(p, 'resource'), 'target');
    oneOf(t.type, ['Utilization', 'Value', 'AverageValue'], child(tp, 'type'), errs);
    if (t.type === 'Utilization') {
      if (t.averageUtilization === undefined) errs.push(required(child(tp, 'averageUtilization'), 'must set either a target raw value or a target utilization'));
      else if (t.averageUtilization <= 0) errs.push(invalid(child(tp, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'));
    }
    if (t.type === 'AverageValue' && t.averageValue === undefined) errs.push(required(child(tp, 'averageValue'), 'must set either a target raw value or a target utilization'));
    if (t.type === 'Value' && t.value === undefined) errs.push(required(child(tp, 'value'), 'must set either a target raw value or a target utilization'));
  });
  for (const dir of ['scaleUp', 'scaleDown'] as const) {
    const rules = s.behavior?.[dir];
    if (rules === undefined) continue;
    const p = child('spec.behavior', dir);
    const w = rules.stabilizationWindowSeconds;
    if (w !== undefined && (w < 0 || w > 3600)) errs.push(invalid(child(p, 'stabilizationWindowSeconds'), w, 'must be less than or equal to 3600 and greater than or equal to 0'));
    oneOf(rules.selectPolicy, ['Max', 'Min', 'Disabled'], child(p, 'selectPolicy'), errs);
    if (rules.policies !== undefined && rules.policies.length === 0 && rules.selectPolicy !== 'Disabled') {
      errs.push(required(child(p, 'policies'), 'must specify at least one Policy'));
    }
    (rules.policies ?? []).forEach((pol, i) => {
      const pp = index(child(p, 'policies'), i);
      oneOf(pol.type, ['Pods', 'Percent'], child(pp, 'type'), errs);
      positive(pol.value, child(pp, 'value'), errs);
      if (pol.periodSeconds <= 0 || pol.periodSeconds > 1800) {
        errs.push(invalid(child(pp, 'periodSeconds'), pol.periodSeconds, 'must be greater than zero and less than or equal to 1800'));
      }
    });
  }
  return errs;
}

const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'] as const;

function validateLimitRange(lr: LimitRange): Errs {
  const errs = validateObjectMeta(lr.metadata, true, isDNS1123Subdomain);
  lr.spec.limits.forEach((item, i) => {
    const p = index('spec.limits', i);
    oneOf(item.type, LIMIT_TYPES, child(p, 'type'), errs);
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) errs.push(...validateResourceList(item[f], child(p, f)));
    if (item.type === 'Pod' && (item.default !== undefined || item.defaultRequest !== undefined)) {
      errs.push(forbidden(child(p, 'default'), 'may not be specified when `type` is \'Pod\''));
    }
    const names = new Set([...Object.keys(item.min ?? {}), ...Object.keys(item.max ?? {}), ...Object.keys(item.default ?? {}), ...Object.keys(item.defaultRequest ?? {})]);
    for (const name of names) {
      const min = quantityOf(item.min, name);
      const max = quantityOf(item.max, name);
      const def = quantityOf(item.default, name);
      const defReq = quantityOf(item.defaultRequest, name);
      const show = (l: ResourceList | undefined): string => l?.[name] ?? '';
      if (min !== undefined && max !== undefined && compareQuantity(min, max) > 0) {
        errs.push(invalid(key(child(p, 'min'), name), show(item.min), `min value ${show(item.min)} is greater than max value ${show(item.max)}`));
      }
      if (defReq !== undefined && min !== undefined && compareQuantity(min, defReq) > 0) {
        errs.push(invalid(key(child(p, 'defaultRequest'), name), show(item.defaultRequest), `min value ${show(item.min)} is greater than default request value ${show(item.defaultRequest)}`));
      }
      if (defReq !== undefined && max !== undefined && compareQuantity(defReq, max) > 0) {
        errs.push(invalid(key(child(p, 'defaultRequest'), name), show(item.defaultRequest), `default request value ${show(item.defaultRequest)} is greater than max value ${show(item.max)}`));
      }
      if (defReq !== undefined && def !== undefined && compareQuantity(defReq, def) > 0) {
        errs.push(invalid(key(child(p, 'defaultRequest'), name), show(item.defaultRequest), `default request value ${show(item.defaultRequest)} is greater than default limit value ${show(item.default)}`));
      }
      if (def !== undefined && min !== undefined && compareQuantity(min, def) > 0) {
        errs.push(invalid(key(child(p, 'default'), name), show(item.default), `min value ${show(item.min)} is greater than default value ${show(item.default)}`));
      }
      if (def !== undefined && max !== undefined && compareQuantity(def, max) > 0) {
        errs.push(invalid(key(child(p, 'default'), name), show(item.default), `default value ${show(item.default)} is greater than max value ${show(item.max)}`));
      }
    }
  });
  return errs;
}

const QUOTA_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass'] as const;

function isQuotaResourceName(name: string): boolean {
  return ['pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
    'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'services', 'configmaps', 'secrets', 'replicationcontrollers',
    'resourcequotas', 'persistentvolumeclaims', 'requests.storage'].includes(name) || name.startsWith('count/') || name.startsWith('requests.') || isResourceName(name);
}

function validateResourceQuota(q: ResourceQuota): Errs {
  const errs = validateObjectMeta(q.metadata, true, isDNS1123Subdomain);
  errs.push(...validateResourceList(q.spec.hard, 'spec.hard', isQuotaResourceName));
  (q.spec.scopes ?? []).forEach((s, i) => oneOf(s, QUOTA_SCOPES, index('spec.scopes', i), errs));
  return errs;
}

function validateServiceAccount(sa: ServiceAccount): Errs {
  return validateObjectMeta(sa.metadata, true, isDNS1123Subdomain);
}

// ───────────────────────────── RBAC ─────────────────────────────

function validateRules(rules: readonly PolicyRule[] | undefined, isNamespaced: boolean, errs: Errs): void {
  (rules ?? []).forEach((r, i) => {
    const p = index('rules', i);
    if (r.verbs.length === 0) errs.push(required(child(p, 'verbs'), 'verbs must contain at least one value'));
    const urls = r.nonResourceURLs ?? [];
    if (urls.length > 0) {
      if (isNamespaced) errs.push(invalid(child(p, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs'));
      if ((r.apiGroups ?? []).length > 0 || (r.resources ?? []).length > 0) {
        errs.push(invalid(child(p, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if ((r.resources ?? []).length === 0) errs.push(required(child(p, 'resources'), 'resource rules must supply at least one resource'));
    if ((r.apiGroups ?? []).length === 0) errs.push(required(child(p, 'apiGroups'), 'resource rules must supply at least one api group'));
  });
}

function validateRoleRef(ref: RoleRef, namespaced: boolean, errs: Errs): void {
  if (ref.apiGroup !== 'rbac.authorization.k8s.io') errs.push(notSupported('roleRef.apiGroup', ref.apiGroup, ['rbac.authorization.k8s.io']));
  oneOf(ref.kind, namespaced ? ['ClusterRole', 'Role'] : ['ClusterRole'], 'roleRef.kind', errs);
  if (ref.name === '') errs.push(required('roleRef.name'));
  else for (const m of isPathSegmentName(ref.name)) errs.push(invalid('roleRef.name', ref.name, m));
}

function validateSubjects(subjects: readonly Subject[] | undefined, namespaced: boolean, errs: Errs): void {
  (subjects ?? []).forEach((s, i) => {
    const p = index('subjects', i);
    if (s.name === '') errs.push(required(child(p, 'name')));
    switch (s.kind) {
      case 'ServiceAccount':
        if (s.apiGroup !== undefined && s.apiGroup !== '') errs.push(notSupported(child(p, 'apiGroup'), s.apiGroup, ['']));
        if (!namespaced && (s.namespace === undefined || s.namespace === '')) errs.push(required(child(p, 'namespace')));
        if (s.name !== '') for (const m of isDNS1123Subdomain(s.name)) errs.push(invalid(child(p, 'name'), s.name, m));
        break;
      case 'User':
      case 'Group':
        if (s.apiGroup !== 'rbac.authorization.k8s.io') errs.push(notSupported(child(p, 'apiGroup'), s.apiGroup ?? '', ['rbac.authorization.k8s.io']));
        break;
      default:
        errs.push(notSupported(child(p, 'kind'), s.kind, ['Group', 'ServiceAccount', 'User']));
    }
  });
}

function validateRole(r: Role | ClusterRole, namespaced: boolean): Errs {
  const errs = validateObjectMeta(r.metadata, namespaced, isPathSegmentName);
  validateRules(r.rules, namespaced, errs);
  return errs;
}

function validateBinding(b: RoleBinding | ClusterRoleBinding, namespaced: boolean): Errs {
  const errs = validateObjectMeta(b.metadata, namespaced, isPathSegmentName);
  validateRoleRef(b.roleRef, namespaced, errs);
  validateSubjects(b.subjects, namespaced, errs);
  return errs;
}

function validatePriorityClass(pc: PriorityClass): Errs {
  const errs = validateObjectMeta(pc.metadata, false, isDNS1123Subdomain);
  const name = pc.metadata.name ?? '';
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    if (name !== 'system-cluster-critical' && name !== 'system-node-critical') {
      errs.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only`));
    }
  } else if (pc.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  oneOf(pc.preemptionPolicy, ['PreemptLowerPriority', 'Never'], 'preemptionPolicy', errs);
  return errs;
}

// ───────────────────────────── entry points ─────────────────────────────

/** Validates a new object (create); returns every problem found, with field paths. */
export function validateObject(obj: KubeObject): FieldError[] {
  const info = resourceForKind(obj.kind);
  if (info === undefined) return [invalid('kind', obj.kind, 'unknown kind')];
  if (obj.apiVersion !== info.apiVersion) return [invalid('apiVersion', obj.apiVersion, `must be ${info.apiVersion} for kind ${obj.kind}`)];
  switch (obj.kind) {
    case 'Namespace': return validateNamespace(obj);
    case 'Node': return validateNode(obj);
    case 'Pod': return validatePod(obj);
    case 'ReplicaSet': return validateReplicaSet(obj);
    case 'Deployment': return validateDeployment(obj);
    case 'Lease': return validateLease(obj);
    case 'HorizontalPodAutoscaler': return validateHPA(obj);
    case 'LimitRange': return validateLimitRange(obj);
    case 'ResourceQuota': return validateResourceQuota(obj);
    case 'ServiceAccount': return validateServiceAccount(obj);
    case 'Role': return validateRole(obj, true);
    case 'ClusterRole': return validateRole(obj, false);
    case 'RoleBinding': return validateBinding(obj, true);
    case 'ClusterRoleBinding': return validateBinding(obj, false);
    case 'PriorityClass': return validatePriorityClass(obj);
    default: return assertNever(obj, 'kind');
  }
}

const IMMUTABLE = 'field is immutable';

/** The pod spec with the fields upstream lets an update change blanked out, for comparison. */
function podSpecMutableStripped(spec: PodSpec): unknown {
  return {
    ...spec,
    containers: spec.containers.map((c) => ({ ...c, image: '' })),
    initContainers: (spec.initContainers ?? []).map((c) => ({ ...c, image: '' })),
    activeDeadlineSeconds: 0,
    tolerations: [],
    terminationGracePeriodSeconds: 0,
  };
}

/**
 * Validates an update: the new object as on create, plus upstream's immutability rules —
 * metadata name/namespace/uid, a Deployment's or ReplicaSet's selector (apps/v1), a pod's spec
 * except container images, activeDeadlineSeconds and added tolerations, a bound pod's nodeName,
 * a RoleBinding's roleRef, a PriorityClass's value.
 */
export function validateUpdate(next: KubeObject, prev: KubeObject): FieldError[] {
  const nodeNameOnly = next.kind === 'Pod' && prev.kind === 'Pod' && next.spec !== prev.spec && sameButNodeName(next.spec, prev.spec);
  if (nodeNameOnly) specErrorsAfterBinding(next.spec, prev.spec);
  const errs = validateObject(next);
  if (next.kind !== prev.kind) return [...errs, invalid('kind', next.kind, IMMUTABLE)];
  if ((next.metadata.name ?? '') !== (prev.metadata.name ?? '')) errs.push(invalid('metadata.name', next.metadata.name, IMMUTABLE));
  if ((next.metadata.namespace ?? '') !== (prev.metadata.namespace ?? '')) errs.push(invalid('metadata.namespace', next.metadata.namespace, IMMUTABLE));
  if (prev.metadata.uid !== undefined && next.metadata.uid !== undefined && next.metadata.uid !== prev.metadata.uid) {
    errs.push(invalid('metadata.uid', next.metadata.uid, IMMUTABLE));
  }
  if ((next.kind === 'Deployment' || next.kind === 'ReplicaSet') && (prev.kind === 'Deployment' || prev.kind === 'ReplicaSet')) {
    if (!deepEqual(next.spec.selector, prev.spec.selector)) errs.push(invalid('spec.selector', next.spec.selector, IMMUTABLE));
  }
  // The same spec object (a status update keeps the stored one) cannot have changed.
  if (next.kind === 'Pod' && prev.kind === 'Pod' && next.spec !== prev.spec) {
    const prevNode = prev.spec.nodeName ?? '';
    if (prevNode !== '' && (next.spec.nodeName ?? '') !== prevNode) errs.push(invalid('spec.nodeName', next.spec.nodeName, IMMUTABLE));
    // Specs alike but for nodeName strip to the same thing (sameButNodeName); only the others are built and compared.
    if (!nodeNameOnly) {
      const a = podSpecMutableStripped({ ...next.spec, nodeName: prevNode === '' ? '' : prevNode });
      const b = podSpecMutableStripped({ ...prev.spec, nodeName: prevNode === '' ? '' : prevNode });
      if (!deepEqual(a, b)) {
        errs.push(forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
      }
    }
    const prevTol = prev.spec.tolerations ?? [];
    const nextTol = next.spec.tolerations ?? [];
    if (prevTol !== nextTol && !prevTol.every((t) => nextTol.some((u) => deepEqual(u, t)))) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
    }
  }
  if ((next.kind === 'RoleBinding' || next.kind === 'ClusterRoleBinding') && (prev.kind === 'RoleBinding' || prev.kind === 'ClusterRoleBinding')) {
    if (!deepEqual(next.roleRef, prev.roleRef)) errs.push(invalid('roleRef', next.roleRef, 'cannot change roleRef'));
  }
  if (next.kind === 'PriorityClass' && prev.kind === 'PriorityClass' && next.value !== prev.value) errs.push(forbidden('value', 'may not be changed in an update.'));
  return errs;
}
