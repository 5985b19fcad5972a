/**
 * Quantity parsing for scenario capacities until core/api/quantity.ts is wired in; accepts the
 * Kubernetes suffixes (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei) and exponents (1e9).
 * Returns the value in base units (cores, bytes) or a message saying what was wrong.
 */
const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
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

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/;

export function parseQuantityValue(input: string | number): number | string {
  if (typeof input === 'number') {
    return Number.isFinite(input) ? input : `invalid quantity ${String(input)}`;
  }
  const match = QUANTITY.exec(input.trim());
  if (match === null) return `invalid quantity "${input}"; expected e.g. 500m, 4, 16Gi, 1e9`;
  const base = Number(match[1]);
  if (match[2] !== undefined) return base * Number(`1${match[2]}`);
  const factor = SUFFIX[match[3] ?? ''];
  if (factor === undefined) return `invalid quantity suffix in "${input}"`;
  return base * factor;
}
