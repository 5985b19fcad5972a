import type { Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { ApplyResult, RangeResult, StoreCommand, WatchEvent } from '../store/mvccTypes.js';

/**
 * What the API server needs from the store, as callbacks: writes (puts, deletes, txns with
 * compare-on-modRevision), linearizable prefix reads, and watches from a revision. Implemented by an
 * adapter over core/store's StoreClient (the real Raft cluster) and by MemoryStore (unit tests).
 * Keeping this seam small lets the API server be tested without Raft, and Raft without it.
 */
export type StoreOutcome<T> =
  | { readonly ok: true; readonly value: T }
  /** 503: no quorum / no leader reachable; 504: the store did not answer in time. */
  | { readonly ok: false; readonly code: 503 | 504; readonly message: string };

export interface StoreWatchHandler {
  /** Changes under the prefix in revision order; `revision` is the store's revision (progress). */
  onEvents(events: readonly WatchEvent[], revision: number, ctx: Context): void;
  /** The history from the requested revision was compacted away: the watcher must relist. */
  onCompacted(compactRevision: number, ctx: Context): void;
}

export interface StoreWatchHandle {
  cancel(ctx: Context): void;
}

export interface StorePort {
  start(ctx: Context): void;
  write(ctx: Context, command: StoreCommand, cb: (r: StoreOutcome<ApplyResult>, ctx: Context) => void): void;
  /** Linearizable read of keys under `prefix` (exactly `prefix` if `exact`). */
  range(ctx: Context, prefix: string, exact: boolean, cb: (r: StoreOutcome<RangeResult>, ctx: Context) => void): void;
  /** Events with revision ≥ fromRevision, then live ones, until cancelled or compacted. */
  watch(ctx: Context, prefix: string, fromRevision: number, handler: StoreWatchHandler): StoreWatchHandle;
  handleMessage(ctx: Context, from: EndpointId, msg: Message): boolean;
  handleTimer(ctx: Context, tag: TimerTag): boolean;
}
