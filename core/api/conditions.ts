/**
 * The condition of a type in a status's conditions list (upstream's GetPodCondition,
 * GetNodeCondition). A plain loop, no closure or array: the kubelet, the node lifecycle controller
 * and the cluster observer call it on every pod or node event.
 */
export function conditionOf<C extends { readonly type: string }>(conditions: readonly C[] | undefined, type: C['type']): C | undefined {
  if (conditions !== undefined) for (const c of conditions) if (c.type === type) return c;
  return undefined;
}
