import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../sim/time.js';
import type { Node, Pod } from '../../../core/api/types.js';
import { buildCluster } from '../controlplane/e2e/cluster.js';
import { deployment } from '../controlplane/e2e/manifests.js';

const ready = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;

test('kubelet registers its Node with capacity and renews its Lease in kube-node-lease every 10s', () => {
  const c = buildCluster({ masters: 1, workers: 1 });
  c.sim.run({ until: s(61) });
  const node = c.objects<Node>('/registry/nodes/worker-1')[0];
  assert.equal(node?.status?.capacity?.['cpu'], '4');
  assert.equal(node?.status?.allocatable?.['pods'], '110');
  assert.equal(node?.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');
  const renews = c.observations.filter((o) => o.obs.type === 'api.request' && o.obs['resource'] === 'leases' && o.obs['verb'] === 'update' && o.obs['user'] === 'system:node:worker-1');
  assert.ok(renews.length >= 5 && renews.length <= 7, `renews ${renews.length}`);
});

test('a restarted node reconciles from the API server alone: its pods run again with restartCount + 1', () => {
  const c = buildCluster({ masters: 1, workers: 2 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 4), () => undefined)));
  c.sim.run({ until: s(30) });
  const onW1 = c.objects<Pod>('/registry/pods/default/').filter((p) => p.spec.nodeName === 'worker-1');
  assert.ok(onW1.length > 0);
  c.sim.crash('worker-1');
  c.sim.run({ until: s(50) });
  c.sim.restart('worker-1');
  c.sim.run({ until: s(80) });
  const after = c.objects<Pod>('/registry/pods/default/').filter((p) => p.spec.nodeName === 'worker-1');
  assert.equal(after.length, onW1.length, 'same pods, nothing evicted within the grace period');
  for (const p of after) {
    assert.ok(ready(p));
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 1);
  }
});

test('liveness failures restart a broken container with CrashLoopBackOff 10s, 20s, 40s…', () => {
  const c = buildCluster({ masters: 1, workers: 1, images: { 'crash:v1': { startupUs: s(1), ready: false } } });
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'crasher', namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'crash:v1', livenessProbe: { periodSeconds: 1, failureThreshold: 3 } }] },
  };
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'pods', pod, () => undefined)));
  c.sim.run({ until: s(200) });
  const restarts = c.observations.filter((o) => o.obs.type === 'kubelet.containerRestart');
  assert.ok(restarts.length >= 4, `restarts ${restarts.length}`);
  assert.deepEqual(restarts.slice(0, 4).map((o) => Number(o.obs['backoffUs']) / 1e6), [10, 20, 40, 80]);
  const p = c.objects<Pod>('/registry/pods/default/crasher')[0];
  assert.equal(p?.status?.containerStatuses?.[0]?.restartCount, restarts.length);
});

test('a naked pod on a crashed node is never recreated; the Deployment pod is replaced elsewhere', () => {
  const c = buildCluster({ masters: 1, workers: 3 });
  const naked: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'naked', namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'web:v1' }] } };
  c.sim.at(s(2), 'create', () =>
    c.user().do((cl, ctx) => {
      cl.create(ctx, 'pods', naked, () => undefined);
      cl.create(ctx, 'deployments', deployment('web', 3), () => undefined);
    }),
  );
  c.sim.run({ until: s(30) });
  const victim = c.objects<Pod>('/registry/pods/default/naked')[0]?.spec.nodeName;
  assert.ok(victim !== undefined);
  c.sim.crash(victim);
  c.sim.run({ until: s(500) });
  const pods = c.objects<Pod>('/registry/pods/default/');
  const nakedNow = pods.filter((p) => p.metadata.name === 'naked');
  assert.equal(nakedNow.length, 1);
  assert.ok(nakedNow[0]?.metadata.deletionTimestamp !== undefined, 'evicted (terminating on the dead node), never recreated');
  const web = pods.filter((p) => p.metadata.name?.startsWith('web-') === true && ready(p));
  assert.equal(web.length, 3);
  assert.ok(web.every((p) => p.spec.nodeName !== victim));
});

test('the only node down (every zone fully disrupted): nothing is evicted', () => {
  const c = buildCluster({ masters: 1, workers: 1 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 2), () => undefined)));
  c.sim.run({ until: s(30) });
  c.sim.crash('worker-1');
  c.sim.run({ until: s(600) });
  assert.equal(c.observations.filter((o) => o.obs.type === 'node.notReady').length, 1);
  assert.equal(c.observations.filter((o) => o.obs.type === 'pod.evicted').length, 0);
});
