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
  /** Search steps allowed over the whole history before answering "inconclusive" (default 2e6). */
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

type KeyVerdict = 'ok' | 'violation' | 'inconclusive';

/**
 * Wing & Gong's search with Lowe's memoisation (as Porcupine does) over one key's operations:
 * repeatedly pick an operation that may take effect first (invoked before every pending
 * operation's completion), apply it to the model, and backtrack on a dead end. Operations with an
 * unknown outcome never complete, may be linearized at any point after their invocation, or not at all.
 */
function checkKey(ops: readonly HistoryOp[], budget: { steps: number }): KeyVerdict {
  const n = ops.length;
  const sorted = [...ops].sort((a, b) => a.invokeUs - b.invokeUs || a.id - b.id);
  const done = new Uint8Array(n);
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
  const seen = new Set<string>();
  let linearized = 0;

  const search = (state: KeyState): KeyVerdict => {
    if (linearized === mustComplete) return 'ok';
    if (--budget.steps < 0) return 'inconclusive';
    const memo = `${done.join('')}|${stateKey(state)}`;
    if (seen.has(memo)) return 'violation';
    seen.add(memo);
    let deadline = Infinity;
    for (let i = 0; i < n; i++) {
      const op = sorted[i];
      if (op !== undefined && done[i] === 0 && op.outcome === 'ok') deadline = Math.min(deadline, op.completeUs ?? Infinity);
    }
    for (let i = 0; i < n; i++) {
      const op = sorted[i];
      if (op === undefined || done[i] === 1) continue;
      if (op.invokeUs > deadline) break;
      for (const next of stepModel(state, op)) {
        done[i] = 1;
        if (op.outcome === 'ok') linearized++;
        const verdict = search(next);
        done[i] = 0;
        if (op.outcome === 'ok') linearized--;
        if (verdict !== 'violation') return verdict;
      }
    }
    return 'violation';
  };
  return search({ value: ABSENT, modRevision: 0 });
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
    // A still-pending operation at the end of the run is as ambiguous as a timed-out one.
    const list = byKey.get(op.key) ?? [];
    list.push(op.outcome === 'pending' ? { ...op, outcome: 'unknown' } : op);
    byKey.set(op.key, list);
  }
  const budget = { steps: options.maxSteps ?? 2_000_000 };
  const inconclusiveKeys: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const ops = byKey.get(key) ?? [];
    const verdict = checkKey(ops, budget);
    if (verdict === 'violation') {
      const firstUs = Math.min(...ops.filter((o) => o.outcome === 'ok').map((o) => o.completeUs ?? Infinity));
      return {
        name,
        held: false,
        firstViolationAt: Number.isFinite(firstUs) ? firstUs / 1e6 : 0,
        detail: `no linearization of the ${ops.length} operations on key "${key}"`,
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
