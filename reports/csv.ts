import { stringify } from 'csv-stringify/sync';
import { METRICS_COLUMNS, type EventRow, type MetricsRow } from '../core/cluster/index.js';

export const EVENT_COLUMNS = ['t', 'kind', 'subject', 'detail'] as const;

/** metrics.csv: header then one row per simulated second, columns in the SPEC's order. */
export function metricsCsv(rows: readonly MetricsRow[]): string {
  return stringify(
    rows.map((r) => METRICS_COLUMNS.map((c) => r[c])),
    { header: true, columns: [...METRICS_COLUMNS], record_delimiter: 'unix' },
  );
}

/** events.csv: simulated time (s), kind, subject, detail. */
export function eventsCsv(rows: readonly EventRow[]): string {
  return stringify(
    rows.map((r) => EVENT_COLUMNS.map((c) => r[c])),
    { header: true, columns: [...EVENT_COLUMNS], record_delimiter: 'unix' },
  );
}
