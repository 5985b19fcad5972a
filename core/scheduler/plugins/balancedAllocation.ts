import type { Plugin } from '../plugin.js';
import {
  allocatableOf,
  balancedScore,
  DEFAULT_RESOURCE_SPECS,
  podRequest,
  requestedWithPod,
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
  return {
    name: BALANCED_ALLOCATION,
    events: ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'],
    preScore(_state, pod) {
      for (let i = 0; i < specs.length; i++) if (podRequest(pod, specs[i]?.name ?? '') !== 0) return SUCCESS;
      return SKIP;
    },
    score(_state, pod, node) {
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
    },
  };
}
