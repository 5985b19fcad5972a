import type { Plugin } from '../plugin.js';
import { STRIDE, type NodeInfo } from '../nodeInfo.js';
import type { PodInfo } from '../podInfo.js';
import {
  allocatableOf,
  balancedScore,
  DEFAULT_RESOURCE_SPECS,
  fillPodAmounts,
  podRequest,
  requestedWithPod,
  resourceColumns,
  scoreEachNode,
  type ResourceSpec,
} from '../resourceAllocation.js';
import { SKIP, SUCCESS } from '../status.js';

export const BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';

/**
 * Favours nodes whose requested fractions of each resource (pod included, actual requests) are
 * close to each other: score = (1 − std(fractions)) × 100. Best-effort pods are skipped, as upstream
 * does since kubernetes#129138, so they do not all pile onto one node.
 */
export function balancedAllocation(args?: { readonly resources?: readonly ResourceSpec[] }): Plugin {
  const specs = args?.resources ?? DEFAULT_RESOURCE_SPECS;
  const fractions = new Float64Array(specs.length);
  const cols = resourceColumns(specs);
  const tabular = cols.every((c) => c.alloc >= 0);
  const podAmounts = new Float64Array(cols.length);
  const scoreNode = (pod: PodInfo, node: NodeInfo): number => {
    let n = 0;
    // Indexed, not for-of: per node per pod, and the array iterator was not optimised away here.
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i];
      if (spec === undefined) continue;
      const alloc = allocatableOf(node, spec.name);
      if (alloc === 0) continue;
      fractions[n++] = Math.min(1, requestedWithPod(node, pod, spec.name, false) / alloc);
    }
    return balancedScore(fractions, n);
  };
  return {
    name: BALANCED_ALLOCATION,
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'],
    preScore(_state, pod) {
      for (let i = 0; i < specs.length; i++) if (podRequest(pod, specs[i]?.name ?? '') !== 0) return SUCCESS;
      return SKIP;
    },
    score(_state, pod, node) {
      return scoreNode(pod, node);
    },
    scoreAll(_state, pod, nodes, scores, count) {
      if (!tabular) return scoreEachNode(pod, nodes, scores, count, scoreNode);
      // scoreNode, reading each node's NodeTable row.
      fillPodAmounts(pod, cols, false, podAmounts);
      for (let j = 0; j < count; j++) {
        const node = nodes[j];
        const i = node?.index ?? -1;
        if (node === undefined || i < 0) {
          scores[j] = node === undefined ? 0 : scoreNode(pod, node);
          continue;
        }
        const d = node.rows;
        const o = i * STRIDE;
        let n = 0;
        for (let c = 0; c < cols.length; c++) {
          const col = cols[c];
          if (col === undefined) continue;
          const alloc = d[o + col.alloc] ?? 0;
          if (alloc === 0) continue;
          fractions[n++] = Math.min(1, ((d[o + col.req] ?? 0) + (podAmounts[c] ?? 0)) / alloc);
        }
        scores[j] = balancedScore(fractions, n);
      }
    },
  };
}
