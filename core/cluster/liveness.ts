// liveness.convergesWithin: per-fault convergence records and the verdict over them.
import type { Micros } from '../../sim/time.js';
import type { ConvergenceTracker } from './convergence.js';
import type { FaultWindow } from './faults.js';
import type { InvariantResult } from './kinds.js';
import { round, type ConvergenceRecord } from './summary.js';

/** Per fired fault: when the cluster converged after it (see ConvergenceTracker.convergedAt). */
export function convergenceOf(windows: readonly FaultWindow[], tracker: ConvergenceTracker, endUs: Micros, stepTimesUs: readonly Micros[]): ConvergenceRecord[] {
  const fired = windows.filter((w) => w.fired);
  const disturbances = [...fired.map((w) => w.injectedUs), ...stepTimesUs].sort((a, b) => a - b);
  return fired.map((w) => {
    const fromUs = w.healedUs !== undefined && w.healedUs <= endUs ? w.healedUs : w.injectedUs;
    // Converged means: and stays so until the next fault is injected or the next workload step
    // changes what is wanted (an update to a broken image, say), or the run ends. A step is the
    // scenario's own doing; convergence before it is the fault's recovery.
    const windowEnd = (t: Micros): Micros => disturbances.find((at) => at > t) ?? endUs + 1;
    const at = w.healedUs !== undefined && w.healedUs > endUs ? undefined : tracker.convergedAt(fromUs, windowEnd);
    return {
      fault: w.label,
      injectedAt: round(w.injectedUs / 1e6),
      healedAt: w.healedUs === undefined ? null : round(w.healedUs / 1e6),
      convergedAt: at === undefined ? null : round(at / 1e6),
      seconds: at === undefined ? null : round((at - fromUs) / 1e6),
    };
  });
}

/**
 * Every fault's cluster converges within the limit. A workload step that comes before the limit runs
 * out, while the cluster is still recovering, changes what is wanted: whether the fault alone would
 * have been recovered from in time cannot be told, so that fault is only held to converging at all.
 * And once a fault has fired, the cluster must be converged when the run ends: damage that shows
 * only after a later workload step (a controller wedged by the fault, say) is not excused by the
 * step.
 */
export function livenessResult(
  limit: Micros | undefined,
  stepTimesUs: readonly Micros[],
  convergence: readonly ConvergenceRecord[],
  endUs: Micros,
  convergedAtEnd: boolean,
): InvariantResult {
  if (limit === undefined) return { name: 'liveness.convergesWithin', held: true, checked: false, detail: 'no expect.convergeWithin' };
  const limitS = limit / 1e6;
  const stepsS = stepTimesUs.map((at) => at / 1e6);
  for (const c of convergence) {
    const from = c.healedAt ?? c.injectedAt;
    const interrupted = stepsS.some((at) => at > from && at <= from + limitS);
    if (c.seconds === null || (c.seconds > limitS && !interrupted)) {
      return {
        name: 'liveness.convergesWithin',
        held: false,
        checked: true,
        firstViolationAt: round(from + limitS),
        detail: `${c.fault}: ${c.seconds === null ? 'never converged' : `converged after ${c.seconds}s`} (limit ${limitS}s)`,
      };
    }
  }
  const last = convergence[convergence.length - 1];
  if (last !== undefined && !convergedAtEnd) {
    return {
      name: 'liveness.convergesWithin',
      held: false,
      checked: true,
      firstViolationAt: round(endUs / 1e6),
      detail: `not converged when the run ended (last fault: ${last.fault})`,
    };
  }
  return { name: 'liveness.convergesWithin', held: true, checked: true };
}
