import type { Taint } from '../../api/types.js';
import type { Plugin } from '../plugin.js';
import { toleratesAny } from '../toleration.js';
import { Code, status, SUCCESS } from '../status.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';

const UNSCHEDULABLE_TAINT: Taint = Object.freeze({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
const REJECT = status(Code.UnschedulableAndUnresolvable, "node(s) were unschedulable");

/** Cordoned nodes (spec.unschedulable) take only pods tolerating the unschedulable taint. */
export function nodeUnschedulable(): Plugin {
  return {
    name: NODE_UNSCHEDULABLE,
    events: ['NodeAdd', 'NodeSchedulableChange'],
    filter(_state, pod, node) {
      if (!node.unschedulable) return SUCCESS;
      return toleratesAny(pod.tolerations, UNSCHEDULABLE_TAINT) ? SUCCESS : REJECT;
    },
  };
}
