/**
 * Plugin outcome codes, as in kube-scheduler's framework. Expected failures (a node that does not
 * fit) are values, never exceptions (DESIGN principle 5).
 */
export const Code = {
  Success: 0,
  /** The node does not fit now; preemption may help. */
  Unschedulable: 1,
  /** The node can never fit this pod (e.g. node affinity); preemption cannot help. */
  UnschedulableAndUnresolvable: 2,
  /** An internal error; the pod is retried with backoff. */
  Error: 3,
  /** PreFilter/PreScore: the plugin has nothing to do for this pod; its Filter/Score are not run. */
  Skip: 4,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

/** Highest score a Score plugin may return after normalisation (upstream's MaxNodeScore). */
export const MaxNodeScore = 100;

export interface Status {
  readonly code: Code;
  /** Human-readable reasons, upstream's wording ("Insufficient cpu"). */
  readonly reasons: readonly string[];
  /** Name of the plugin that failed; set by the framework when it records a failure. */
  readonly plugin?: string;
}

/** Shared success value: the hot path returns it instead of allocating. */
export const SUCCESS: Status = Object.freeze({ code: Code.Success, reasons: Object.freeze([]) });
export const SKIP: Status = Object.freeze({ code: Code.Skip, reasons: Object.freeze([]) });

/** Builds a frozen status; plugins build their failure statuses once, at load time, and reuse them. */
export function status(code: Code, ...reasons: string[]): Status {
  return Object.freeze({ code, reasons: Object.freeze(reasons) });
}

export function isSuccess(s: Status): boolean {
  return s.code === Code.Success;
}

/** Unschedulable or UnschedulableAndUnresolvable: an expected "does not fit". */
export function isRejected(s: Status): boolean {
  return s.code === Code.Unschedulable || s.code === Code.UnschedulableAndUnresolvable;
}
