import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCore } from '../../../core/scheduler/schedulerCore.js';
import { POLICIES } from '../../../core/scheduler/profiles.js';
import { node, pod, seeded, bound } from './fixtures.js';

describe('DefaultPreemption', () => {
  it('evicts the minimal set of lower-priority pods on the best node', () => {
    const core = new SchedulerCore({ profile: POLICIES.default, random: seeded(3) });
    core.onNodeAdd(node('a', { cpu: '4' }), 0);
    core.onNodeAdd(node('b', { cpu: '4' }), 0);
    // a: two 2-CPU pods of priority 10; b: four 1-CPU pods of priority 5 (one of them recent).
    core.onPodUpsert(bound(pod('a1', { cpu: '2', priority: 10 }), 'a'), 0);
    core.onPodUpsert(bound(pod('a2', { cpu: '2', priority: 10 }), 'a'), 0);
    for (let i = 0; i < 4; i++) core.onPodUpsert(bound(pod(`b${i}`, { cpu: '1', priority: 5, start: i }), 'b'), 0);
    core.onPodUpsert(pod('vip', { cpu: '2', priority: 100 }), 0);
    const o = core.scheduleOne(0);
    assert.ok(o?.type === 'unschedulable');
    assert.ok(o.preemption !== undefined);
    // b wins (lower highest victim priority); two victims suffice, the newest ones reprieved last.
    assert.equal(o.preemption.nodeName, 'b');
    assert.deepEqual(o.preemption.victims.map((v) => v.name).sort(), ['b2', 'b3']);
    // The dry run left the cache as it was.
    assert.equal(core.cache.node('b')?.pods.size, 4);
    assert.equal(core.cache.node('b')?.requestedCpuMilli, 4000);
  });
  it('does not preempt equal or higher priority pods, nor for preemptionPolicy Never', () => {
    const core = new SchedulerCore({ profile: POLICIES.default, random: seeded(3) });
    core.onNodeAdd(node('a', { cpu: '1' }), 0);
    core.onPodUpsert(bound(pod('x', { cpu: '1', priority: 50 }), 'a'), 0);
    core.onPodUpsert(pod('p', { cpu: '1', priority: 50 }), 0);
    const o = core.scheduleOne(0);
    assert.ok(o?.type === 'unschedulable' && o.preemption === undefined);
  });
  it('does not preempt where the pod can never fit (Unresolvable nodes)', () => {
    const core = new SchedulerCore({ profile: POLICIES.default, random: seeded(3) });
    core.onNodeAdd(node('a', { cpu: '1', taints: [{ key: 'k', effect: 'NoSchedule' }] }), 0);
    core.onPodUpsert(bound(pod('x', { cpu: '1', priority: 0 }), 'a'), 0);
    core.onPodUpsert(pod('p', { cpu: '1', priority: 50 }), 0);
    const o = core.scheduleOne(0);
    assert.ok(o?.type === 'unschedulable' && o.preemption === undefined);
  });
});

import fc from 'fast-check';
import type { Plugin } from '../../../core/scheduler/plugin.js';
import { SUCCESS } from '../../../core/scheduler/status.js';
import { registerCustomPolicy } from '../../../core/scheduler/profiles.js';
import { builtinRegistry } from '../../../core/scheduler/registry.js';

describe('preemption with PreFilter extensions (fast-check seed 77)', () => {
  it('chooses the same node and victims as re-running PreFilter on every dry run', () => {
    // A plugin with PreFilter but no extensions forces the re-run path.
    const opaque: Plugin = { name: 'Opaque', preFilter: () => SUCCESS };
    const build = (incremental: boolean, seed: number): SchedulerCore => {
      const registry = builtinRegistry();
      const profile = incremental ? POLICIES.default : registerCustomPolicy(registry, { plugins: { Opaque: () => opaque }, weights: { Opaque: 0 } });
      return new SchedulerCore({ profile, registry, random: seeded(seed) });
    };
    const sel = { matchLabels: { app: 'hi' } };
    fc.assert(
      fc.property(
        fc.array(fc.record({ prio: fc.integer({ min: 0, max: 12 }), app: fc.constantFrom('hi', 'lo') }), { minLength: 18, maxLength: 18 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (existing, spread, anti, seed) => {
          const outcome = (incremental: boolean): string => {
            const core = build(incremental, seed);
            for (let i = 0; i < 6; i++) core.onNodeAdd(node(`n${i}`, { cpu: '3', labels: { zone: `z${i % 3}` } }), 0);
            existing.forEach((e, i) =>
              core.onPodUpsert(bound(pod(`e${i}`, { cpu: '1', priority: e.prio, labels: { app: e.app }, start: i }), `n${i % 6}`), 0),
            );
            core.onPodUpsert(
              pod('vip', {
                cpu: '2',
                priority: 10,
                labels: { app: 'hi' },
                ...(spread ? { spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: sel }] } : {}),
                ...(anti ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel, topologyKey: 'kubernetes.io/hostname' }] } } } : {}),
              }),
              0,
            );
            const o = core.scheduleOne(0);
            if (o?.type !== 'unschedulable') return o?.type ?? 'none';
            return JSON.stringify([o.preemption?.nodeName, o.preemption?.victims.map((v) => v.name)]);
          };
          const a = outcome(true);
          const b = outcome(false);
          if (a !== b) throw new Error(`incremental ${a} vs re-run ${b}`);
          if (process.env["DEBUG_PRE"] !== undefined) console.log(a);
        },
      ),
      { seed: 77, numRuns: 200 },
    );
  });
});
