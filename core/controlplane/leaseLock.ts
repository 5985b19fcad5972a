import type { Context } from '../../sim/component.js';
import type { LeaseSpec } from '../api/types.js';

/** A Lease as the elector needs it: its spec and the revision to condition the next update on. */
export interface LockRecord {
  readonly spec: LeaseSpec;
  readonly resourceVersion: string;
}

/** Why a lock operation failed; every one of them makes tryAcquireOrRenew return false. */
export type LockFailure = 'NotFound' | 'Conflict' | 'AlreadyExists' | 'Timeout' | 'Unavailable' | 'Forbidden' | 'Error';

export type LockResult = { readonly ok: true; readonly record: LockRecord } | { readonly ok: false; readonly reason: LockFailure };

/**
 * The resource lock (client-go resourcelock.Interface for Leases), as a callback port so the elector
 * is independent of the API client's shape. The adapter over ApiClient lives in apiLeaseLock.ts;
 * tests use an in-memory fake. A callback may never come (lost request): the elector times it out.
 */
export interface LeaseLock {
  /** `namespace/name`, for logs and observations. */
  describe(): string;
  get(ctx: Context, done: (result: LockResult) => void): void;
  create(ctx: Context, spec: LeaseSpec, done: (result: LockResult) => void): void;
  /** Update conditioned on `resourceVersion` (409 Conflict if the Lease changed since). */
  update(ctx: Context, resourceVersion: string, spec: LeaseSpec, done: (result: LockResult) => void): void;
}
