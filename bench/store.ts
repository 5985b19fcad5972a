// Store benchmarks (issue 3): simulated write throughput and commit latency for 1/3/5/7 members under
// the same saturating load, the wall-clock cost per committed write, and the Raft paper's Figure 16.
// Simulated figures come from the virtual clock; only `wallUsPerWrite` is wall-clock (DESIGN §10).
import { performance } from 'node:perf_hooks';
import { StoreCluster } from '../core/store/storeCluster.js';
import { FIGURE16_ROWS, runFigure16 } from '../core/store/figure16.js';
import type { Figure16Result } from '../core/store/figure16.js';
import type { BenchRow } from './result.js';

const WARMUP_US = 3_000_000;
const MEASURE_US = 10_000_000;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

export interface StoreLoadFigures {
  readonly members: number;
  readonly writesPerSec: number;
  readonly commitP50Ms: number;
  readonly commitP99Ms: number;
  readonly wallUsPerWrite: number;
}

/**
 * One cluster size under a closed-loop load that saturates it: 8 clients × 16 writes in flight on
 * 1,000 keys, datacenter network (median 500µs, p99 5ms) and SSD fsync (median 2ms, p99 10ms).
 * Throughput is then in-flight writes ÷ latency, so it falls as the quorum (and its slowest member) grows.
 */
export function measureStoreLoad(members: number, seed = 1): StoreLoadFigures {
  const cluster = new StoreCluster({ seed, members, clients: 8, keys: 1_000, meanGapUs: 200, maxInFlight: 16, readShare: 0, record: false });
  const commitLatencies: number[] = [];
  let commits = 0;
  cluster.sim.onObservation((time, _name, obs) => {
    if (obs.type !== 'store.commit' || time < WARMUP_US) return;
    const lat = obs['latenciesUs'];
    if (Array.isArray(lat)) {
      for (const x of lat) if (typeof x === 'number') commitLatencies.push(x);
      commits += lat.length;
    }
  });
  cluster.sim.run({ until: WARMUP_US });
  const wallStart = performance.now();
  cluster.sim.run({ until: WARMUP_US + MEASURE_US });
  const wallUs = (performance.now() - wallStart) * 1000;
  commitLatencies.sort((a, b) => a - b);
  return {
    members,
    writesPerSec: commits / (MEASURE_US / 1e6),
    commitP50Ms: quantile(commitLatencies, 0.5) / 1000,
    commitP99Ms: quantile(commitLatencies, 0.99) / 1000,
    wallUsPerWrite: commits > 0 ? wallUs / commits : NaN,
  };
}

export function benchStore(): BenchRow[] {
  const rows: BenchRow[] = [];
  let base = NaN;
  for (const members of [1, 3, 5, 7]) {
    const f = measureStoreLoad(members);
    if (members === 1) base = f.writesPerSec;
    const note = `${members} member(s); ${((f.writesPerSec / base) * 100).toFixed(0)}% of 1-member throughput`;
    rows.push(
      { bench: 'store', metric: `writesPerSec.m${members}`, value: f.writesPerSec, unit: 'writes/s (simulated)', note },
      { bench: 'store', metric: `commitLatencyP50.m${members}`, value: f.commitP50Ms, unit: 'ms (simulated)' },
      { bench: 'store', metric: `commitLatencyP99.m${members}`, value: f.commitP99Ms, unit: 'ms (simulated)' },
      { bench: 'store', metric: `wallPerWrite.m${members}`, value: f.wallUsPerWrite, unit: 'µs wall/write' },
    );
  }
  return rows;
}

/** Figure 16 with the full 1000 trials per row (capped rows: 100 trials at a 10s cap). */
export function figure16Results(trials = 1000): Figure16Result[] {
  return FIGURE16_ROWS.map((row) => runFigure16({ ...row, trials: row.capMs === undefined ? trials : Math.min(trials, 100) }));
}

/** The Figure 16 rows as bench figures (median, p90, max time to a new leader). */
export function benchFigure16(): BenchRow[] {
  return figure16Results().flatMap((r) => [
    { bench: 'figure16', metric: `median.${r.label}`, value: r.medianMs, unit: 'ms', note: `${r.trials} trials${r.capped > 0 ? `, ${r.capped} capped` : ''}` },
    { bench: 'figure16', metric: `p90.${r.label}`, value: r.p90Ms, unit: 'ms' },
    { bench: 'figure16', metric: `max.${r.label}`, value: r.maxMs, unit: 'ms' },
  ]);
}

/** A printable table of Figure 16 (paper: 150–155ms median 287ms; 150–200ms worst 513ms; 150–150ms >10s). */
export function figure16Table(results: readonly Figure16Result[] = figure16Results()): string {
  const lines = ['timeouts                     trials  median ms  p90 ms  max ms  capped'];
  for (const r of results) {
    lines.push(
      `${r.label.padEnd(28)} ${String(r.trials).padStart(6)} ${r.medianMs.toFixed(0).padStart(10)} ${r.p90Ms.toFixed(0).padStart(7)} ${r.maxMs.toFixed(0).padStart(7)} ${String(r.capped).padStart(7)}`,
    );
  }
  return lines.join('\n');
}
