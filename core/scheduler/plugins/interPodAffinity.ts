import type { FrameworkHandle, Plugin } from '../plugin.js';
import type { PodInfo } from '../podInfo.js';
import type { NodeInfo } from '../nodeInfo.js';
import { termMatchesPod } from '../podInfo.js';
import { TopologyCounts } from '../topologyCounts.js';
import { Code, MaxNodeScore, SKIP, status, SUCCESS } from '../status.js';

export const INTER_POD_AFFINITY = 'InterPodAffinity';
const SCORE_KEY = `${INTER_POD_AFFINITY}/score`;

const AFFINITY_NOT_MATCH = status(Code.UnschedulableAndUnresolvable, "node(s) didn't match pod affinity rules");
const ANTI_AFFINITY_NOT_MATCH = status(Code.Unschedulable, "node(s) didn't match pod anti-affinity rules");
const EXISTING_ANTI_AFFINITY_NOT_MATCH = status(Code.Unschedulable, "node(s) didn't satisfy existing pods anti-affinity rules");

interface FilterState {
  /** Pairs where an existing pod's required anti-affinity forbids the incoming pod. */
  readonly existingAnti: TopologyCounts;
  /** Pairs holding pods that match all of the incoming pod's required affinity terms. */
  readonly affinity: TopologyCounts;
  /** Pairs holding pods that match one of the incoming pod's required anti-affinity terms. */
  readonly anti: TopologyCounts;
  /** The incoming pod matches its own affinity terms (it may then start a new group). */
  readonly matchesOwnAffinity: boolean;
  clone(): FilterState;
}

function filterState(existingAnti: TopologyCounts, affinity: TopologyCounts, anti: TopologyCounts, matchesOwnAffinity: boolean): FilterState {
  return {
    existingAnti,
    affinity,
    anti,
    matchesOwnAffinity,
    clone: () => filterState(existingAnti.clone(), affinity.clone(), anti.clone(), matchesOwnAffinity),
  };
}

/** Upstream's updateWithPod: the counts change as if `other` appeared on (sign 1) or left (−1) `node`. */
function updateWithPod(s: FilterState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
  for (const term of other.requiredAntiAffinity) {
    const v = node.labels[term.topologyKey];
    if (v !== undefined && termMatchesPod(term, pod)) s.existingAnti.add(term.topologyKey, v, sign);
  }
  if (pod.requiredAffinity.length > 0 && matchesAllTerms(other, pod.requiredAffinity)) {
    for (const term of pod.requiredAffinity) {
      const v = node.labels[term.topologyKey];
      if (v !== undefined) s.affinity.add(term.topologyKey, v, sign);
    }
  }
  for (const term of pod.requiredAntiAffinity) {
    const v = node.labels[term.topologyKey];
    if (v !== undefined && termMatchesPod(term, other)) s.anti.add(term.topologyKey, v, sign);
  }
}

function matchesAllTerms(pod: PodInfo, terms: PodInfo['requiredAffinity']): boolean {
  for (const t of terms) if (!termMatchesPod(t, pod)) return false;
  return true;
}

/**
 * Inter-pod affinity and anti-affinity by topology key, with upstream's semantics: required
 * affinity needs, in the node's domain, a pod matching all terms (unless no such pod exists
 * anywhere and the pod matches its own terms); required anti-affinity forbids domains holding a
 * matching pod; existing pods' required anti-affinity is symmetric. Scoring sums preferred weights
 * (and existing pods' required affinity with hardPodAffinityWeight) per topology pair and scales
 * min..max to 0..100. Lookups go through the cache's label index.
 */
export function interPodAffinity(handle: FrameworkHandle, args?: { readonly hardPodAffinityWeight?: number }): Plugin {
  const cache = handle.cache;
  const hardWeight = args?.hardPodAffinityWeight ?? 1;
  return {
    name: INTER_POD_AFFINITY,
    events: ['NodeAdd', 'NodeLabelChange', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'],
    preFilter(state, pod) {
      if (pod.requiredAffinity.length === 0 && pod.requiredAntiAffinity.length === 0 && cache.podsWithRequiredAntiAffinity.size === 0) {
        return SKIP;
      }
      const existingAnti = new TopologyCounts();
      for (const e of cache.podsWithRequiredAntiAffinity) {
        const node = cache.nodeOfPod(e.key);
        if (node === undefined) continue;
        for (const term of e.requiredAntiAffinity) {
          const v = node.labels[term.topologyKey];
          if (v !== undefined && termMatchesPod(term, pod)) existingAnti.add(term.topologyKey, v, 1);
        }
      }
      const affinity = new TopologyCounts();
      const first = pod.requiredAffinity[0];
      if (first !== undefined) {
        cache.forEachMatchingPod(first.namespaces, first.selector, (p, node) => {
          if (!matchesAllTerms(p, pod.requiredAffinity)) return;
          for (const term of pod.requiredAffinity) {
            const v = node.labels[term.topologyKey];
            if (v !== undefined) affinity.add(term.topologyKey, v, 1);
          }
        });
      }
      const anti = new TopologyCounts();
      for (const term of pod.requiredAntiAffinity) {
        cache.forEachMatchingPod(term.namespaces, term.selector, (_p, node) => {
          const v = node.labels[term.topologyKey];
          if (v !== undefined) anti.add(term.topologyKey, v, 1);
        });
      }
      state.write(INTER_POD_AFFINITY, filterState(existingAnti, affinity, anti, matchesAllTerms(pod, pod.requiredAffinity)));
      return SUCCESS;
    },
    addPod(state, pod, other, node) {
      const s = state.read<FilterState>(INTER_POD_AFFINITY);
      if (s !== undefined) updateWithPod(s, pod, other, node, 1);
    },
    removePod(state, pod, other, node) {
      const s = state.read<FilterState>(INTER_POD_AFFINITY);
      if (s !== undefined) updateWithPod(s, pod, other, node, -1);
    },
    filter(state, pod, node) {
      const s = state.read<FilterState>(INTER_POD_AFFINITY);
      if (s === undefined) return SUCCESS;
      if (pod.requiredAffinity.length > 0) {
        let podsExist = true;
        for (const term of pod.requiredAffinity) {
          const v = node.labels[term.topologyKey];
          if (v === undefined) return AFFINITY_NOT_MATCH;
          if (s.affinity.get(term.topologyKey, v) <= 0) podsExist = false;
        }
        // The first pod of a group that selects itself may go anywhere its domain exists.
        if (!podsExist && !(s.affinity.isEmpty && s.matchesOwnAffinity)) return AFFINITY_NOT_MATCH;
      }
      for (const term of pod.requiredAntiAffinity) {
        const v = node.labels[term.topologyKey];
        if (v !== undefined && s.anti.get(term.topologyKey, v) > 0) return ANTI_AFFINITY_NOT_MATCH;
      }
      if (!s.existingAnti.isEmpty && s.existingAnti.anyPositiveOn(node.labels)) return EXISTING_ANTI_AFFINITY_NOT_MATCH;
      return SUCCESS;
    },
    preScore(state, pod) {
      const hasOwn = pod.preferredAffinity.length > 0 || pod.preferredAntiAffinity.length > 0;
      if (!hasOwn && cache.podsWithAffinity.size === 0) return SKIP;
      const scores = new TopologyCounts();
      for (const term of pod.preferredAffinity) {
        cache.forEachMatchingPod(term.namespaces, term.selector, (_p, node) => {
          const v = node.labels[term.topologyKey];
          if (v !== undefined) scores.add(term.topologyKey, v, term.weight);
        });
      }
      for (const term of pod.preferredAntiAffinity) {
        cache.forEachMatchingPod(term.namespaces, term.selector, (_p, node) => {
          const v = node.labels[term.topologyKey];
          if (v !== undefined) scores.add(term.topologyKey, v, -term.weight);
        });
      }
      for (const e of cache.podsWithAffinity) {
        const node = cache.nodeOfPod(e.key);
        if (node === undefined) continue;
        if (hardWeight > 0) {
          for (const term of e.requiredAffinity) {
            const v = node.labels[term.topologyKey];
            if (v !== undefined && termMatchesPod(term, pod)) scores.add(term.topologyKey, v, hardWeight);
          }
        }
        for (const term of e.preferredAffinity) {
          const v = node.labels[term.topologyKey];
          if (v !== undefined && termMatchesPod(term, pod)) scores.add(term.topologyKey, v, term.weight);
        }
        for (const term of e.preferredAntiAffinity) {
          const v = node.labels[term.topologyKey];
          if (v !== undefined && termMatchesPod(term, pod)) scores.add(term.topologyKey, v, -term.weight);
        }
      }
      if (scores.isEmpty) return SKIP;
      state.write(SCORE_KEY, scores);
      return SUCCESS;
    },
    score(state, _pod, node) {
      return state.read<TopologyCounts>(SCORE_KEY)?.sumOn(node.labels) ?? 0;
    },
    scoreAll(state, _pod, nodes, scores, count) {
      const s = state.read<TopologyCounts>(SCORE_KEY);
      for (let j = 0; j < count; j++) {
        const node = nodes[j];
        scores[j] = s === undefined || node === undefined ? 0 : s.sumOn(node.labels);
      }
    },
    normalizeScore(_state, _pod, _nodes, scores, count) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < count; i++) {
        const s = scores[i] ?? 0;
        if (s < min) min = s;
        if (s > max) max = s;
      }
      const diff = max - min;
      for (let i = 0; i < count; i++) {
        scores[i] = diff > 0 ? Math.trunc((MaxNodeScore * ((scores[i] ?? 0) - min)) / diff) : 0;
      }
    },
  };
}
