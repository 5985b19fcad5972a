import type { Micros } from '../../sim/time.js';
import type { ObservedState } from './observed.js';

/** metrics.csv columns, in the SPEC's order; more may only be appended. */
export const METRICS_COLUMNS = [
  't',
  'podsPending',
  'podsRunning',
  'podsReady',
  'podsTerminating',
  'boundThisSecond',
  'storeLeader',
  'storeTerm',
  'schedulerLeader',
  'controllerManagerLeader',
  'apiRequests',
  'apiErrors',
  'partitionsActive',
  // Beyond the SPEC's minimum (appended, so the required order is kept):
  'storeCommits',
] as const;

export type MetricsColumn = (typeof METRICS_COLUMNS)[number];
export type MetricsRow = { readonly [K in MetricsColumn]: K extends 'storeLeader' | 'schedulerLeader' | 'controllerManagerLeader' ? string : number };

/** Takes one row from the observed state and resets the per-second counters. */
export function takeMetricsRow(timeUs: Micros, state: ObservedState): MetricsRow {
  const row: MetricsRow = {
    t: timeUs / 1_000_000,
    podsPending: state.pods.pending,
    podsRunning: state.pods.running,
    podsReady: state.pods.ready,
    podsTerminating: state.pods.terminating,
    boundThisSecond: state.bindingsThisSecond,
    storeLeader: state.storeLeader,
    storeTerm: state.storeTerm,
    schedulerLeader: state.leaders.get('kube-scheduler') ?? '',
    controllerManagerLeader: state.leaders.get('kube-controller-manager') ?? '',
    apiRequests: state.apiRequestsThisSecond,
    apiErrors: state.apiErrorsThisSecond,
    partitionsActive: state.partitionsActive,
    storeCommits: state.storeCommitsThisSecond,
  };
  state.storeCommitsThisSecond = 0;
  state.bindingsThisSecond = 0;
  state.apiRequestsThisSecond = 0;
  state.apiErrorsThisSecond = 0;
  return row;
}
