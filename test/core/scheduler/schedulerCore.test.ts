import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../core/api/types.js';
import type { PodInfo } from '../../../core/scheduler/podInfo.js';
import { SchedulerCore } from '../../../core/scheduler/schedulerCore.js';
import { POLICIES } from '../../../core/scheduler/profiles.js';
import { node, pod, seeded, bound } from './fixtures.js';

/** A core with one node and `p` scheduled onto it (assumed, binding not yet seen); returns the assumed PodInfo. */
function assumedOn(p: Pod): { core: SchedulerCore; info: PodInfo } {
  const core = new SchedulerCore({ profile: POLICIES.default, random: seeded(3) });
  core.onNodeAdd(node('a'), 0);
  core.onPodUpsert(p, 0);
  const o = core.scheduleOne(0);
  assert.ok(o?.type === 'bind' && o.nodeName === 'a');
  const placed = core.cache.placement('default/p');
  assert.ok(placed !== undefined && placed.assumed && placed.nodeName === 'a');
  return { core, info: placed.info };
}

describe('SchedulerCore: confirming an assumed pod', () => {
  it('keeps the PodInfo it was scheduled with when the binding only sets nodeName, and clears assumed', () => {
    const p = pod('p', { cpu: '1', labels: { app: 'x' } });
    const { core, info } = assumedOn(p);
    const binding = bound(p, 'a');
    core.onPodUpsert(binding, 1);
    const placed = core.cache.placement('default/p');
    assert.ok(placed !== undefined);
    assert.equal(placed.assumed, false);
    assert.equal(placed.nodeName, 'a');
    assert.equal(placed.info, info, 'the same PodInfo object');
    assert.equal(placed.info.pod, binding, 'holding the bound version');
    assert.equal(core.cache.node('a')?.pods.size, 1);
  });

  it('rebuilds the PodInfo when the binding also changes the labels', () => {
    const p = pod('p', { cpu: '1', labels: { app: 'x' } });
    const { core, info } = assumedOn(p);
    const binding: Pod = { ...bound(p, 'a'), metadata: { ...p.metadata, labels: { app: 'y' } } };
    core.onPodUpsert(binding, 1);
    const placed = core.cache.placement('default/p');
    assert.ok(placed !== undefined);
    assert.equal(placed.assumed, false);
    assert.notEqual(placed.info, info, 'a new PodInfo');
    assert.deepEqual(placed.info.labels, { app: 'y' });
    assert.equal(placed.info.pod, binding);
    assert.equal(core.cache.node('a')?.pods.size, 1);
  });

  it('rebuilds the PodInfo when the binding also changes the spec', () => {
    const p = pod('p', { cpu: '1', priority: 5 });
    const { core, info } = assumedOn(p);
    const binding: Pod = { ...p, spec: { ...p.spec, nodeName: 'a', priority: 7 } };
    core.onPodUpsert(binding, 1);
    const placed = core.cache.placement('default/p');
    assert.ok(placed !== undefined);
    assert.equal(placed.assumed, false);
    assert.notEqual(placed.info, info, 'a new PodInfo');
    assert.equal(placed.info.priority, 7);
    assert.equal(placed.info.pod, binding);
    assert.equal(core.cache.node('a')?.pods.size, 1);
  });
});
