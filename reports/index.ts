// Public face of reports/: the output files of a run, written atomically.
import type { RunResult } from '../core/cluster/index.js';
import { writeFilesAtomically } from './atomic.js';
import { eventsCsv, metricsCsv } from './csv.js';
import { reportHtml } from './html.js';
import { summaryFile, type SummaryFile } from './summary.js';

export { writeFilesAtomically } from './atomic.js';
export { metricsCsv, eventsCsv, EVENT_COLUMNS } from './csv.js';
export { reportHtml } from './html.js';
export { summaryFile } from './summary.js';
export type { SummaryFile } from './summary.js';
export { runSummaryText, textTable } from './table.js';

/** Writes summary.json, metrics.csv, events.csv and report.html into `dir`, all or nothing. */
export function writeRunOutputs(dir: string, result: RunResult, meta: { readonly version: string; readonly wallSeconds: number }): SummaryFile {
  const summary = summaryFile(result, meta);
  writeFilesAtomically(dir, [
    { name: 'summary.json', content: `${JSON.stringify(summary, null, 2)}\n` },
    { name: 'metrics.csv', content: metricsCsv(result.metrics) },
    { name: 'events.csv', content: eventsCsv(result.events) },
    { name: 'report.html', content: reportHtml(result, summary) },
  ]);
  return summary;
}
