import type { CheckResult } from './checkResult.js';
import type { HistoryOp, HistorySink } from '../history.js';
import { assertNever } from '../../util/assert.js';

/** Register state of one key: its value (ABSENT when deleted) and modRevision, null if not yet known. */
interface KeyState {
  readonly value: unknown;
  readonly modRevision: number | null;
}

const ABSENT: unique symbol = Symbol('absent');
const INITIAL: KeyState = { value: ABSENT, modRevision: 0 };

export interface LinearizableOptions {
  /** Search steps allowed over the whole history before answering "inconclusive" (default 3e5). */
  readonly maxSteps?: number;
}

/**
 * The states `op` can lead to from `state` given its recorded output ([] if the output is impossible
 * there). An absent key has modRevision 0. An op with an unknown outcome that is linearized did take
 * effect, but its new revision is unknown (null); a CAS whose compare cannot be decided may go either way.
 */
function stepModel(state: KeyState, op: HistoryOp): KeyState[] {
  const out = op.outcome === 'ok' ? op.output : undefined;
  const input = op.input;
  switch (input.type) {
    case 'put':
      return [{ value: input.value, modRevision: out?.type === 'write' ? out.revision : null }];
    case 'delete':
      if (out?.type === 'deleted' && out.existed !== (state.value !== ABSENT)) return [];
      return [{ value: ABSENT, modRevision: 0 }];
    case 'cas': {
      const current = state.value === ABSENT ? 0 : state.modRevision;
      const matches = current === null ? null : current === input.expectedModRevision;
      const succeeded = out?.type === 'cas' ? out.succeeded : null;
      const applied: KeyState = input.del
        ? { value: ABSENT, modRevision: 0 }
        : { value: input.value, modRevision: out?.type === 'cas' ? out.revision : null };
      if (succeeded === null) {
        if (matches === null) return [applied, state];
        return [matches ? applied : state];
      }
      if (matches !== null && matches !== succeeded) return [];
      return [succeeded ? applied : state];
    }
    case 'txn': {
      const current = state.value === ABSENT ? 0 : state.modRevision;
      const expected = input.expectedModRevision;
      const matches = expected === undefined || current === null ? null : current === expected;
      // With no compare at all the txn always succeeds; a compare on another key can fail it anyway.
      const canSucceed = matches !== false;
      const canFail = input.guarded || (expected !== undefined && matches !== true);
      const succeeded = out?.type === 'cas' ? out.succeeded : null;
      const after = (s: boolean): KeyState => {
        if (s !== (input.branch === 'success')) return state;
        if (input.del) return { value: ABSENT, modRevision: 0 };
        return { value: input.value, modRevision: out?.type === 'cas' ? out.revision : null };
      };
      if (succeeded === null) return [...(canSucceed ? [after(true)] : []), ...(canFail ? [after(false)] : [])];
      if (succeeded ? !canSucceed : !canFail) return [];
      return [after(succeeded)];
    }
    case 'get': {
      if (out?.type !== 'read') return [state];
      const value = out.modRevision === 0 ? ABSENT : out.value;
      if (value !== state.value) return [];
      if (state.modRevision !== null && state.modRevision !== out.modRevision) return [];
      return [{ value, modRevision: out.modRevision }];
    }
    default:
      return assertNever(input, 'history input');
  }
}

/** Where the store says `op` took effect: its write revision, or just after what a read saw. */
function revisionOrder(op: HistoryOp): number {
  const out = op.outcome === 'ok' ? op.output : undefined;
  if (out === undefined) return Number.MAX_SAFE_INTEGER;
  switch (out.type) {
    case 'write':
      return out.revision;
    case 'deleted':
      return out.existed ? out.revision : out.revision + 0.5;
    case 'cas':
      return out.succeeded ? out.revision : out.revision + 0.5;
    case 'read':
      return out.modRevision + 0.5;
    default:
      return assertNever(out, 'history output');
  }
}

type KeyVerdict = { readonly verdict: 'ok' | 'violation' | 'inconclusive'; readonly stuckAtUs: number };

/**
 * Wing & Gong's search with Lowe's memoisation (as Porcupine does) over one key's operations:
 * repeatedly pick an operation that may take effect first (invoked before every pending
 * operation's completion), apply it to the model, and backtrack on a dead end. Operations with an
 * unknown outcome never complete, may be linearized at any point after their invocation, or not at
 * all. Visited (linearized set, state) pairs are kept under a Zobrist hash of the set.
 */
function checkKey(ops: readonly HistoryOp[], budget: { steps: number }, start: KeyState = INITIAL): KeyVerdict {
  const n = ops.length;
  const sorted = [...ops].sort((a, b) => a.invokeUs - b.invokeUs || a.id - b.id);
  const done = new Uint8Array(n);
  // Deterministic per-position hash words (xorshift32), so the memo key is O(1) to update.
  const zobrist = new Uint32Array(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    zobrist[i] = x;
  }
  let hash = 0;
  const orderKey = sorted.map((op) => revisionOrder(op));
  const valueIds = new Map<unknown, number>();
  const stateKey = (s: KeyState): string => {
    let id = valueIds.get(s.value);
    if (id === undefined) {
      id = valueIds.size;
      valueIds.set(s.value, id);
    }
    return `${id}:${s.modRevision ?? '?'}`;
  };
  const mustComplete = sorted.reduce((k, op) => k + (op.outcome === 'ok' ? 1 : 0), 0);
  const seen = new Map<string, Uint8Array[]>();
  let linearized = 0;
  let deepest = -1;
  let stuckAtUs = 0;

  const visited = (state: KeyState): boolean => {
    const key = `${hash}|${stateKey(state)}`;
    const list = seen.get(key);
    if (list === undefined) {
      seen.set(key, [done.slice()]);
      return false;
    }
    for (const bits of list) if (bits.every((b, i) => b === done[i])) return true;
    list.push(done.slice());
    return false;
  };

  const search = (state: KeyState): 'ok' | 'violation' | 'inconclusive' => {
    if (linearized === mustComplete) return 'ok';
    if (--budget.steps < 0) return 'inconclusive';
    if (visited(state)) return 'violation';
    let deadline = Infinity;
    for (let i = 0; i < n; i++) {
      const op = sorted[i];
      if (op !== undefined && done[i] === 0 && op.outcome === 'ok') deadline = Math.min(deadline, op.completeUs ?? Infinity);
    }
    if (linearized > deepest) {
      deepest = linearized;
      stuckAtUs = deadline;
    }
    const candidates: number[] = [];
    for (let i = 0; i < n; i++) {
      const op = sorted[i];
      if (op === undefined) continue;
      if (op.invokeUs > deadline) break;
      if (done[i] === 0) candidates.push(i);
    }
    // Try the order the store itself reports first (revisions): on a correct history the search then
    // walks straight through, however many operations overlap. The order never affects the verdict.
    candidates.sort((a, b) => (orderKey[a] ?? 0) - (orderKey[b] ?? 0) || a - b);
    for (const i of candidates) {
      const op = sorted[i];
      if (op === undefined) continue;
      for (const next of stepModel(state, op)) {
        done[i] = 1;
        hash ^= zobrist[i] ?? 0;
        if (op.outcome === 'ok') linearized++;
        const verdict = search(next);
        done[i] = 0;
        hash ^= zobrist[i] ?? 0;
        if (op.outcome === 'ok') linearized--;
        if (verdict !== 'violation') return verdict;
      }
    }
    return 'violation';
  };
  const verdict = search(start);
  return { verdict, stuckAtUs };
}

function keyViolation(key: string, count: number, stuckAtUs: number): CheckResult {
  // The completion no linearization gets past: where the history first stops making sense.
  return {
    name: LINEARIZABLE,
    held: false,
    firstViolationAt: Number.isFinite(stuckAtUs) ? stuckAtUs / 1e6 : 0,
    detail: `no linearization of the ${count} operations on key "${key}" gets past the operation completed at ${stuckAtUs / 1e6}s`,
  };
}

function inconclusiveResult(keys: readonly string[]): CheckResult {
  return { name: LINEARIZABLE, held: true, inconclusive: true, detail: `inconclusive: search budget exhausted on ${keys.length} key(s), e.g. "${keys[0] ?? ''}"` };
}

const LINEARIZABLE = 'store.linearizable';

/**
 * One key's operations from `start`. First try assuming that timed-out writes nobody ever read did
 * not happen: that is one of their allowed outcomes, so success here is a valid linearization of the
 * whole history and skips the blow-up of placing every ambiguous write everywhere. Only if that fails
 * is the full search run.
 */
function checkOps(ops: readonly HistoryOp[], budget: { steps: number }, start: KeyState): KeyVerdict {
  const observed = new Set<unknown>();
  let absenceSeen = false;
  for (const op of ops) {
    if (op.outcome !== 'ok' || op.output?.type !== 'read') continue;
    if (op.output.modRevision === 0) absenceSeen = true;
    else observed.add(op.output.value);
  }
  const mayMatter = (op: HistoryOp): boolean => {
    const input = op.input;
    if (input.type === 'get') return true;
    if (input.type === 'delete' || ((input.type === 'cas' || input.type === 'txn') && input.del)) return absenceSeen;
    return observed.has(input.value);
  };
  const reduced = ops.filter((op) => op.outcome !== 'unknown' || mayMatter(op));
  if (reduced.length < ops.length && checkKey(reduced, { steps: Math.min(budget.steps, 50_000) }, start).verdict === 'ok') return { verdict: 'ok', stuckAtUs: 0 };
  return checkKey(ops, budget, start);
}

/**
 * store.linearizable: per-key linearizability of the client history (etcd's guarantee for
 * linearizable reads and all writes). Keys are independent (P-compositionality), so each is searched
 * alone. Failed operations (definitely not applied) are dropped. Bounded: when the step budget runs
 * out the result is held with `inconclusive: true` and says so in `detail`, rather than hanging.
 */
export function checkLinearizable(history: readonly HistoryOp[], options: LinearizableOptions = {}): CheckResult {
  const byKey = new Map<string, HistoryOp[]>();
  for (const op of history) {
    if (op.outcome === 'failed') continue;
    // A read without an answer constrains nothing, and would only multiply the search.
    if (op.input.type === 'get' && op.outcome !== 'ok') continue;
    // A still-pending operation at the end of the run is as ambiguous as a timed-out one.
    const list = byKey.get(op.key) ?? [];
    list.push(op.outcome === 'pending' ? { ...op, outcome: 'unknown' } : op);
    byKey.set(op.key, list);
  }
  const budget = { steps: options.maxSteps ?? 300_000 };
  const inconclusiveKeys: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const ops = byKey.get(key) ?? [];
    const { verdict, stuckAtUs } = checkOps(ops, budget, INITIAL);
    if (verdict === 'violation') return keyViolation(key, ops.length, stuckAtUs);
    if (verdict === 'inconclusive') {
      inconclusiveKeys.push(key);
      budget.steps = Math.max(budget.steps, 10_000);
    }
  }
  if (inconclusiveKeys.length > 0) return inconclusiveResult(inconclusiveKeys);
  return { name: LINEARIZABLE, held: true };
}

/** How long after its invocation an operation with an unknown outcome may still take effect, by default. */
export const DEFAULT_UNKNOWN_LIFETIME_US = 60_000_000;

/** The state `op` leaves the key in whatever it was before, or null if that depends on the state before. */
function settledState(op: HistoryOp): KeyState | null {
  if (op.outcome !== 'ok') return null;
  const out = op.output;
  const input = op.input;
  switch (input.type) {
    case 'put':
      return out?.type === 'write' ? { value: input.value, modRevision: out.revision } : null;
    case 'delete':
      return { value: ABSENT, modRevision: 0 };
    case 'get':
      return out?.type === 'read' ? { value: out.modRevision === 0 ? ABSENT : out.value, modRevision: out.modRevision } : null;
    case 'cas':
      if (out?.type !== 'cas' || !out.succeeded) return null;
      return input.del ? { value: ABSENT, modRevision: 0 } : { value: input.value, modRevision: out.revision };
    case 'txn':
      if (out?.type !== 'cas' || out.succeeded !== (input.branch === 'success')) return null;
      return input.del ? { value: ABSENT, modRevision: 0 } : { value: input.value, modRevision: out.revision };
    default:
      return assertNever(input, 'history input');
  }
}

interface KeyLog {
  /** The key's state where the retained operations start (the state the last dropped prefix settled on). */
  start: KeyState;
  /** Retained operations in invocation order (failed writes and unanswered reads are dropped at once). */
  ops: HistoryOp[];
  /** Operations checked and dropped so far. */
  dropped: number;
  verdict: CheckResult | undefined;
  inconclusive: boolean;
}

export interface IncrementalLinearizableOptions extends LinearizableOptions {
  /**
   * An operation whose outcome is unknown (the client gave up) is assumed to take effect, if ever,
   * within this long after its invocation (default 60 s simulated). StoreClient gives up after its
   * deadline (5 s by default) and a retry reuses the request id, so the bound is the deadline plus
   * the time a request may still sit in a member's log and be committed afterwards: 12x the default
   * deadline. Only affects how soon such an operation stops holding back pruning and what the
   * checker may assume once it has: an unknown write is never placed after an operation invoked
   * more than this long after it.
   */
  readonly unknownLifetimeUs?: number;
}

/**
 * store.linearizable checked as the run goes, so memory stays O(operations in flight per key)
 * rather than O(history). Same verdicts as checkLinearizable over the whole history, by cutting each
 * key's history at operations that pin it down: an operation X answered `ok` that leaves the key in
 * a state independent of the state before (a put/delete/successful CAS with its revision, or a read),
 * such that every earlier retained operation completed before X was invoked (or has an unknown
 * outcome and its lifetime ended by then), and no operation was invoked while X ran. Every
 * linearization then orders the prefix before X and the rest after X, and the state after X is the
 * one X settled on, so the prefix (ending at X) is searched now from the key's start state and
 * dropped; X's state becomes the new start. The search budget applies per searched segment. Keys
 * and their final start states are kept (one small record per key).
 */
export class LinearizableChecker implements HistorySink {
  private readonly keys = new Map<string, KeyLog>();
  private readonly maxSteps: number;
  private readonly lifetimeUs: number;

  constructor(options: IncrementalLinearizableOptions = {}) {
    this.maxSteps = options.maxSteps ?? 300_000;
    this.lifetimeUs = options.unknownLifetimeUs ?? DEFAULT_UNKNOWN_LIFETIME_US;
  }

  invoked(op: HistoryOp): void {
    let log = this.keys.get(op.key);
    if (log === undefined) {
      log = { start: INITIAL, ops: [], dropped: 0, verdict: undefined, inconclusive: false };
      this.keys.set(op.key, log);
    }
    if (log.verdict === undefined) log.ops.push(op);
  }

  /** `op` completed, failed or was given up on. */
  settled(op: HistoryOp): void {
    const log = this.keys.get(op.key);
    if (log === undefined || log.verdict !== undefined) return;
    if (op.outcome === 'failed' || (op.input.type === 'get' && op.outcome !== 'ok')) {
      const i = log.ops.lastIndexOf(op);
      if (i >= 0) log.ops.splice(i, 1);
    }
    if (op.outcome === 'ok') this.prune(op.key, log);
  }

  /** Checks and drops the longest prefix of the key's operations that ends at a cut point. */
  private prune(key: string, log: KeyLog): void {
    const ops = log.ops;
    let cut = -1;
    // Latest completion among ops[0..j-1]; Infinity once one of them may still take effect at any time.
    let prefixDoneUs = -Infinity;
    for (let j = 0; j < ops.length; j++) {
      const x = ops[j];
      if (x === undefined) break;
      if (prefixDoneUs === Infinity) break;
      if (x.outcome === 'ok' && x.completeUs !== undefined && prefixDoneUs < x.invokeUs && settledState(x) !== null) {
        const next = ops[j + 1];
        if (next === undefined || next.invokeUs > x.completeUs) cut = j;
      }
      if (x.outcome === 'ok' && x.completeUs !== undefined) prefixDoneUs = Math.max(prefixDoneUs, x.completeUs);
      else if (x.outcome === 'unknown') prefixDoneUs = Math.max(prefixDoneUs, x.invokeUs + this.lifetimeUs);
      else prefixDoneUs = Infinity;
    }
    if (cut < 0) return;
    const x = ops[cut];
    if (x === undefined) return;
    const after = settledState(x);
    if (after === null) return;
    // The common case (a key written by one client at a time, e.g. a Lease renewed every 10 s) is a
    // segment of the one operation: it is linearizable iff the model can take it from the start state,
    // which is what the search would conclude, without building its tables.
    const segment = cut === 0 ? [x] : ops.slice(0, cut + 1);
    const { verdict, stuckAtUs } =
      cut === 0 && x.outcome === 'ok'
        ? { verdict: stepModel(log.start, x).length > 0 ? ('ok' as const) : ('violation' as const), stuckAtUs: x.completeUs ?? Infinity }
        : checkOps(segment, { steps: this.maxSteps }, log.start);
    if (verdict === 'violation') {
      log.verdict = keyViolation(key, log.dropped + log.ops.length, stuckAtUs);
      log.ops = [];
      return;
    }
    if (verdict === 'inconclusive') log.inconclusive = true;
    log.start = after;
    log.dropped += segment.length;
    if (cut === 0) ops.shift();
    else log.ops = ops.slice(cut + 1);
  }

  /** The operations still retained (those not yet checked and dropped), in invocation order. */
  retained(): HistoryOp[] {
    const out: HistoryOp[] = [];
    for (const log of this.keys.values()) out.push(...log.ops);
    return out.sort((a, b) => a.id - b.id);
  }

  /** The verdict over everything so far: operations still pending count as unknown. */
  result(): CheckResult {
    const inconclusiveKeys: string[] = [];
    for (const key of [...this.keys.keys()].sort()) {
      const log = this.keys.get(key);
      if (log === undefined) continue;
      if (log.verdict !== undefined) return log.verdict;
      const ops = log.ops
        .filter((op) => op.outcome !== 'failed' && (op.input.type !== 'get' || op.outcome === 'ok'))
        .map((op) => (op.outcome === 'pending' ? { ...op, outcome: 'unknown' as const } : op));
      const { verdict, stuckAtUs } = ops.length === 0 ? { verdict: 'ok' as const, stuckAtUs: 0 } : checkOps(ops, { steps: this.maxSteps }, log.start);
      if (verdict === 'violation') return keyViolation(key, log.dropped + ops.length, stuckAtUs);
      if (verdict === 'inconclusive' || log.inconclusive) inconclusiveKeys.push(key);
    }
    if (inconclusiveKeys.length > 0) return inconclusiveResult(inconclusiveKeys);
    return { name: LINEARIZABLE, held: true };
  }
}
