import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import { buildCluster } from './cluster.js';

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
