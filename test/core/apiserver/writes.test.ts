import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { Pod } from '../../../core/api/types.js';
import type { ApiResult } from '../../../core/apiserver/protocol.js';
import { buildWorld } from './harness.js';
import { lease, pod } from './fixtures.js';

const code = (r: ApiResult<unknown> | undefined): number => (r === undefined ? -1 : r.ok ? 200 : r.status.code);

describe('write paths: binding, status, finalizers, fencing', () => {
  it('binds a pod once: a second binding is 409, the first sets nodeName and PodScheduled', () => {
    const w = buildWorld({ seed: 21 });
    const d = w.addDriver('sched', 'admin-token');
    const r: Record<string, ApiResult<Pod>> = {};
    w.sim.at(ms(10), 'create', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('p'), () => {})));
    w.sim.at(ms(50), 'bind twice', () =>
      d.run((ctx) => {
        d.client.bind(ctx, 'default', 'p', 'n1', (x) => (r['a'] = x));
        d.client.bind(ctx, 'default', 'p', 'n2', (x) => (r['b'] = x));
      }),
    );
    w.sim.at(ms(100), 'bind missing', () => d.run((ctx) => d.client.bind(ctx, 'default', 'nope', 'n1', (x) => (r['c'] = x))));
    w.sim.run({ until: s(1) });
    assert.deepEqual([code(r['a']), code(r['b']), code(r['c'])], [200, 409, 404]);
    const a = r['a'];
    assert.ok(a?.ok);
    assert.equal(a.object.spec.nodeName, 'n1');
    assert.equal(a.object.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
  });

  it('updateStatus changes only status, does not bump generation; update cannot change status', () => {
    const w = buildWorld({ seed: 22 });
    const d = w.addDriver('kubelet', 'admin-token');
    const r: Record<string, ApiResult<Pod>> = {};
    w.sim.at(ms(10), 'create', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('p'), (x) => (r['created'] = x))));
    w.sim.at(ms(50), 'status', () =>
      d.run((ctx) => {
        const p = r['created'];
        if (!p?.ok) return;
        // Also tries to change the spec: the status subresource ignores it.
        d.client.updateStatus(ctx, 'pods', { ...p.object, spec: { ...p.object.spec, nodeName: 'sneaky' }, status: { phase: 'Running' } }, (x) => (r['status'] = x));
      }),
    );
    w.sim.at(ms(100), 'update', () =>
      d.run((ctx) => {
        const p = r['status'];
        if (!p?.ok) return;
        d.client.update(ctx, 'pods', { ...p.object, spec: { ...p.object.spec, activeDeadlineSeconds: 5 }, status: { phase: 'Failed' } }, (x) => (r['update'] = x));
      }),
    );
    w.sim.run({ until: s(1) });
    const st = r['status'];
    assert.ok(st?.ok);
    assert.equal(st.object.status?.phase, 'Running');
    assert.equal(st.object.spec.nodeName, undefined);
    assert.equal(st.object.metadata.generation, 1);
    const up = r['update'];
    assert.ok(up?.ok);
    assert.equal(up.object.status?.phase, 'Running', 'a full update keeps the stored status');
    assert.equal(up.object.metadata.generation, 2, 'a spec change bumps generation');
  });

  it('an object with finalizers is marked on delete and removed when the last finalizer goes', () => {
    const w = buildWorld({ seed: 23 });
    const d = w.addDriver('gc', 'admin-token');
    const out: string[] = [];
    const withFinalizer = { ...lease('l', 'default'), metadata: { name: 'l', namespace: 'default', finalizers: ['kubesim.io/test'] } };
    w.sim.at(ms(10), 'create', () => d.run((ctx) => d.client.create(ctx, 'leases', withFinalizer, () => {})));
    w.sim.at(ms(50), 'delete', () => d.run((ctx) => d.client.delete(ctx, 'leases', 'default', 'l', (x) => out.push(`delete ${code(x)} marked=${x.ok && x.object.metadata.deletionTimestamp !== undefined}`))));
    w.sim.at(ms(100), 'drop finalizer', () =>
      d.run((ctx) =>
        d.client.get(ctx, 'leases', 'default', 'l', (g, c) => {
          if (!g.ok) return;
          d.client.update(c, 'leases', { ...g.object, metadata: { ...g.object.metadata, finalizers: [] } }, (x) => out.push(`update ${code(x)}`));
        }),
      ),
    );
    w.sim.at(ms(200), 'gone', () => d.run((ctx) => d.client.get(ctx, 'leases', 'default', 'l', (x) => out.push(`get ${code(x)}`))));
    w.sim.run({ until: s(1) });
    assert.deepEqual(out, ['delete 200 marked=true', 'update 200', 'get 404']);
  });

  it('fencing: a write whose token is older than the Lease’s leaseTransitions is rejected and never stored', () => {
    const w = buildWorld({ seed: 24 });
    const d = w.addDriver('ctrl', 'admin-token');
    const out: number[] = [];
    w.sim.at(ms(10), 'lease', () => d.run((ctx) => d.client.create(ctx, 'leases', lease('kube-controller-manager', 'kube-system', 'b', 3), () => {})));
    const token = (t: number): { fencing: { leaseNamespace: string; leaseName: string; leaseTransitions: number } } => ({ fencing: { leaseNamespace: 'kube-system', leaseName: 'kube-controller-manager', leaseTransitions: t } });
    w.sim.at(ms(100), 'stale writer', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('stale'), (x) => out.push(code(x)), token(2))));
    w.sim.at(ms(150), 'current writer', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('current'), (x) => out.push(code(x)), token(3))));
    w.sim.run({ until: s(1) });
    assert.deepEqual(out, [409, 200]);
    const names = (w.memory?.writes ?? []).filter((x) => x.result.type === 'txn' && x.result.succeeded).map((x) => (x.command.type === 'txn' ? x.command.success[0]?.key : ''));
    assert.deepEqual(names, ['/registry/coordination.k8s.io/leases/kube-system/kube-controller-manager', '/registry/pods/default/current']);
    assert.ok(w.observations.some((o) => o.obs['stage'] === 'fencing' && o.obs['code'] === 409));
  });

  it('generateName gets a server-chosen suffix; a duplicate name is 409 AlreadyExists', () => {
    const w = buildWorld({ seed: 25 });
    const d = w.addDriver('rs', 'admin-token');
    const out: ApiResult<Pod>[] = [];
    const gen: Pod = { ...pod(''), metadata: { generateName: 'web-', namespace: 'default' } };
    w.sim.at(ms(10), 'create', () =>
      d.run((ctx) => {
        d.client.create(ctx, 'pods', gen, (x) => out.push(x));
        d.client.create(ctx, 'pods', pod('dup'), (x) => out.push(x));
        d.client.create(ctx, 'pods', pod('dup'), (x) => out.push(x));
      }),
    );
    w.sim.run({ until: s(1) });
    const first = out[0];
    assert.ok(first?.ok);
    assert.match(first.object.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
    assert.deepEqual(out.slice(1).map(code), [200, 409]);
    const dup = out[2];
    assert.ok(dup !== undefined && !dup.ok && dup.status.reason === 'AlreadyExists');
  });

  it('fencing: the current holder’s writes succeed while it renews its Lease concurrently (no spurious 409)', () => {
    const w = buildWorld({ seed: 26, apiServers: 1 });
    const holder = w.addDriver('holder', 'admin-token');
    const renewer = w.addDriver('renewer', 'admin-token');
    const codes: number[] = [];
    let renewals = 0;
    w.sim.at(ms(10), 'lease', () => holder.run((ctx) => holder.client.create(ctx, 'leases', lease('kcm', 'kube-system', 'a', 1), () => {})));
    const fencing = { fencing: { leaseNamespace: 'kube-system', leaseName: 'kcm', leaseTransitions: 1 } };
    for (let i = 0; i < 30; i++) {
      w.sim.at(ms(100 + i * 20), 'renew', () =>
        renewer.run((ctx) =>
          renewer.client.get(ctx, 'leases', 'kube-system', 'kcm', (g, c) => {
            if (g.ok) renewer.client.update(c, 'leases', { ...g.object, spec: { ...g.object.spec, renewTime: i } }, (u) => u.ok && renewals++);
          }),
        ),
      );
      w.sim.at(ms(101 + i * 20), 'fenced write', () => holder.run((ctx) => holder.client.create(ctx, 'pods', pod(`p${i}`), (x) => codes.push(code(x)), fencing)));
    }
    w.sim.run({ until: s(3) });
    assert.ok(renewals >= 25, `${renewals} renewals`);
    assert.deepEqual(codes, Array.from({ length: 30 }, () => 200));
    const misses = (w.memory?.writes ?? []).filter((x) => x.result.type === 'txn' && !x.result.succeeded).length;
    assert.ok(misses > 0, 'the race was exercised: some fenced txns missed on the renewed Lease and were retried');
  });
});
