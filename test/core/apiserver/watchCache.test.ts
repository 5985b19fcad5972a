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

describe(`WatchCache (fast-check seed ${SEED})`, () => {
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
          const key = `/registry/pods/${op.ns}/p${op.n}`;
          const before = mvcc.revision;
          if (op.del) mvcc.apply({ type: 'delete', key });
          else {
            const base = pod(`p${op.n}`, op.ns);
            const p: Pod = { ...base, spec: op.node === undefined ? base.spec : { ...base.spec, nodeName: op.node } };
            mvcc.apply({ type: 'put', key, value: forStorage(p) });
          }
          const r = mvcc.eventsSince('/registry/pods/', before + 1);
          if (r.type === 'ok') cache.apply(r.events, r.revision, i);
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
