import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { EventQueue } from '../sim/queue.js';
import { Rng } from '../sim/rng.js';
import { runPingPongWorkload, runTimeoutWorkload, runTimerChainWorkload } from './kernel-workloads.js';
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

function peakMemoryMiB(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

/** Kernel throughput: workload (a) timeouts against SimPy side by side, and (b) network ping-pong. */
export async function benchKernel(): Promise<BenchRow[]> {
  runTimeoutWorkload(PROCESSES, 200_000); // warm the JIT so the measured run is steady-state
  const timeouts = runTimeoutWorkload(PROCESSES, TARGET_EVENTS);
  const chains = runTimerChainWorkload(PROCESSES, TARGET_EVENTS);
  const memoryAfterTimeouts = peakMemoryMiB();
  const pingPong = runPingPongWorkload(1_000, TARGET_EVENTS);
  const rows: BenchRow[] = [
    { bench: 'kernel', metric: 'eventsPerSec', value: timeouts.eventsPerSec, unit: 'events/s', note: `(a) ${PROCESSES} components, each its own timer and stream` },
    { bench: 'kernel', metric: 'timerChainEventsPerSec', value: chains.eventsPerSec, unit: 'events/s', note: `(a) ${PROCESSES} timer chains in one component` },
    { bench: 'kernel', metric: 'pingPongEventsPerSec', value: pingPong.eventsPerSec, unit: 'events/s', note: '(b) 1,000 host pairs over the network model' },
    { bench: 'kernel', metric: 'peakRssMiB', value: Math.max(memoryAfterTimeouts, peakMemoryMiB()), unit: 'MiB' },
  ];
  const simpy = runSimPy();
  if (typeof simpy === 'string') {
    rows.push({ bench: 'kernel', metric: 'simpyEventsPerSec', value: Number.NaN, unit: 'events/s', note: `skipped: ${simpy}` });
  } else {
    rows.push({ bench: 'kernel', metric: 'simpyEventsPerSec', value: simpy.eventsPerSec, unit: 'events/s', note: 'SimPy, same workload (a)' });
    rows.push({ bench: 'kernel', metric: 'speedupOverSimpy', value: timeouts.eventsPerSec / simpy.eventsPerSec, unit: 'x', note: '(a) kubesim / SimPy, same run' });
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
