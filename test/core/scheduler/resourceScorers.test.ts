// The resource scorers' batch path (scoreAll, reading NodeTable rows) must give what score gives
// node by node, for every strategy and for resources without table columns.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchedulerCache } from '../../../core/scheduler/cache.js';
import { CycleState } from '../../../core/scheduler/cycleState.js';
import { buildPodInfo } from '../../../core/scheduler/podInfo.js';
import { balancedAllocation } from '../../../core/scheduler/plugins/balancedAllocation.js';
import { nodeResourcesFit } from '../../../core/scheduler/plugins/nodeResourcesFit.js';
import type { ResourceSpec } from '../../../core/scheduler/resourceAllocation.js';
import { bound, node, pod } from './fixtures.js';

const SEED = 20261122;

it(`resource scorers: scoreAll equals score node by node, every strategy (fast-check seed ${SEED})`, () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ cpu: fc.constantFrom('2', '4', '8'), memory: fc.constantFrom('4Gi', '16Gi') }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.record({ node: fc.nat(), cpu: fc.option(fc.constantFrom('100m', '1', '3'), { nil: undefined }), memory: fc.option(fc.constantFrom('128Mi', '2Gi'), { nil: undefined }) }), { maxLength: 20 }),
      fc.record({ cpu: fc.option(fc.constantFrom('200m', '2'), { nil: undefined }), memory: fc.option(fc.constantFrom('256Mi', '4Gi'), { nil: undefined }) }),
      fc.constantFrom('LeastAllocated' as const, 'MostAllocated' as const, 'RequestedToCapacityRatio' as const),
      fc.boolean(),
      (nodes, pods, incoming, type, extended) => {
        const cache = new SchedulerCache();
        const infos = nodes.map((n, i) => cache.upsertNode(node(`n${i}`, n)));
        pods.forEach((q, i) => {
          const target = infos[q.node % infos.length];
          if (target === undefined) return;
          const opts = { ...(q.cpu === undefined ? {} : { cpu: q.cpu }), ...(q.memory === undefined ? {} : { memory: q.memory }) };
          cache.addOrUpdatePod(buildPodInfo(bound(pod(`p${i}`, opts), target.name)), target.name);
        });
        // An extended resource has no NodeTable column: the batch path falls back to score.
        const resources: ResourceSpec[] = [
          { name: 'cpu', weight: 2 },
          { name: 'memory', weight: 1 },
          ...(extended ? [{ name: 'example.com/gpu', weight: 1 }] : []),
        ];
        const p = buildPodInfo(pod('new', { ...(incoming.cpu === undefined ? {} : { cpu: incoming.cpu }), ...(incoming.memory === undefined ? {} : { memory: incoming.memory }) }));
        const plugins = [nodeResourcesFit({ scoringStrategy: { type, resources } }), balancedAllocation({ resources })];
        for (const plugin of plugins) {
          const state = new CycleState();
          const batch = new Float64Array(infos.length);
          assert.ok(plugin.scoreAll !== undefined && plugin.score !== undefined);
          plugin.scoreAll(state, p, infos, batch, infos.length);
          assert.deepEqual([...batch], infos.map((n) => plugin.score?.(state, p, n) ?? NaN), `${plugin.name} ${type}`);
        }
      },
    ),
    { seed: SEED, numRuns: 300 },
  );
});
