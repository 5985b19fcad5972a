import type { LoadedScenario } from './common.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATION, loadScenarioArg } from './common.js';
import { executeRun } from './run.js';
import { builtinScenarioNames } from '../scenarios/index.js';
import { textTable } from '../reports/index.js';

/** Runs every built-in scenario with its own seed and prints one table; outputs go to out/<scenario>/seed-<n>/. */
export function showcaseCommand(quiet: boolean): number {
  const rows: string[][] = [['scenario', 'sim s', 'wall s', 'events', 'store leader changes', 'convergence s', 'invariants', 'outputs']];
  let worst = EXIT_OK;
  const started = performance.now();
  for (const name of builtinScenarioNames()) {
    const loaded: LoadedScenario = loadScenarioArg(name);
    if (!quiet && process.stderr.isTTY === true) process.stderr.write(`running ${name}…\n`);
    const run = executeRun(loaded, { json: false, quiet: true });
    if ('internalError' in run) {
      rows.push([name, '', '', '', '', '', 'INTERNAL ERROR', '']);
      worst = EXIT_INTERNAL;
      continue;
    }
    const s = run.summary;
    const conv = s.convergence.map((c) => (c.seconds === null ? 'never' : String(c.seconds))).join(', ') || '—';
    const violated = s.invariants.filter((i) => !i.held).map((i) => i.name);
    const checked = s.invariants.filter((i) => i.checked).length;
    if (violated.length > 0 && worst === EXIT_OK) worst = EXIT_VIOLATION;
    rows.push([
      name,
      String(s.simulatedSeconds),
      run.wallSeconds.toFixed(2),
      String(s.events),
      String(s.store.leaderChanges),
      conv,
      violated.length === 0 ? `${checked} checked, all held` : `VIOLATED: ${violated.join(', ')}`,
      run.outDir,
    ]);
  }
  process.stdout.write(`${textTable(rows)}\n\n${rows.length - 1} scenarios in ${((performance.now() - started) / 1000).toFixed(1)}s wall\n`);
  return worst;
}
