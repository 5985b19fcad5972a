/** Below this many nodes every node is evaluated; above it at least this many feasible ones are sought. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** Floor of the adaptive percentage. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * Upstream's numFeasibleNodesToFind: how many feasible nodes a cycle looks for before it stops
 * filtering. `percentage` 0 means adaptive: 50 − N/125 percent (integer division), at least 5%;
 * the result is never below 100 nodes, and every node is used when there are fewer than 100 or the
 * percentage is 100 or more.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let adaptive = percentage;
  if (adaptive <= 0) {
    adaptive = 50 - Math.trunc(numAllNodes / 125);
    if (adaptive < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) adaptive = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const numNodes = Math.trunc((numAllNodes * adaptive) / 100);
  return numNodes < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : numNodes;
}
