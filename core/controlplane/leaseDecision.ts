import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import type { LeaseSpec } from '../api/types.js';

/**
 * The kernel-free heart of client-go's tryAcquireOrRenew. Every timestamp here is LOCAL to the
 * deciding host: client-go trusts only "observedTime", the local time at which this client last saw
 * the record change, never the renewTime written by another host. That is what makes the algorithm
 * tolerant to clock offset but not to clock rate differences (leaderelection/doc.go).
 */

/** What one client last saw of the lock, and when by its own clock. */
export interface ObservedLease {
  readonly spec: LeaseSpec;
  /** Store revision of the object as last read or written: the precondition of our next update. */
  readonly resourceVersion: string;
  /**
   * Revision last returned by a Get: stands in for client-go's observedRawRecord, which only Get
   * refreshes (our own writes do not), so the next Get after a write re-observes the record.
   */
  readonly rawResourceVersion: string;
  /** Local clock when the record was last seen to change (or written by us). */
  readonly observedTimeUs: Micros;
}

/** client-go IsLeader: the last observed holder is us. */
export function isLeader(observed: ObservedLease | undefined, identity: string): boolean {
  return observed !== undefined && observed.spec.holderIdentity === identity;
}

/** client-go isLeaseValid: observedTime + leaseDurationSeconds (of the observed record) is after now. */
export function isLeaseValid(observed: ObservedLease | undefined, nowUs: Micros): boolean {
  if (observed === undefined) return false;
  const durationUs = s(observed.spec.leaseDurationSeconds ?? 0);
  return observed.observedTimeUs + durationUs > nowUs;
}

/** The record a client writes when it acquires or renews, before the holder/transition corrections. */
export function freshRecord(identity: string, leaseDurationUs: Micros, nowUs: Micros): LeaseSpec {
  const nowSeconds = nowUs / 1_000_000;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.floor(leaseDurationUs / 1_000_000),
    acquireTime: nowSeconds,
    renewTime: nowSeconds,
    leaseTransitions: 0,
  };
}

/**
 * Step 1 of tryAcquireOrRenew, the leader's fast path: when we believe we hold a still-valid lease
 * we write optimistically against the revision we last saw, keeping acquireTime and transitions.
 * Returns undefined when the slow path (Get first) must be taken.
 */
export function fastPathRecord(
  observed: ObservedLease | undefined,
  identity: string,
  leaseDurationUs: Micros,
  nowUs: Micros,
): LeaseSpec | undefined {
  if (observed === undefined || !isLeader(observed, identity) || !isLeaseValid(observed, nowUs)) return undefined;
  const base = freshRecord(identity, leaseDurationUs, nowUs);
  return withHistory(base, observed.spec.acquireTime, observed.spec.leaseTransitions ?? 0);
}

export type SlowPathDecision =
  /** The lock is held by someone else whose lease has not expired by OUR clock: do nothing. */
  | { readonly type: 'hold-off'; readonly observed: ObservedLease }
  /** Write this record with an update conditioned on the fetched revision. */
  | { readonly type: 'update'; readonly observed: ObservedLease; readonly record: LeaseSpec; readonly takeover: boolean };

/**
 * Steps 3–4 of tryAcquireOrRenew, after a successful Get of the lock.
 * - `attemptStartUs` is `now` as captured when the attempt began (client-go captures it first);
 * - `responseUs` is the local time the Get answered: a changed record is observed at that time.
 */
export function decideAfterGet(
  previous: ObservedLease | undefined,
  fetched: { readonly spec: LeaseSpec; readonly resourceVersion: string },
  identity: string,
  leaseDurationUs: Micros,
  attemptStartUs: Micros,
  responseUs: Micros,
): SlowPathDecision {
  const changed = previous === undefined || previous.rawResourceVersion !== fetched.resourceVersion;
  const observed: ObservedLease = changed
    ? { spec: fetched.spec, resourceVersion: fetched.resourceVersion, rawResourceVersion: fetched.resourceVersion, observedTimeUs: responseUs }
    : { ...previous, resourceVersion: fetched.resourceVersion };
  const holder = fetched.spec.holderIdentity ?? '';
  if (holder.length > 0 && isLeaseValid(observed, attemptStartUs) && !isLeader(observed, identity)) {
    return { type: 'hold-off', observed };
  }
  const base = freshRecord(identity, leaseDurationUs, attemptStartUs);
  const transitions = fetched.spec.leaseTransitions ?? 0;
  if (isLeader(observed, identity)) {
    return { type: 'update', observed, record: withHistory(base, fetched.spec.acquireTime, transitions), takeover: false };
  }
  // Taking over (or taking an empty lock) counts as a transition between holders.
  return { type: 'update', observed, record: { ...base, leaseTransitions: transitions + 1 }, takeover: true };
}

/** After our own successful create/update, client-go records what it wrote, observed now. */
export function observeOwnWrite(
  record: LeaseSpec,
  resourceVersion: string,
  previousRaw: string,
  responseUs: Micros,
): ObservedLease {
  return { spec: record, resourceVersion, rawResourceVersion: previousRaw, observedTimeUs: responseUs };
}

function withHistory(base: LeaseSpec, acquireTime: number | undefined, transitions: number): LeaseSpec {
  return acquireTime === undefined
    ? { ...base, leaseTransitions: transitions }
    : { ...base, acquireTime, leaseTransitions: transitions };
}
