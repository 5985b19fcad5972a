import type { PodTemplateSpec } from '../../api/types.js';

/** Label the Deployment controller puts on its ReplicaSets and their pods. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** Annotation holding a ReplicaSet's revision within its Deployment. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/**
 * ComputeHash: a stable hash of the pod template (keys sorted, so two equal templates built in
 * different field orders hash alike), rendered like upstream's short safe-encoded string.
 */
export function templateHash(template: PodTemplateSpec): string {
  const text = stableStringify(stripHashLabel(template));
  // FNV-1a, 32 bits: enough to tell a Deployment's few templates apart, and deterministic.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  let v = h;
  do {
    out += alphabet[v % alphabet.length] ?? 'x';
    v = Math.floor(v / alphabet.length);
  } while (v > 0);
  return out;
}

function stripHashLabel(t: PodTemplateSpec): PodTemplateSpec {
  const labels = t.metadata?.labels;
  if (labels === undefined || !(POD_TEMPLATE_HASH_LABEL in labels)) return t;
  const rest: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (k !== POD_TEMPLATE_HASH_LABEL) rest[k] = v;
  return { ...t, metadata: { ...t.metadata, labels: rest } };
}

export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableStringify(x)}`).join(',')}}`;
}
