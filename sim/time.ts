/** Virtual time: an integer count of microseconds since the start of the run. */
export type Micros = number;

export const MICROS_PER_MS = 1_000;
export const MICROS_PER_S = 1_000_000;

export function us(n: number): Micros {
  return Math.round(n);
}
export function ms(n: number): Micros {
  return Math.round(n * MICROS_PER_MS);
}
export function s(n: number): Micros {
  return Math.round(n * MICROS_PER_S);
}
export function toSeconds(t: Micros): number {
  return t / MICROS_PER_S;
}
export function toMillis(t: Micros): number {
  return t / MICROS_PER_MS;
}

const UNIT_MICROS: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1,
  ms: MICROS_PER_MS,
  s: MICROS_PER_S,
  m: 60 * MICROS_PER_S,
  h: 3600 * MICROS_PER_S,
};

/** A duration that could not be parsed; the message says what was wrong and what is accepted. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

const PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)/y;

/**
 * Parses `500us`, `10s`, `1.5m`, `1h30m` (Go's time.ParseDuration units, no sign) into microseconds.
 * A bare `0` is accepted; any other bare number is rejected because its unit would be a guess.
 */
export function parseDuration(text: string): Micros {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (trimmed === '') throw new DurationError('empty duration; expected e.g. 500us, 10ms, 2s, 5m, 1h');
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const start = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (match === null) {
      throw new DurationError(
        `invalid duration "${text}" at "${trimmed.slice(start)}"; expected a number with a unit us, ms, s, m or h (e.g. 500us, 2s, 1m30s)`,
      );
    }
    const value = Number(match[1]);
    const unit = UNIT_MICROS[match[2] ?? ''];
    if (unit === undefined) throw new DurationError(`invalid duration unit in "${text}"`);
    total += value * unit;
  }
  const rounded = Math.round(total);
  if (!Number.isSafeInteger(rounded)) throw new DurationError(`duration "${text}" is too large`);
  return rounded;
}

/** Formats microseconds with the largest unit that keeps it exact (`1500ms`, `2s`, `90s`, `5m`). */
export function formatDuration(t: Micros): string {
  if (t === 0) return '0s';
  const units: Array<[string, number]> = [
    ['h', 3600 * MICROS_PER_S],
    ['m', 60 * MICROS_PER_S],
    ['s', MICROS_PER_S],
    ['ms', MICROS_PER_MS],
    ['us', 1],
  ];
  for (const [name, size] of units) {
    if (t % size === 0) return `${t / size}${name}`;
  }
  return `${t}us`;
}
