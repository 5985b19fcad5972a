/**
 * The two conversions the scheduler needs from resource quantity strings: CPU to integer
 * millicores and everything else to integer base units (bytes, counts). Upstream rounds CPU up to
 * the next millicore (MilliValue) and other resources up to the next unit (Value).
 *
 * TEMPORARY: a self-contained parser until core/api/quantity.ts lands; then these delegate to it.
 */

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

function parse(q: string): number {
  const m = QUANTITY.exec(q.trim());
  if (m === null) throw new Error(`invalid quantity "${q}"`);
  const mantissa = Number(m[1]);
  const exp = m[2] === undefined ? 1 : 10 ** Number(m[2]);
  const factor = SUFFIX[m[3] ?? ''] ?? 1;
  return mantissa * exp * factor;
}

/** CPU quantity → millicores, rounded up as upstream's MilliValue does. */
export function cpuMilli(q: string): number {
  // Round away floating noise first ("0.1" * 1000 = 100.00000000000001), then up.
  return Math.ceil(Math.round(parse(q) * 1000 * 1e6) / 1e6);
}

/** Any other quantity → integer base units, rounded up as upstream's Value does. */
export function units(q: string): number {
  return Math.ceil(Math.round(parse(q) * 1e6) / 1e6);
}
