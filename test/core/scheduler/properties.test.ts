import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Pod, Node } from '../../../core/api/types.js';
import { SchedulerCore } from '../../../core/scheduler/schedulerCore.js';
import { POLICIES, POLICY_NAMES } from '../../../core/scheduler/profiles.js';
import { SchedulerCheckers } from '../../../core/scheduler/checkers/schedulerCheckers.js';
import { node, pod, seeded, bound } from './fixtures.js';

type ArbOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

const SEED = 20261121;
const ZONES = ['a', 'b', 'c'];
const APPS = ['web', 'db', 'cache'];

const nodeArb = fc.record({
  cpu: fc.constantFrom('1', '2', '4'),
  mem: fc.constantFrom('2Gi', '4Gi', '8Gi'),
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  tainted: fc.boolean(),
  pods: fc.integer({ min: 1, max: 8 }),
});

const podArb = fc.record({
  cpu: fc.constantFrom('100m', '500m', '1', '1500m'),
  mem: fc.constantFrom('128Mi', '1Gi', '2Gi'),
  app: fc.constantFrom(...APPS),
  priority: fc.integer({ min: 0, max: 3 }),
  tolerate: fc.boolean(),
  anti: fc.boolean(),
  affinity: fc.boolean(),
  spread: fc.boolean(),
  zoneSelector: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
  deleteAfter: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
});

function buildNode(i: number, n: ArbOf<typeof nodeArb>): Node {
  return node(`n${i}`, {
    cpu: n.cpu,
    memory: n.mem,
    pods: n.pods,
    labels: n.zone === undefined ? {} : { zone: n.zone },
    taints: n.tainted ? [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] : [],
  });
}

function buildPod(i: number, p: ArbOf<typeof podArb>): Pod {
  const sel = { matchLabels: { app: p.app } };
  return pod(`p${i}`, {
    cpu: p.cpu,
    memory: p.mem,
    labels: { app: p.app },
    priority: p.priority,
    tolerations: p.tolerate ? [{ key: 'dedicated', operator: 'Exists' }] : [],
    ...(p.zoneSelector === undefined ? {} : { nodeSelector: { zone: p.zoneSelector } }),
    affinity: {
      ...(p.anti ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel, topologyKey: 'kubernetes.io/hostname' }] } } : {}),
      ...(p.affinity ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: sel, topologyKey: 'zone' }] } } : {}),
    },
    ...(p.spread ? { spread: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: sel }] } : {}),
    start: i,
  });
}

/**
 * Drives the scheduler over a random cluster and pod stream, confirming each binding at once,
 * deleting some pods later and honouring preemption; the checkers watch every binding.
 */
function runScenario(policy: (typeof POLICY_NAMES)[number], nodes: ArbOf<typeof nodeArb>[], pods: ArbOf<typeof podArb>[], seed: number): SchedulerCheckers {
  const core = new SchedulerCore({ profile: POLICIES[policy], random: seeded(seed) });
  const checkers = new SchedulerCheckers();
  nodes.forEach((n, i) => {
    const nn = buildNode(i, n);
    core.onNodeAdd(nn, 0);
    checkers.onNode(0, nn);
  });
  const live = new Map<string, Pod>();
  const deleteAt = new Map<number, string[]>();
  let now = 0;
  const remove = (key: string): void => {
    const p = live.get(key);
    if (p === undefined) return;
    live.delete(key);
    core.onPodDelete(key, now);
    checkers.onPodGone(now, p.metadata.uid ?? '');
  };
  pods.forEach((p, i) => {
    const pp = buildPod(i, p);
    core.onPodUpsert(pp, now);
    if (p.deleteAfter !== undefined) deleteAt.set(i + p.deleteAfter, [...(deleteAt.get(i + p.deleteAfter) ?? []), `default/p${i}`]);
    for (let k = 0; k < 3; k++) {
      const o = core.scheduleOne(now);
      if (o === undefined) break;
      if (o.type === 'bind') {
        const b = bound(o.pod.info.pod, o.nodeName);
        checkers.onBinding(now, b, o.nodeName);
        live.set(o.pod.info.key, b);
        core.onPodUpsert(b, now);
      } else if (o.type === 'unschedulable' && o.preemption !== undefined) {
        for (const v of o.preemption.victims) remove(v.key);
      }
    }
    for (const key of deleteAt.get(i) ?? []) remove(key);
    now += 100_000;
  });
  return checkers;
}

describe(`scheduler invariants over random clusters (fast-check seed ${SEED})`, () => {
  for (const policy of POLICY_NAMES) {
    it(`${policy}: noDoubleBinding, capacity and constraints hold`, () => {
      fc.assert(
        fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 8 }), fc.array(podArb, { minLength: 1, maxLength: 40 }), fc.integer(), (nodes, pods, seed) => {
          const results = runScenario(policy, nodes, pods, seed).results();
          for (const r of results) if (!r.held) throw new Error(`${r.name}: ${r.detail ?? ''}`);
        }),
        { seed: SEED, numRuns: 60 },
      );
    });
  }
});

describe('the checkers catch a scheduler that ignores constraints', () => {
  it('a profile without filters violates capacity and constraints', () => {
    const core = new SchedulerCore({ profile: { name: 'broken', plugins: [] }, random: seeded(1) });
    const checkers = new SchedulerCheckers();
    const n = node('only', { cpu: '1', taints: [{ key: 'k', effect: 'NoSchedule' }] });
    core.onNodeAdd(n, 0);
    checkers.onNode(0, n);
    for (let i = 0; i < 3; i++) core.onPodUpsert(pod(`p${i}`, { cpu: '600m' }), 0);
    for (let o = core.scheduleOne(0); o !== undefined; o = core.scheduleOne(0)) {
      if (o.type === 'bind') checkers.onBinding(1_500_000, bound(o.pod.info.pod, o.nodeName), o.nodeName);
    }
    const [double, capacity, constraints] = checkers.results();
    if (double?.held !== true) throw new Error('no double binding expected');
    if (capacity?.held !== false || capacity.firstViolationAt !== 1.5) throw new Error(`capacity: ${JSON.stringify(capacity)}`);
    if (constraints?.held !== false || !(constraints.detail ?? '').includes('untolerated taint')) throw new Error(`constraints: ${JSON.stringify(constraints)}`);
  });
});
