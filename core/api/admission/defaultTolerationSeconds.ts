/**
 * DefaultTolerationSeconds admission: every new pod that does not already tolerate the
 * `node.kubernetes.io/not-ready` / `unreachable` NoExecute taints gets a toleration for each,
 * bounded to 300 s (the kube-apiserver flags --default-not-ready/unreachable-toleration-seconds).
 * This is what makes pods leave a dead node about five minutes after its taint appears.
 */
import type { KubeObject, PodSpec, Toleration } from '../types.js';
import type { AdmissionAttributes, MutateResult } from './types.js';
import { SpecMemo } from './specMemo.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

/** Whether an existing toleration already covers `key`'s NoExecute taint (empty key or effect are wildcards). */
function covers(t: Toleration, key: string): boolean {
  const keyMatches = t.key === key || t.key === undefined || t.key === '';
  const effectMatches = t.effect === undefined || t.effect === 'NoExecute';
  return keyMatches && effectMatches;
}

/** Adds the two default tolerations to pods on create and update (as upstream); other requests pass unchanged. */
export function admitDefaultTolerationSeconds(
  attrs: AdmissionAttributes, obj: KubeObject,
  notReadySeconds = DEFAULT_TOLERATION_SECONDS, unreachableSeconds = DEFAULT_TOLERATION_SECONDS,
): MutateResult {
  if (obj.kind !== 'Pod' || (attrs.verb !== 'create' && attrs.verb !== 'update') || (attrs.subresource ?? '') !== '') return { ok: true, object: obj };
  const spec = withDefaults.derive(obj.spec, notReadySeconds, unreachableSeconds, undefined, withDefaultTolerations);
  return { ok: true, object: spec === obj.spec ? obj : { ...obj, spec } };
}

const withDefaults = new SpecMemo();

/** The spec with the default tolerations it lacks added; the spec itself if it has both. */
function withDefaultTolerations(spec: PodSpec, notReadySeconds: number, unreachableSeconds: number): PodSpec {
  const existing = spec.tolerations ?? [];
  const added: Toleration[] = [];
  if (!existing.some((t) => covers(t, TAINT_NODE_NOT_READY))) {
    added.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
  }
  if (!existing.some((t) => covers(t, TAINT_NODE_UNREACHABLE))) {
    added.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
  }
  return added.length === 0 ? spec : { ...spec, tolerations: [...existing, ...added] };
}
