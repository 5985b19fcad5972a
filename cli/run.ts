import { join } from 'node:path';
import { runScenario, type RunResult, type Scenario } from '../core/cluster/index.js';
import { runSummaryText, writeRunOutputs, type SummaryFile } from '../reports/index.js';
import type { Micros } from '../sim/time.js';
import type { CustomPolicyModule } from '../core/scheduler/profiles.js';
import { formatDuration } from '../sim/time.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATION, packageVersion, progressPrinter, shellQuote, type LoadedScenario } from './common.js';

export interface RunCommandOptions {
  readonly seed?: number;
  readonly out?: string;
  readonly untilUs?: Micros;
  readonly policy?: string;
  /** The exports of a custom policy module (already imported by the command). */
  readonly customPolicy?: CustomPolicyModule;
  readonly maxEvents?: number;
  readonly json: boolean;
  readonly quiet: boolean;
}

/** The exact command that replays a run (printed on internal errors and with counterexamples). */
export function replayCommand(arg: string, seed: number, options: Pick<RunCommandOptions, 'untilUs' | 'policy' | 'maxEvents'>): string {
  const parts = ['kubesim', 'run', shellQuote(arg), '--seed', String(seed)];
  if (options.untilUs !== undefined) parts.push('--until', formatDuration(options.untilUs));
  if (options.policy !== undefined) parts.push('--policy', shellQuote(options.policy));
  if (options.maxEvents !== undefined) parts.push('--max-events', String(options.maxEvents));
  return parts.join(' ');
}

export function defaultOutDir(scenario: Scenario, seed: number): string {
  return join('out', scenario.name, `seed-${seed}`);
}

export interface ExecutedRun {
  readonly result: RunResult;
  readonly summary: SummaryFile;
  readonly outDir: string;
  readonly wallSeconds: number;
}

/**
 * One run with outputs written; an exception from the simulation is an internal error: the seed and
 * the replay command are printed and the process exits 3.
 */
export function executeRun(loaded: LoadedScenario, options: RunCommandOptions): ExecutedRun | { readonly internalError: true } {
  const seed = options.seed ?? loaded.scenario.seed;
  const outDir = options.out ?? defaultOutDir(loaded.scenario, seed);
  const started = performance.now();
  let result: RunResult;
  try {
    const progress = progressPrinter(!options.quiet, loaded.scenario.name);
    result = runScenario(loaded.scenario, {
      seed,
      ...(options.untilUs !== undefined ? { untilUs: options.untilUs } : {}),
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      ...(options.customPolicy !== undefined ? { customPolicy: options.customPolicy } : {}),
      ...(options.maxEvents !== undefined ? { maxEvents: options.maxEvents } : {}),
      ...(progress !== undefined ? { onProgress: progress } : {}),
    });
  } catch (e) {
    reportInternalError(e, seed, replayCommand(loaded.arg, seed, options));
    return { internalError: true };
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = writeRunOutputs(outDir, result, { version: packageVersion(), wallSeconds });
  return { result, summary, outDir, wallSeconds };
}

export function reportInternalError(e: unknown, seed: number, replay: string): void {
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`kubesim: internal error (a bug in the simulator, not in your scenario)\n${message}\n`);
  process.stderr.write(`seed: ${seed}\nreplay: ${replay}\n`);
}

export function runCommand(loaded: LoadedScenario, options: RunCommandOptions): number {
  const run = executeRun(loaded, options);
  if ('internalError' in run) return EXIT_INTERNAL;
  if (options.json) process.stdout.write(`${JSON.stringify(run.summary, null, 2)}\n`);
  else if (!options.quiet) process.stdout.write(`${runSummaryText(run.result, run.outDir)}\n`);
  else for (const w of run.result.warnings) process.stderr.write(`warning: ${w}\n`);
  return run.result.allHeld ? EXIT_OK : EXIT_VIOLATION;
}
