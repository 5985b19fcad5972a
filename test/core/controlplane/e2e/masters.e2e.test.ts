import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import type { Pod } from '../../../../core/api/types.js';
import type { Kubelet } from '../../../../core/kubelet/kubelet.js';
import { buildCluster } from './cluster.js';
import { deployment } from './manifests.js';

test('one master: its crash stops reconciliation while running pods keep running; on restart nothing is evicted', () => {
  const c = buildCluster({ masters: 1, workers: 2 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 4), () => undefined)));
  c.sim.run({ until: s(30) });
  c.sim.crash('master-1');
  c.sim.run({ until: s(150) });
  // Containers do not depend on the API server.
  const running = c.workers.map((w) => (c.sim.component(c.sim.endpointId(`kubelet@${w}`) ?? -1) as Kubelet | undefined)?.runningPods() ?? 0);
  assert.equal(running.reduce((a, b) => a + b, 0), 4);
  c.sim.restart('master-1');
  c.sim.run({ until: s(300) });
  assert.equal(c.observations.filter((o) => o.obs.type === 'pod.evicted').length, 0, 'a new leader gives every node a fresh grace period');
  const pods = c.objects<Pod>('/registry/pods/default/').filter((p) => p.metadata.deletionTimestamp === undefined);
  assert.equal(pods.length, 4);
});
