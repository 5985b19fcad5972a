import type { InvariantResult } from './kinds.js';

/** p50/p90/p99 in milliseconds; null when there was nothing to measure (never a made-up 0). */
export interface Percentiles {
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface ConvergenceRecord {
  /** The fault as written in the scenario, e.g. `crash leader(etcd) → master-2`. */
  readonly fault: string;
  readonly injectedAt: number;
  /** End of the fault (heal or restart); null for a permanent fault. */
  readonly healedAt: number | null;
  readonly convergedAt: number | null;
  /** From the fault's end (injection if permanent) to convergence; null if it never converged. */
  readonly seconds: number | null;
}

export interface ElectionFigures {
  transitions: number;
  failoverSeconds: number[];
  splitBrainSeconds: number;
  staleWrites: number;
  /** Leader writes the API server refused for a stale fencing token (0 when fencing is off). */
  fencedWrites: number;
}

/** summary.json minus what only the CLI knows (version, wallSeconds). Field order is the file's order. */
export interface RunSummary {
  scenario: string;
  seed: number;
  simulatedSeconds: number;
  events: number;
  traceHash: string;
  invariants: InvariantResult[];
  scheduling: { podsBound: number; throughputPerSec: { mean: number; peak: number }; latencyMs: Percentiles };
  podStartup: { latencyMs: Percentiles };
  convergence: ConvergenceRecord[];
  leaderElection: Record<string, ElectionFigures>;
  store: {
    leaderChanges: number;
    commits: number;
    commitLatencyMs: { p50: number | null; p99: number | null };
    writesPerSec: number;
    /** Snapshots taken by members (every snapshotCount applied entries) and installed from a leader (InstallSnapshot). */
    snapshots: { taken: number; installed: number };
  };
  api: {
    requests: number;
    byCode: Record<string, number>;
    rejectedByStage: { authentication: number; authorization: number; mutating: number; schema: number; validating: number };
  };
  availability: { apiWritableFraction: number | null };
  /** Placement quality (scheduler policy comparisons): CPU requested / allocatable, sampled each second. */
  placement: { utilisationMean: number; utilisationMax: number; nodesUsed: number; fragmentation: number; preemptions: number; reschedules: number };
  /** Components wired into this run (the rest of the figures are 0/null because they are absent). */
  components: string[];
}

/** The part of the summary each component kind fills in (everything but the run identity). */
export type SummaryBuilder = Omit<RunSummary, 'scenario' | 'seed' | 'simulatedSeconds' | 'events' | 'traceHash' | 'invariants' | 'convergence' | 'components'>;

export function emptySummaryParts(): SummaryBuilder {
  return {
    scheduling: { podsBound: 0, throughputPerSec: { mean: 0, peak: 0 }, latencyMs: { p50: null, p90: null, p99: null } },
    podStartup: { latencyMs: { p50: null, p90: null, p99: null } },
    leaderElection: {},
    store: { leaderChanges: 0, commits: 0, commitLatencyMs: { p50: null, p99: null }, writesPerSec: 0, snapshots: { taken: 0, installed: 0 } },
    api: {
      requests: 0,
      byCode: {},
      rejectedByStage: { authentication: 0, authorization: 0, mutating: 0, schema: 0, validating: 0 },
    },
    availability: { apiWritableFraction: null },
    placement: { utilisationMean: 0, utilisationMax: 0, nodesUsed: 0, fragmentation: 0, preemptions: 0, reschedules: 0 },
  };
}

/** Nearest-rank percentile of unsorted samples; null for none. Sorts a copy. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  // A typed copy sorts numerically without a comparator call per comparison.
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

/** Rounds for output so files stay readable and stable (microsecond precision for seconds). */
export function round(value: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
