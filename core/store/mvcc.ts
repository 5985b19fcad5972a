import type {
  ApplyResult,
  Compare,
  EventsResult,
  KeyValue,
  OpResult,
  RangeResult,
  StoreCommand,
  TxnOp,
  WatchEvent,
} from './mvccTypes.js';
import { assert, assertNever } from '../util/assert.js';
import { SortedKeys } from './sortedKeys.js';

export interface MvccOptions {
  /**
   * Revisions of history kept for watches and past reads; older ones are compacted automatically
   * (default 0 = only explicit compaction). Larger windows let slow watchers catch up, cost memory.
   * Deterministic, so every member compacts at the same revision.
   */
  readonly retainRevisions?: number;
}

/**
 * The MVCC state as a value (what a Raft snapshot carries): the live key-values in key order, the
 * retained change history and the revisions. Immutable objects shared by reference, as on the wire.
 */
export interface MvccSnapshot {
  readonly revision: number;
  readonly compactRevision: number;
  readonly kvs: readonly KeyValue[];
  readonly history: readonly WatchEvent[];
  /** Modelled size on the wire and on disk, bytes. */
  readonly sizeBytes: number;
}

/**
 * etcd's MVCC key-value store: a global revision bumped once per applied write (a txn's writes
 * share one), per-key create/mod revision and version, prefix ranges (now or at a past revision),
 * a change history for watches, and compaction. Expected failures are values (`compacted`), not
 * exceptions. Fed only by committed Raft entries, in log order, so every member gets the same state.
 */
export class Mvcc {
  private readonly current = new Map<string, KeyValue>();
  /** Live keys, sorted, for prefix ranges. */
  private keys = new SortedKeys();
  /** Change history after `compactRevision`, in revision order; starts at `historyStart`. */
  private history: WatchEvent[] = [];
  private historyStart = 0;
  private readonly retainRevisions: number;
  revision = 1;
  compactRevision = 0;

  constructor(options: MvccOptions = {}) {
    this.retainRevisions = options.retainRevisions ?? 0;
  }

  get(key: string): KeyValue | undefined {
    return this.current.get(key);
  }

  apply(command: StoreCommand): ApplyResult {
    switch (command.type) {
      case 'put':
      case 'delete': {
        const result = this.applyOps([command]);
        const only = result[0];
        assert(only !== undefined, 'one op, one result');
        return only;
      }
      case 'txn': {
        let succeeded = true;
        for (const c of command.compares) if (!this.compareHolds(c)) succeeded = false;
        const results = this.applyOps(succeeded ? command.success : command.failure);
        return { type: 'txn', succeeded, revision: this.revision, results };
      }
      case 'compact':
        return { type: 'compact', revision: this.revision, compacted: this.compact(command.revision) };
      default:
        return assertNever(command, 'store command');
    }
  }

  private compareHolds(c: Compare): boolean {
    return (this.current.get(c.key)?.modRevision ?? 0) === c.modRevision;
  }

  /** Applies writes under one new revision (none if nothing actually changes). */
  private applyOps(ops: readonly TxnOp[]): OpResult[] {
    let changes = false;
    for (const op of ops) if (op.type === 'put' || this.current.has(op.key)) changes = true;
    const revision = changes ? this.revision + 1 : this.revision;
    const results: OpResult[] = [];
    for (const op of ops) results.push(this.applyOp(op, revision));
    this.revision = revision;
    if (this.retainRevisions > 0 && this.revision - this.compactRevision > 2 * this.retainRevisions) {
      // Compact in steps of the window so the cost is amortised, not paid on every write.
      this.compact(this.revision - this.retainRevisions);
    }
    return results;
  }

  private applyOp(op: TxnOp, revision: number): OpResult {
    const prev = this.current.get(op.key) ?? null;
    switch (op.type) {
      case 'put': {
        const kv: KeyValue = Object.freeze({
          key: op.key,
          value: op.value,
          createRevision: prev?.createRevision ?? revision,
          modRevision: revision,
          version: (prev?.version ?? 0) + 1,
          sizeBytes: op.sizeBytes ?? 256,
        });
        if (prev === null) this.keys.insert(op.key);
        this.current.set(op.key, kv);
        this.history.push(Object.freeze({ type: 'put', kv, prevKv: prev, revision }));
        return { type: 'put', revision, prevKv: prev };
      }
      case 'delete': {
        if (prev === null) return { type: 'delete', revision, deleted: 0, prevKv: null };
        this.current.delete(op.key);
        this.keys.remove(op.key);
        const tomb: KeyValue = Object.freeze({ key: op.key, value: null, createRevision: 0, modRevision: revision, version: 0, sizeBytes: 0 });
        this.history.push(Object.freeze({ type: 'delete', kv: tomb, prevKv: prev, revision }));
        return { type: 'delete', revision, deleted: 1, prevKv: prev };
      }
      default:
        return assertNever(op, 'txn op');
    }
  }

  /** Drops history at or below `revision`; reads and watches from there on return `compacted`. */
  compact(revision: number): boolean {
    if (revision <= this.compactRevision || revision > this.revision) return false;
    this.compactRevision = revision;
    let i = this.historyStart;
    while (i < this.history.length && (this.history[i]?.revision ?? Infinity) <= revision) i++;
    this.historyStart = i;
    if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
      this.history = this.history.slice(this.historyStart);
      this.historyStart = 0;
    }
    return true;
  }

  /** Index in `history` of the first event with revision > `revision`. */
  private historyAfter(revision: number): number {
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid]?.revision ?? Infinity) <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Keys starting with `prefix` (exactly `prefix` if `exact`), in key order, as of `revision`
   * (default: now). `limit` caps the returned kvs; `count` is the full number.
   */
  range(prefix: string, options: { readonly revision?: number; readonly limit?: number; readonly exact?: boolean } = {}): RangeResult {
    const at = options.revision ?? this.revision;
    if (at > this.revision) return { type: 'future', currentRevision: this.revision };
    if (at < this.revision && at < this.compactRevision) return { type: 'compacted', compactRevision: this.compactRevision };
    const limit = options.limit ?? Infinity;
    const matches = (key: string): boolean => (options.exact === true ? key === prefix : key.startsWith(prefix));
    if (at === this.revision) {
      if (options.exact === true) {
        const kv = this.current.get(prefix);
        return { type: 'ok', kvs: kv === undefined ? [] : [kv], count: kv === undefined ? 0 : 1, revision: at };
      }
      const kvs: KeyValue[] = [];
      let count = 0;
      this.keys.forEachWithPrefix(prefix, (key) => {
        count++;
        const kv = this.current.get(key);
        if (kv !== undefined && kvs.length < limit) kvs.push(kv);
      });
      return { type: 'ok', kvs, count, revision: at };
    }
    // A past revision: start from now and undo the later changes to matching keys, newest first.
    const state = new Map<string, KeyValue>();
    this.keys.forEachWithPrefix(prefix, (key) => {
      const kv = this.current.get(key);
      if (kv !== undefined && matches(key)) state.set(key, kv);
    });
    for (let i = this.history.length - 1; i >= this.historyStart; i--) {
      const event = this.history[i];
      if (event === undefined || event.revision <= at) break;
      if (!matches(event.kv.key)) continue;
      if (event.prevKv === null) state.delete(event.kv.key);
      else state.set(event.kv.key, event.prevKv);
    }
    const sorted = [...state.keys()].sort();
    const kvs: KeyValue[] = [];
    for (const key of sorted) {
      const kv = state.get(key);
      if (kv !== undefined && kvs.length < limit) kvs.push(kv);
    }
    return { type: 'ok', kvs, count: sorted.length, revision: at };
  }

  /**
   * Changes to keys under `prefix` with revision ≥ `fromRevision`, in revision order without gaps,
   * at most `max` of them (the rest on the next call from the last revision + 1).
   */
  eventsSince(prefix: string, fromRevision: number, max = Infinity): EventsResult {
    if (fromRevision <= this.compactRevision) return { type: 'compacted', compactRevision: this.compactRevision };
    const events: WatchEvent[] = [];
    for (let i = this.historyAfter(fromRevision - 1); i < this.history.length && events.length < max; i++) {
      const event = this.history[i];
      if (event !== undefined && event.kv.key.startsWith(prefix)) events.push(event);
    }
    return { type: 'ok', events, revision: this.revision };
  }

  /** Whether a key under `prefix` changed at a revision ≥ `fromRevision` (retained history only; allocates nothing). */
  changedSince(prefix: string, fromRevision: number): boolean {
    for (let i = this.historyAfter(fromRevision - 1); i < this.history.length; i++) {
      const event = this.history[i];
      if (event !== undefined && event.kv.key.startsWith(prefix)) return true;
    }
    return false;
  }

  /** Number of live keys. */
  size(): number {
    return this.current.size;
  }

  /** The whole state as an immutable value: O(keys + retained history), once per snapshot. */
  snapshot(): MvccSnapshot {
    const kvs: KeyValue[] = [];
    let sizeBytes = 64;
    this.keys.forEachWithPrefix('', (key) => {
      const kv = this.current.get(key);
      if (kv !== undefined) {
        kvs.push(kv);
        sizeBytes += kv.sizeBytes + 32;
      }
    });
    const history = this.history.slice(this.historyStart);
    for (const e of history) sizeBytes += e.kv.sizeBytes + 32;
    return Object.freeze({ revision: this.revision, compactRevision: this.compactRevision, kvs: Object.freeze(kvs), history: Object.freeze(history), sizeBytes });
  }

  /** A store holding exactly the snapshot's state (a restarted member, or one sent InstallSnapshot). */
  static fromSnapshot(snapshot: MvccSnapshot, options: MvccOptions = {}): Mvcc {
    const m = new Mvcc(options);
    const keys: string[] = [];
    for (const kv of snapshot.kvs) {
      m.current.set(kv.key, kv);
      keys.push(kv.key);
    }
    // The snapshot lists keys in order (it is taken by walking the sorted index).
    for (let i = 1; i < keys.length; i++) assert((keys[i - 1] ?? '') < (keys[i] ?? ''), 'snapshot keys must be strictly ascending');
    m.keys = SortedKeys.fromSorted(keys);
    m.history = snapshot.history.slice();
    m.historyStart = 0;
    m.revision = snapshot.revision;
    m.compactRevision = snapshot.compactRevision;
    return m;
  }
}
