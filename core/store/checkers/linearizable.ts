import type { CheckResult } from './checkResult.js';
import type { HistoryOp } from '../history.js';
import { assertNever } from '../../util/assert.js';

/** Register state of one key: its value (ABSENT when deleted) and modRevision, null if not yet known. */
interface KeyState {
  readonly value: unknown;
  readonly modRevision: number | null;
}

const ABSENT: unique symbol = Symbol('absent');

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
function checkKey(ops: readonly HistoryOp[], budget: { steps: number }): KeyVerdict {
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
  const verdict = search({ value: ABSENT, modRevision: 0 });
  return { verdict, stuckAtUs };
}

/**
 * store.linearizable: per-key linearizability of the client history (etcd's guarantee for
 * linearizable reads and all writes). Keys are independent (P-compositionality), so each is searched
 * alone. Failed operations (definitely not applied) are dropped. Bounded: when the step budget runs
 * out the result is held with `inconclusive: true` and says so in `detail`, rather than hanging.
 */
export function checkLinearizable(history: readonly HistoryOp[], options: LinearizableOptions = {}): CheckResult {
  const name = 'store.linearizable';
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
    // First try assuming that timed-out writes nobody ever read did not happen: that is one of their
    // allowed outcomes, so success here is a valid linearization of the whole history and skips the
    // blow-up of placing every ambiguous write everywhere. Only if that fails is the full search run.
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
    if (reduced.length < ops.length && checkKey(reduced, { steps: Math.min(budget.steps, 50_000) }).verdict === 'ok') continue;
    const { verdict, stuckAtUs } = checkKey(ops, budget);
    if (verdict === 'violation') {
      // The completion no linearization gets past: where the history first stops making sense.
      return {
        name,
        held: false,
        firstViolationAt: Number.isFinite(stuckAtUs) ? stuckAtUs / 1e6 : 0,
        detail: `no linearization of the ${ops.length} operations on key "${key}" gets past the operation completed at ${stuckAtUs / 1e6}s`,
      };
    }
    if (verdict === 'inconclusive') {
      inconclusiveKeys.push(key);
      budget.steps = Math.max(budget.steps, 10_000);
    }
  }
  if (inconclusiveKeys.length > 0) {
    return { name, held: true, inconclusive: true, detail: `inconclusive: search budget exhausted on ${inconclusiveKeys.length} key(s), e.g. "${inconclusiveKeys[0] ?? ''}"` };
  }
  return { name, held: true };
}
