/** Exhaustiveness check for discriminated unions: reaching this is a bug, so it throws. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** Invariant check; a failure is a bug (DESIGN principle 5), never an expected outcome. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
