import type { Taint } from '../../api/types.js';
import type { Plugin } from '../plugin.js';
import { defaultNormalizeScore } from '../normalize.js';
import { firstUntoleratedTaint, toleratesTaint } from '../toleration.js';
import { Code, status, SUCCESS, type Status } from '../status.js';
import type { Toleration } from '../../api/types.js';

export const TAINT_TOLERATION = 'TaintToleration';

const HARD_EFFECTS = ['NoSchedule', 'NoExecute'] as const;

/**
 * One rejection per taint object, built on first use: taints are shared by every cycle that reads
 * the same Node object, so the filter does not allocate per node.
 */
const rejections = new WeakMap<Taint, Status>();
function rejectFor(t: Taint): Status {
  let s = rejections.get(t);
  if (s === undefined) {
    s = status(Code.UnschedulableAndUnresolvable, `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`);
    rejections.set(t, s);
  }
  return s;
}

const NONE: readonly Toleration[] = Object.freeze([]);

/** PreferNoSchedule taints none of `tolerations` tolerates. */
function intolerable(taints: readonly Taint[], tolerations: readonly Toleration[]): number {
  let count = 0;
  for (const taint of taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    let tolerated = false;
    for (const t of tolerations) if (toleratesTaint(t, taint)) tolerated = true;
    if (!tolerated) count++;
  }
  return count;
}

/**
 * Filter: NoSchedule and NoExecute taints must be tolerated. Score: the number of PreferNoSchedule
 * taints not tolerated (by tolerations with effect PreferNoSchedule or empty), reversed so that
 * fewer intolerable taints score higher.
 */
export function taintToleration(): Plugin {
  return {
    name: TAINT_TOLERATION,
    events: ['NodeAdd', 'NodeTaintChange'],
    filter(_state, pod, node) {
      if (node.taints.length === 0) return SUCCESS;
      const t = firstUntoleratedTaint(node.taints, pod.tolerations, HARD_EFFECTS);
      return t === undefined ? SUCCESS : rejectFor(t);
    },
    preScore(state, pod) {
      const prefer = pod.tolerations.length === 0 ? NONE : pod.tolerations.filter((t) => t.effect === undefined || t.effect === 'PreferNoSchedule');
      state.write(TAINT_TOLERATION, prefer);
      return SUCCESS;
    },
    score(state, _pod, node) {
      if (node.taints.length === 0) return 0;
      return intolerable(node.taints, state.read<readonly Toleration[]>(TAINT_TOLERATION) ?? NONE);
    },
    scoreAll(state, _pod, nodes, scores, count) {
      const tolerations = state.read<readonly Toleration[]>(TAINT_TOLERATION) ?? NONE;
      for (let j = 0; j < count; j++) {
        const taints = nodes[j]?.taints;
        scores[j] = taints === undefined || taints.length === 0 ? 0 : intolerable(taints, tolerations);
      }
    },
    normalizeScore(_state, _pod, _nodes, scores, count) {
      defaultNormalizeScore(scores, count, true);
    },
  };
}
