// etcd's MVCC data model (https://etcd.io/docs/v3.5/learning/data_model/ and api guarantees).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Mvcc } from '../../../core/store/mvcc.js';
import type { WatchEvent } from '../../../core/store/mvccTypes.js';

describe('Mvcc', () => {
  it('bumps one global revision per write and tracks create/mod revision and version per key', () => {
    const m = new Mvcc();
    assert.equal(m.revision, 1);
    m.apply({ type: 'put', key: 'a', value: 1 });
    m.apply({ type: 'put', key: 'b', value: 2 });
    m.apply({ type: 'put', key: 'a', value: 3 });
    const a = m.get('a');
    assert.deepEqual([a?.createRevision, a?.modRevision, a?.version, a?.value], [2, 4, 2, 3]);
    assert.equal(m.revision, 4);
    const del = m.apply({ type: 'delete', key: 'a' });
    assert.equal(del.type === 'delete' && del.deleted, 1);
    assert.equal(m.get('a'), undefined);
    m.apply({ type: 'put', key: 'a', value: 5 });
    assert.deepEqual([m.get('a')?.createRevision, m.get('a')?.version], [6, 1]);
    const noop = m.apply({ type: 'delete', key: 'zzz' });
    assert.equal(noop.type === 'delete' && noop.deleted, 0);
    assert.equal(m.revision, 6, 'deleting a missing key changes nothing');
  });

  it('txn compares on modRevision, 0 meaning absent, and its writes share one revision', () => {
    const m = new Mvcc();
    const create = m.apply({ type: 'txn', compares: [{ key: 'x', modRevision: 0 }], success: [{ type: 'put', key: 'x', value: 'v1' }], failure: [] });
    assert.ok(create.type === 'txn' && create.succeeded);
    const again = m.apply({ type: 'txn', compares: [{ key: 'x', modRevision: 0 }], success: [{ type: 'put', key: 'x', value: 'v2' }], failure: [] });
    assert.ok(again.type === 'txn' && !again.succeeded);
    const rev = m.get('x')?.modRevision ?? -1;
    const both = m.apply({
      type: 'txn',
      compares: [{ key: 'x', modRevision: rev }],
      success: [{ type: 'put', key: 'x', value: 'v3' }, { type: 'put', key: 'y', value: 'w' }],
      failure: [],
    });
    assert.ok(both.type === 'txn' && both.succeeded);
    assert.equal(m.get('x')?.modRevision, m.get('y')?.modRevision);
  });

  it('ranges by prefix in key order, now and at a past revision', () => {
    const m = new Mvcc();
    for (const k of ['/pods/b', '/pods/a', '/nodes/n1', '/pods/c']) m.apply({ type: 'put', key: k, value: k });
    const r = m.range('/pods/');
    assert.ok(r.type === 'ok');
    assert.deepEqual(r.kvs.map((kv) => kv.key), ['/pods/a', '/pods/b', '/pods/c']);
    const at3 = m.revision - 2; // after '/pods/b' and '/pods/a' only
    m.apply({ type: 'delete', key: '/pods/a' });
    m.apply({ type: 'put', key: '/pods/b', value: 'new' });
    const past = m.range('/pods/', { revision: at3 });
    assert.ok(past.type === 'ok');
    assert.deepEqual(past.kvs.map((kv) => [kv.key, kv.value]), [['/pods/a', '/pods/a'], ['/pods/b', '/pods/b']]);
    const limited = m.range('/pods/', { limit: 1 });
    assert.ok(limited.type === 'ok' && limited.kvs.length === 1 && limited.count === 2);
    assert.equal(m.range('/pods/', { revision: m.revision + 1 }).type, 'future');
  });

  it('compaction makes older reads and watches return `compacted`, not throw', () => {
    const m = new Mvcc();
    for (let i = 0; i < 10; i++) m.apply({ type: 'put', key: 'k', value: i });
    assert.ok(m.compact(6));
    assert.deepEqual(m.range('k', { revision: 5 }), { type: 'compacted', compactRevision: 6 });
    assert.deepEqual(m.eventsSince('k', 6), { type: 'compacted', compactRevision: 6 });
    const ok = m.eventsSince('k', 7);
    assert.ok(ok.type === 'ok' && ok.events.length === m.revision - 6);
  });

  it('retainRevisions compacts automatically and identically on every replica', () => {
    const a = new Mvcc({ retainRevisions: 10 });
    for (let i = 0; i < 100; i++) a.apply({ type: 'put', key: `k${i % 3}`, value: i });
    assert.ok(a.compactRevision > 0 && a.revision - a.compactRevision <= 20);
  });

  it(`watch from any revision replays every change in revision order without gaps (fast-check seed 7)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ del: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', 'x/d') }), { maxLength: 60 }),
        fc.nat(60),
        (ops, from) => {
          const m = new Mvcc();
          const seen: WatchEvent[] = [];
          ops.forEach((op, i) => m.apply(op.del ? { type: 'delete', key: op.key } : { type: 'put', key: op.key, value: i }));
          const r = m.eventsSince('', from + 1);
          assert.ok(r.type === 'ok');
          seen.push(...r.events);
          for (let i = 1; i < seen.length; i++) assert.ok((seen[i]?.revision ?? 0) > (seen[i - 1]?.revision ?? 0));
          // Every revision from `from+1` to now appears exactly once (each write made one revision).
          const revs = new Set(seen.map((e) => e.revision));
          for (let rev = Math.max(2, from + 1); rev <= m.revision; rev++) assert.ok(revs.has(rev), `gap at ${rev}`);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });

  it(`a store loaded from a snapshot answers every range, past read and watch as the original (fast-check seed 8)`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ del: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', 'x/d', 'x/e') }), { maxLength: 80 }),
        fc.nat(80),
        (ops, from) => {
          const m = new Mvcc({ retainRevisions: 15 });
          ops.forEach((op, i) => m.apply(op.del ? { type: 'delete', key: op.key } : { type: 'put', key: op.key, value: i }));
          const r = Mvcc.fromSnapshot(m.snapshot(), { retainRevisions: 15 });
          assert.equal(r.revision, m.revision);
          assert.equal(r.compactRevision, m.compactRevision);
          for (const prefix of ['', 'x/', 'a']) {
            assert.deepEqual(r.range(prefix), m.range(prefix));
            assert.deepEqual(r.range(prefix, { revision: from + 1 }), m.range(prefix, { revision: from + 1 }));
            assert.deepEqual(r.eventsSince(prefix, from + 1), m.eventsSince(prefix, from + 1));
          }
          // And it carries on identically.
          m.apply({ type: 'put', key: 'x/f', value: 'next' });
          r.apply({ type: 'put', key: 'x/f', value: 'next' });
          assert.deepEqual(r.range(''), m.range(''));
        },
      ),
      { seed: 8, numRuns: 200 },
    );
  });
});
