import type { Context, EndpointId, Message, TimerId, TimerTag } from '../../sim/index.js';
import type { ApplyResult, Compare, KeyValue, OpResult, RangeResult, StoreCommand, TxnOp, WatchEvent } from './mvccTypes.js';
import type { StoreRequest, StoreResponse, WatchCompactedMessage, WatchEventsMessage, WatchUnknownMessage, WriteResponse } from './protocol.js';
import type { History, HistoryInput, HistoryOp, HistoryOutput } from './history.js';
import type { StoreRecorder } from './recorder.js';
import { isStoreResponse } from './protocol.js';
import { MemberSelector, NO_MEMBER } from './memberSelector.js';
import { assertNever } from '../util/assert.js';

export interface StoreClientOptions {
  /** Endpoint names of the store members. */
  readonly members: readonly string[];
  /** Name in the history and in request ids; default the host component's endpoint name. */
  readonly name?: string;
  /** Where to record every single-key operation for store.linearizable; none by default. */
  readonly history?: History;
  /** Checker hooks (acknowledged writes for store.durability); none by default. */
  readonly recorder?: StoreRecorder;
  /** Per-attempt timeout, µs (default 1s): then the member is marked unhealthy and a healthy one is tried. */
  readonly attemptTimeoutUs?: number;
  /** How long a member that let an attempt time out is skipped, µs (default 3s, doubling per consecutive timeout up to 10s). */
  readonly unhealthyBackoffUs?: number;
  /** Whole-request deadline, µs (default 5s): then the caller gets `timeout`. */
  readonly deadlineUs?: number;
  /** Pause before retrying when no leader is known, µs (default 50ms); avoids a hot retry loop. */
  readonly retryBackoffUs?: number;
  /** Re-establish a watch on another member after this much silence, µs (default 3s; members notify every 1s). */
  readonly watchSilenceUs?: number;
}

/** The request did not reach a member that could serve it; a write was definitely not applied. */
export interface Unavailable {
  readonly type: 'unavailable';
}
/** The client gave up waiting; a write may or may not have been applied. */
export interface TimedOut {
  readonly type: 'timeout';
}
/** A compare on mod revision failed: the key changed (or exists / does not) since it was read. */
export interface Conflict {
  readonly type: 'conflict';
  readonly revision: number;
}

export type PutResult = { readonly type: 'ok'; readonly revision: number; readonly prevKv: KeyValue | null } | Conflict | Unavailable | TimedOut;
export type DeleteResult =
  | { readonly type: 'ok'; readonly revision: number; readonly deleted: number; readonly prevKv: KeyValue | null }
  | Conflict
  | Unavailable
  | TimedOut;
export type TxnResult =
  | { readonly type: 'ok'; readonly succeeded: boolean; readonly revision: number; readonly results: readonly OpResult[] }
  | Unavailable
  | TimedOut;
export type ReadResult = RangeResult | Unavailable | TimedOut;
export type WatchUpdate =
  | { readonly type: 'events'; readonly events: readonly WatchEvent[]; readonly revision: number }
  /** The watch's start revision was compacted: the caller must relist (the API server's 410 Gone). */
  | { readonly type: 'compacted'; readonly compactRevision: number };

export interface PutOptions {
  /** Only write if the key's modRevision is this (0 = only if absent): optimistic concurrency. */
  readonly expectedModRevision?: number;
  readonly sizeBytes?: number;
}
export interface DeleteOptions {
  readonly expectedModRevision?: number;
}
export interface RangeOptions {
  /** Only the key itself, not the prefix. */
  readonly exact?: boolean;
  /** Read as of this revision (compacted/future results possible); default latest. */
  readonly revision?: number;
  readonly limit?: number;
  /** Serve from whichever member answers, possibly stale (etcd's serializable); default false = linearizable. */
  readonly serializable?: boolean;
}

interface PendingOp {
  readonly id: number;
  readonly request: StoreRequest & { readonly requestId: string };
  readonly deadlineUs: number;
  readonly onWrite: ((response: WriteResponse | Unavailable | TimedOut) => void) | undefined;
  readonly onRead: ((result: ReadResult) => void) | undefined;
  readonly history: HistoryOp | undefined;
  readonly historyOutput: ((response: WriteResponse) => HistoryOutput) | undefined;
  target: number;
  attempt: number;
  timer: TimerId | undefined;
  /** Some attempt ended without a definite answer, so a write may have been applied. */
  maybeApplied: boolean;
}

interface ActiveWatch {
  readonly watchId: string;
  readonly prefix: string;
  readonly onUpdate: (update: WatchUpdate) => void;
  nextRevision: number;
  member: number;
  lastHeardUs: number;
  /** Opens so far; the member echoes it, so messages of an earlier stream are told apart. */
  generation: number;
  /** Sequence number the next message of the current stream must carry (1 after each open). */
  nextSeq: number;
}

type ClientTimer =
  | { readonly type: 'storeClient/attempt'; readonly op: number; readonly attempt: number }
  | { readonly type: 'storeClient/retry'; readonly op: number; readonly attempt: number }
  | { readonly type: 'storeClient/watchCheck'; readonly watchId: string; readonly generation: number };

/**
 * The store client embedded in a component (the API server): etcd's clientv3 in miniature. It sends
 * each request to the member it believes leads (learnt from NotLeader hints and applied writes), else
 * to the member that last answered (MemberSelector); a member that lets an attempt time out is
 * skipped for a back-off period, so a crashed member costs one timeout rather than one per request.
 * It retries elsewhere with the same request id (a write is applied at most once) and gives up at a
 * deadline with `timeout` (outcome unknown) or `unavailable` (definitely not applied). Single-key
 * operations are recorded in the history for store.linearizable. Callbacks run synchronously inside
 * the host component's handlers; forward messages and timers with handleMessage/handleTimer.
 */
export class StoreClient {
  private readonly ctx: Context;
  private readonly options: StoreClientOptions;
  private readonly name: string;
  /** This client's session for at-most-once writes: one per incarnation, as the request ids are. */
  private readonly session: string;
  private readonly ops = new Map<number, PendingOp>();
  private readonly opsByRequest = new Map<string, PendingOp>();
  private readonly watches = new Map<string, ActiveWatch>();
  private seq = 0;
  /**
   * Sequence numbers of the writes in flight, oldest first (settled ones are skipped lazily): the
   * first is the session's floor, which every write carries so members can forget what is settled.
   */
  private writesInFlight: number[] = [];
  private writesInFlightHead = 0;
  /** Which member to send to: the known leader, else the pinned healthy member (clientv3's balancer). */
  private readonly selector: MemberSelector;
  /** Endpoint ids of the members, resolved by name once registered (for telling who answered). */
  private readonly memberIds: Array<EndpointId | undefined>;

  constructor(ctx: Context, options: StoreClientOptions) {
    if (options.members.length === 0) throw new Error('StoreClient needs at least one member');
    this.ctx = ctx;
    this.options = options;
    this.name = options.name ?? ctx.name;
    // A fresh incarnation must never reuse a request id the members remember from the last one.
    this.session = `${this.name}:${ctx.rng.int(1_000_000_000)}`;
    // Clients spread over the members until they learn the leader.
    this.selector = new MemberSelector(options.members.length, ctx.rng.int(options.members.length), {
      ...(options.unhealthyBackoffUs === undefined ? {} : { backoffUs: options.unhealthyBackoffUs }),
    });
    this.memberIds = options.members.map(() => undefined);
  }

  /** The member this client sends its next request to (the leader it believes in, or its pinned healthy member). */
  get preferredMember(): string {
    return this.options.members[this.selector.pick(this.ctx.now())] ?? '';
  }

  get pendingOperations(): number {
    return this.ops.size;
  }

  // ---------------------------------------------------------------- operations

  put(key: string, value: unknown, options: PutOptions, callback: (result: PutResult) => void): void {
    const sizeBytes = options.sizeBytes ?? 256;
    const op: TxnOp = { type: 'put', key, value, sizeBytes };
    const expected = options.expectedModRevision;
    if (expected === undefined) {
      this.write(op, key, { type: 'put', value }, (r) => (r.type === 'put' ? { type: 'write', revision: r.revision } : null), (res) => {
        if (res.type === 'put') callback({ type: 'ok', revision: res.revision, prevKv: res.prevKv });
      }, callback);
      return;
    }
    this.conditional(key, expected, op, { type: 'cas', expectedModRevision: expected, value, del: false }, (res) => {
      if (res.type !== 'txn') return;
      const first = res.results[0];
      if (!res.succeeded || first?.type !== 'put') callback({ type: 'conflict', revision: res.revision });
      else callback({ type: 'ok', revision: first.revision, prevKv: first.prevKv });
    }, callback);
  }

  delete(key: string, options: DeleteOptions, callback: (result: DeleteResult) => void): void {
    const op: TxnOp = { type: 'delete', key };
    const expected = options.expectedModRevision;
    if (expected === undefined) {
      this.write(op, key, { type: 'delete' }, (r) => (r.type === 'delete' ? { type: 'deleted', revision: r.revision, existed: r.deleted > 0 } : null), (res) => {
        if (res.type === 'delete') callback({ type: 'ok', revision: res.revision, deleted: res.deleted, prevKv: res.prevKv });
      }, callback);
      return;
    }
    this.conditional(key, expected, op, { type: 'cas', expectedModRevision: expected, value: null, del: true }, (res) => {
      if (res.type !== 'txn') return;
      const first = res.results[0];
      if (!res.succeeded || first?.type !== 'delete') callback({ type: 'conflict', revision: res.revision });
      else callback({ type: 'ok', revision: first.revision, deleted: first.deleted, prevKv: first.prevKv });
    }, callback);
  }

  /**
   * A general transaction. Each key it writes is recorded in the history as that key's share of the
   * txn (input `txn`), so keys written by multi-key txns (fenced writes) keep a complete per-key
   * history for store.linearizable; keys it only compares are not written and need no record.
   */
  txn(compares: readonly Compare[], success: readonly TxnOp[], failure: readonly TxnOp[], callback: (result: TxnResult) => void): void {
    const command: StoreCommand = { type: 'txn', compares, success, failure };
    const recorded = this.recordTxn(compares, success, failure);
    this.submitWrite(command, undefined, undefined, (response) => {
      const history = this.options.history;
      if (history !== undefined) {
        for (const op of recorded) {
          if (response.type === 'unavailable') history.fail(op);
          else if (response.type === 'timeout') history.giveUp(op);
          else if (response.result.type === 'txn') history.complete(op, { type: 'cas', succeeded: response.result.succeeded, revision: response.result.revision });
          else history.giveUp(op);
        }
      }
      if (response.type !== 'store/writeResp') {
        callback(response);
        return;
      }
      const res = response.result;
      if (res.type === 'txn') callback({ type: 'ok', succeeded: res.succeeded, revision: res.revision, results: res.results });
    });
  }

  /** Invokes one history op per write of the txn (its revision is the txn's: a txn's writes share one). */
  private recordTxn(compares: readonly Compare[], success: readonly TxnOp[], failure: readonly TxnOp[]): HistoryOp[] {
    const history = this.options.history;
    if (history === undefined) return [];
    const ops: HistoryOp[] = [];
    const branches: ReadonlyArray<readonly ['success' | 'failure', readonly TxnOp[]]> = [['success', success], ['failure', failure]];
    for (const [branch, writes] of branches) {
      for (const w of writes) {
        const own = compares.filter((c) => c.key === w.key);
        const first = own[0];
        // Two compares on one key: the register model has one expected value, so the rest count as guards.
        const guarded = compares.length > (first === undefined ? 0 : 1);
        const value = w.type === 'put' ? w.value : null;
        ops.push(history.invoke(this.name, w.key, { type: 'txn', expectedModRevision: first?.modRevision, guarded, branch, value, del: w.type === 'delete' }));
      }
    }
    return ops;
  }

  /** Compacts the store's history up to `revision` (through the log, so every member does it). */
  compact(revision: number, callback: (result: { readonly type: 'ok' | 'unavailable' | 'timeout' }) => void): void {
    this.submitWrite({ type: 'compact', revision }, undefined, undefined, (response) => {
      callback({ type: response.type === 'store/writeResp' ? 'ok' : response.type });
    });
  }

  range(prefix: string, options: RangeOptions, callback: (result: ReadResult) => void): void {
    const requestId = this.nextRequestId();
    const request: StoreRequest & { readonly requestId: string } = {
      type: 'store/range',
      requestId,
      prefix,
      exact: options.exact ?? false,
      revision: options.revision,
      limit: options.limit,
      serializable: options.serializable ?? false,
    };
    // Only a linearizable read of one key at the latest revision is a point in the register model.
    const recorded = options.exact === true && options.serializable !== true && options.revision === undefined;
    const historyOp = recorded ? this.options.history?.invoke(this.name, prefix, { type: 'get' }) : undefined;
    this.start(request, undefined, (result) => {
      if (historyOp !== undefined && this.options.history !== undefined) {
        if (result.type === 'ok') {
          const kv = result.kvs[0];
          this.options.history.complete(historyOp, { type: 'read', value: kv?.value ?? null, modRevision: kv?.modRevision ?? 0 });
        } else {
          this.options.history.giveUp(historyOp);
        }
      }
      callback(result);
    }, historyOp, undefined);
  }

  get(key: string, options: Omit<RangeOptions, 'exact'>, callback: (result: ReadResult) => void): void {
    this.range(key, { ...options, exact: true }, callback);
  }

  /**
   * Watches keys under `prefix` from `fromRevision` on: every change, in revision order, no gaps,
   * across member failures. Returns the watch id for cancelWatch.
   */
  watch(prefix: string, fromRevision: number, onUpdate: (update: WatchUpdate) => void): string {
    const watchId = `${this.session}:w${++this.seq}`;
    const w: ActiveWatch = { watchId, prefix, onUpdate, nextRevision: fromRevision, member: this.selector.pick(this.ctx.now()), lastHeardUs: this.ctx.now(), generation: 0, nextSeq: 1 };
    this.watches.set(watchId, w);
    this.openWatch(w);
    return watchId;
  }

  cancelWatch(watchId: string): void {
    const w = this.watches.get(watchId);
    if (w === undefined) return;
    this.watches.delete(watchId);
    this.sendTo(w.member, { type: 'store/cancelWatch', watchId, generation: w.generation });
  }

  // ---------------------------------------------------------------- plumbing for the host component

  /** Handles a store response; returns false if the message is not for the store client. */
  handleMessage(ctx: Context, from: EndpointId, message: Message): boolean {
    if (!isStoreResponse(message)) return false;
    if (message.type === 'store/watchEvents' || message.type === 'store/watchCompacted' || message.type === 'store/watchUnknown') {
      if (!this.inWatchStream(ctx, from, message)) return true;
    }
    this.onResponse(message, this.memberIndexOf(from));
    return true;
  }

  /** Handles a store client timer; returns false if the tag is not the store client's. */
  handleTimer(ctx: Context, tag: TimerTag): boolean {
    if (typeof tag !== 'object' || !tag.type.startsWith('storeClient/')) return false;
    void ctx;
    const t = tag as ClientTimer;
    switch (t.type) {
      case 'storeClient/attempt': {
        const op = this.ops.get(t.op);
        if (op === undefined || op.attempt !== t.attempt) return true;
        op.timer = undefined;
        op.maybeApplied = true;
        // The member did not answer in time: skip it for a while (every later request would pay the
        // same timeout) and go to a healthy one.
        this.selector.onTimeout(op.target, this.ctx.now());
        this.retry(op, this.selector.pick(this.ctx.now()), false);
        return true;
      }
      case 'storeClient/retry': {
        const op = this.ops.get(t.op);
        if (op !== undefined && op.attempt === t.attempt) this.sendAttempt(op);
        return true;
      }
      case 'storeClient/watchCheck': {
        const w = this.watches.get(t.watchId);
        if (w === undefined || w.generation !== t.generation) return true;
        const silence = this.options.watchSilenceUs ?? 3_000_000;
        if (this.ctx.now() - w.lastHeardUs >= silence) {
          this.sendTo(w.member, { type: 'store/cancelWatch', watchId: w.watchId, generation: w.generation });
          this.selector.onTimeout(w.member, this.ctx.now());
          w.member = this.selector.pick(this.ctx.now());
          this.openWatch(w);
        } else {
          // Acknowledge what arrived; a member that does not serve the stream answers watchUnknown.
          this.sendTo(w.member, { type: 'store/watchAck', watchId: w.watchId, generation: w.generation, seq: w.nextSeq - 1 });
          this.ctx.setTimer(silence / 2, timerTag({ type: 'storeClient/watchCheck', watchId: w.watchId, generation: w.generation }));
        }
        return true;
      }
      default:
        return assertNever(t, 'store client timer');
    }
  }

  // ---------------------------------------------------------------- internals

  private nextRequestId(): string {
    return `${this.session}:${++this.seq}`;
  }

  /** The lowest sequence number of a write still in flight, else the next one to be issued. */
  private sessionFloor(): number {
    const queue = this.writesInFlight;
    while (this.writesInFlightHead < queue.length && !this.ops.has(queue[this.writesInFlightHead]!)) this.writesInFlightHead++;
    if (this.writesInFlightHead > 1024 && this.writesInFlightHead * 2 > queue.length) {
      this.writesInFlight = queue.slice(this.writesInFlightHead);
      this.writesInFlightHead = 0;
    }
    return this.writesInFlight[this.writesInFlightHead] ?? this.seq + 1;
  }

  private write(
    op: TxnOp,
    key: string,
    input: HistoryInput,
    output: (r: ApplyResult) => HistoryOutput | null,
    onOk: (result: ApplyResult) => void,
    onError: (e: Unavailable | TimedOut) => void,
  ): void {
    this.submitWrite(op, key, { input, output }, (response) => {
      if (response.type === 'store/writeResp') onOk(response.result);
      else onError(response);
    });
  }

  private conditional(
    key: string,
    expected: number,
    op: TxnOp,
    input: HistoryInput,
    onOk: (result: ApplyResult) => void,
    onError: (e: Unavailable | TimedOut) => void,
  ): void {
    const command: StoreCommand = { type: 'txn', compares: [{ key, modRevision: expected }], success: [op], failure: [] };
    const output = (r: ApplyResult): HistoryOutput | null =>
      r.type === 'txn' ? { type: 'cas', succeeded: r.succeeded, revision: r.results[0]?.revision ?? r.revision } : null;
    this.submitWrite(command, key, { input, output }, (response) => {
      if (response.type === 'store/writeResp') onOk(response.result);
      else onError(response);
    });
  }

  private submitWrite(
    command: StoreCommand,
    key: string | undefined,
    recording: { input: HistoryInput; output: (r: ApplyResult) => HistoryOutput | null } | undefined,
    onDone: (response: WriteResponse | Unavailable | TimedOut) => void,
  ): void {
    const floor = this.sessionFloor();
    const requestId = this.nextRequestId();
    const seq = this.seq;
    this.writesInFlight.push(seq);
    const history = this.options.history;
    const historyOp = key !== undefined && recording !== undefined && history !== undefined ? history.invoke(this.name, key, recording.input) : undefined;
    const historyOutput =
      recording === undefined
        ? undefined
        : (response: WriteResponse): HistoryOutput => recording.output(response.result) ?? { type: 'write', revision: response.result.revision };
    this.start({ type: 'store/write', requestId, session: this.session, seq, floor, command }, onDone, undefined, historyOp, historyOutput);
  }

  private start(
    request: StoreRequest & { readonly requestId: string },
    onWrite: PendingOp['onWrite'],
    onRead: PendingOp['onRead'],
    history: HistoryOp | undefined,
    historyOutput: PendingOp['historyOutput'],
  ): void {
    const op: PendingOp = {
      id: this.seq,
      request,
      deadlineUs: this.ctx.now() + (this.options.deadlineUs ?? 5_000_000),
      onWrite,
      onRead,
      history,
      historyOutput,
      target: this.selector.pick(this.ctx.now()),
      attempt: 0,
      timer: undefined,
      maybeApplied: false,
    };
    this.ops.set(op.id, op);
    this.opsByRequest.set(request.requestId, op);
    this.sendAttempt(op);
  }

  private sendAttempt(op: PendingOp): void {
    op.attempt++;
    this.sendTo(op.target, op.request);
    const remaining = op.deadlineUs - this.ctx.now();
    const wait = Math.max(1, Math.min(this.options.attemptTimeoutUs ?? 1_000_000, remaining));
    op.timer = this.ctx.setTimer(wait, timerTag({ type: 'storeClient/attempt', op: op.id, attempt: op.attempt }));
  }

  /** Moves on to member `target`, now or after a backoff, unless the deadline has passed. */
  private retry(op: PendingOp, target: number, immediately: boolean): void {
    if (op.timer !== undefined) this.ctx.cancelTimer(op.timer);
    op.timer = undefined;
    const now = this.ctx.now();
    if (now >= op.deadlineUs) {
      this.finish(op, op.maybeApplied || op.request.type !== 'store/write' ? { type: 'timeout' } : { type: 'unavailable' });
      return;
    }
    op.target = target;
    if (immediately) {
      this.sendAttempt(op);
      return;
    }
    op.attempt++;
    const backoff = Math.min(this.options.retryBackoffUs ?? 50_000, op.deadlineUs - now);
    op.timer = this.ctx.setTimer(Math.max(1, backoff), timerTag({ type: 'storeClient/retry', op: op.id, attempt: op.attempt }));
  }

  private finish(op: PendingOp, outcome: WriteResponse | RangeResult | Unavailable | TimedOut): void {
    this.ops.delete(op.id);
    this.opsByRequest.delete(op.request.requestId);
    if (op.timer !== undefined) this.ctx.cancelTimer(op.timer);
    const history = this.options.history;
    if (outcome.type === 'store/writeResp') {
      this.options.recorder?.onAck(outcome.index, outcome.term);
      if (op.history !== undefined && history !== undefined && op.historyOutput !== undefined) history.complete(op.history, op.historyOutput(outcome));
      op.onWrite?.(outcome);
      return;
    }
    if (op.request.type === 'store/write') {
      if (op.history !== undefined && history !== undefined) {
        if (outcome.type === 'unavailable') history.fail(op.history);
        else history.giveUp(op.history);
      }
      if (outcome.type === 'unavailable' || outcome.type === 'timeout') op.onWrite?.(outcome);
      return;
    }
    if (outcome.type === 'unavailable' || outcome.type === 'timeout' || outcome.type === 'ok' || outcome.type === 'compacted' || outcome.type === 'future') {
      op.onRead?.(outcome);
    }
  }

  /** `from` is the index of the member that sent the message (NO_MEMBER if it is not one). */
  private onResponse(message: StoreResponse, from: number): void {
    switch (message.type) {
      case 'store/writeResp': {
        // Usually the leader applying the proposal (a follower answers only a retry it already applied).
        this.selector.onAnswer(from, true, message.term);
        const op = this.opsByRequest.get(message.requestId);
        if (op !== undefined) this.finish(op, message);
        return;
      }
      case 'store/rangeResp': {
        this.selector.onAnswer(from, false);
        const op = this.opsByRequest.get(message.requestId);
        if (op !== undefined) this.finish(op, message.result);
        return;
      }
      case 'store/notLeader': {
        const op = this.opsByRequest.get(message.requestId);
        // A late answer to an earlier attempt says nothing about the one in flight now.
        if (op === undefined || (from !== NO_MEMBER && from !== op.target)) return;
        const hinted = message.leader === null ? NO_MEMBER : this.options.members.indexOf(message.leader);
        const now = this.ctx.now();
        const next = this.selector.onNotLeader(from, hinted, message.term, now);
        if (next !== NO_MEMBER) this.retry(op, next, true);
        else this.retry(op, this.selector.pick(now), false);
        return;
      }
      case 'store/watchEvents': {
        const w = this.watches.get(message.watchId);
        if (w === undefined) return;
        this.selector.onAnswer(from, false);
        w.lastHeardUs = this.ctx.now();
        const fresh = message.events.filter((e) => e.revision >= w.nextRevision);
        const last = fresh[fresh.length - 1];
        if (last !== undefined) w.nextRevision = last.revision + 1;
        // The member sent everything up to its revision, so a quiet prefix still moves forward.
        w.nextRevision = Math.max(w.nextRevision, message.revision + 1);
        if (fresh.length > 0) w.onUpdate({ type: 'events', events: fresh, revision: message.revision });
        return;
      }
      case 'store/watchCompacted': {
        const w = this.watches.get(message.watchId);
        if (w === undefined) return;
        this.watches.delete(message.watchId);
        w.onUpdate({ type: 'compacted', compactRevision: message.compactRevision });
        return;
      }
      case 'store/watchUnknown':
        return; // handled by inWatchStream

      default:
        assertNever(message, 'store response');
    }
  }

  /**
   * Lets through only the next message of a watch's current stream. A message of an older stream
   * (an earlier member, or before a reopen) or of a watch this client no longer has is dropped and
   * that stream cancelled at its sender; a duplicate is dropped; a gap (a lost message) or a member
   * that does not serve the stream (it restarted) reopens the watch on the same member from the last
   * delivered revision, as etcd's watch resumes from a revision. So no revision is ever skipped.
   */
  private inWatchStream(ctx: Context, from: EndpointId, message: WatchEventsMessage | WatchCompactedMessage | WatchUnknownMessage): boolean {
    const w = this.watches.get(message.watchId);
    if (w === undefined || message.generation !== w.generation) {
      if (message.type !== 'store/watchUnknown' && (w === undefined || message.generation < w.generation)) {
        const cancel: StoreRequest = { type: 'store/cancelWatch', watchId: message.watchId, generation: message.generation };
        ctx.send(from, cancel, 64);
      }
      return false;
    }
    if (message.type === 'store/watchUnknown') {
      this.openWatch(w);
      return false;
    }
    if (message.seq < w.nextSeq) return false;
    if (message.seq > w.nextSeq) {
      this.openWatch(w);
      return false;
    }
    w.nextSeq++;
    return true;
  }

  private openWatch(w: ActiveWatch): void {
    w.generation++;
    w.nextSeq = 1;
    w.lastHeardUs = this.ctx.now();
    this.sendTo(w.member, { type: 'store/watch', watchId: w.watchId, prefix: w.prefix, fromRevision: w.nextRevision, generation: w.generation });
    const silence = this.options.watchSilenceUs ?? 3_000_000;
    this.ctx.setTimer(silence / 2, timerTag({ type: 'storeClient/watchCheck', watchId: w.watchId, generation: w.generation }));
  }

  private sendTo(member: number, request: StoreRequest): void {
    const to = this.memberId(member);
    if (to !== undefined) this.ctx.send(to, request, request.type === 'store/write' ? 320 : 96);
  }

  private memberId(member: number): EndpointId | undefined {
    let id = this.memberIds[member];
    if (id === undefined) {
      const name = this.options.members[member];
      id = name === undefined ? undefined : this.ctx.lookup(name);
      this.memberIds[member] = id;
    }
    return id;
  }

  private memberIndexOf(from: EndpointId): number {
    for (let i = 0; i < this.options.members.length; i++) if (this.memberId(i) === from) return i;
    return NO_MEMBER;
  }
}

/** Timer tags are small frozen objects; typing them as ClientTimer keeps handleTimer exhaustive. */
function timerTag(tag: ClientTimer): ClientTimer {
  return Object.freeze(tag);
}
