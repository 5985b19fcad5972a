// `npm run bench` runs every benchmark and prints a table; `npm run bench -- NAME… --json` runs the
// named ones and prints one JSON object per line (SPEC.md). Wall-clock figures live only here.
import { benchEnvelope } from './envelope.js';
import { benchKernel } from './kernel.js';
import { benchScheduler } from './scheduler.js';
import { benchFigure16, benchStore } from './store.js';
import { benchStoreWatch } from './storeWatch.js';
import type { BenchRow, Benchmark } from './result.js';
import { tuneV8ForSimulation } from '../cli/v8Tuning.js';

tuneV8ForSimulation();

const BENCHMARKS: ReadonlyMap<string, Benchmark> = new Map<string, Benchmark>([
  ['kernel', benchKernel],
  ['store', benchStore],
  ['storeWatch', benchStoreWatch],
  ['figure16', benchFigure16],
  ['scheduler', benchScheduler],
  ['envelope', benchEnvelope],
]);

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 1e5) return value.toExponential(3);
  return value.toFixed(Math.abs(value) >= 100 ? 0 : 3);
}

function printTable(rows: readonly BenchRow[]): void {
  const header = ['bench', 'metric', 'value', 'unit', 'note'];
  const lines = rows.map((r) => [r.bench, r.metric, formatValue(r.value), r.unit, r.note ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  console.log(format(header));
  console.log(format(widths.map((w) => '-'.repeat(w))));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.has(n));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${[...BENCHMARKS.keys()].join(', ')}`);
    process.exit(2);
  }
  const selected = names.length > 0 ? names : [...BENCHMARKS.keys()];
  // The full envelope (5,000 nodes, 150,000 pods, a steady hour) takes many minutes; the default run
  // measures it at a tenth of the size unless the scale is set. `npm run bench -- envelope` is full size.
  if (names.length === 0 && process.env['KUBESIM_ENVELOPE_SCALE'] === undefined) {
    process.env['KUBESIM_ENVELOPE_SCALE'] = '0.1';
    process.env['KUBESIM_ENVELOPE_STEADY'] ??= '600';
    console.error('envelope: at scale 0.1 (500 nodes, 15,000 pods, 600 s steady); `npm run bench -- envelope` runs the full size');
  }
  const rows: BenchRow[] = [];
  for (const name of selected) {
    const run = BENCHMARKS.get(name);
    if (run === undefined) continue;
    const produced = await run();
    if (json) for (const row of produced) console.log(JSON.stringify({ bench: row.bench, metric: row.metric, value: row.value, unit: row.unit }));
    rows.push(...produced);
  }
  if (!json) printTable(rows);
}

await main();
