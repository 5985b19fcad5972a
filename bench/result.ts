/** One figure of a benchmark, in SPEC.md's `--json` line format. */
export interface BenchRow {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** Free-form context shown in the table (not part of the JSON contract). */
  readonly note?: string;
}

export type Benchmark = () => BenchRow[] | Promise<BenchRow[]>;
