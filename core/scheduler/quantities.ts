import { parseMilli, parseValue } from '../api/quantity.js';

/**
 * The two conversions the scheduler needs from resource quantity strings, delegating to
 * core/api/quantity.ts (exact, rounded up as upstream's MilliValue/Value). Pods of one workload
 * repeat the same few strings, so results are memoised: buildPodInfo runs for every pod version.
 */
const MEMO_LIMIT = 4096;
const milliMemo = new Map<string, number>();
const unitMemo = new Map<string, number>();

function memo(map: Map<string, number>, q: string, parse: (q: string) => number): number {
  const hit = map.get(q);
  if (hit !== undefined) return hit;
  const v = parse(q);
  if (map.size < MEMO_LIMIT) map.set(q, v);
  return v;
}

/** CPU quantity → millicores. Throws QuantityError on malformed input (validation rejects it earlier). */
export function cpuMilli(q: string): number {
  return memo(milliMemo, q, parseMilli);
}

/** Any other quantity → integer base units (bytes, counts). */
export function units(q: string): number {
  return memo(unitMemo, q, parseValue);
}
