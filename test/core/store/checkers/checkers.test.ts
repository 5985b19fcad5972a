// The store checkers on hand-made inputs: each must say "held" on a good history and fail on a bad one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { History } from '../../../../core/store/history.js';
import { checkLinearizable } from '../../../../core/store/checkers/linearizable.js';
import { ElectionSafetyChecker } from '../../../../core/store/checkers/electionSafety.js';
import { LogMatchingChecker } from '../../../../core/store/checkers/logMatching.js';
import { DurabilityChecker } from '../../../../core/store/checkers/durability.js';

function clockAt(): { clock: () => number; set: (t: number) => void } {
  let t = 0;
  return { clock: () => t, set: (x) => (t = x) };
}

describe('store.linearizable', () => {
  it('accepts overlapping writes read in either order', () => {
    const c = clockAt();
    const h = new History(c.clock);
    const w1 = h.invoke('a', 'k', { type: 'put', value: 1 });
    c.set(1);
    const w2 = h.invoke('b', 'k', { type: 'put', value: 2 });
    c.set(5);
    h.complete(w2, { type: 'write', revision: 2 });
    c.set(6);
    h.complete(w1, { type: 'write', revision: 3 });
    c.set(7);
    const r = h.invoke('a', 'k', { type: 'get' });
    c.set(8);
    h.complete(r, { type: 'read', value: 1, modRevision: 3 });
    assert.equal(checkLinearizable(h.ops).held, true);
  });

  it('rejects a stale read after a completed write', () => {
    const c = clockAt();
    const h = new History(c.clock);
    const w1 = h.invoke('a', 'k', { type: 'put', value: 1 });
    c.set(1);
    h.complete(w1, { type: 'write', revision: 2 });
    c.set(2);
    const w2 = h.invoke('a', 'k', { type: 'put', value: 2 });
    c.set(3);
    h.complete(w2, { type: 'write', revision: 3 });
    c.set(4);
    const r = h.invoke('b', 'k', { type: 'get' });
    c.set(5);
    h.complete(r, { type: 'read', value: 1, modRevision: 2 });
    const result = checkLinearizable(h.ops);
    assert.equal(result.held, false);
    assert.match(result.detail ?? '', /key "k"/);
  });

  it('lets a timed-out write take effect or not', () => {
    for (const seen of [null, 'maybe']) {
      const c = clockAt();
      const h = new History(c.clock);
      const w = h.invoke('a', 'k', { type: 'put', value: 'maybe' });
      h.giveUp(w);
      c.set(10);
      const r = h.invoke('b', 'k', { type: 'get' });
      c.set(11);
      h.complete(r, seen === null ? { type: 'read', value: null, modRevision: 0 } : { type: 'read', value: 'maybe', modRevision: 2 });
      assert.equal(checkLinearizable(h.ops).held, true, `read ${String(seen)}`);
    }
  });

  it('checks compare-and-swap outcomes against the modRevision', () => {
    const c = clockAt();
    const h = new History(c.clock);
    const w = h.invoke('a', 'k', { type: 'put', value: 1 });
    c.set(1);
    h.complete(w, { type: 'write', revision: 2 });
    c.set(2);
    const cas = h.invoke('b', 'k', { type: 'cas', expectedModRevision: 2, value: 9, del: false });
    c.set(3);
    // The compare matched, so reporting a failed CAS is not linearizable.
    h.complete(cas, { type: 'cas', succeeded: false, revision: 2 });
    assert.equal(checkLinearizable(h.ops).held, false);
  });

  it('says inconclusive, not held or violated, when the budget runs out', () => {
    const c = clockAt();
    const h = new History(c.clock);
    const ops = Array.from({ length: 12 }, (_, i) => h.invoke(`c${i}`, 'k', { type: 'put', value: i }));
    c.set(100);
    ops.forEach((op, i) => h.complete(op, { type: 'write', revision: i + 2 }));
    const r = h.invoke('x', 'k', { type: 'get' });
    c.set(101);
    h.complete(r, { type: 'read', value: 'never written', modRevision: 99 });
    const result = checkLinearizable(h.ops, { maxSteps: 50 });
    assert.equal(result.inconclusive, true);
    assert.match(result.detail ?? '', /inconclusive/);
  });
});

describe('store.electionSafety, store.logMatching, store.durability', () => {
  it('electionSafety fails on two leaders in one term', () => {
    const c = new ElectionSafetyChecker();
    c.onLeaderElected(1, 'etcd-1', 3);
    c.onLeaderElected(2, 'etcd-1', 4);
    assert.equal(c.result().held, true);
    c.onLeaderElected(3_000_000, 'etcd-2', 4);
    assert.deepEqual([c.result().held, c.result().firstViolationAt], [false, 3]);
  });

  it('logMatching fails when two members apply different entries at one index', () => {
    const c = new LogMatchingChecker();
    const cmd = { x: 1 };
    c.onApply(1, 'etcd-1', 1, 1, cmd);
    c.onApply(2, 'etcd-2', 1, 1, cmd);
    assert.equal(c.result().held, true);
    c.onApply(3, 'etcd-3', 1, 1, { x: 1 });
    assert.equal(c.result().held, false);
  });

  it('logMatching judges a snapshot by its last entry: the committed term at its index', () => {
    const c = new LogMatchingChecker();
    c.onApply(1, 'etcd-1', 7, 2, { x: 1 });
    c.onSnapshot(2, 'etcd-1', 7, 2); // taken after applying 7
    c.onSnapshot(3, 'etcd-2', 7, 2); // installed from the leader: it never applied 1..7
    c.onSnapshot(4, 'etcd-3', 9, 3); // an index nobody applied yet: recorded…
    c.onApply(5, 'etcd-1', 9, 3, { y: 1 }); // …and the real entry agrees
    assert.equal(c.result().held, true);
    c.onSnapshot(6, 'etcd-3', 7, 3);
    assert.equal(c.result().held, false);
    assert.match(c.result().detail ?? '', /index 7/);
  });

  it('durability: an acknowledged index compacted into the leader’s snapshot counts as held; a snapshot contradicting an ack fails', () => {
    const c = new DurabilityChecker();
    c.onAck(10, 5, 2);
    c.onLeaderElected(20, 'etcd-2', 3, (i) => (i <= 6 ? -2 : -1)); // COMPACTED up to 6
    assert.equal(c.result().held, true);
    c.onSnapshot(30, 'etcd-2', 5, 2);
    assert.equal(c.result().held, true);
    c.onSnapshot(40, 'etcd-3', 5, 1);
    assert.equal(c.result().held, false);
  });

  it('durability fails when a later leader lacks an acknowledged write', () => {
    const c = new DurabilityChecker();
    c.onAck(10, 5, 2);
    c.onLeaderElected(5, 'etcd-1', 3, () => -1); // elected before the ack: not bound by it
    assert.equal(c.result().held, true);
    c.onLeaderElected(20, 'etcd-2', 3, (i) => (i <= 5 ? 2 : -1));
    assert.equal(c.result().held, true);
    c.onLeaderElected(30, 'etcd-3', 4, (i) => (i <= 4 ? 2 : -1));
    assert.equal(c.result().held, false);
  });
});
