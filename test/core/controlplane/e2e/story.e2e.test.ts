import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import type { Deployment, Pod } from '../../../../core/api/types.js';
import { buildCluster } from './cluster.js';
import type { SeenObservation } from './cluster.js';
import { deployment } from './manifests.js';

function first(obs: readonly SeenObservation[], pred: (o: SeenObservation) => boolean): number {
  const o = obs.find(pred);
  assert.ok(o !== undefined, 'expected step not found in the trace');
  return o.timeUs;
}

test('the nine-step story of object creation, in trace order, every component acting through the API server', () => {
  const c = buildCluster({ masters: 1, workers: 2 });
  c.sim.at(s(20), 'user creates web', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 2), () => undefined)));
  c.sim.run({ until: s(40) });
  const o = c.observations;
  const req = (verb: string, resource: string, user: RegExp) => (x: SeenObservation): boolean =>
    x.obs.type === 'api.request' && x.obs['verb'] === verb && x.obs['resource'] === resource && user.test(String(x.obs['user'])) && Number(x.obs['code']) < 300;
  // 1–4: posted, authenticated/authorised/admitted/validated, persisted, answered (one successful create).
  const posted = first(o, req('create', 'deployments', /^admin$/));
  // 5: the controller-manager, watching, creates a ReplicaSet and then pods.
  const rsCreated = first(o, req('create', 'replicasets', /kube-controller-manager/));
  const podCreated = first(o, req('create', 'pods', /kube-controller-manager/));
  // 6: the scheduler binds each pod.
  const bound = first(o, req('bind', 'pods', /kube-scheduler/));
  // 7: the kubelet of that node, watching, starts the containers.
  const asked = first(o, (x) => x.obs.type === 'kubelet.startPod');
  const started = first(o, (x) => x.obs.type === 'kubelet.containerStarted');
  // 8–9: status (Running, then Ready) flows back through the API server.
  const status = first(o, (x) => x.timeUs >= started && req('updateStatus', 'pods', /^system:node:/)(x));
  const steps = [posted, rsCreated, podCreated, bound, asked, started, status];
  assert.ok(steps.every((t, i) => i === 0 || (steps[i - 1] ?? 0) <= t), steps.join(' ≤ '));
  const d = c.objects<Deployment>('/registry/apps/deployments/default/web')[0];
  assert.equal(d?.status?.readyReplicas, 2);
  assert.equal(d?.status?.availableReplicas, 2);
  const pods = c.objects<Pod>('/registry/pods/default/');
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.equal(p.status?.phase, 'Running');
    assert.deepEqual(
      (p.status?.conditions ?? []).map((x) => `${x.type}=${x.status}`),
      ['PodScheduled=True', 'Initialized=True', 'ContainersReady=True', 'Ready=True'],
    );
  }
});

test('deleting a Deployment removes its ReplicaSets and pods (ownerReferences)', () => {
  const c = buildCluster({ masters: 1, workers: 2 });
  c.sim.at(s(5), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 3), () => undefined)));
  c.sim.at(s(30), 'delete', () => c.user().do((cl, ctx) => cl.delete(ctx, 'deployments', 'default', 'web', () => undefined)));
  c.sim.run({ until: s(29) });
  assert.equal(c.objects<Pod>('/registry/pods/default/').length, 3);
  c.sim.run({ until: s(60) });
  assert.equal(c.objects('/registry/apps/replicasets/').length, 0);
  assert.equal(c.objects<Pod>('/registry/pods/default/').length, 0);
});
