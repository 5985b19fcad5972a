import type { ApplyResult, EventsResult, RangeResult, StoreCommand, WatchEvent } from './mvccTypes.js';

/**
 * Messages between store clients (API servers) and store members. Immutable, discriminated on
 * `type`; Raft's own messages (`raft/…`) travel between members alongside these.
 */

/**
 * Who sent a write, for at-most-once application (see ClientSessions): the client's session, the
 * request's sequence number in it, and the session's floor when it was sent (every lower sequence
 * number is settled: the client will never retry it).
 */
export interface WriteOrigin {
  readonly session: string;
  readonly seq: number;
  readonly floor: number;
}

/** What a member puts in the Raft log: the command and the client request it answers (for dedupe). */
export interface LogCommand extends WriteOrigin {
  readonly requestId: string;
  readonly command: StoreCommand;
}

export interface WriteRequest extends WriteOrigin {
  readonly type: 'store/write';
  readonly requestId: string;
  readonly command: StoreCommand;
}

export interface RangeRequest {
  readonly type: 'store/range';
  readonly requestId: string;
  readonly prefix: string;
  readonly exact: boolean;
  /** Read at this past revision; undefined = latest. */
  readonly revision: number | undefined;
  readonly limit: number | undefined;
  /** true: serve from this member's state now (may be stale); false: linearizable via ReadIndex. */
  readonly serializable: boolean;
}

export interface WatchRequest {
  readonly type: 'store/watch';
  readonly watchId: string;
  readonly prefix: string;
  readonly fromRevision: number;
  /**
   * How many times the client has (re)opened this watch: every message of this stream echoes it, so
   * messages of an earlier stream (an old member, or before a reopen) are told apart and dropped.
   */
  readonly generation: number;
}

/** Stops feeding a watch, unless the member already serves a newer generation of it. */
export interface CancelWatchRequest {
  readonly type: 'store/cancelWatch';
  readonly watchId: string;
  readonly generation: number;
}

/**
 * The client's periodic acknowledgement of a watch stream (the last `seq` it accepted). A member
 * that does not know the watch (it restarted, or the open or a `watchCompacted` was lost) answers
 * `store/watchUnknown`, and the client reopens rather than waiting for the silence timeout.
 */
export interface WatchAckRequest {
  readonly type: 'store/watchAck';
  readonly watchId: string;
  readonly generation: number;
  readonly seq: number;
}

export interface WriteResponse {
  readonly type: 'store/writeResp';
  readonly requestId: string;
  readonly result: ApplyResult;
  /** Where the write sits in the Raft log, for the durability checker. */
  readonly index: number;
  readonly term: number;
}

export interface RangeResponse {
  readonly type: 'store/rangeResp';
  readonly requestId: string;
  readonly result: RangeResult;
}

/** The member cannot serve this request; `leader` names the member it believes leads, if any. */
export interface NotLeaderResponse {
  readonly type: 'store/notLeader';
  readonly requestId: string;
  readonly leader: string | null;
  /**
   * The answering member's current term. A hint naming a member the client saw fail is stale unless
   * it comes with a later term than the client knew then (that member has won an election since).
   */
  readonly term: number;
}

/** Watch events (possibly none: a progress notification that the member is alive at `revision`). */
export interface WatchEventsMessage {
  readonly type: 'store/watchEvents';
  readonly watchId: string;
  readonly generation: number;
  /** 1, 2, 3… per stream (watch id + generation): a gap means a lost message, so the client reopens. */
  readonly seq: number;
  readonly events: readonly WatchEvent[];
  readonly revision: number;
}

export interface WatchCompactedMessage {
  readonly type: 'store/watchCompacted';
  readonly watchId: string;
  readonly generation: number;
  readonly seq: number;
  readonly compactRevision: number;
}

/** Answer to a `store/watchAck` for a watch (generation) this member does not serve. */
export interface WatchUnknownMessage {
  readonly type: 'store/watchUnknown';
  readonly watchId: string;
  readonly generation: number;
}

export type StoreRequest = WriteRequest | RangeRequest | WatchRequest | CancelWatchRequest | WatchAckRequest;
export type StoreResponse = WriteResponse | RangeResponse | NotLeaderResponse | WatchEventsMessage | WatchCompactedMessage | WatchUnknownMessage;

export function isStoreRequest(message: { readonly type: string }): message is StoreRequest {
  return (
    message.type === 'store/write' ||
    message.type === 'store/range' ||
    message.type === 'store/watch' ||
    message.type === 'store/cancelWatch' ||
    message.type === 'store/watchAck'
  );
}

export function isStoreResponse(message: { readonly type: string }): message is StoreResponse {
  return (
    message.type === 'store/writeResp' ||
    message.type === 'store/rangeResp' ||
    message.type === 'store/notLeader' ||
    message.type === 'store/watchEvents' ||
    message.type === 'store/watchCompacted' ||
    message.type === 'store/watchUnknown'
  );
}

export type { EventsResult };
