import type { Plugin } from '../plugin.js';
import { Code, status, SUCCESS } from '../status.js';

export const NODE_NAME = 'NodeName';

const REJECT = status(Code.UnschedulableAndUnresolvable, "node(s) didn't match the requested node name");

/** A pod that names its node (spec.nodeName) fits only there. */
export function nodeName(): Plugin {
  return {
    name: NODE_NAME,
    events: ['NodeAdd'],
    filter(_state, pod, node) {
      const wanted = pod.pod.spec.nodeName;
      return wanted === undefined || wanted === '' || wanted === node.name ? SUCCESS : REJECT;
    },
  };
}
