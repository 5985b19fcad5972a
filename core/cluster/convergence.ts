import type { Micros } from '../../sim/time.js';

/**
 * Records when the cluster's "converged" predicate changes, so each fault's convergence can be read
 * afterwards: the first moment after the fault ends from which the cluster stays converged until the
 * next disturbance (a fault injected, a workload step) or the end of the run.
 */
export class ConvergenceTracker {
  /** Alternating transitions, starting with the state at time 0. */
  private readonly changes: Array<{ atUs: Micros; converged: boolean }> = [];

  update(timeUs: Micros, converged: boolean): void {
    const last = this.changes[this.changes.length - 1];
    if (last !== undefined && last.converged === converged) return;
    if (last !== undefined && last.atUs === timeUs) {
      // Two changes at one instant: only the final state of that instant counts.
      this.changes.pop();
      const before = this.changes[this.changes.length - 1];
      if (before !== undefined && before.converged === converged) return;
    }
    this.changes.push({ atUs: timeUs, converged });
  }

  isConverged(): boolean {
    return this.changes[this.changes.length - 1]?.converged ?? false;
  }

  /** Whether the predicate held at `atUs` (the state after every change at or before it). */
  private stateAt(atUs: Micros): boolean {
    let state = false;
    for (const c of this.changes) {
      if (c.atUs > atUs) break;
      state = c.converged;
    }
    return state;
  }

  /**
   * The first time t ≥ fromUs from which the predicate holds until `windowEnd(t)` (the next fault
   * injected or workload step after t, or the end of the run); undefined if there is none. A later fault that strikes
   * before convergence does not make the earlier one "never converged": both converge together.
   */
  convergedAt(fromUs: Micros, windowEnd: (t: Micros) => Micros): Micros | undefined {
    const candidates = [fromUs, ...this.changes.filter((c) => c.converged && c.atUs > fromUs).map((c) => c.atUs)];
    for (const t of candidates) {
      if (!this.stateAt(t)) continue;
      const end = windowEnd(t);
      const broken = this.changes.some((c) => !c.converged && c.atUs > t && c.atUs < end);
      if (!broken) return t;
    }
    return undefined;
  }
}
