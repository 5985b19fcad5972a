import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { stringify } from 'csv-stringify/sync';
import type { RunSummary } from '../core/cluster/index.js';
import { textTable, writeFilesAtomically } from '../reports/index.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATION, type LoadedScenario } from './common.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

export const COMPARISON_COLUMNS = [
  'policy',
  'seed',
  'throughputPerSec',
  'latencyP50Ms',
  'latencyP99Ms',
  'podStartupP99Ms',
  'utilisationMean',
  'utilisationMax',
  'nodesUsed',
  'fragmentation',
  'preemptions',
  'reschedules',
  'convergenceSeconds',
] as const;

type Row = Record<(typeof COMPARISON_COLUMNS)[number], string | number | null>;

export function comparisonRow(policy: string, seed: number, s: RunSummary): Row {
  const conv = s.convergence.map((c) => c.seconds);
  return {
    policy,
    seed,
    throughputPerSec: s.scheduling.throughputPerSec.mean,
    latencyP50Ms: s.scheduling.latencyMs.p50,
    latencyP99Ms: s.scheduling.latencyMs.p99,
    podStartupP99Ms: s.podStartup.latencyMs.p99,
    utilisationMean: s.placement.utilisationMean,
    utilisationMax: s.placement.utilisationMax,
    nodesUsed: s.placement.nodesUsed,
    fragmentation: s.placement.fragmentation,
    preemptions: s.placement.preemptions,
    reschedules: s.placement.reschedules,
    // The slowest fault's convergence; empty without faults, and empty if any never converged.
    convergenceSeconds: conv.length === 0 || conv.some((c) => c === null) ? null : Math.max(...conv.map((c) => c ?? 0)),
  };
}

/** Two-sided 97.5% quantiles of Student's t for n−1 = 1..30 degrees of freedom; 1.96 beyond. */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean and half-width of the 95% confidence interval (Student's t); null when there is no value. */
export function meanCi(values: readonly number[]): { mean: number; ci: number } | null {
  const n = values.length;
  if (n === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, ci: 0 };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const t = T975[n - 2] ?? 1.96;
  return { mean, ci: (t * Math.sqrt(variance)) / Math.sqrt(n) };
}

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** Runs every request on a pool of worker threads; replies in request order. */
export async function runOnWorkers(requests: readonly WorkerRequest[], threads: number): Promise<WorkerReply[]> {
  const replies: WorkerReply[] = new Array<WorkerReply>(requests.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(threads, requests.length)) }, () => new Worker(WORKER_ENTRY));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = (): void => {
              const i = next++;
              const req = requests[i];
              if (req === undefined) return resolve();
              w.once('message', (reply: WorkerReply) => {
                replies[i] = reply;
                feed();
              });
              w.postMessage(req);
            };
            w.once('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return replies;
}

export interface CompareOptions {
  readonly policies: readonly string[];
  readonly seeds: readonly number[];
  readonly out: string;
  readonly quiet: boolean;
}

/** The same scenario under each policy and seed, on worker threads; comparison.csv and a mean ± 95% CI table. */
export async function compareCommand(loaded: LoadedScenario, options: CompareOptions): Promise<number> {
  const requests: WorkerRequest[] = [];
  for (const policy of options.policies) for (const seed of options.seeds) requests.push({ scenarioPath: loaded.path, seed, policy });
  if (!options.quiet && process.stderr.isTTY === true) process.stderr.write(`${requests.length} runs on ${Math.min(availableParallelism(), requests.length)} threads…\n`);
  const replies = await runOnWorkers(requests, availableParallelism());
  const rows: Row[] = [];
  let violated = false;
  for (const [i, reply] of replies.entries()) {
    const req = requests[i];
    if (req === undefined) continue;
    if (!reply.ok) {
      process.stderr.write(`kubesim: internal error in run policy=${req.policy ?? ''} seed=${req.seed}\n${reply.error}\n`);
      process.stderr.write(`seed: ${req.seed}\nreplay: kubesim run ${loaded.arg} --seed ${req.seed} --policy ${req.policy ?? 'default'}\n`);
      return EXIT_INTERNAL;
    }
    if (!reply.allHeld) violated = true;
    rows.push(comparisonRow(req.policy ?? 'default', req.seed, JSON.parse(reply.summaryJson) as RunSummary));
  }
  const csv = stringify(
    rows.map((r) => COMPARISON_COLUMNS.map((c) => r[c] ?? '')),
    { header: true, columns: [...COMPARISON_COLUMNS], record_delimiter: 'unix' },
  );
  writeFilesAtomically(options.out, [{ name: 'comparison.csv', content: csv }]);
  const metrics = COMPARISON_COLUMNS.filter((c) => c !== 'policy' && c !== 'seed');
  const table: string[][] = [['metric', ...options.policies]];
  for (const m of metrics) {
    table.push([
      m,
      ...options.policies.map((p) => {
        const values = rows.filter((r) => r.policy === p).map((r) => r[m]).filter((v): v is number => typeof v === 'number');
        const stat = meanCi(values);
        return stat === null ? '—' : `${fmt(stat.mean)} ± ${fmt(stat.ci)}`;
      }),
    ]);
  }
  process.stdout.write(`${loaded.scenario.name}: ${options.policies.length} policies × ${options.seeds.length} seeds (mean ± 95% CI)\n${textTable(table)}\n\ncomparison.csv: ${join(options.out, 'comparison.csv')}\n`);
  return violated ? EXIT_VIOLATION : EXIT_OK;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(4);
}
