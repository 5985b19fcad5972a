import type { RunResult } from '../core/cluster/index.js';

/** A fixed-width text table; the first row is the header. */
export function textTable(rows: ReadonlyArray<readonly string[]>): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const [head, ...body] = rows;
  if (head === undefined) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function fmt(v: number | null): string {
  return v === null ? '—' : String(v);
}

/** The summary `kubesim run` prints: figures, convergence per fault, invariants. */
export function runSummaryText(result: RunResult, outDir: string | undefined): string {
  const s = result.summary;
  const lines: string[] = [];
  lines.push(`${s.scenario} · seed ${s.seed} · ${s.simulatedSeconds}s simulated · ${s.events} events · trace ${s.traceHash}`);
  lines.push(`components: ${s.components.join(', ') || '(none)'}`);
  const figures: string[][] = [['figure', 'value']];
  figures.push(['store leader changes', String(s.store.leaderChanges)]);
  figures.push(['store commits', String(s.store.commits)]);
  figures.push(['store commit latency p50/p99 ms', `${fmt(s.store.commitLatencyMs.p50)} / ${fmt(s.store.commitLatencyMs.p99)}`]);
  figures.push(['pods bound', String(s.scheduling.podsBound)]);
  figures.push(['scheduling latency p50/p99 ms', `${fmt(s.scheduling.latencyMs.p50)} / ${fmt(s.scheduling.latencyMs.p99)}`]);
  figures.push(['pod startup p50/p99 ms', `${fmt(s.podStartup.latencyMs.p50)} / ${fmt(s.podStartup.latencyMs.p99)}`]);
  figures.push(['API requests', String(s.api.requests)]);
  figures.push(['API writable fraction', fmt(s.availability.apiWritableFraction)]);
  for (const [c, e] of Object.entries(s.leaderElection)) {
    figures.push([`${c} failover s`, e.failoverSeconds.join(', ') || '—']);
    figures.push([`${c} split brain s / stale writes`, `${e.splitBrainSeconds} / ${e.staleWrites}`]);
  }
  lines.push('', textTable(figures));
  if (s.convergence.length > 0) {
    const conv: string[][] = [['fault', 'injected s', 'healed s', 'converged s', 'seconds']];
    for (const c of s.convergence) conv.push([c.fault, String(c.injectedAt), fmt(c.healedAt), fmt(c.convergedAt), c.seconds === null ? 'never' : String(c.seconds)]);
    lines.push('', textTable(conv));
  }
  const inv: string[][] = [['invariant', 'result', 'detail']];
  for (const i of s.invariants) {
    inv.push([i.name, i.held ? (i.checked ? 'held' : 'held (not checked)') : `VIOLATED at ${i.firstViolationAt ?? '?'}s`, i.held ? '' : (i.detail ?? '')]);
  }
  lines.push('', textTable(inv));
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  if (outDir !== undefined) lines.push('', `outputs: ${outDir}/{summary.json,metrics.csv,events.csv,report.html}`);
  return lines.join('\n');
}
