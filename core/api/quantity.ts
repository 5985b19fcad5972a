/**
 * Resource quantities, parsed exactly as apimachinery's resource.ParseQuantity does.
 *
 *   <quantity> ::= <sign>? <number> <suffix>
 *   <number>   ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 *   <suffix>   ::= "" | n | u | m | k | M | G | T | P | E        (decimal SI)
 *                | Ki | Mi | Gi | Ti | Pi | Ei                    (binary SI)
 *                | (e|E) <sign>? <digits>                         (decimal exponent)
 *
 * (`E` alone is exa; `E3` is an exponent. Upstream also accepts `n` and `u` though its grammar
 * comment lists only `m`.) The value is held exactly as a bigint count of nano-units, which is
 * upstream's finest scale: like upstream, a non-zero amount finer than 1n is rounded up (away
 * from zero), "under the theory that if you want some resources you should get some", and a
 * BinarySI amount above 2^63-1 is capped. The format (how it prints) follows the suffix.
 *
 * Use `milliValue` for cpu-like resources and `value` for bytes and counts; both round up, as
 * upstream's MilliValue/Value do, so `0.1m` of cpu is 1 milli-cpu and `100m` bytes is 1 byte.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The exact amount in nano-units (10^-9). */
  readonly nanos: bigint;
  /** How the quantity prints canonically; chosen by the suffix it was written with. */
  readonly format: QuantityFormat;
}

export type QuantityParseResult =
  | { readonly ok: true; readonly quantity: Quantity }
  | { readonly ok: false; readonly error: string };

/** Upstream's error texts, so messages match what kubectl users see. */
export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** Thrown by the convenience parsers for input that should already have been validated. */
export class QuantityError extends Error {
  constructor(readonly input: string, readonly reason: string) {
    super(`invalid quantity ${JSON.stringify(input)}: ${reason}`);
    this.name = 'QuantityError';
  }
}

const NANO = 1_000_000_000n;
/** Upstream's cap for BinarySI amounts: int64 max in whole units. */
const MAX_BINARY_NANOS = (2n ** 63n - 1n) * NANO;
/** Exponents beyond this are rejected rather than building astronomically large integers. */
const MAX_DECIMAL_EXPONENT = 1000;

const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/;

const DECIMAL_SUFFIX: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT: ReadonlyMap<number, string> = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_NAMES: readonly string[] = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Ceiling of |a| / b for positive b, as a non-negative bigint. */
function divCeil(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

type Suffix = { readonly base: 10 | 2; readonly exponent: number; readonly format: QuantityFormat };

function interpretSuffix(suffix: string): Suffix | undefined {
  const dec = DECIMAL_SUFFIX[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIX[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  const exp = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (exp?.[1] !== undefined) return { base: 10, exponent: Number(exp[1]), format: 'DecimalExponent' };
  return undefined;
}

/**
 * Results by input text. Every pod's requests go through here at validation, admission and quota,
 * and a workload uses few distinct strings; results are frozen, so sharing one is safe. Cleared
 * when full rather than evicted one by one: it only has to stay small, not keep the hottest.
 */
const parsed = new Map<string, QuantityParseResult>();
const PARSED_CACHE_ENTRIES = 4096;

/** Parses a quantity string; never throws. */
export function parseQuantity(input: string): QuantityParseResult {
  let r = parsed.get(input);
  if (r === undefined) {
    r = parseUncached(input);
    if (parsed.size >= PARSED_CACHE_ENTRIES) parsed.clear();
    parsed.set(input, r);
  }
  return r;
}

function parseUncached(input: string): QuantityParseResult {
  const r = parseText(input);
  if (r.ok) Object.freeze(r.quantity);
  return Object.freeze(r);
}

function parseText(input: string): QuantityParseResult {
  if (input.length === 0) return { ok: false, error: QUANTITY_FORMAT_ERROR };
  const m = SHAPE.exec(input);
  if (m === null) return { ok: false, error: QUANTITY_FORMAT_ERROR };
  const negative = m[1] === '-';
  const whole = m[2] ?? '';
  const frac = m[3] ?? '';
  if (whole.length === 0 && frac.length === 0) return { ok: false, error: QUANTITY_NUMERIC_ERROR };
  const suffix = interpretSuffix(m[4] ?? '');
  if (suffix === undefined) return { ok: false, error: QUANTITY_SUFFIX_ERROR };
  if (Math.abs(suffix.exponent) > MAX_DECIMAL_EXPONENT) return { ok: false, error: `${QUANTITY_SUFFIX_ERROR}: exponent out of range` };

  const mantissa = BigInt(whole + frac);
  let nanos: bigint;
  if (suffix.base === 10) {
    // amount = mantissa × 10^(exponent − len(frac)); in nanos, shift by 9 more.
    const shift = suffix.exponent - frac.length + 9;
    if (shift >= 0) nanos = mantissa * 10n ** BigInt(shift);
    else if (-shift > whole.length + frac.length) nanos = mantissa === 0n ? 0n : 1n; // far below 1n: rounds up to 1n
    else nanos = divCeil(mantissa, 10n ** BigInt(-shift));
  } else {
    nanos = divCeil(mantissa * (1n << BigInt(suffix.exponent)) * NANO, 10n ** BigInt(frac.length));
  }
  let format = suffix.format;
  if (format === 'BinarySI') {
    if (nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS;
    // Upstream prints fractional binary amounts below one unit as DecimalSI.
    if (nanos > 0n && nanos < NANO) format = 'DecimalSI';
  }
  return { ok: true, quantity: { nanos: negative ? -nanos : nanos, format } };
}

/** Parses or throws QuantityError; for values already validated (e.g. stored objects). */
export function mustParseQuantity(input: string): Quantity {
  const r = parseQuantity(input);
  if (!r.ok) throw new QuantityError(input, r.error);
  return r.quantity;
}

function toSafeNumber(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${v} exceeds the exactly representable range of a number`);
  }
  return Number(v);
}

/** Amount in milli-units, rounded up (away from zero), as upstream's MilliValue. Exact for |v| < 2^53 milli. */
export function milliValue(q: Quantity): number {
  return toSafeNumber(roundUpDiv(q.nanos, 1_000_000n), 'milli-value');
}

/** Amount in whole units (bytes, pods), rounded up (away from zero), as upstream's Value. */
export function value(q: Quantity): number {
  return toSafeNumber(roundUpDiv(q.nanos, NANO), 'value');
}

/** Exact bigint milli-units (rounded up), for sums that may exceed 2^53 (quota totals). */
export function milliValueBig(q: Quantity): bigint {
  return roundUpDiv(q.nanos, 1_000_000n);
}

function roundUpDiv(nanos: bigint, unit: bigint): bigint {
  return nanos < 0n ? -divCeil(-nanos, unit) : divCeil(nanos, unit);
}

/** `parseMilli("100m") === 100`, `parseMilli("1.5") === 1500`; throws QuantityError on bad input. */
export function parseMilli(input: string): number {
  return milliValue(mustParseQuantity(input));
}

/** `parseValue("16Gi") === 17179869184`; throws QuantityError on bad input. */
export function parseValue(input: string): number {
  return value(mustParseQuantity(input));
}

/** Whether the string is a valid quantity. */
export function isQuantity(input: string): boolean {
  return parseQuantity(input).ok;
}

/** -1, 0 or 1. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** Sum, keeping the first non-zero operand's format as upstream's Add does. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function subQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function quantityFromMilli(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(milli) * 1_000_000n, format };
}

export function quantityFromValue(units: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(units) * NANO, format };
}

/**
 * Canonical string, as upstream's Quantity.String(): the largest suffix that keeps an integer
 * mantissa (`1500m`, `1k`, `1536Mi`, `12e6`). BinarySI amounts below 1024 in magnitude or not
 * whole print as DecimalSI, because a binary suffix cannot show them exactly.
 */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const negative = q.nanos < 0n;
  const abs = negative ? -q.nanos : q.nanos;
  const sign = negative ? '-' : '';
  if (q.format === 'BinarySI' && abs >= 1024n * NANO && abs % NANO === 0n) {
    let units = abs / NANO;
    let power = 0;
    while (power < BINARY_NAMES.length - 1 && units % 1024n === 0n) {
      units /= 1024n;
      power++;
    }
    return `${sign}${units}${BINARY_NAMES[power] ?? ''}`;
  }
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 1000n === 0n) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (q.format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  // DecimalSI beyond exa has no suffix; keep exa and widen the mantissa so it still parses back.
  if (exponent > 18) {
    mantissa *= 10n ** BigInt(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

/** Canonical string for a milli-amount of a cpu-like resource: 1500 → `1500m`, 2000 → `2`. */
export function formatMilli(milli: number | bigint): string {
  return formatQuantity(quantityFromMilli(milli));
}

/** Canonical string for a byte count, with binary suffixes where exact: 16 × 2^30 → `16Gi`. */
export function formatBytes(bytes: number | bigint): string {
  return formatQuantity(quantityFromValue(bytes, 'BinarySI'));
}

/** The canonical form of a quantity string (`"0.5"` → `"500m"`, `"1024Mi"` → `"1Gi"`); throws on bad input. */
export function canonicalQuantity(input: string): string {
  return formatQuantity(mustParseQuantity(input));
}
