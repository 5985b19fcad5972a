import type { Plugin } from '../plugin.js';
import { defaultNormalizeScore } from '../normalize.js';
import { matchesRequiredNodeAffinity } from '../requiredNodeAffinity.js';
import { nodeTermMatches } from '../selector.js';
import { Code, SKIP, status, SUCCESS } from '../status.js';

export const NODE_AFFINITY = 'NodeAffinity';

const REJECT = status(Code.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector");

/**
 * Filter: nodeSelector and requiredDuringScheduling node affinity. Score: the sum of the weights of
 * the preferred terms a node matches, scaled to 0..100 by the best node.
 */
export function nodeAffinity(): Plugin {
  return {
    name: NODE_AFFINITY,
    events: ['NodeAdd', 'NodeLabelChange'],
    preFilter(_state, pod) {
      return pod.nodeSelector === undefined && pod.requiredNodeTerms === undefined ? SKIP : SUCCESS;
    },
    // PreFilter keeps no state: other pods never change the outcome.
    addPod() {},
    removePod() {},
    filter(_state, pod, node) {
      return matchesRequiredNodeAffinity(pod, node) ? SUCCESS : REJECT;
    },
    preScore(_state, pod) {
      return pod.preferredNodeTerms.length === 0 ? SKIP : SUCCESS;
    },
    score(_state, pod, node) {
      let sum = 0;
      for (const p of pod.preferredNodeTerms) if (nodeTermMatches(p.term, node.name, node.labels)) sum += p.weight;
      return sum;
    },
    normalizeScore(_state, _pod, _nodes, scores, count) {
      defaultNormalizeScore(scores, count, false);
    },
  };
}
