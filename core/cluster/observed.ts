import type { Micros } from '../../sim/time.js';

/** One row of events.csv: simulated seconds, kind, subject, detail. */
export interface EventRow {
  readonly t: number;
  readonly kind: string;
  readonly subject: string;
  readonly detail: string;
}

/** Pod counts as the metrics sampler reads them; a terminating pod counts only in `terminating`. */
export interface PodCounts {
  pending: number;
  running: number;
  ready: number;
  terminating: number;
}

/**
 * What the observers know about the cluster, built only from observations and the harness's own
 * actions (DESIGN principle 6). Each component kind's wiring translates its observations into these
 * shared fields; the metrics sampler, the convergence tracker and the fault injector read them.
 * Fields of kinds not in the run stay at their initial value (0 or ''), never invented.
 */
export class ObservedState {
  /** Endpoint name of the member currently acting as store leader ('' when none is known). */
  storeLeader = '';
  storeTerm = 0;
  /** Current leader identity per leader-elected component (kube-scheduler, kube-controller-manager). */
  readonly leaders = new Map<string, string>();
  /** Endpoint name of the current leader per component, for `leader(X)` targets. */
  readonly leaderEndpoints = new Map<string, string>();
  readonly pods: PodCounts = { pending: 0, running: 0, ready: 0, terminating: 0 };
  /** Whether any pod-level component is in the run (otherwise pod columns mean "not modelled"). */
  podsModelled = false;
  bindingsThisSecond = 0;
  apiRequestsThisSecond = 0;
  apiErrorsThisSecond = 0;
  /** Writes the store committed this second (acknowledged by its leader). */
  storeCommitsThisSecond = 0;
  partitionsActive = 0;
  /** Faults injected and not yet healed (a permanent fault stays counted). */
  faultsActive = 0;
  readonly events: EventRow[] = [];
  /** Intervals during which two or more instances of a component believed they held its lease. */
  readonly splitBrain: Array<{ component: string; startUs: Micros; endUs: Micros | undefined }> = [];

  event(timeUs: Micros, kind: string, subject: string, detail = ''): void {
    this.events.push({ t: timeUs / 1_000_000, kind, subject, detail });
  }
}
