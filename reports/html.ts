import type { MetricsRow, RunResult } from '../core/cluster/index.js';
import type { SummaryFile } from './summary.js';

/**
 * report.html: one self-contained page. Charts are inline SVG drawn here (so they show even with
 * scripts disabled); the run's data is embedded as JSON for the small inline script that adds hover
 * read-outs. Nothing is fetched: no external scripts, styles, fonts or images.
 */
export function reportHtml(result: RunResult, summary: SummaryFile): string {
  const rows = result.metrics;
  const endS = summary.simulatedSeconds;
  const ctx: ChartContext = {
    endS,
    faults: result.faults
      .filter((f) => f.fired)
      .map((f) => ({ label: f.label, start: f.injectedUs / 1e6, end: f.healedUs === undefined ? endS : Math.min(endS, f.healedUs / 1e6) })),
    converged: summary.convergence.flatMap((c) => (c.convergedAt === null ? [] : [{ t: c.convergedAt, label: `converged after ${c.fault}` }])),
  };
  const charts = [
    lineChart(ctx, 'pods', 'Pods', rows, [
      { key: 'podsPending', label: 'pending', color: '#d62728' },
      { key: 'podsRunning', label: 'running', color: '#1f77b4' },
      { key: 'podsReady', label: 'ready', color: '#2ca02c' },
      { key: 'podsTerminating', label: 'terminating', color: '#9467bd' },
    ]),
    lineChart(ctx, 'throughput', 'Scheduling throughput (bindings per second)', rows, [
      { key: 'boundThisSecond', label: 'bound', color: '#ff7f0e' },
    ]),
    lineChart(ctx, 'store-term', 'Store Raft term', rows, [{ key: 'storeTerm', label: 'term', color: '#8c564b' }]),
    lineChart(ctx, 'store-commits', 'Store commits per second', rows, [{ key: 'storeCommits', label: 'commits', color: '#bcbd22' }]),
    laneChart(ctx, 'leaders', 'Leaders over time (hatched: split brain)', rows, [
      { key: 'storeLeader', label: 'etcd', short: 'etcd' },
      { key: 'schedulerLeader', label: 'kube-scheduler', short: 'scheduler' },
      { key: 'controllerManagerLeader', label: 'kube-controller-manager', short: 'ctrl-mgr' },
    ], result.splitBrain),
    lineChart(ctx, 'api', 'API requests and errors per second', rows, [
      { key: 'apiRequests', label: 'requests', color: '#17becf' },
      { key: 'apiErrors', label: 'errors', color: '#d62728' },
    ]),
  ];
  const data = { metrics: rows, faults: ctx.faults, converged: ctx.converged };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>kubesim — ${esc(summary.scenario)} (seed ${summary.seed})</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(summary.scenario)} <small>seed ${summary.seed}</small></h1>
<p class="verdict ${summary.invariants.every((i) => i.held) ? 'ok' : 'bad'}">${summary.invariants.every((i) => i.held) ? 'All checked invariants held' : 'An invariant was violated'}</p>
</header>
<section class="charts">
${charts.join('\n')}
</section>
<p id="readout" class="readout">Hover over a chart for the values at that second.</p>
<section>
<h2>Summary</h2>
${summaryTable(summary)}
</section>
<section>
<h2>Invariants</h2>
<table id="invariants"><thead><tr><th>invariant</th><th>result</th><th>first violation (s)</th><th>detail</th></tr></thead><tbody>
${summary.invariants
  .map(
    (i) =>
      `<tr class="${i.held ? (i.checked ? 'ok' : 'na') : 'bad'}"><td>${esc(i.name)}</td><td>${i.held ? (i.checked ? 'held' : 'held (not checked)') : 'VIOLATED'}</td><td>${i.firstViolationAt ?? ''}</td><td>${esc(i.detail ?? '')}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
</section>
<section>
<h2>Faults and convergence</h2>
<table id="convergence"><thead><tr><th>fault</th><th>injected (s)</th><th>healed (s)</th><th>converged (s)</th><th>seconds</th></tr></thead><tbody>
${summary.convergence
  .map((c) => `<tr><td>${esc(c.fault)}</td><td>${c.injectedAt}</td><td>${c.healedAt ?? '—'}</td><td>${c.convergedAt ?? 'never'}</td><td>${c.seconds ?? '—'}</td></tr>`)
  .join('\n')}
</tbody></table>
</section>
<section>
<h2>Events</h2>
${eventsTable(result)}
</section>
<footer>kubesim ${esc(summary.version)} · trace ${esc(summary.traceHash)} · ${summary.events} events · simulated ${summary.simulatedSeconds}s in ${summary.wallSeconds}s wall</footer>
<script type="application/json" id="run-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

interface ChartContext {
  readonly endS: number;
  readonly faults: ReadonlyArray<{ label: string; start: number; end: number }>;
  readonly converged: ReadonlyArray<{ t: number; label: string }>;
}

type NumericKey = { [K in keyof MetricsRow]: MetricsRow[K] extends number ? K : never }[keyof MetricsRow];
type TextKey = { [K in keyof MetricsRow]: MetricsRow[K] extends string ? K : never }[keyof MetricsRow];

const W = 900;
const PAD_L = 48;
const PAD_R = 12;
const PAD_T = 10;

function xOf(ctx: ChartContext, t: number): number {
  return PAD_L + ((W - PAD_L - PAD_R) * t) / Math.max(ctx.endS, 1e-9);
}

/** Fault windows shaded and convergence moments marked, behind every chart. */
function decorations(ctx: ChartContext, height: number): string {
  const shades = ctx.faults.map(
    (f) =>
      `<rect class="fault" x="${fx(xOf(ctx, f.start))}" y="${PAD_T}" width="${fx(Math.max(1.5, xOf(ctx, f.end) - xOf(ctx, f.start)))}" height="${height}"><title>${esc(f.label)}</title></rect>`,
  );
  const marks = ctx.converged.map(
    (c) => `<line class="converged" x1="${fx(xOf(ctx, c.t))}" x2="${fx(xOf(ctx, c.t))}" y1="${PAD_T}" y2="${PAD_T + height}"><title>${esc(c.label)} at ${c.t}s</title></line>`,
  );
  return [...shades, ...marks].join('');
}

function xAxis(ctx: ChartContext, y: number): string {
  const ticks: string[] = [];
  const step = niceStep(ctx.endS / 8);
  for (let t = 0; t <= ctx.endS + 1e-9; t += step) {
    ticks.push(`<text class="tick" x="${fx(xOf(ctx, t))}" y="${y + 14}" text-anchor="middle">${Number(t.toFixed(3))}s</text>`);
  }
  return `<line class="axis" x1="${PAD_L}" x2="${W - PAD_R}" y1="${y}" y2="${y}"/>${ticks.join('')}`;
}

function lineChart(
  ctx: ChartContext,
  id: string,
  title: string,
  rows: readonly MetricsRow[],
  series: ReadonlyArray<{ key: NumericKey; label: string; color: string }>,
): string {
  const h = 160;
  const max = Math.max(1, ...rows.flatMap((r) => series.map((s) => r[s.key])));
  const yOf = (v: number): number => PAD_T + h - (h * v) / max;
  const paths = series.map((s) => {
    const d = rows.map((r, i) => `${i === 0 ? 'M' : 'L'}${fx(xOf(ctx, r.t))},${fx(yOf(r[s.key]))}`).join('');
    return `<path class="series" data-series="${s.key}" d="${d === '' ? 'M0,0' : d}" stroke="${s.color}"/>`;
  });
  const legend = series.map((s) => `<span class="key" style="--c:${s.color}">${esc(s.label)}</span>`).join('');
  return `<figure class="chart" id="chart-${id}" data-kind="line"><figcaption>${esc(title)} ${legend}</figcaption>
<svg viewBox="0 0 ${W} ${h + PAD_T + 22}" role="img" aria-label="${esc(title)}">
${decorations(ctx, h)}
<text class="tick" x="${PAD_L - 4}" y="${PAD_T + 4}" text-anchor="end">${max}</text><text class="tick" x="${PAD_L - 4}" y="${PAD_T + h}" text-anchor="end">0</text>
${paths.join('\n')}
${xAxis(ctx, PAD_T + h)}
</svg></figure>`;
}

const LANE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function laneChart(
  ctx: ChartContext,
  id: string,
  title: string,
  rows: readonly MetricsRow[],
  lanes: ReadonlyArray<{ key: TextKey; label: string; short: string }>,
  splitBrain: RunResult['splitBrain'],
): string {
  const laneH = 26;
  const h = lanes.length * laneH;
  const colorOf = new Map<string, string>();
  const parts: string[] = [];
  lanes.forEach((lane, li) => {
    const y = PAD_T + li * laneH;
    parts.push(`<text class="lane" x="4" y="${y + 17}">${esc(lane.short)}</text>`);
    // Runs of equal leader become one bar each.
    let start = 0;
    for (let i = 1; i <= rows.length; i++) {
      const prev = rows[i - 1];
      const cur = rows[i];
      if (prev === undefined) continue;
      if (cur !== undefined && cur[lane.key] === prev[lane.key]) continue;
      const first = rows[start];
      const leader = prev[lane.key];
      if (first !== undefined && leader !== '') {
        let color = colorOf.get(leader);
        if (color === undefined) {
          color = LANE_COLORS[colorOf.size % LANE_COLORS.length] ?? '#888';
          colorOf.set(leader, color);
        }
        const x0 = xOf(ctx, first.t);
        const x1 = xOf(ctx, cur === undefined ? Math.min(ctx.endS, prev.t + 1) : cur.t);
        parts.push(
          `<rect class="leader" data-lane="${lane.key}" x="${fx(x0)}" y="${y + 4}" width="${fx(Math.max(1, x1 - x0))}" height="${laneH - 8}" fill="${color}"><title>${esc(lane.label)}: ${esc(leader)} from ${first.t}s</title></rect>`,
        );
        if (x1 - x0 > 40) parts.push(`<text class="inbar" x="${fx(x0 + 4)}" y="${y + 17}">${esc(leader)}</text>`);
      }
      start = i;
    }
    for (const b of splitBrain.filter((sb) => sb.component === lane.label)) {
      parts.push(
        `<rect class="splitbrain" x="${fx(xOf(ctx, b.start))}" y="${y + 2}" width="${fx(Math.max(1.5, xOf(ctx, b.end) - xOf(ctx, b.start)))}" height="${laneH - 4}"><title>split brain ${b.start}s–${b.end}s</title></rect>`,
      );
    }
  });
  return `<figure class="chart" id="chart-${id}" data-kind="lanes"><figcaption>${esc(title)}</figcaption>
<svg viewBox="0 0 ${W} ${h + PAD_T + 22}" role="img" aria-label="${esc(title)}">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#d62728" stroke-width="3"/></pattern></defs>
${decorations(ctx, h)}
${parts.join('\n')}
${xAxis(ctx, PAD_T + h)}
</svg></figure>`;
}

function summaryTable(s: SummaryFile): string {
  const rows: Array<[string, string]> = [
    ['scenario', s.scenario],
    ['seed', String(s.seed)],
    ['simulated seconds', String(s.simulatedSeconds)],
    ['kernel events', String(s.events)],
    ['trace hash', s.traceHash],
    ['components', s.components.join(', ') || '(none)'],
    ['pods bound', String(s.scheduling.podsBound)],
    ['throughput (mean / peak per s)', `${s.scheduling.throughputPerSec.mean} / ${s.scheduling.throughputPerSec.peak}`],
    ['scheduling latency p50/p90/p99 (ms)', pct(s.scheduling.latencyMs)],
    ['pod startup p50/p90/p99 (ms)', pct(s.podStartup.latencyMs)],
    ['store leader changes', String(s.store.leaderChanges)],
    ['store commits', String(s.store.commits)],
    ['store commit latency p50/p99 (ms)', `${s.store.commitLatencyMs.p50 ?? '—'} / ${s.store.commitLatencyMs.p99 ?? '—'}`],
    ['store writes per second', String(s.store.writesPerSec)],
    ['API requests', String(s.api.requests)],
    ['API writable fraction', s.availability.apiWritableFraction === null ? '—' : String(s.availability.apiWritableFraction)],
  ];
  for (const [component, e] of Object.entries(s.leaderElection)) {
    rows.push([
      `${component} leader election`,
      `${e.transitions} transitions; failover ${e.failoverSeconds.join(', ') || '—'} s; split brain ${e.splitBrainSeconds}s; stale writes ${e.staleWrites}`,
    ]);
  }
  return `<table id="summary"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

function eventsTable(result: RunResult): string {
  const limit = 2000;
  const shown = result.events.slice(0, limit);
  const more = result.events.length > limit ? `<p>… ${result.events.length - limit} more in events.csv</p>` : '';
  return `<table id="events"><thead><tr><th>t (s)</th><th>kind</th><th>subject</th><th>detail</th></tr></thead><tbody>${shown
    .map((e) => `<tr><td>${e.t}</td><td>${esc(e.kind)}</td><td>${esc(e.subject)}</td><td>${esc(e.detail)}</td></tr>`)
    .join('')}</tbody></table>${more}`;
}

function pct(p: { p50: number | null; p90: number | null; p99: number | null }): string {
  return [p.p50, p.p90, p.p99].map((v) => (v === null ? '—' : String(v))).join(' / ');
}

function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

function fx(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : '0';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON that cannot close the script element it sits in. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:960px;color:#222;padding:0 1em}
h1 small{font-weight:normal;color:#666;font-size:60%}
.verdict{font-weight:bold;padding:.3em .6em;display:inline-block;border-radius:4px}
.verdict.ok{background:#e6f4ea;color:#1e6b34}.verdict.bad{background:#fde7e9;color:#a3151f}
figure.chart{margin:1em 0}figcaption{font-weight:600;margin-bottom:.2em}
.key{font-weight:normal;margin-left:1em}.key::before{content:"";display:inline-block;width:1em;height:.3em;background:var(--c);margin-right:.3em;vertical-align:middle}
svg{width:100%;height:auto;background:#fafafa;border:1px solid #eee}
path.series{fill:none;stroke-width:1.5}
rect.fault{fill:#f4a261;opacity:.25}line.converged{stroke:#2ca02c;stroke-dasharray:4 3;stroke-width:1.5}
rect.splitbrain{fill:url(#hatch);opacity:.8}rect.leader{opacity:.85}
.tick,.lane,.inbar{font-size:10px;fill:#555}.inbar{fill:#fff}.axis{stroke:#999}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border-bottom:1px solid #eee;padding:.2em .5em;text-align:left;vertical-align:top}
tr.bad td{background:#fde7e9}tr.na td{color:#777}
.readout{font-family:monospace;min-height:1.4em;color:#333}
footer{margin-top:2em;color:#777;font-size:12px}
`;

/** Hover read-out: the metrics row of the second under the pointer. */
const SCRIPT = `
(function(){
  var data = JSON.parse(document.getElementById('run-data').textContent);
  var out = document.getElementById('readout');
  var rows = data.metrics;
  document.querySelectorAll('figure.chart svg').forEach(function(svg){
    svg.addEventListener('mousemove', function(ev){
      var box = svg.getBoundingClientRect();
      var vx = (ev.clientX - box.left) / box.width * ${W};
      var frac = (vx - ${PAD_L}) / (${W} - ${PAD_L} - ${PAD_R});
      if (!rows.length) return;
      var i = Math.max(0, Math.min(rows.length - 1, Math.round(frac * (rows.length - 1))));
      var r = rows[i];
      out.textContent = Object.keys(r).map(function(k){ return k + '=' + r[k]; }).join('  ');
    });
  });
  document.body.setAttribute('data-rendered', String(document.querySelectorAll('figure.chart svg path.series, figure.chart svg rect.leader').length));
})();
`;
