/** The verdict of one invariant checker, as summary.json reports it (times in simulated seconds). */
export interface CheckResult {
  readonly name: string;
  readonly held: boolean;
  /** Simulated seconds from the start of the run at which the first violation was seen. */
  readonly firstViolationAt?: number;
  readonly detail?: string;
  /** store.linearizable only: the search ran out of budget, so `held` means "no violation found". */
  readonly inconclusive?: boolean;
}

export function violation(name: string, atUs: number, detail: string): CheckResult {
  return { name, held: false, firstViolationAt: atUs / 1e6, detail };
}
