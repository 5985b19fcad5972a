import type { Node, Taint, Toleration } from '../../api/types.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** v1 Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== taint.effect) return false;
  if ((t.operator ?? 'Equal') === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * getMinTolerationTime over a pod's NoExecute taints: undefined = some taint is not tolerated
 * (evict now); Infinity = tolerated forever; otherwise the smallest tolerationSeconds in seconds.
 */
export function minTolerationSeconds(tolerations: readonly Toleration[], taints: readonly Taint[]): number | undefined {
  let min = Number.POSITIVE_INFINITY;
  for (const taint of taints) {
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) return undefined;
    for (const t of matching) if (t.tolerationSeconds !== undefined) min = Math.min(min, Math.max(0, t.tolerationSeconds));
  }
  return min;
}

export function noExecuteTaints(node: Node | undefined): Taint[] {
  return (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/** Whether the node carries the taint (a loop: the lifecycle controller asks for every node every monitor period). */
export function hasTaint(node: Node, key: string, effect: Taint['effect']): boolean {
  const taints = node.spec?.taints;
  if (taints !== undefined) for (const t of taints) if (t.key === key && t.effect === effect) return true;
  return false;
}

/** The node with `add` taints present and `remove` keys (of the given effect) gone. */
export function withTaints(node: Node, add: readonly Taint[], removeKeys: readonly string[], effect: Taint['effect']): Node {
  const kept = (node.spec?.taints ?? []).filter((t) => !(t.effect === effect && removeKeys.includes(t.key)) && !add.some((a) => a.key === t.key && a.effect === t.effect));
  return { ...node, spec: { ...node.spec, taints: [...kept, ...add] } };
}

export function zoneOf(node: Node): string {
  return node.metadata.labels?.[ZONE_LABEL] ?? '';
}
