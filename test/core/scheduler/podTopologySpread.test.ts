import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SchedulerCache } from '../../../core/scheduler/cache.js';
import { CycleState } from '../../../core/scheduler/cycleState.js';
import type { NodeInfo } from '../../../core/scheduler/nodeInfo.js';
import { buildPodInfo, type PodInfo } from '../../../core/scheduler/podInfo.js';
import { LABEL_HOSTNAME, LABEL_ZONE, podTopologySpread, type DefaultConstraint } from '../../../core/scheduler/plugins/podTopologySpread.js';
import { matchesLabels } from '../../../core/scheduler/selector.js';
import { Code, MaxNodeScore } from '../../../core/scheduler/status.js';
import { bound, node, pod } from './fixtures.js';

const SEED = 20261122;

/**
 * Upstream's scoring.go written the slow, obvious way: every count from the pods on every node.
 * The plugin precomputes the same figures from the cache's indexes; they must agree exactly.
 */
function referenceScores(cache: SchedulerCache, p: PodInfo, feasible: readonly NodeInfo[], defaults: readonly DefaultConstraint[] | undefined): number[] {
  type C = { key: string; maxSkew: number; matches: (o: PodInfo) => boolean };
  let cs: C[];
  if (p.spreadConstraints.length > 0) {
    cs = p.spreadConstraints
      .filter((c) => !c.hard)
      .map((c) => ({ key: c.topologyKey, maxSkew: c.maxSkew, matches: (o: PodInfo) => matchesLabels(c.selector, o.labels) }));
  } else if (p.ownerUid !== undefined) {
    cs = (defaults ?? [
      { maxSkew: 3, topologyKey: LABEL_HOSTNAME },
      { maxSkew: 5, topologyKey: LABEL_ZONE },
    ]).map((d) => ({ key: d.topologyKey, maxSkew: d.maxSkew, matches: (o: PodInfo) => o.ownerUid === p.ownerUid }));
  } else cs = [];
  if (cs.length === 0) return feasible.map(() => 0);
  const requireAll = p.spreadConstraints.length > 0 || defaults !== undefined;
  const ignored = feasible.map((n) => requireAll && cs.some((c) => n.labels[c.key] === undefined));
  const kept = feasible.filter((_n, i) => ignored[i] !== true);
  const counted = (n: NodeInfo, c: C): number => [...n.pods.values()].filter((o) => o.namespace === p.namespace && !o.terminating && c.matches(o)).length;
  const raw = feasible.map((n, j) => {
    if (ignored[j] === true) return 0;
    let score = 0;
    for (const c of cs) {
      const v = n.labels[c.key];
      if (v === undefined) continue;
      const domains = new Set(kept.map((k) => k.labels[c.key]).filter((x) => x !== undefined));
      const size = c.key === LABEL_HOSTNAME ? kept.length : domains.size;
      const cnt =
        c.key === LABEL_HOSTNAME
          ? counted(n, c)
          : cache.nodes.filter((m) => m.labels[c.key] === v && (!requireAll || cs.every((d) => m.labels[d.key] !== undefined))).reduce((a, m) => a + counted(m, c), 0);
      score += cnt * Math.log(size + 2) + (c.maxSkew - 1);
    }
    return Math.round(score);
  });
  const live = raw.filter((_s, j) => ignored[j] !== true);
  const min = Math.min(...live);
  const max = Math.max(0, ...live);
  return raw.map((s, j) => (ignored[j] === true ? 0 : max === 0 ? MaxNodeScore : Math.trunc((MaxNodeScore * (max + min - s)) / max)));
}

describe(`PodTopologySpread scoring (fast-check seed ${SEED})`, () => {
  it('precomputed scores equal the formula counted pod by pod, cycle after cycle, terminating pods not counted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ zone: fc.option(fc.constantFrom('z1', 'z2', 'z3'), { nil: undefined }), hostname: fc.boolean() }), { minLength: 1, maxLength: 8 }),
        fc.array(
          fc.record({ node: fc.nat(), owner: fc.option(fc.constantFrom('o1', 'o2'), { nil: undefined }), app: fc.constantFrom('a', 'b'), terminating: fc.boolean() }),
          { maxLength: 30 },
        ),
        // Several scheduling cycles on one plugin instance: its per-node scratch arrays are reused.
        fc.array(
          fc.record({
            owner: fc.option(fc.constantFrom('o1', 'o2'), { nil: undefined }),
            soft: fc.option(fc.record({ key: fc.constantFrom(LABEL_HOSTNAME, LABEL_ZONE), maxSkew: fc.integer({ min: 1, max: 3 }) }), { nil: undefined }),
            feasibleMask: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.boolean(),
        (nodes, pods, cycles, customDefaults) => {
          const cache = new SchedulerCache();
          const infos = nodes.map((n, i) => {
            const nd = node(`n${i}`, n.zone === undefined ? {} : { labels: { [LABEL_ZONE]: n.zone } });
            if (!n.hostname) delete (nd.metadata.labels as Record<string, string>)[LABEL_HOSTNAME];
            return cache.upsertNode(nd);
          });
          pods.forEach((q, i) => {
            const target = infos[q.node % infos.length];
            if (target === undefined) return;
            const opts = { labels: { app: q.app }, ...(q.owner === undefined ? {} : { owner: q.owner }) };
            const placed = bound(pod(`p${i}`, opts), target.name);
            const object = q.terminating ? { ...placed, metadata: { ...placed.metadata, deletionTimestamp: 1_000_000 } } : placed;
            cache.addOrUpdatePod(buildPodInfo(object), target.name);
          });
          const defaults = customDefaults ? [{ maxSkew: 2, topologyKey: LABEL_ZONE }, { maxSkew: 1, topologyKey: LABEL_HOSTNAME }] : undefined;
          const plugin = podTopologySpread({ cache, random: () => 0, framework: undefined }, defaults === undefined ? undefined : { defaultConstraints: defaults });
          cycles.forEach((incoming, cycle) => {
            const spread =
              incoming.soft === undefined
                ? undefined
                : [{ maxSkew: incoming.soft.maxSkew, topologyKey: incoming.soft.key, whenUnsatisfiable: 'ScheduleAnyway' as const, labelSelector: { matchLabels: { app: 'a' } } }];
            const p = buildPodInfo(pod(`new${cycle}`, { labels: { app: 'a' }, ...(incoming.owner === undefined ? {} : { owner: incoming.owner }), ...(spread === undefined ? {} : { spread }) }));
            const feasible = infos.filter((_n, i) => incoming.feasibleMask[i] !== false);
            if (feasible.length === 0) return;
            const state = new CycleState();
            const code = plugin.preScore?.(state, p, feasible)?.code;
            let got = feasible.map(() => 0);
            if (code === Code.Success) {
              // The framework scores through scoreAll; one node at a time must give the same.
              const one = feasible.map((n) => plugin.score?.(state, p, n) ?? 0);
              const buf = new Float64Array(feasible.length);
              if (plugin.scoreAll !== undefined) plugin.scoreAll(state, p, feasible, buf, feasible.length);
              else buf.set(one);
              assert.deepEqual([...buf], one);
              plugin.normalizeScore?.(state, p, feasible, buf, feasible.length);
              got = [...buf];
            }
            const want = referenceScores(cache, p, feasible, defaults);
            // A skipped plugin adds nothing; the reference gives every node the same score then.
            if (code === Code.Skip) assert.ok(want.every((w) => w === want[0]), `skipped, but the reference scores ${want}`);
            else assert.deepEqual(got, want, `cycle ${cycle}`);
          });
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
