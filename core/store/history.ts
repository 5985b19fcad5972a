/**
 * The client-side history of store operations, the input of store.linearizable. One record per
 * operation as the caller saw it: when it was invoked and completed (virtual µs) and what came
 * back. `unknown` means the client gave up (timeout): it may or may not have taken effect.
 */

/** A single-key operation, in the terms the per-key register model understands. */
export type HistoryInput =
  | { readonly type: 'put'; readonly value: unknown }
  | { readonly type: 'delete' }
  /** A txn "if modRevision(key) = expected then put value / delete". */
  | { readonly type: 'cas'; readonly expectedModRevision: number; readonly value: unknown; readonly del: boolean }
  /** A linearizable read of one key (serializable reads are not recorded: they may be stale by design). */
  | { readonly type: 'get' }
  /**
   * This key's write in a multi-key txn (a fenced write: CAS on the object and on the Lease). It is
   * applied when the txn's compares all held (`branch` success) or when one failed (failure).
   * `expectedModRevision` is the compare on this key, if any; `guarded` says other keys were compared
   * too, so a failed txn says nothing about this key. Recorded with a `cas` output.
   */
  | {
      readonly type: 'txn';
      readonly expectedModRevision: number | undefined;
      readonly guarded: boolean;
      readonly branch: 'success' | 'failure';
      readonly value: unknown;
      readonly del: boolean;
    };

export type HistoryOutput =
  | { readonly type: 'write'; readonly revision: number }
  | { readonly type: 'deleted'; readonly revision: number; readonly existed: boolean }
  | { readonly type: 'cas'; readonly succeeded: boolean; readonly revision: number }
  /** modRevision 0 and value null when the key is absent. */
  | { readonly type: 'read'; readonly value: unknown; readonly modRevision: number };

export interface HistoryOp {
  readonly id: number;
  readonly client: string;
  readonly key: string;
  readonly input: HistoryInput;
  readonly invokeUs: number;
  /** Completion time; undefined while pending or when the outcome is unknown. */
  completeUs: number | undefined;
  outcome: 'pending' | 'ok' | 'failed' | 'unknown';
  output: HistoryOutput | undefined;
}

/** Where a History hands its operations when it does not keep them: the incremental store.linearizable. */
export interface HistorySink {
  invoked(op: HistoryOp): void;
  /** The operation completed, failed or was given up on. */
  settled(op: HistoryOp): void;
  /** The operations the sink still holds, in invocation order. */
  retained(): HistoryOp[];
}

/**
 * The log of operations shared by the clients of one run. Stamped with `clock`, which must be the
 * simulation's global time (not a host's skewed clock) so operations on different hosts compare
 * correctly. Without a sink it keeps every operation (`ops`, for tests and checkLinearizable); with
 * one (StoreCheckers, the scenario runner) it keeps none itself: the sink checks them as they settle
 * and drops what it has checked, so `ops` is only what the sink still holds.
 */
export class History {
  private readonly all: HistoryOp[] = [];
  private readonly clock: () => number;
  private readonly sink: HistorySink | undefined;
  private nextId = 0;
  /** Writes (not reads) answered `ok` so far. */
  okWrites = 0;

  constructor(clock: () => number, sink?: HistorySink) {
    this.clock = clock;
    this.sink = sink;
  }

  get ops(): readonly HistoryOp[] {
    return this.sink === undefined ? this.all : this.sink.retained();
  }

  invoke(client: string, key: string, input: HistoryInput): HistoryOp {
    const nowUs = this.clock();
    const op: HistoryOp = { id: this.nextId++, client, key, input, invokeUs: nowUs, completeUs: undefined, outcome: 'pending', output: undefined };
    if (this.sink === undefined) this.all.push(op);
    else this.sink.invoked(op);
    return op;
  }

  complete(op: HistoryOp, output: HistoryOutput): void {
    op.completeUs = this.clock();
    op.outcome = 'ok';
    op.output = output;
    if (op.input.type !== 'get') this.okWrites++;
    this.sink?.settled(op);
  }

  /** The operation definitely did not take effect (rejected before it was proposed). */
  fail(op: HistoryOp): void {
    op.completeUs = this.clock();
    op.outcome = 'failed';
    this.sink?.settled(op);
  }

  /** The client gave up: the operation may or may not have taken effect. */
  giveUp(op: HistoryOp): void {
    op.outcome = 'unknown';
    this.sink?.settled(op);
  }
}
