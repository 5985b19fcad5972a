import type { NodeInfo } from './nodeInfo.js';
import type { PodInfo } from './podInfo.js';
import { nodeTermsMatch } from './selector.js';

/** The pod's nodeSelector and required node affinity both hold on `node` (upstream's RequiredNodeAffinity.Match). */
export function matchesRequiredNodeAffinity(pod: PodInfo, node: NodeInfo): boolean {
  const sel = pod.nodeSelector;
  if (sel !== undefined) {
    for (const k in sel) if (node.labels[k] !== sel[k]) return false;
  }
  const terms = pod.requiredNodeTerms;
  return terms === undefined || nodeTermsMatch(terms, node.name, node.labels);
}
