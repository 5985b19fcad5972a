import type { Micros } from '../../sim/time.js';
import type { CycleWork } from './algorithm.js';

/**
 * Simulated CPU time of one scheduling cycle on the master, charged with ctx.useCpu. The cycle
 * costs a fixed part (queue pop, cycle state, assume, binding hand-off) plus a part per node
 * filtered and per node scored. Calibrated in docs/scheduler.md so that the default profile at
 * 5,000 nodes (500 nodes filtered and scored per cycle under the adaptive percentage) spends about
 * 1.33 ms per pod, i.e. ~750 pods/s, inside upstream scheduler_perf SchedulingBasic's 680–810.
 */
export interface SchedulerCostModel {
  /** Fixed cost per cycle, µs. */
  readonly cycleBaseUs: number;
  /** Per node run through the Filter plugins, µs. */
  readonly perNodeFilteredUs: number;
  /** Per feasible node run through the Score plugins, µs. */
  readonly perNodeScoredUs: number;
  /** Per preemption dry run on one node, µs (PostFilter is far costlier than a filter pass). */
  readonly perPreemptionNodeUs: number;
}

export const DEFAULT_COST_MODEL: SchedulerCostModel = Object.freeze({
  cycleBaseUs: 300,
  perNodeFilteredUs: 0.7,
  perNodeScoredUs: 1.35,
  perPreemptionNodeUs: 5,
});

/** Simulated CPU time for a cycle that did `work` (and examined `preemptionNodes` for preemption). */
export function cycleCostUs(model: SchedulerCostModel, work: CycleWork, preemptionNodes = 0): Micros {
  return Math.round(
    model.cycleBaseUs +
      work.nodesFiltered * model.perNodeFilteredUs +
      work.nodesScored * model.perNodeScoredUs +
      preemptionNodes * model.perPreemptionNodeUs,
  );
}
