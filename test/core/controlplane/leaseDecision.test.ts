import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { s } from '../../../sim/time.js';
import { decideAfterGet, fastPathRecord, isLeaseValid } from '../../../core/controlplane/leaseDecision.js';
import type { ObservedLease } from '../../../core/controlplane/leaseDecision.js';
import { validateTimings } from '../../../core/controlplane/leaderElectionConfig.js';

const held = (holder: string, transitions = 3): { spec: { holderIdentity: string; leaseDurationSeconds: number; leaseTransitions: number; acquireTime: number; renewTime: number }; resourceVersion: string } => ({
  spec: { holderIdentity: holder, leaseDurationSeconds: 15, leaseTransitions: transitions, acquireTime: 1, renewTime: 2 },
  resourceVersion: '7',
});

test('validation: leaseDuration > renewDeadline > 1.2 × retryPeriod', () => {
  assert.deepEqual(validateTimings({ leaseDurationUs: s(15), renewDeadlineUs: s(10), retryPeriodUs: s(2) }), []);
  assert.equal(validateTimings({ leaseDurationUs: s(10), renewDeadlineUs: s(10), retryPeriodUs: s(2) }).length, 1);
  // 1.2 × 9s = 10.8s ≥ 10s
  assert.equal(validateTimings({ leaseDurationUs: s(15), renewDeadlineUs: s(10), retryPeriodUs: s(9) }).length, 1);
});

test('decision table: a non-holder holds off until ITS observedTime + leaseDuration has passed', () => {
  // First sight of the record at local 100s: observedTime = 100s regardless of the record's renewTime.
  const d1 = decideAfterGet(undefined, held('a'), 'b', s(15), s(100), s(100));
  assert.equal(d1.type, 'hold-off');
  assert.equal(d1.observed.observedTimeUs, s(100));
  // Unchanged record seen again at 114.9s: still valid by b's clock.
  const d2 = decideAfterGet(d1.observed, held('a'), 'b', s(15), s(114.9), s(114.9));
  assert.equal(d2.type, 'hold-off');
  assert.equal(d2.observed.observedTimeUs, s(100));
  // At 115s the lease has expired by b's clock: take over, transitions + 1, acquireTime = now.
  const d3 = decideAfterGet(d2.observed, held('a'), 'b', s(15), s(115), s(115));
  assert.equal(d3.type, 'update');
  if (d3.type === 'update') {
    assert.equal(d3.takeover, true);
    assert.equal(d3.record.holderIdentity, 'b');
    assert.equal(d3.record.leaseTransitions, 4);
    assert.equal(d3.record.acquireTime, 115);
  }
});

test('decision table: a changed record restarts the wait, whatever its renewTime says', () => {
  const d1 = decideAfterGet(undefined, held('a'), 'b', s(15), s(100), s(100));
  const renewed = { ...held('a'), resourceVersion: '8' };
  const d2 = decideAfterGet(d1.observed, renewed, 'b', s(15), s(114), s(114));
  assert.equal(d2.type, 'hold-off');
  assert.equal(d2.observed.observedTimeUs, s(114));
});

test('decision table: empty holder may be taken at once; own record is renewed keeping transitions', () => {
  const empty = { spec: { holderIdentity: '', leaseDurationSeconds: 15, leaseTransitions: 2 }, resourceVersion: '3' };
  const d = decideAfterGet(undefined, empty, 'b', s(15), s(5), s(5));
  assert.equal(d.type, 'update');
  const mine = decideAfterGet(undefined, held('b', 5), 'b', s(15), s(5), s(5));
  assert.equal(mine.type, 'update');
  if (mine.type === 'update') {
    assert.equal(mine.takeover, false);
    assert.equal(mine.record.leaseTransitions, 5);
    assert.equal(mine.record.acquireTime, 1);
  }
});

test('fast path only for a holder whose lease is still valid by its own clock', () => {
  const obs: ObservedLease = { spec: held('b').spec, resourceVersion: '7', rawResourceVersion: '7', observedTimeUs: s(10) };
  assert.ok(fastPathRecord(obs, 'b', s(15), s(24)) !== undefined);
  assert.equal(fastPathRecord(obs, 'b', s(15), s(25)), undefined);
  assert.equal(fastPathRecord(obs, 'c', s(15), s(12)), undefined);
});

test('property: isLeaseValid ⇔ now < observedTime + leaseDuration (local clock only)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 2e9 }), (obsT, dur, now) => {
      const o: ObservedLease = { spec: { holderIdentity: 'x', leaseDurationSeconds: dur }, resourceVersion: '1', rawResourceVersion: '1', observedTimeUs: obsT };
      return isLeaseValid(o, now) === now < obsT + dur * 1e6;
    }),
    { seed: 42 },
  );
});

test('property: a non-holder never takes a lease it observed change less than leaseDuration ago', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1e8 }), fc.integer({ min: 0, max: 3e7 }), (seen, later) => {
      const first = decideAfterGet(undefined, held('a'), 'b', s(15), seen, seen);
      const second = decideAfterGet(first.observed, held('a'), 'b', s(15), seen + later, seen + later);
      return later < s(15) ? second.type === 'hold-off' : second.type === 'update';
    }),
    { seed: 7 },
  );
});
