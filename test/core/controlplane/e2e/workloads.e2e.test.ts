import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import type { Deployment, HorizontalPodAutoscaler, Pod, ReplicaSet } from '../../../../core/api/types.js';
import { rollbackDeployment } from '../../../../core/controlplane/deployment/rollback.js';
import { CPU_DEMAND_ANNOTATION } from '../../../../core/controlplane/hpa/hpaController.js';
import { buildCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { deployment } from './manifests.js';

function pods(c: TestCluster): Pod[] {
  return c.objects<Pod>('/registry/pods/default/');
}
const live = (p: Pod): boolean => p.metadata.deletionTimestamp === undefined;
const ready = (p: Pod): boolean => live(p) && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;

function getDeployment(c: TestCluster, name: string): Deployment | undefined {
  return c.objects<Deployment>(`/registry/apps/deployments/default/${name}`)[0];
}

function setImage(c: TestCluster, name: string, image: string): void {
  c.user().do((cl, ctx) =>
    cl.get(ctx, 'deployments', 'default', name, (r) => {
      if (!r.ok) return;
      const d = r.object as Deployment;
      const containers = d.spec.template.spec.containers.map((x) => ({ ...x, image }));
      cl.update(ctx, 'deployments', { ...d, spec: { ...d.spec, template: { ...d.spec.template, spec: { ...d.spec.template.spec, containers } } } }, () => undefined);
    }),
  );
}

/** Samples pod counts every 200ms between `from` and `to`. */
function sample(c: TestCluster, fromS: number, toS: number): { maxPods: number; minReady: number } {
  let maxPods = 0;
  let minReady = Number.POSITIVE_INFINITY;
  for (let t = s(fromS); t <= s(toS); t += 200_000) {
    c.sim.run({ until: t });
    const ps = pods(c);
    maxPods = Math.max(maxPods, ps.filter(live).length);
    minReady = Math.min(minReady, ps.filter(ready).length);
  }
  return { maxPods, minReady };
}

test('rolling update with 10 replicas and defaults: never more than 13 pods nor fewer than 8 ready', () => {
  const c = buildCluster({ masters: 1, workers: 4 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 10), () => undefined)));
  c.sim.run({ until: s(30) });
  assert.equal(pods(c).filter(ready).length, 10);
  setImage(c, 'web', 'web:v2');
  const bounds = sample(c, 30, 120);
  assert.ok(bounds.maxPods <= 13, `max pods ${bounds.maxPods}`);
  assert.ok(bounds.minReady >= 8, `min ready ${bounds.minReady}`);
  const final = pods(c).filter(live);
  assert.equal(final.length, 10);
  assert.ok(final.every((p) => p.spec.containers[0]?.image === 'web:v2'));
  const d = getDeployment(c, 'web');
  assert.equal(d?.status?.updatedReplicas, 10);
  assert.equal(d?.status?.conditions?.find((x) => x.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
});

test('a rollout to an image that never becomes ready stalls within maxUnavailable; a rollback restores service', () => {
  const c = buildCluster({ masters: 1, workers: 4, images: { 'web:bad': { startupUs: s(2), ready: false } } });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 10, 'web:v1', { progressDeadlineSeconds: 60 }), () => undefined)));
  c.sim.run({ until: s(30) });
  setImage(c, 'web', 'web:bad');
  const bounds = sample(c, 30, 120);
  assert.ok(bounds.minReady >= 8, `min ready ${bounds.minReady}`);
  assert.ok(bounds.maxPods <= 13, `max pods ${bounds.maxPods}`);
  const d = getDeployment(c, 'web');
  assert.equal(d?.status?.conditions?.find((x) => x.type === 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  // kubectl rollout undo --to-revision=1
  c.user().do((cl, ctx) => {
    const cur = getDeployment(c, 'web');
    const rss = c.objects<ReplicaSet>('/registry/apps/replicasets/default/');
    const back = cur === undefined ? undefined : rollbackDeployment(cur, rss, 1);
    assert.ok(back !== undefined);
    cl.update(ctx, 'deployments', back, () => undefined);
  });
  c.sim.run({ until: s(180) });
  const after = pods(c).filter(live);
  assert.equal(after.filter(ready).length, 10);
  assert.ok(after.every((p) => p.spec.containers[0]?.image === 'web:v1'));
  const rs1 = c.objects<ReplicaSet>('/registry/apps/replicasets/default/').find((r) => r.spec.template.spec.containers[0]?.image === 'web:v1');
  assert.equal(rs1?.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
});

test('HPA: 4 pods at 90% CPU against a 60% target scale to 6', () => {
  const c = buildCluster({ masters: 1, workers: 3 });
  const d = deployment('web', 4);
  c.sim.at(s(2), 'create', () =>
    c.user().do((cl, ctx) => {
      // 4 pods × 100m request at 90% = 360m of demand.
      cl.create(ctx, 'deployments', { ...d, metadata: { ...d.metadata, annotations: { [CPU_DEMAND_ANNOTATION]: '360m' } } }, () => undefined);
      const hpa: HorizontalPodAutoscaler = {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web', namespace: 'default' },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
          minReplicas: 1,
          maxReplicas: 20,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
        },
      };
      cl.create(ctx, 'horizontalpodautoscalers', hpa, () => undefined);
    }),
  );
  c.sim.run({ until: s(40) });
  assert.equal(getDeployment(c, 'web')?.spec.replicas, 6);
  const scaled = c.observations.filter((o) => o.obs.type === 'hpa.scaled');
  assert.equal(scaled.length, 1);
  assert.equal(scaled[0]?.obs['to'], 6);
});

test('node crash with defaults: replacement pods about grace + 300s later; pods elsewhere keep running', () => {
  const c = buildCluster({ masters: 1, workers: 3 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 3), () => undefined)));
  c.sim.run({ until: s(60) });
  const victimPods = pods(c).filter((p) => p.spec.nodeName === 'worker-1');
  assert.ok(victimPods.length > 0);
  const crashAt = c.sim.now;
  c.sim.crash('worker-1');
  c.sim.run({ until: crashAt + s(600) });
  const notReady = c.observations.find((o) => o.obs.type === 'node.notReady' && o.obs.subject === 'worker-1');
  assert.ok(notReady !== undefined);
  const graceS = (notReady.timeUs - crashAt) / 1e6;
  assert.ok(graceS >= 40 && graceS <= 56, `Ready=Unknown ${graceS}s after the crash`);
  const evicted = c.observations.filter((o) => o.obs.type === 'pod.evicted');
  assert.equal(evicted.length, victimPods.length);
  const replacedAt = c.observations.find(
    (o) => o.timeUs > crashAt + s(60) && o.obs.type === 'api.request' && o.obs['verb'] === 'create' && o.obs['resource'] === 'pods' && Number(o.obs['code']) < 300,
  );
  assert.ok(replacedAt !== undefined);
  const replaceS = (replacedAt.timeUs - crashAt) / 1e6;
  assert.ok(replaceS >= 340 && replaceS <= 360, `replacement created ${replaceS}s after the crash (Ready=Unknown after ${graceS}s)`);
  const now = pods(c);
  assert.equal(now.filter(ready).length, 3);
  assert.ok(now.filter(ready).every((p) => p.spec.nodeName !== 'worker-1'));
});

test('revisionHistoryLimit keeps only that many old ReplicaSets', () => {
  const c = buildCluster({ masters: 1, workers: 3 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 2, 'web:v1', { revisionHistoryLimit: 1 }), () => undefined)));
  for (const [t, img] of [[30, 'web:v2'], [60, 'web:v3'], [90, 'web:v4']] as const) c.sim.at(s(t), img, () => setImage(c, 'web', img));
  c.sim.run({ until: s(150) });
  const rss = c.objects<ReplicaSet>('/registry/apps/replicasets/default/');
  assert.deepEqual(rss.map((r) => r.spec.template.spec.containers[0]?.image).sort(), ['web:v3', 'web:v4']);
  assert.equal(pods(c).filter(ready).length, 2);
});

test('Recreate: every old pod is gone before the first new one is created', () => {
  const c = buildCluster({ masters: 1, workers: 3 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 4, 'web:v1', { strategy: { type: 'Recreate' } }), () => undefined)));
  c.sim.run({ until: s(30) });
  setImage(c, 'web', 'web:v2');
  let overlap = false;
  for (let t = s(30); t <= s(90); t += 100_000) {
    c.sim.run({ until: t });
    const ps = pods(c);
    if (ps.some((p) => p.spec.containers[0]?.image === 'web:v1') && ps.some((p) => p.spec.containers[0]?.image === 'web:v2')) overlap = true;
  }
  assert.equal(overlap, false);
  assert.equal(pods(c).filter((p) => ready(p) && p.spec.containers[0]?.image === 'web:v2').length, 4);
});

test('expectations: the ReplicaSet controller creates exactly `replicas` pods while its cache lags, in slow-start batches', () => {
  const c = buildCluster({ masters: 1, workers: 3 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 30), () => undefined)));
  c.sim.run({ until: s(60) });
  const kcmPodWrites = c.observations.filter((o) => o.obs.type === 'api.request' && o.obs['resource'] === 'pods' && String(o.obs['user']).includes('controller-manager'));
  assert.equal(kcmPodWrites.filter((o) => o.obs['verb'] === 'create').length, 30);
  assert.equal(kcmPodWrites.filter((o) => o.obs['verb'] === 'delete').length, 0);
  assert.equal(pods(c).filter(ready).length, 30);
});
