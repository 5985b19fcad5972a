import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';

/**
 * client-go's LeaderElectionConfig timings, in local-clock microseconds. Defaults are the ones
 * kube-controller-manager and kube-scheduler ship with (--leader-elect-lease-duration etc.).
 */
export interface LeaderElectionTimings {
  /** How long a non-holder waits, from when it last saw the record change, before taking over; default 15s. */
  readonly leaseDurationUs: Micros;
  /** How long the holder keeps retrying a renew round before giving up leadership; default 10s. */
  readonly renewDeadlineUs: Micros;
  /** Interval between attempts; candidates add jitter of up to 1.2 × this; default 2s. */
  readonly retryPeriodUs: Micros;
}

export const DEFAULT_LEASE_DURATION_US: Micros = s(15);
export const DEFAULT_RENEW_DEADLINE_US: Micros = s(10);
export const DEFAULT_RETRY_PERIOD_US: Micros = s(2);
/** client-go leaderelection.JitterFactor: candidates wait retryPeriod + rand × 1.2 × retryPeriod. */
export const JITTER_FACTOR = 1.2;

export const DEFAULT_TIMINGS: LeaderElectionTimings = Object.freeze({
  leaseDurationUs: DEFAULT_LEASE_DURATION_US,
  renewDeadlineUs: DEFAULT_RENEW_DEADLINE_US,
  retryPeriodUs: DEFAULT_RETRY_PERIOD_US,
});

/**
 * client-go's NewLeaderElector checks: leaseDuration > renewDeadline > JitterFactor × retryPeriod,
 * all positive. Returns the problems found (empty when valid), so the scenario loader can report them.
 */
export function validateTimings(t: LeaderElectionTimings): string[] {
  const problems: string[] = [];
  if (t.leaseDurationUs <= t.renewDeadlineUs) problems.push('leaseDuration must be greater than renewDeadline');
  if (t.renewDeadlineUs <= JITTER_FACTOR * t.retryPeriodUs) problems.push(`renewDeadline must be greater than retryPeriod*${JITTER_FACTOR}`);
  if (t.leaseDurationUs < 1) problems.push('leaseDuration must be greater than zero');
  if (t.renewDeadlineUs < 1) problems.push('renewDeadline must be greater than zero');
  if (t.retryPeriodUs < 1) problems.push('retryPeriod must be greater than zero');
  // Lease.spec.leaseDurationSeconds is an integer, as upstream: sub-second remainders are dropped.
  if (t.leaseDurationUs < s(1)) problems.push('leaseDuration must be at least 1s (the Lease stores whole seconds)');
  return problems;
}
