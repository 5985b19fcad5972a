import type { LoadedScenario } from './common.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATION, loadScenarioArg } from './common.js';
import { executeRun } from './run.js';
import { builtinScenarioNames } from '../scenarios/index.js';
import { textTable, type SummaryFile } from '../reports/index.js';

/** Runs every built-in scenario with its own seed and prints one table; outputs go to out/<scenario>/seed-<n>/. */
export function showcaseCommand(quiet: boolean): number {
  const rows: string[][] = [['scenario', 'sim s', 'wall s', 'headline figures', 'convergence s', 'invariants']];
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
    const conv = s.convergence.map((c) => (c.seconds === null ? 'never' : c.seconds.toFixed(1))).join(', ') || '—';
    const violated = s.invariants.filter((i) => !i.held).map((i) => i.name);
    const checked = s.invariants.filter((i) => i.checked).length;
    if (violated.length > 0 && worst === EXIT_OK) worst = EXIT_VIOLATION;
    rows.push([
      name,
      String(s.simulatedSeconds),
      run.wallSeconds.toFixed(2),
      headline(s),
      conv,
      violated.length === 0 ? `${checked} checked, all held` : `VIOLATED: ${violated.join(', ')}`,
    ]);
  }
  process.stdout.write(`${textTable(rows)}\n\noutputs in out/<scenario>/seed-<n>/ (report.html has the charts)\n${rows.length - 1} scenarios in ${((performance.now() - started) / 1000).toFixed(1)}s wall\n`);
  return worst;
}

const SHORT: Readonly<Record<string, string>> = { etcd: 'etcd', 'kube-scheduler': 'sched', 'kube-controller-manager': 'kcm' };

/** The few figures each scenario is about: failovers, split brain, stale writes, availability, pods, commit latency. */
function headline(s: SummaryFile): string {
  const parts: string[] = [];
  for (const [component, e] of Object.entries(s.leaderElection)) {
    const name = SHORT[component] ?? component;
    if (e.failoverSeconds.length > 0) parts.push(`${name} failover ${e.failoverSeconds.map((x) => x.toFixed(1)).join('/')}s`);
    if (e.splitBrainSeconds > 0 && component !== 'etcd') parts.push(`${name} split brain ${e.splitBrainSeconds.toFixed(1)}s, stale writes ${e.staleWrites}`);
  }
  if (s.availability.apiWritableFraction !== null && s.availability.apiWritableFraction < 1) parts.push(`writable ${(100 * s.availability.apiWritableFraction).toFixed(0)}%`);
  if (s.scheduling.podsBound > 0) parts.push(`${s.scheduling.podsBound} pods bound`);
  if (s.store.commitLatencyMs.p50 !== null) parts.push(`commit p50 ${s.store.commitLatencyMs.p50.toFixed(1)}ms`);
  return parts.join('; ');
}
