import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { numFeasibleNodesToFind } from '../../../core/scheduler/numFeasibleNodes.js';
import { SchedulerCore } from '../../../core/scheduler/schedulerCore.js';
import { POLICIES, registerCustomPolicy } from '../../../core/scheduler/profiles.js';
import { builtinRegistry } from '../../../core/scheduler/registry.js';
import { SUCCESS } from '../../../core/scheduler/status.js';
import type { Plugin } from '../../../core/scheduler/plugin.js';
import { node, pod, seeded, bound } from './fixtures.js';

function cluster(policy: keyof typeof POLICIES, n: number, seed = 1, opts: { cpu?: string } = {}): SchedulerCore {
  const core = new SchedulerCore({ profile: POLICIES[policy], random: seeded(seed) });
  for (let i = 0; i < n; i++) core.onNodeAdd(node(`n${String(i).padStart(4, '0')}`, { cpu: opts.cpu ?? '4', labels: { 'topology.kubernetes.io/zone': `z${i % 3}` } }), 0);
  return core;
}

/** Schedules every queued pod, confirming each binding at once (as the informer would). */
function drain(core: SchedulerCore): Map<string, string> {
  const placed = new Map<string, string>();
  for (;;) {
    const o = core.scheduleOne(0);
    if (o === undefined) return placed;
    if (o.type === 'bind') {
      placed.set(o.pod.info.name, o.nodeName);
      core.onPodUpsert(bound(o.pod.info.pod, o.nodeName), 0);
    }
  }
}

describe('numFeasibleNodesToFind (adaptive percentageOfNodesToScore)', () => {
  it('matches upstream at the documented points', () => {
    assert.equal(numFeasibleNodesToFind(50, 0), 50);
    assert.equal(numFeasibleNodesToFind(100, 0), 100); // 50% of 100 = 50, floored to 100
    assert.equal(numFeasibleNodesToFind(1000, 0), 420); // 50 − 8 = 42%
    assert.equal(numFeasibleNodesToFind(5000, 0), 500); // 50 − 40 = 10%
    assert.equal(numFeasibleNodesToFind(10000, 0), 500); // 50 − 80 → floor 5%
    assert.equal(numFeasibleNodesToFind(1000, 100), 1000);
    assert.equal(numFeasibleNodesToFind(1000, 5), 100);
  });
});

describe('SchedulingAlgorithm', () => {
  it('filters only as many nodes as needed and advances the round-robin start', () => {
    const core = cluster('default', 1000);
    core.onPodUpsert(pod('p1', { cpu: '100m' }), 0);
    const o = core.scheduleOne(0);
    assert.equal(o?.type, 'bind');
    // 420 feasible nodes sought out of 1000: the cost model was charged for 420 filtered + 420 scored.
    assert.ok(o !== undefined && o.costUs > 300);
    core.onPodUpsert(pod('p2', { cpu: '100m' }), 0);
    const o2 = core.scheduleOne(0);
    assert.ok(o2?.type === 'bind');
    // The second cycle starts at node 420, so it cannot choose among the first 420 nodes.
    assert.ok(o2.nodeName >= 'n0420' && o2.nodeName < 'n0840', o2.nodeName);
  });
  it('is deterministic for a seed and breaks ties by the seeded stream', () => {
    const run = (seed: number): string[] => {
      const core = cluster('random', 50, seed);
      for (let i = 0; i < 20; i++) core.onPodUpsert(pod(`p${i}`, { cpu: '100m' }), 0);
      return [...drain(core).values()];
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });
  it('first-fit fills nodes in order; bin-pack uses fewer nodes than spread', () => {
    const ff = cluster('first-fit', 10);
    for (let i = 0; i < 8; i++) ff.onPodUpsert(pod(`p${i}`, { cpu: '1' }), 0);
    assert.deepEqual([...new Set(drain(ff).values())], ['n0000', 'n0001']);
    const placeAll = (policy: 'bin-pack' | 'spread'): { nodes: number; maxCpuUtil: number } => {
      const c = cluster(policy, 10);
      for (let i = 0; i < 12; i++) c.onPodUpsert(pod(`p${i}`, { cpu: '1', memory: '1Gi' }), 0);
      const placed = drain(c);
      let maxUtil = 0;
      for (const n of c.cache.nodes) maxUtil = Math.max(maxUtil, n.requestedCpuMilli / n.allocatable.cpuMilli);
      return { nodes: new Set(placed.values()).size, maxCpuUtil: maxUtil };
    };
    const pack = placeAll('bin-pack');
    const spread = placeAll('spread');
    assert.ok(pack.nodes < spread.nodes, `bin-pack ${pack.nodes} nodes, spread ${spread.nodes}`);
    assert.ok(spread.maxCpuUtil < pack.maxCpuUtil, `max utilisation bin-pack ${pack.maxCpuUtil}, spread ${spread.maxCpuUtil}`);
    assert.equal(pack.nodes, 3);
  });
  it('reports unschedulable pods with upstream-style messages and keeps them parked', () => {
    const core = cluster('default', 3, 1, { cpu: '1' });
    core.onPodUpsert(pod('huge', { cpu: '8' }), 0);
    const o = core.scheduleOne(0);
    assert.equal(o?.type, 'unschedulable');
    assert.equal(o?.type === 'unschedulable' ? o.message : '', '0/3 nodes are available: 3 Insufficient cpu.');
    assert.equal(core.queue.unschedulableLength, 1);
    // A node with room arrives: the pod is moved back (to backoff, since it has one failed attempt).
    core.onNodeAdd(node('big', { cpu: '16' }), 0);
    assert.equal(core.queue.unschedulableLength, 0);
    assert.equal(core.scheduleOne(500_000), undefined);
    const later = core.scheduleOne(1_000_000);
    assert.ok(later?.type === 'bind' && later.nodeName === 'big');
  });
  it('assumed pods count against capacity before their binding is confirmed', () => {
    const core = cluster('default', 1, 1, { cpu: '1' });
    core.onPodUpsert(pod('a', { cpu: '600m' }), 0);
    core.onPodUpsert(pod('b', { cpu: '600m' }), 0);
    assert.equal(core.scheduleOne(0)?.type, 'bind');
    assert.equal(core.scheduleOne(0)?.type, 'unschedulable');
  });
  it('a failed binding forgets the assumption and retries after backoff', () => {
    const core = cluster('default', 1, 1, { cpu: '1' });
    core.onPodUpsert(pod('a', { cpu: '600m' }), 0);
    const o = core.scheduleOne(0);
    assert.ok(o?.type === 'bind');
    core.bindingFailed(o, 10);
    assert.equal(core.cache.placement(o.pod.info.key), undefined);
    assert.equal(core.scheduleOne(500_000), undefined);
    assert.equal(core.scheduleOne(1_000_010)?.type, 'bind');
  });
});

describe('custom policies', () => {
  it('registers TypeScript plugins by name and weights them', () => {
    const preferLast: Plugin = {
      name: 'PreferNodeN0009',
      score: (_s, _p, n) => (n.name === 'n0009' ? 100 : 0),
    };
    const registry = builtinRegistry();
    const profile = registerCustomPolicy(registry, { plugins: { PreferNodeN0009: () => preferLast }, weights: { PreferNodeN0009: 50 } });
    const core = new SchedulerCore({ profile, registry, random: seeded(1) });
    for (let i = 0; i < 10; i++) core.onNodeAdd(node(`n${String(i).padStart(4, '0')}`), 0);
    core.onPodUpsert(pod('p', { cpu: '100m' }), 0);
    const o = core.scheduleOne(0);
    assert.ok(o?.type === 'bind' && o.nodeName === 'n0009');
    assert.throws(() => registerCustomPolicy(builtinRegistry(), { weights: { Nope: 1 } }), /names no registered plugin/);
    void SUCCESS;
  });
});
