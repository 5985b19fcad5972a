/**
 * Scheduler policies `--policy` and `compare --policies` accept. `default` is the upstream profile
 * (NodeResourcesFit LeastAllocated + BalancedAllocation, spread); more appear here as the scheduler
 * exposes them.
 */
export const SCHEDULER_POLICIES: readonly string[] = ['default'];
