import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Mvcc } from '../../../core/store/mvcc.js';
import { resourceForPlural, objectKey } from '../../../core/api/registry.js';
import type { KubeObject, Pod } from '../../../core/api/types.js';
import type { CacheWatcher } from '../../../core/apiserver/watchCache.js';
import { WatchCache } from '../../../core/apiserver/watchCache.js';
import { forStorage } from '../../../core/apiserver/decorate.js';
import { pod } from './fixtures.js';

const SEED = 4301;
const PODS = resourceForPlural('pods');

function watcher(id: number, namespace: string | undefined, nodeName: string | undefined): CacheWatcher {
  return { id, session: 1, client: 'c', clientKey: 'c', key: `c|1|${id}`, to: 0, namespace, nodeName, lastRv: 0, buffer: [], seq: 0 };
}

/** Applies a watcher's events to a map, as an informer would. */
function replay(state: Map<string, KubeObject>, w: CacheWatcher): void {
  for (const e of w.buffer) {
    if (e.type === 'BOOKMARK') continue;
    if (e.type === 'DELETED') state.delete(objectKey(e.object));
    else state.set(objectKey(e.object), e.object);
  }
  w.buffer = [];
}

const opArb = fc.record({
  del: fc.boolean(),
  n: fc.integer({ min: 0, max: 5 }),
  ns: fc.constantFrom('a', 'b'),
  node: fc.constantFrom(undefined, 'n1', 'n2'),
});

/** Writes `op` to the store and feeds the cache the events it made, as the API server's watch does. */
function applyOp(mvcc: Mvcc, cache: WatchCache, op: { readonly del: boolean; readonly n: number; readonly ns: string; readonly node: string | undefined }, at: number): void {
  const key = `/registry/pods/${op.ns}/p${op.n}`;
  const before = mvcc.revision;
  if (op.del) mvcc.apply({ type: 'delete', key });
  else {
    const base = pod(`p${op.n}`, op.ns);
    const p: Pod = { ...base, spec: op.node === undefined ? base.spec : { ...base.spec, nodeName: op.node } };
    mvcc.apply({ type: 'put', key, value: forStorage(p) });
  }
  const r = mvcc.eventsSince('/registry/pods/', before + 1);
  if (r.type === 'ok') cache.apply(r.events, r.revision, at);
}

describe(`WatchCache (fast-check seed ${SEED})`, () => {
  it('lists in the order a delete and re-insert per node change would leave, with lists at any point in between', () => {
    assert.ok(PODS !== undefined);
    const listArb = fc.record({ ns: fc.constantFrom(undefined, 'a', 'b'), node: fc.constantFrom(undefined, '', 'n1', 'n2') });
    fc.assert(
      fc.property(fc.array(fc.oneof(opArb.map((op) => ({ op })), listArb.map((list) => ({ list }))), { maxLength: 120 }), (steps) => {
        const mvcc = new Mvcc();
        const cache = new WatchCache(PODS, { minEvents: 1000 });
        cache.replace([], mvcc.revision);
        // The reference: one insertion-ordered map, where a node change deletes and re-inserts.
        const model = new Map<string, Pod>();
        const check = (ns: string | undefined, node: string | undefined): void => {
          const want = [...model.values()].filter((o) => (ns === undefined || o.metadata.namespace === ns) && (node === undefined || (o.spec.nodeName ?? '') === node));
          const got = cache.list(ns, node === undefined ? undefined : { nodeName: node });
          assert.deepEqual(got.map((o) => `${objectKey(o)}@${o.metadata.resourceVersion ?? ''}`), want.map((o) => `${objectKey(o)}@${o.metadata.resourceVersion ?? ''}`));
        };
        steps.forEach((step, i) => {
          if ('list' in step) return check(step.list.ns, step.list.node);
          const { op } = step;
          const mk = `${op.ns}/p${op.n}`;
          applyOp(mvcc, cache, op, i);
          if (op.del) model.delete(mk);
          else {
            const now = cache.get(op.ns, `p${op.n}`) as Pod;
            const old = model.get(mk);
            if (old !== undefined && (old.spec.nodeName ?? '') !== (now.spec.nodeName ?? '')) model.delete(mk);
            model.set(mk, now);
          }
        });
        for (const ns of [undefined, 'a', 'b']) for (const node of [undefined, '', 'n1', 'n2']) check(ns, node);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
  it('filtered watchers replaying their events end with the filtered state (node moves become ADDED/DELETED)', () => {
    assert.ok(PODS !== undefined);
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.integer({ min: 0, max: 80 }), (ops, joinAt) => {
        const mvcc = new Mvcc();
        const cache = new WatchCache(PODS, { minEvents: 1000 });
        cache.replace([], mvcc.revision);
        const filters: [string | undefined, string | undefined][] = [[undefined, undefined], ['a', undefined], [undefined, 'n1'], [undefined, ''], ['b', 'n2']];
        const watchers = filters.map(([ns, node], i) => watcher(i, ns, node));
        const states = watchers.map(() => new Map<string, KubeObject>());
        let joined = false;
        const join = (): void => {
          joined = true;
          watchers.forEach((w, i) => {
            // Start as an informer does: list, then watch from the list's revision.
            const list = cache.list(w.namespace, w.nodeName === undefined ? undefined : { nodeName: w.nodeName });
            for (const o of list) states[i]?.set(objectKey(o), o);
            assert.ok(cache.addWatcher(w, cache.rv));
          });
        };
        ops.forEach((op, i) => {
          if (i === joinAt) join();
          applyOp(mvcc, cache, op, i);
        });
        if (!joined) join();
        watchers.forEach((w, i) => {
          const st = states[i];
          assert.ok(st !== undefined);
          replay(st, w);
          const expected = cache.list(w.namespace, w.nodeName === undefined ? undefined : { nodeName: w.nodeName });
          assert.deepEqual(new Map([...st].map(([k, o]) => [k, o.metadata.resourceVersion])), new Map(expected.map((o) => [objectKey(o), o.metadata.resourceVersion])));
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('refuses a watch from a revision older than its window with false (→ 410), serves one inside it', () => {
    assert.ok(PODS !== undefined);
    const mvcc = new Mvcc();
    const cache = new WatchCache(PODS, { minEvents: 3, historyWindowUs: 0 });
    cache.replace([], mvcc.revision);
    for (let i = 0; i < 10; i++) {
      const before = mvcc.revision;
      mvcc.apply({ type: 'put', key: `/registry/pods/a/p${i}`, value: forStorage(pod(`p${i}`, 'a')) });
      const r = mvcc.eventsSince('/registry/pods/', before + 1);
      if (r.type === 'ok') cache.apply(r.events, r.revision, 1_000_000 * i);
    }
    assert.equal(cache.rv, 11);
    assert.equal(cache.oldestResourceVersion(), 8);
    assert.equal(cache.addWatcher(watcher(1, undefined, undefined), 5), false);
    const w = watcher(2, undefined, undefined);
    assert.equal(cache.addWatcher(w, 8), true);
    assert.deepEqual(w.buffer.map((e) => (e.type === 'BOOKMARK' ? '' : e.object.metadata.resourceVersion)), ['9', '10', '11']);
  });
});

describe('WatchCache shared lists', () => {
  it('hands out one frozen list per namespace until the objects change, then a fresh one with the change', () => {
    assert.ok(PODS !== undefined);
    const mvcc = new Mvcc();
    const cache = new WatchCache(PODS, { minEvents: 1000 });
    cache.replace([], mvcc.revision);
    applyOp(mvcc, cache, { del: false, n: 1, ns: 'a', node: undefined }, 0);
    const all = cache.sharedList(undefined);
    assert.ok(Object.isFrozen(all));
    assert.equal(cache.sharedList(undefined), all, 'same array while nothing changes');
    assert.notEqual(cache.sharedList('a'), all, 'one list per namespace');
    applyOp(mvcc, cache, { del: false, n: 2, ns: 'b', node: 'n1' }, 1);
    const after = cache.sharedList(undefined);
    assert.notEqual(after, all);
    assert.deepEqual(after.map(objectKey), cache.list(undefined, undefined).map(objectKey));
    assert.equal(after.length, 2);
  });
});
