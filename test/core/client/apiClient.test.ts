import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { ApiResult } from '../../../core/apiserver/protocol.js';
import { Informer } from '../../../core/client/informer.js';
import { buildWorld } from '../apiserver/harness.js';
import { pod } from '../apiserver/fixtures.js';

describe('ApiClient', () => {
  it('client-side rate limit delays requests (kube-controller-manager 20 qps / burst 30), never drops them', () => {
    const w = buildWorld({ seed: 41 });
    const d = w.addDriver('kcm', 'admin-token', { qps: 20, burst: 30 });
    const done: number[] = [];
    w.sim.at(ms(100), 'burst', () =>
      d.run((ctx) => {
        for (let i = 0; i < 100; i++) d.client.create(ctx, 'pods', pod(`p${i}`), (r: ApiResult<unknown>) => r.ok && done.push(w.sim.now));
      }),
    );
    w.sim.run({ until: s(20) });
    assert.equal(done.length, 100);
    const last = Math.max(...done);
    // 30 at once, then 70 more at 20/s: the last goes out 3.5 s after the burst.
    assert.ok(last >= ms(100) + s(3.5) && last < ms(100) + s(3.7), `last completion at ${last}us`);
    const firstSecond = done.filter((t) => t < ms(100) + s(1)).length;
    assert.ok(firstSecond >= 30 && firstSecond <= 51, `${firstSecond} in the first second`);
  });

  it('load balancer: a request to a dead server times out, the client moves on and later requests go elsewhere', () => {
    const w = buildWorld({ seed: 42, apiServers: 3 });
    const d = w.addDriver('c', 'admin-token', { requestTimeoutUs: s(1) });
    const out: string[] = [];
    let dead = '';
    w.sim.at(ms(100), 'kill current', () => {
      dead = d.client.currentEndpoint();
      w.sim.crash(dead.split('@')[1] ?? '');
    });
    w.sim.at(ms(200), 'write', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('a'), (r) => out.push(`create ${r.ok ? 200 : r.status.code}`))));
    w.sim.at(ms(300), 'read', () => d.run((ctx) => d.client.list(ctx, 'pods', {}, (r) => out.push(`list ${r.ok ? 200 : r.status.code}`))));
    w.sim.at(s(3), 'write again', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('b'), (r) => out.push(`create ${r.ok ? 200 : r.status.code}`))));
    w.sim.run({ until: s(5) });
    // The write may have been applied: 504, never a silent retry. The read was retried elsewhere.
    assert.deepEqual(out, ['create 504', 'list 200', 'create 200']);
    assert.notEqual(d.client.currentEndpoint(), dead);
  });

  it('a server-side watch timeout (504) is resumed from the last resourceVersion without a relist', () => {
    const w = buildWorld({ seed: 43, server: { minRequestTimeoutUs: s(1) } });
    const writer = w.addDriver('writer', 'admin-token');
    const reader = w.addDriver('reader', 'admin-token');
    let inf: Informer<'pods'> | undefined;
    w.sim.at(ms(10), 'start', () =>
      reader.run((ctx) => {
        inf = new Informer(reader.client, 'pods');
        inf.start(ctx);
      }),
    );
    for (let i = 0; i < 20; i++) w.sim.at(ms(100 + i * 400), `create ${i}`, () => writer.run((ctx) => writer.client.create(ctx, 'pods', pod(`p${i}`), () => {})));
    w.sim.run({ until: s(12) });
    assert.equal(inf?.size(), 20);
    assert.equal(inf?.relistCount(), 0);
    const watches = w.observations.filter((o) => o.obs['verb'] === 'watch').length;
    assert.ok(watches >= 5, `expected several resumed watches, saw ${watches}`);
  });
});

describe('determinism and resync', () => {
  const runOnce = (): { hash: string; resyncs: number } => {
    const w = buildWorld({ seed: 44, apiServers: 3, store: 'raft' });
    const writer = w.addDriver('writer', 'admin-token');
    const reader = w.addDriver('reader', 'admin-token');
    let resyncs = 0;
    w.sim.at(ms(600), 'start', () =>
      reader.run((ctx) => {
        const inf = new Informer(reader.client, 'pods', { resyncPeriodUs: s(1) });
        inf.addEventHandler({ onUpdate: (o, n) => o === n && resyncs++ });
        inf.start(ctx);
      }),
    );
    for (let i = 0; i < 10; i++) w.sim.at(ms(700 + i * 100), 'create', () => writer.run((ctx) => writer.client.create(ctx, 'pods', pod(`p${i}`), () => {})));
    w.sim.at(s(2), 'crash', () => w.sim.crash('master-2'));
    w.sim.run({ until: s(5) });
    return { hash: w.sim.traceHash(), resyncs };
  };

  it('the same seed replays to the same trace hash; resync re-delivers cached objects as updates', () => {
    const a = runOnce();
    const b = runOnce();
    assert.equal(a.hash, b.hash);
    assert.ok(a.resyncs >= 20, `${a.resyncs} resync updates`);
  });
});
