import { LineCounter, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { parseDuration, DurationError, type Micros } from '../sim/time.js';

/** One problem in a scenario, located by file, line, column and field path. */
export interface LoadError {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Field path such as `spec.faults[2].at` (empty for the document itself). */
  readonly path: string;
  readonly message: string;
}

/** `file:line:col: path: message`, the form editors and CI annotators understand. */
export function formatLoadError(e: LoadError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`;
}

/** A YAML value being read: its node (null when absent), its path and the node to blame when absent. */
export interface Cursor {
  readonly node: Node | null;
  readonly path: string;
  /** Where a missing value is reported: the enclosing map. */
  readonly anchor: Node | null;
}

/**
 * Collects errors while reading one YAML document. Readers never throw: a bad field records an error
 * and yields undefined so the caller can carry on and report every problem in one pass.
 */
export class Reader {
  readonly errors: LoadError[];

  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
    errors: LoadError[],
  ) {
    this.errors = errors;
  }

  /** Records an error at `node` (the start of the document when there is none). */
  errorAt(node: Node | null, path: string, message: string): void {
    const offset = node?.range?.[0] ?? 0;
    const pos = this.lines.linePos(offset);
    this.errors.push({ file: this.file, line: pos.line, col: pos.col, path, message });
  }

  errorAtOffset(offset: number, path: string, message: string): void {
    const pos = this.lines.linePos(offset);
    this.errors.push({ file: this.file, line: pos.line, col: pos.col, path, message });
  }

  fail(c: Cursor, message: string): undefined {
    this.errorAt(c.node ?? c.anchor, c.path, message);
    return undefined;
  }

  /** The pairs of a map, reporting keys not in `allowed` (typos are the commonest scenario bug). */
  map(c: Cursor, allowed: readonly string[] | null): Map<string, Cursor> | undefined {
    if (c.node === null) return undefined;
    if (!isMap(c.node)) return this.fail(c, `expected a mapping, got ${describe(c.node)}`);
    const out = new Map<string, Cursor>();
    for (const pair of (c.node as YAMLMap<unknown, unknown>).items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      if (key === undefined) {
        this.errorAt(keyNode ?? c.node, c.path, 'mapping keys must be plain strings');
        continue;
      }
      const path = c.path === '' ? key : `${c.path}.${key}`;
      if (allowed !== null && !allowed.includes(key)) {
        this.errorAt(keyNode, path, `unknown field "${key}"; expected one of ${allowed.join(', ')}`);
        continue;
      }
      const value = (pair.value ?? null) as Node | null;
      out.set(key, { node: value, path, anchor: keyNode ?? c.node });
    }
    return out;
  }

  /** Field `key` of a map read by `map`, or an absent cursor anchored at the map. */
  field(fields: Map<string, Cursor> | undefined, parent: Cursor, key: string): Cursor {
    const found = fields?.get(key);
    if (found !== undefined) return found;
    return { node: null, path: parent.path === '' ? key : `${parent.path}.${key}`, anchor: parent.node ?? parent.anchor };
  }

  required(c: Cursor): boolean {
    if (c.node !== null && !(isScalar(c.node) && c.node.value === null)) return true;
    this.fail(c, 'required field is missing');
    return false;
  }

  seq(c: Cursor): Cursor[] | undefined {
    if (c.node === null) return undefined;
    if (!isSeq(c.node)) return this.fail(c, `expected a list, got ${describe(c.node)}`);
    return c.node.items.map((item, i) => ({ node: (item ?? null) as Node | null, path: `${c.path}[${i}]`, anchor: c.node }));
  }

  scalar(c: Cursor): unknown {
    if (c.node === null) return undefined;
    if (!isScalar(c.node)) return this.fail(c, `expected a single value, got ${describe(c.node)}`);
    return c.node.value;
  }

  string(c: Cursor): string | undefined {
    const v = this.scalar(c);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(c, 'expected a string');
  }

  number(c: Cursor, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
    const v = this.scalar(c);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) return this.fail(c, `expected a number, got ${JSON.stringify(v)}`);
    if (opts.integer === true && !Number.isInteger(v)) return this.fail(c, `expected a whole number, got ${v}`);
    if (opts.min !== undefined && v < opts.min) return this.fail(c, `must be at least ${opts.min}, got ${v}`);
    if (opts.max !== undefined && v > opts.max) return this.fail(c, `must be at most ${opts.max}, got ${v}`);
    return v;
  }

  boolean(c: Cursor): boolean | undefined {
    const v = this.scalar(c);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.fail(c, `expected true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A duration with a unit (us ms s m h); `signed` allows a leading minus (clock offsets). */
  duration(c: Cursor, opts: { signed?: boolean; positive?: boolean } = {}): Micros | undefined {
    const v = this.scalar(c);
    if (v === undefined) return undefined;
    if (v === 0) return 0;
    if (typeof v === 'number') return this.fail(c, `duration ${v} needs a unit: us, ms, s, m or h (e.g. ${v}s)`);
    if (typeof v !== 'string') return this.fail(c, 'expected a duration such as 500ms, 30s or 5m');
    let text = v.trim();
    let sign = 1;
    if (opts.signed === true && text.startsWith('-')) {
      sign = -1;
      text = text.slice(1);
    }
    try {
      const value = sign * parseDuration(text);
      if (opts.positive === true && value <= 0) return this.fail(c, `must be a positive duration, got ${v}`);
      return value;
    } catch (e) {
      if (e instanceof DurationError) return this.fail(c, e.message);
      throw e;
    }
  }

  /** Plain JSON of a node (manifests, values of `set`). */
  json(c: Cursor): unknown {
    return c.node === null ? undefined : (c.node.toJSON() as unknown);
  }
}

function describe(node: Node): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return JSON.stringify(node.value);
  return 'an unsupported YAML node';
}
