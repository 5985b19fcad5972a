import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { Pod } from '../../../core/api/types.js';
import type { ApiResult, ObjectList } from '../../../core/apiserver/protocol.js';
import { buildWorld } from './harness.js';
import { pod } from './fixtures.js';
import { Mvcc } from '../../../core/store/mvcc.js';

describe('kube-apiserver basics (memory store, 2 servers)', () => {
  it('create, get, update with CAS, stale update 409, list, delete', () => {
    const w = buildWorld({ seed: 1 });
    const d = w.addDriver('client-1', 'admin-token');
    const results: Record<string, ApiResult<unknown>> = {};
    w.sim.at(ms(100), 'create', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('web-1'), (r) => (results['create'] = r))));
    w.sim.at(ms(200), 'get', () => d.run((ctx) => d.client.get(ctx, 'pods', 'default', 'web-1', (r) => (results['get'] = r))));
    w.sim.at(ms(300), 'update', () =>
      d.run((ctx) => {
        const r = results['get'];
        assert.ok(r?.ok);
        const p = r.object as Pod;
        d.client.update(ctx, 'pods', { ...p, metadata: { ...p.metadata, labels: { app: 'web', v: '2' } } }, (u) => (results['update'] = u));
        // The same stale object again after the first has landed: 409 Conflict.
        ctx.setTimer(ms(50), 'noop');
      }),
    );
    w.sim.at(ms(400), 'stale update', () =>
      d.run((ctx) => {
        const r = results['get'];
        assert.ok(r?.ok);
        const p = r.object as Pod;
        d.client.update(ctx, 'pods', { ...p, metadata: { ...p.metadata, labels: { app: 'stale' } } }, (u) => (results['stale'] = u));
      }),
    );
    w.sim.at(ms(500), 'list', () => d.run((ctx) => d.client.list(ctx, 'pods', { namespace: 'default' }, (r) => (results['list'] = r))));
    w.sim.at(ms(600), 'delete', () => d.run((ctx) => d.client.delete(ctx, 'pods', 'default', 'web-1', (r) => (results['delete'] = r))));
    w.sim.at(ms(700), 'get after delete', () => d.run((ctx) => d.client.get(ctx, 'pods', 'default', 'web-1', (r) => (results['gone'] = r))));
    w.sim.run({ until: s(1) });

    const created = results['create'];
    assert.ok(created?.ok, JSON.stringify(created));
    const cp = created.object as Pod;
    assert.equal(cp.metadata.generation, 1);
    assert.ok(cp.metadata.uid !== undefined && cp.metadata.uid.length === 36);
    assert.ok(Number(cp.metadata.resourceVersion) > 0);
    const upd = results['update'];
    assert.ok(upd?.ok, JSON.stringify(upd));
    assert.ok(Number((upd.object as Pod).metadata.resourceVersion) > Number(cp.metadata.resourceVersion));
    assert.equal((upd.object as Pod).metadata.generation, 1, 'labels are metadata: generation unchanged');
    const stale = results['stale'];
    assert.ok(stale !== undefined && !stale.ok);
    assert.equal(stale.status.code, 409);
    assert.equal(stale.status.reason, 'Conflict');
    const list = results['list'];
    assert.ok(list?.ok);
    assert.equal((list.object as ObjectList<Pod>).items.length, 1);
    assert.ok(results['delete']?.ok);
    const gone = results['gone'];
    assert.ok(gone !== undefined && !gone.ok);
    assert.equal(gone.status.code, 404);
    const codes = w.observations.map((o) => o.obs['code']);
    assert.deepEqual(codes, [200, 200, 200, 409, 200, 200, 404]);
  });
});

describe('kube-apiserver list with a metadata.name selector', () => {
  it('reads the one key from the store instead of ranging the prefix (upstream MatchesSingle)', () => {
    const ranges: Array<{ prefix: string; exact: boolean }> = [];
    const original = Mvcc.prototype.range;
    Mvcc.prototype.range = function (this: Mvcc, ...args: Parameters<Mvcc['range']>) {
      ranges.push({ prefix: args[0], exact: args[1]?.exact ?? false });
      return original.apply(this, args);
    };
    try {
      const w = buildWorld({ seed: 2 });
      const d = w.addDriver('client-1', 'admin-token');
      const results: Record<string, ApiResult<unknown>> = {};
      w.sim.at(ms(100), 'create', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('web-1'), () => undefined)));
      w.sim.at(ms(150), 'create', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('web-2'), () => undefined)));
      w.sim.at(ms(300), 'list', () => {
        ranges.length = 0;
        d.run((ctx) => d.client.list(ctx, 'pods', { namespace: 'default', fieldSelector: { name: 'web-2' } }, (r) => (results['list'] = r)));
      });
      w.sim.run({ until: s(1) });
      const list = results['list'];
      assert.ok(list?.ok, JSON.stringify(list));
      assert.deepEqual((list.object as ObjectList<Pod>).items.map((p) => p.metadata.name), ['web-2']);
      assert.deepEqual(ranges, [{ prefix: '/registry/pods/default/web-2', exact: true }]);
    } finally {
      Mvcc.prototype.range = original;
    }
  });
});
