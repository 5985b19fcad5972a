// Multi-key txns (fenced writes) in the per-key history: each written key is recorded as its share
// of the txn, and store.linearizable judges it (a compare on another key may fail the txn).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { History } from '../../../../core/store/history.js';
import { checkLinearizable } from '../../../../core/store/checkers/linearizable.js';

function history(): { h: History; at: (t: number) => void } {
  let t = 0;
  return { h: new History(() => t), at: (x) => (t = x) };
}

describe('store.linearizable with multi-key txns', () => {
  it('a fenced write may fail although its own key matched (the Lease moved)', () => {
    const { h, at } = history();
    const w = h.invoke('a', 'k', { type: 'put', value: 1 });
    at(1);
    h.complete(w, { type: 'write', revision: 2 });
    at(2);
    const t = h.invoke('b', 'k', { type: 'txn', expectedModRevision: 2, guarded: true, branch: 'success', value: 9, del: false });
    at(3);
    h.complete(t, { type: 'cas', succeeded: false, revision: 3 });
    at(4);
    const r = h.invoke('c', 'k', { type: 'get' });
    at(5);
    h.complete(r, { type: 'read', value: 1, modRevision: 2 });
    assert.equal(checkLinearizable(h.ops).held, true);
  });

  it('a fenced write that succeeded takes effect at its revision', () => {
    const { h, at } = history();
    const t = h.invoke('b', 'k', { type: 'txn', expectedModRevision: 0, guarded: true, branch: 'success', value: 9, del: false });
    at(1);
    h.complete(t, { type: 'cas', succeeded: true, revision: 4 });
    at(2);
    const r = h.invoke('c', 'k', { type: 'get' });
    at(3);
    h.complete(r, { type: 'read', value: 9, modRevision: 4 });
    assert.equal(checkLinearizable(h.ops).held, true);
  });

  it('rejects a fenced write that succeeded although its own key had moved', () => {
    const { h, at } = history();
    const w = h.invoke('a', 'k', { type: 'put', value: 1 });
    at(1);
    h.complete(w, { type: 'write', revision: 2 });
    at(2);
    const w2 = h.invoke('a', 'k', { type: 'put', value: 2 });
    at(3);
    h.complete(w2, { type: 'write', revision: 3 });
    at(4);
    const t = h.invoke('b', 'k', { type: 'txn', expectedModRevision: 2, guarded: true, branch: 'success', value: 9, del: false });
    at(5);
    h.complete(t, { type: 'cas', succeeded: true, revision: 4 });
    const result = checkLinearizable(h.ops);
    assert.equal(result.held, false);
    assert.match(result.detail ?? '', /key "k"/);
  });

  it('rejects a read that misses a succeeded fenced write (the write is not invisible any more)', () => {
    const { h, at } = history();
    const t = h.invoke('b', 'k', { type: 'txn', expectedModRevision: 0, guarded: true, branch: 'success', value: 9, del: false });
    at(1);
    h.complete(t, { type: 'cas', succeeded: true, revision: 4 });
    at(2);
    const r = h.invoke('c', 'k', { type: 'get' });
    at(3);
    h.complete(r, { type: 'read', value: null, modRevision: 0 });
    assert.equal(checkLinearizable(h.ops).held, false);
  });

  it('a failure-branch write applies only when the txn failed; an unguarded compare decides the outcome', () => {
    const { h, at } = history();
    const t = h.invoke('b', 'k', { type: 'txn', expectedModRevision: 5, guarded: false, branch: 'failure', value: 'fallback', del: false });
    at(1);
    h.complete(t, { type: 'cas', succeeded: false, revision: 2 });
    at(2);
    const r = h.invoke('c', 'k', { type: 'get' });
    at(3);
    h.complete(r, { type: 'read', value: 'fallback', modRevision: 2 });
    assert.equal(checkLinearizable(h.ops).held, true);
    // The key was absent (modRevision 0), so an unguarded compare on 5 cannot have held.
    const bad = history();
    const t2 = bad.h.invoke('b', 'k', { type: 'txn', expectedModRevision: 5, guarded: false, branch: 'success', value: 'x', del: false });
    bad.at(1);
    bad.h.complete(t2, { type: 'cas', succeeded: true, revision: 2 });
    assert.equal(checkLinearizable(bad.h.ops).held, false);
  });
});
