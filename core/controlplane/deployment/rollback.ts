import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../api/types.js';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION } from './templateHash.js';

/**
 * `kubectl rollout undo --to-revision=N`, which is client-side since Kubernetes 1.18: find the
 * Deployment's ReplicaSet with that revision (0 = the previous one) and copy its template, minus
 * the pod-template-hash label, back into the Deployment. The controller then sees a template equal
 * to an old ReplicaSet's, reuses it and gives it the next revision number.
 * Returns undefined when no such revision exists.
 */
export function rollbackDeployment(d: Deployment, replicaSets: readonly ReplicaSet[], toRevision: number): Deployment | undefined {
  const owned = replicaSets.filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === d.metadata.uid));
  const byRevision = owned
    .map((rs) => ({ rs, rev: Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '0') }))
    .sort((a, b) => b.rev - a.rev);
  const target = toRevision === 0 ? byRevision[1] : byRevision.find((x) => x.rev === toRevision);
  if (target === undefined) return undefined;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(target.rs.spec.template.metadata?.labels ?? {})) if (k !== POD_TEMPLATE_HASH_LABEL) labels[k] = v;
  const template: PodTemplateSpec = { ...target.rs.spec.template, metadata: { ...target.rs.spec.template.metadata, labels } };
  return { ...d, spec: { ...d.spec, template } };
}
