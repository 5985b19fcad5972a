import type { RunResult, RunSummary } from '../core/cluster/index.js';

/** summary.json: the run's figures plus what only the CLI knows (version, wall time). */
export type SummaryFile = Pick<RunSummary, 'scenario' | 'seed'> & { version: string; simulatedSeconds: number; wallSeconds: number } & Omit<
    RunSummary,
    'scenario' | 'seed' | 'simulatedSeconds'
  >;

/** Builds summary.json in the SPEC's field order. */
export function summaryFile(result: RunResult, meta: { readonly version: string; readonly wallSeconds: number }): SummaryFile {
  const s = result.summary;
  return {
    scenario: s.scenario,
    seed: s.seed,
    version: meta.version,
    simulatedSeconds: s.simulatedSeconds,
    wallSeconds: Math.round(meta.wallSeconds * 1000) / 1000,
    events: s.events,
    traceHash: s.traceHash,
    invariants: s.invariants,
    scheduling: s.scheduling,
    podStartup: s.podStartup,
    convergence: s.convergence,
    leaderElection: s.leaderElection,
    store: s.store,
    api: s.api,
    availability: s.availability,
    placement: s.placement,
    components: s.components,
  };
}
