import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { EventQueue } from '../sim/queue.js';
import { Rng } from '../sim/rng.js';
import { runPingPongWorkload, runTimeoutWorkload, runTimerChainWorkload, type WorkloadResult } from './kernel-workloads.js';
import type { BenchRow } from './result.js';

const PROCESSES = 10_000;
const TARGET_EVENTS = 2_000_000;
const PYTHON = '/usr/bin/python3';

interface SimPyFigure {
  readonly eventsPerSec: number;
}

/** Runs the SimPy model of workload (a); undefined (with the reason) when SimPy is not installed. */
function runSimPy(): SimPyFigure | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const script = fileURLToPath(new URL('./simpy_timeout.py', import.meta.url));
  const result = spawnSync(PYTHON, [script, String(PROCESSES), String(TARGET_EVENTS)], { encoding: 'utf8' });
  if (result.status !== 0) {
    return /No module named .simpy/.test(result.stderr) ? 'SimPy is not installed (apt-get install python3-simpy3)' : `SimPy failed: ${result.stderr.trim().split('\n').pop() ?? ''}`;
  }
  return JSON.parse(result.stdout.trim()) as SimPyFigure;
}

/** The median of `runs` SimPy runs (the same treatment as ours, minus the warm-up CPython does not need). */
function medianSimPy(runs: number): SimPyFigure | string {
  const figures: SimPyFigure[] = [];
  for (let i = 0; i < runs; i++) {
    const figure = runSimPy();
    if (typeof figure === 'string') return figure;
    figures.push(figure);
  }
  figures.sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  return figures[figures.length >> 1] as SimPyFigure;
}

function peakMemoryMiB(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

const WARM_UP_RUNS = 2;
const MEASURED_RUNS = 5;

/**
 * Runs a workload until the optimiser has settled (V8 keeps re-optimising the event loop over the
 * first few million events), then reports the median of MEASURED_RUNS runs; the note gives the
 * spread. (A forced full GC between runs was tried and made the next run slower, not steadier.)
 */
function steadyState(workload: () => WorkloadResult): { result: WorkloadResult; spread: string } {
  for (let i = 0; i < WARM_UP_RUNS; i++) workload();
  const runs: WorkloadResult[] = [];
  for (let i = 0; i < MEASURED_RUNS; i++) runs.push(workload());
  const hashes = new Set(runs.map((r) => r.traceHash));
  if (hashes.size !== 1) throw new Error(`kernel bench: the same seed gave ${hashes.size} different trace hashes`);
  runs.sort((a, b) => a.eventsPerSec - b.eventsPerSec);
  const median = runs[runs.length >> 1] as WorkloadResult;
  const low = (runs[0] as WorkloadResult).eventsPerSec / 1e6;
  const high = (runs[runs.length - 1] as WorkloadResult).eventsPerSec / 1e6;
  return { result: median, spread: `median of ${MEASURED_RUNS} after ${WARM_UP_RUNS} warm-up runs; range ${low.toFixed(2)}–${high.toFixed(2)} M/s` };
}

/** Kernel throughput: workload (a) timeouts against SimPy side by side, and (b) network ping-pong. */
export async function benchKernel(): Promise<BenchRow[]> {
  const timeouts = steadyState(() => runTimeoutWorkload(PROCESSES, TARGET_EVENTS));
  const chains = steadyState(() => runTimerChainWorkload(PROCESSES, TARGET_EVENTS));
  const memoryAfterTimeouts = peakMemoryMiB();
  const pingPong = steadyState(() => runPingPongWorkload(1_000, TARGET_EVENTS));
  const rows: BenchRow[] = [
    { bench: 'kernel', metric: 'eventsPerSec', value: timeouts.result.eventsPerSec, unit: 'events/s', note: `(a) ${PROCESSES} components, each its own timer and stream; ${timeouts.spread}` },
    { bench: 'kernel', metric: 'timerChainEventsPerSec', value: chains.result.eventsPerSec, unit: 'events/s', note: `(a) ${PROCESSES} timer chains in one component; ${chains.spread}` },
    { bench: 'kernel', metric: 'pingPongEventsPerSec', value: pingPong.result.eventsPerSec, unit: 'events/s', note: `(b) 1,000 host pairs over the network model; ${pingPong.spread}` },
    { bench: 'kernel', metric: 'peakRssMiB', value: Math.max(memoryAfterTimeouts, peakMemoryMiB()), unit: 'MiB' },
  ];
  const simpy = medianSimPy(3);
  if (typeof simpy === 'string') {
    rows.push({ bench: 'kernel', metric: 'simpyEventsPerSec', value: Number.NaN, unit: 'events/s', note: `skipped: ${simpy}` });
  } else {
    rows.push({ bench: 'kernel', metric: 'simpyEventsPerSec', value: simpy.eventsPerSec, unit: 'events/s', note: 'SimPy, same workload (a); median of 3 runs' });
    rows.push({ bench: 'kernel', metric: 'speedupOverSimpy', value: timeouts.result.eventsPerSec / simpy.eventsPerSec, unit: 'x', note: '(a) kubesim / SimPy, same run' });
  }
  rows.push(...(await microBenchmarks()));
  return rows;
}

/** Per-operation costs of the hot primitives, with tinybench. */
async function microBenchmarks(): Promise<BenchRow[]> {
  const queue = new EventQueue(16_384);
  const rng = Rng.fromSeed(1);
  let now = 0;
  for (let i = 0; i < 10_000; i++) queue.push(Math.ceil(rng.exponential(1e6)), 0, i, 0, undefined);
  const bench = new Bench({ time: 300 });
  bench
    .add('queue pop+push (10k pending)', () => {
      const slot = queue.pop();
      now = queue.poppedTime;
      queue.release(slot);
      queue.push(now + Math.ceil(rng.exponential(1e6)), 0, 0, 0, undefined);
    })
    .add('rng lognormal draw', () => {
      rng.lognormal(500, 5000);
    });
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result as { throughput?: { mean?: number } } | undefined;
    return { bench: 'kernel', metric: `ops/s ${task.name}`, value: result?.throughput?.mean ?? Number.NaN, unit: 'ops/s' };
  });
}
