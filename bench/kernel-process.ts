// One kernel workload in a process of its own: `node --import tsx bench/kernel-process.ts NAME`.
// Prints one JSON line: {"eventsPerSec": [...measured runs], "traceHash": "...", "peakRssMiB": N}.
// A fresh process per workload keeps one workload's component classes from making another's
// dispatch polymorphic, as they would if all ran in one process (issue 2's (a) and (b) are separate
// programs in SimPy too).
import { tuneV8ForSimulation } from '../cli/v8Tuning.js';
import { runPingPongWorkload, runTimeoutWorkload, runTimerChainWorkload, type WorkloadResult } from './kernel-workloads.js';

tuneV8ForSimulation();

const KERNEL_WORKLOADS = {
  components: () => runTimeoutWorkload(10_000, 2_000_000),
  chains: () => runTimerChainWorkload(10_000, 2_000_000),
  pingPong: () => runPingPongWorkload(1_000, 2_000_000),
} satisfies Record<string, () => WorkloadResult>;

/** Runs before measuring: V8 keeps re-optimising the event loop over the first few million events. */
const WARM_UP_RUNS = 2;
const MEASURED_RUNS = 3;

const name = process.argv[2] as keyof typeof KERNEL_WORKLOADS | undefined;
const workload = name === undefined ? undefined : KERNEL_WORKLOADS[name];
if (workload === undefined) {
  process.stderr.write(`usage: kernel-process.ts ${Object.keys(KERNEL_WORKLOADS).join('|')}\n`);
  process.exit(2);
}
for (let i = 0; i < WARM_UP_RUNS; i++) workload();
const runs: WorkloadResult[] = [];
for (let i = 0; i < MEASURED_RUNS; i++) runs.push(workload());
const hashes = new Set(runs.map((r) => r.traceHash));
if (hashes.size !== 1) throw new Error(`kernel bench: the same seed gave ${hashes.size} different trace hashes`);
process.stdout.write(
  `${JSON.stringify({ eventsPerSec: runs.map((r) => r.eventsPerSec), traceHash: runs[0]?.traceHash, peakRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
