import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration, DurationError, type Micros } from '../sim/time.js';
import type { Scenario } from '../core/cluster/index.js';
import { formatLoadError, loadScenarioFile, resolveScenarioPath, builtinScenarioNames } from '../scenarios/index.js';

/** Exit codes of SPEC.md. */
export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;

/** Bad input or usage: reported as a clear message with exit code 2, never as a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** Several located problems (scenario errors), printed one per line. */
    readonly lines: readonly string[] = [],
  ) {
    super(message);
  }
}

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** The file it came from. */
  readonly path: string;
  /** What the user typed (a path or a built-in name), for replay commands. */
  readonly arg: string;
}

/** `<scenario>`: a file path or a built-in name; every loader error at once, located. */
export function loadScenarioArg(arg: string): LoadedScenario {
  const path = resolveScenarioPath(arg);
  if (path === undefined) {
    throw new UsageError(`no scenario file or built-in scenario named "${arg}" (built-in: ${builtinScenarioNames().join(', ')})`);
  }
  const result = loadScenarioFile(path);
  if (!result.ok) {
    throw new UsageError(`${result.errors.length} error(s) in ${path}`, result.errors.map(formatLoadError));
  }
  return { scenario: result.scenario, path, arg };
}

export function parseSeedOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--seed must be a whole number ≥ 0, got "${text}"`);
  return Number(text);
}

export function parseDurationOption(name: string, text: string | undefined): Micros | undefined {
  if (text === undefined) return undefined;
  try {
    const us = parseDuration(text);
    if (us <= 0) throw new UsageError(`${name} must be positive, got "${text}"`);
    return us;
  } catch (e) {
    if (e instanceof DurationError) throw new UsageError(`${name}: ${e.message}`);
    throw e;
  }
}

export function parsePositiveInt(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${name} must be a whole number ≥ 1, got "${text}"`);
  return Number(text);
}

/** `1..20`, `3`, or `1,2,5` → the seeds. */
export function parseSeedRange(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text);
  if (range !== null) {
    const lo = Number(range[1]);
    const hi = Number(range[2]);
    if (hi < lo || hi - lo > 10_000) throw new UsageError(`--seeds range "${text}" is empty or too large`);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  const list = text.split(',').map((x) => x.trim());
  if (list.some((x) => !/^\d+$/.test(x))) throw new UsageError(`--seeds takes a range like 1..20 or a list like 1,2,3; got "${text}"`);
  return list.map(Number);
}

/** Shell-quotes one argument if it needs it, for printed replay commands. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:@=,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Progress on stderr, only on a TTY and not with --quiet. */
export function progressPrinter(enabled: boolean, label: string): ((nowUs: Micros, endUs: Micros) => void) | undefined {
  if (!enabled || process.stderr.isTTY !== true) return undefined;
  let lastShown = -1;
  return (nowUs, endUs) => {
    const pct = endUs === 0 ? 100 : Math.floor((100 * nowUs) / endUs);
    if (pct === lastShown) return;
    lastShown = pct;
    process.stderr.write(`\r${label}: ${(nowUs / 1e6).toFixed(0)}s / ${(endUs / 1e6).toFixed(0)}s simulated (${pct}%)`);
    if (nowUs >= endUs) process.stderr.write('\r\x1b[K');
  };
}
