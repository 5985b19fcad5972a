import type { Micros } from '../../../sim/time.js';
import { Mvcc } from '../../store/mvcc.js';
import type { LogCommand } from '../../store/protocol.js';
import type { ApplyResult, Compare, OpResult, StoreCommand, TxnOp } from '../../store/mvccTypes.js';

/** One key changed by a committed log entry, as the store's own MVCC rules apply it. */
export interface CommittedWrite {
  /** The store revision of the change (the resourceVersion the API server reports for it). */
  readonly revision: number;
  /** Global simulated time of the first member's apply. */
  readonly timeUs: Micros;
  readonly key: string;
  readonly deleted: boolean;
  /** The new value (undefined for a delete). */
  readonly value: unknown;
  /** The key's value just before the change (undefined when it was absent). */
  readonly prevValue: unknown;
  /** The key's modRevision just before the change; 0 when it was absent. */
  readonly prevModRevision: number;
  /** The modRevision the entry's txn compared this key against; undefined when it had no compare on it. */
  readonly compared: number | undefined;
}

/** How long an unclaimed write is kept for a late acknowledgement (a paused API server may answer late). */
const DEFAULT_RETAIN_US = 600_000_000;

/**
 * The store's committed history, read from outside like the other observers (each log index once, in
 * order, the first member to apply it defines it; store.logMatching checks members agree) and
 * replayed on a shadow MVCC, so every change is known with its revision, its predecessor and the
 * compare it was conditioned on. The API checkers claim the change an acknowledgement names by its
 * revision; unclaimed ones are dropped after a retention period, so memory stays bounded by the
 * writes in flight, not by the run.
 */
export class CommittedWrites {
  private readonly shadow = new Mvcc({ retainRevisions: 1 });
  private appliedThrough = 0;
  private readonly byRevision = new Map<number, CommittedWrite[]>();
  /** Revisions in commit order with their time, for pruning (a queue; head index avoids shifting). */
  private readonly order: Array<{ readonly revision: number; readonly timeUs: Micros }> = [];
  private orderHead = 0;
  private readonly listeners: Array<(write: CommittedWrite) => void> = [];
  private readonly entryListeners: Array<(timeUs: Micros, writes: readonly CommittedWrite[]) => void> = [];
  private pruned = 0;

  constructor(private readonly retainUs: Micros = DEFAULT_RETAIN_US) {}

  /** Called for every change, in commit order (e.g. to keep versioned RBAC state). */
  onWrite(listener: (write: CommittedWrite) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Called once per applied log entry, after the onWrite listeners, with the entry's changes in
   * order (none for a compaction or a txn whose branch changed nothing).
   */
  onEntry(listener: (timeUs: Micros, writes: readonly CommittedWrite[]) => void): void {
    this.entryListeners.push(listener);
  }

  /** A member applied log entry `index` (the store recorder's hook). */
  onApply(timeUs: Micros, index: number, data: unknown): void {
    if (index <= this.appliedThrough) return;
    this.appliedThrough = index;
    if (data === null || typeof data !== 'object') return;
    const command = (data as LogCommand).command;
    const result = this.shadow.apply(command);
    const writes = changes(command, result, timeUs);
    if (writes.length > 0) {
      const revision = writes[0]?.revision ?? 0;
      this.byRevision.set(revision, writes);
      this.order.push({ revision, timeUs });
      for (const w of writes) for (const listener of this.listeners) listener(w);
    }
    for (const listener of this.entryListeners) listener(timeUs, writes);
  }

  /** The changes committed at `revision`, handed over once (undefined if unknown or already claimed). */
  take(revision: number): readonly CommittedWrite[] | undefined {
    const writes = this.byRevision.get(revision);
    if (writes !== undefined) this.byRevision.delete(revision);
    return writes;
  }

  /** The store's revision after the last applied entry. */
  get revision(): number {
    return this.shadow.revision;
  }

  /** The key's current committed value (undefined when absent). */
  current(key: string): unknown {
    return this.shadow.get(key)?.value;
  }

  /** Drops unclaimed changes older than the retention period. */
  prune(nowUs: Micros): void {
    while (this.orderHead < this.order.length) {
      const head = this.order[this.orderHead];
      if (head === undefined || head.timeUs >= nowUs - this.retainUs) break;
      if (this.byRevision.delete(head.revision)) this.pruned++;
      this.orderHead++;
    }
    if (this.orderHead > 4096 && this.orderHead * 2 > this.order.length) {
      this.order.splice(0, this.orderHead);
      this.orderHead = 0;
    }
  }

  /** Unclaimed changes dropped so far (writes nobody acknowledged within the retention period). */
  get prunedCount(): number {
    return this.pruned;
  }
}

/** The modRevision the first compare on `key` asked for (a loop: this runs for every committed write). */
function comparedRevision(compares: readonly Compare[], key: string): number | undefined {
  for (const c of compares) if (c.key === key) return c.modRevision;
  return undefined;
}

function changes(command: StoreCommand, result: ApplyResult, timeUs: Micros): CommittedWrite[] {
  let ops: readonly TxnOp[];
  let results: readonly OpResult[];
  let compares: readonly Compare[] = [];
  switch (command.type) {
    case 'put':
    case 'delete':
      ops = [command];
      results = result.type === 'put' || result.type === 'delete' ? [result] : [];
      break;
    case 'txn':
      if (result.type !== 'txn') return [];
      ops = result.succeeded ? command.success : command.failure;
      results = result.results;
      compares = command.compares;
      break;
    case 'compact':
      return [];
  }
  const out: CommittedWrite[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as TxnOp;
    const r = results[i];
    // A delete of an absent key changes nothing (and takes no revision).
    if (r === undefined || (r.type === 'delete' && r.deleted === 0)) continue;
    out.push({
      revision: r.revision,
      timeUs,
      key: op.key,
      deleted: op.type === 'delete',
      value: op.type === 'put' ? op.value : undefined,
      prevValue: r.prevKv?.value,
      prevModRevision: r.prevKv?.modRevision ?? 0,
      compared: comparedRevision(compares, op.key),
    });
  }
  return out;
}
