import type { Micros } from '../../sim/time.js';

/**
 * Records when the cluster's "converged" predicate changes, so each fault's convergence can be read
 * afterwards: the first moment after the fault ends from which the cluster stays converged until the
 * next fault is injected (or the run ends).
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

  /**
   * First time ≥ fromUs after which the predicate holds through windowEndUs (exclusive); undefined if
   * it is not converged at the end of the window.
   */
  convergedAt(fromUs: Micros, windowEndUs: Micros): Micros | undefined {
    let stateAtEnd = false;
    let since: Micros = 0;
    for (const c of this.changes) {
      if (c.atUs >= windowEndUs) break;
      if (c.converged !== stateAtEnd) {
        stateAtEnd = c.converged;
        since = c.atUs;
      }
    }
    if (!stateAtEnd) return undefined;
    return Math.max(since, fromUs);
  }
}
