/**
 * Priority admission (mutating): resolves a pod's `priorityClassName` to `spec.priority` and
 * `spec.preemptionPolicy`; with no name, uses the globalDefault class or priority 0. Unknown class
 * names and a hand-set priority that disagrees with the class are 403 Forbidden, as upstream.
 */
import type { KubeObject, PodSpec, PriorityClass } from '../types.js';
import { admissionForbidden } from '../status.js';
import type { AdmissionAttributes, AdmissionView, MutateResult } from './types.js';
import { nameForMessage } from './types.js';
import { SpecMemo } from './specMemo.js';

/** The two classes every cluster has (bootstrap objects upstream). */
export const SYSTEM_PRIORITY_CLASSES: readonly PriorityClass[] = [
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-node-critical' }, value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'system-cluster-critical' }, value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

function classes(view: AdmissionView): readonly PriorityClass[] {
  const stored = view.list('priorityclasses').filter((o): o is PriorityClass => o.kind === 'PriorityClass');
  if (stored.length === 0) return SYSTEM_PRIORITY_CLASSES;
  const names = new Set(stored.map((c) => c.metadata.name));
  return [...stored, ...SYSTEM_PRIORITY_CLASSES.filter((c) => !names.has(c.metadata.name))];
}

export function admitPriority(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView): MutateResult {
  if (obj.kind !== 'Pod' || attrs.verb !== 'create' || (attrs.subresource ?? '') !== '') return { ok: true, object: obj };
  const all = classes(view);
  const name = obj.spec.priorityClassName;
  let cls: PriorityClass | undefined;
  if (name === undefined || name === '') {
    // Several globalDefault classes: upstream picks the lowest value.
    cls = all.filter((c) => c.globalDefault === true).sort((a, b) => a.value - b.value)[0];
  } else {
    cls = all.find((c) => c.metadata.name === name);
    if (cls === undefined) return { ok: false, status: admissionForbidden('pods', '', nameForMessage(obj), `no PriorityClass with name ${name} was found`) };
  }
  const priority = cls?.value ?? 0;
  if (obj.spec.priority !== undefined && obj.spec.priority !== priority) {
    return {
      ok: false,
      status: admissionForbidden('pods', '', nameForMessage(obj), `the integer value of priority (${obj.spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`),
    };
  }
  const preemptionPolicy = obj.spec.preemptionPolicy ?? cls?.preemptionPolicy ?? 'PreemptLowerPriority';
  const className = cls !== undefined && (name === undefined || name === '') ? (cls.metadata.name ?? '') : undefined;
  return { ok: true, object: { ...obj, spec: resolved.derive(obj.spec, priority, preemptionPolicy, className, withPriority) } };
}

const resolved = new SpecMemo();

function withPriority(spec: PodSpec, priority: number, preemptionPolicy: NonNullable<PodSpec['preemptionPolicy']>, className: string | undefined): PodSpec {
  const out: Mutable<PodSpec> = { ...spec, priority, preemptionPolicy };
  if (className !== undefined) out.priorityClassName = className;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
