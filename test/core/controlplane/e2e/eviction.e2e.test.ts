import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import type { Node } from '../../../../core/api/types.js';
import { buildCluster } from './cluster.js';
import { deployment } from './manifests.js';

test('per-zone eviction rate: NoExecute taints in a zone are at least 10s apart (0.1 nodes/s)', () => {
  // 2 zones × 6 nodes; workers 1,3,5 are in zone-1.
  const c = buildCluster({ masters: 1, workers: 12, zones: 2 });
  c.sim.run({ until: s(30) });
  c.sim.crash('worker-1');
  c.sim.crash('worker-3');
  c.sim.run({ until: s(150) });
  const taints = c.observations.filter((o) => o.obs.type === 'node.tainted').map((o) => o.timeUs);
  assert.equal(taints.length, 2);
  const [a, b] = taints;
  assert.ok(a !== undefined && b !== undefined && b - a >= s(9.9), `taints ${(((b ?? 0) - (a ?? 0)) / 1e6).toFixed(1)}s apart`);
});

test('a partially disrupted small zone (≥55% of ≥3 nodes down) stops tainting', () => {
  const c = buildCluster({ masters: 1, workers: 8, zones: 2 });
  c.sim.run({ until: s(30) });
  for (const w of ['worker-1', 'worker-3', 'worker-5']) c.sim.crash(w);
  c.sim.run({ until: s(400) });
  const tainted = new Set(c.observations.filter((o) => o.obs.type === 'node.tainted').map((o) => o.obs.subject));
  assert.ok(tainted.size < 3, `tainted ${[...tainted].join(',')}`);
  assert.equal(c.observations.filter((o) => o.obs.type === 'node.notReady').length, 3);
});

test('controller-manager cut off from every node (all zones fully disrupted): no eviction, taints lifted', () => {
  const c = buildCluster({ masters: 1, workers: 4, zones: 2 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 8), () => undefined)));
  c.sim.run({ until: s(30) });
  // One node dies first and is tainted; then the whole worker fleet becomes unreachable.
  c.sim.crash('worker-1');
  c.sim.run({ until: s(100) });
  assert.equal(c.observations.filter((o) => o.obs.type === 'node.tainted').length, 1);
  const cut = c.sim.network.partition([c.workers.filter((w) => w !== 'worker-1'), c.sim.hostNames().filter((h) => !c.workers.includes(h))]);
  c.sim.run({ until: s(600) });
  assert.ok(c.observations.some((o) => o.obs.type === 'node.fullDisruption'));
  assert.equal(c.observations.filter((o) => o.obs.type === 'pod.evicted').length, 0);
  c.sim.network.heal(cut);
  c.sim.run({ until: s(700) });
  const nodes = c.objects<Node>('/registry/nodes/').filter((n) => n.metadata.name !== 'worker-1');
  assert.ok(nodes.every((n) => !(n.spec?.taints ?? []).some((x) => x.effect === 'NoExecute')), 'live nodes carry no NoExecute taint');
  // worker-1's taint was lifted during the full disruption and set again once the zone was healthy.
  assert.equal(c.observations.filter((o) => o.obs.type === 'node.tainted' && o.obs.subject === 'worker-1').length, 2);
});
