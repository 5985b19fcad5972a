import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../../core/scheduler/cache.js';
import { CycleState } from '../../../core/scheduler/cycleState.js';
import { buildPodInfo } from '../../../core/scheduler/podInfo.js';
import { nodeResourcesFit } from '../../../core/scheduler/plugins/nodeResourcesFit.js';
import { balancedAllocation } from '../../../core/scheduler/plugins/balancedAllocation.js';
import { taintToleration } from '../../../core/scheduler/plugins/taintToleration.js';
import { nodeAffinity } from '../../../core/scheduler/plugins/nodeAffinity.js';
import { interPodAffinity } from '../../../core/scheduler/plugins/interPodAffinity.js';
import { podTopologySpread } from '../../../core/scheduler/plugins/podTopologySpread.js';
import { nodeUnschedulable } from '../../../core/scheduler/plugins/nodeUnschedulable.js';
import { Code } from '../../../core/scheduler/status.js';
import { brokenLinear, requestedToCapacityRatioScore, scaleShape } from '../../../core/scheduler/resourceAllocation.js';
import type { FrameworkHandle } from '../../../core/scheduler/plugin.js';
import { node, pod, bound } from './fixtures.js';

function handle(cache: SchedulerCache): FrameworkHandle {
  return { cache, random: () => 0, framework: undefined };
}

describe('NodeResourcesFit', () => {
  it('LeastAllocated: 2 of 4 CPUs and 4 of 8Gi requested scores 50 (worked check)', () => {
    const cache = new SchedulerCache();
    const n = cache.upsertNode(node('n1', { cpu: '4', memory: '8Gi' }));
    cache.addOrUpdatePod(buildPodInfo(bound(pod('a', { cpu: '1', memory: '2Gi' }), 'n1')), 'n1');
    const p = buildPodInfo(pod('b', { cpu: '1', memory: '2Gi' }));
    const fit = nodeResourcesFit();
    assert.equal(fit.score?.(new CycleState(), p, n), 50);
  });
  it('MostAllocated and LeastAllocated are mirror images', () => {
    const cache = new SchedulerCache();
    const n = cache.upsertNode(node('n1', { cpu: '4', memory: '8Gi' }));
    const p = buildPodInfo(pod('b', { cpu: '1', memory: '2Gi' }));
    assert.equal(nodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } }).score?.(new CycleState(), p, n), 25);
    assert.equal(nodeResourcesFit().score?.(new CycleState(), p, n), 75);
  });
  it('RequestedToCapacityRatio follows the broken-linear shape (scaled ×10)', () => {
    const shape = scaleShape([
      { utilization: 0, score: 0 },
      { utilization: 100, score: 10 },
    ]);
    assert.equal(brokenLinear(shape, 50), 50);
    assert.equal(requestedToCapacityRatioScore(shape, 3, 4), 75);
    assert.equal(requestedToCapacityRatioScore(shape, 5, 4), 100);
  });
  it('pods without requests score with the non-zero defaults (100m, 200Mi)', () => {
    const cache = new SchedulerCache();
    const n = cache.upsertNode(node('n1', { cpu: '1', memory: '2000Mi' }));
    const p = buildPodInfo(pod('b'));
    // cpu: (1000-100)*100/1000 = 90; memory: (2000-200)*100/2000 = 90.
    assert.equal(nodeResourcesFit().score?.(new CycleState(), p, n), 90);
  });
  it('filter: rejects insufficient cpu/memory and too many pods with upstream reasons', () => {
    const cache = new SchedulerCache();
    const n = cache.upsertNode(node('n1', { cpu: '1', memory: '1Gi', pods: 1 }));
    const fit = nodeResourcesFit();
    const s = fit.filter?.(new CycleState(), buildPodInfo(pod('big', { cpu: '2', memory: '2Gi' })), n);
    assert.equal(s?.code, Code.Unschedulable);
    assert.deepEqual(s?.reasons, ['Insufficient cpu', 'Insufficient memory']);
    cache.addOrUpdatePod(buildPodInfo(bound(pod('x'), 'n1')), 'n1');
    assert.deepEqual(fit.filter?.(new CycleState(), buildPodInfo(pod('y')), n)?.reasons, ['Too many pods']);
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it('0.5/0.5 scores 100 (worked check); 0.25/0.75 scores 75', () => {
    const cache = new SchedulerCache();
    const n = cache.upsertNode(node('n1', { cpu: '4', memory: '8Gi' }));
    const ba = balancedAllocation();
    assert.equal(ba.score?.(new CycleState(), buildPodInfo(pod('p', { cpu: '2', memory: '4Gi' })), n), 100);
    assert.equal(ba.score?.(new CycleState(), buildPodInfo(pod('q', { cpu: '1', memory: '6Gi' })), n), 75);
  });
  it('skips best-effort pods', () => {
    assert.equal(balancedAllocation().preScore?.(new CycleState(), buildPodInfo(pod('p')), [])?.code, Code.Skip);
  });
});

describe('TaintToleration', () => {
  it('filters untolerated NoSchedule taints and scores PreferNoSchedule counts reversed', () => {
    const cache = new SchedulerCache();
    const tainted = cache.upsertNode(node('t', { taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] }));
    const soft = cache.upsertNode(node('s', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }));
    const clean = cache.upsertNode(node('c'));
    const tt = taintToleration();
    const st = new CycleState();
    const plain = buildPodInfo(pod('p'));
    assert.equal(tt.filter?.(st, plain, tainted)?.code, Code.UnschedulableAndUnresolvable);
    const tol = buildPodInfo(pod('q', { tolerations: [{ key: 'gpu', operator: 'Exists' }] }));
    assert.equal(tt.filter?.(st, tol, tainted)?.code, Code.Success);
    tt.preScore?.(st, plain, [soft, clean]);
    const scores = new Float64Array([tt.score?.(st, plain, soft) ?? -1, tt.score?.(st, plain, clean) ?? -1]);
    tt.normalizeScore?.(st, plain, [soft, clean], scores, 2);
    assert.deepEqual([...scores], [0, 100]);
  });
  it('NodeUnschedulable rejects cordoned nodes', () => {
    const cache = new SchedulerCache();
    const n = cache.upsertNode(node('n', { unschedulable: true }));
    assert.equal(nodeUnschedulable().filter?.(new CycleState(), buildPodInfo(pod('p')), n)?.code, Code.UnschedulableAndUnresolvable);
  });
});

describe('NodeAffinity', () => {
  it('required terms filter; preferred weights score', () => {
    const cache = new SchedulerCache();
    const a = cache.upsertNode(node('a', { labels: { zone: 'a', disk: 'ssd' } }));
    const b = cache.upsertNode(node('b', { labels: { zone: 'b' } }));
    const p = buildPodInfo(
      pod('p', {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 30, preference: { matchExpressions: [{ key: 'disk', operator: 'Exists' }] } },
            ],
          },
        },
      }),
    );
    const na = nodeAffinity();
    const st = new CycleState();
    assert.equal(na.filter?.(st, p, a)?.code, Code.Success);
    const c = cache.upsertNode(node('c', { labels: { zone: 'c' } }));
    assert.equal(na.filter?.(st, p, c)?.code, Code.UnschedulableAndUnresolvable);
    const scores = new Float64Array([na.score?.(st, p, a) ?? -1, na.score?.(st, p, b) ?? -1]);
    na.normalizeScore?.(st, p, [a, b], scores, 2);
    assert.deepEqual([...scores], [100, 0]);
  });
});

describe('InterPodAffinity', () => {
  const anti = {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'zone' }],
    },
  };
  it('required anti-affinity keeps pods out of a zone holding a match, and is symmetric', () => {
    const cache = new SchedulerCache();
    const a1 = cache.upsertNode(node('a1', { labels: { zone: 'a' } }));
    const a2 = cache.upsertNode(node('a2', { labels: { zone: 'a' } }));
    const b1 = cache.upsertNode(node('b1', { labels: { zone: 'b' } }));
    const existing = buildPodInfo(bound(pod('w1', { labels: { app: 'web' }, affinity: anti }), 'a1'));
    cache.addOrUpdatePod(existing, 'a1');
    const ipa = interPodAffinity(handle(cache));
    const st = new CycleState();
    const p = buildPodInfo(pod('w2', { labels: { app: 'web' }, affinity: anti }));
    ipa.preFilter?.(st, p);
    assert.equal(ipa.filter?.(st, p, a2)?.code, Code.Unschedulable);
    assert.equal(ipa.filter?.(st, p, b1)?.code, Code.Success);
    // A pod without terms is still kept out by the existing pod's anti-affinity.
    const other = buildPodInfo(pod('o', { labels: { app: 'web' } }));
    const st2 = new CycleState();
    ipa.preFilter?.(st2, other);
    assert.equal(ipa.filter?.(st2, other, a1)?.code, Code.Unschedulable);
    void a1;
  });
  it('required affinity needs a match in the domain, except for the first pod of a self-selecting group', () => {
    const cache = new SchedulerCache();
    const a = cache.upsertNode(node('a', { labels: { zone: 'a' } }));
    const b = cache.upsertNode(node('b', { labels: { zone: 'b' } }));
    const aff = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'zone' }],
      },
    };
    const ipa = interPodAffinity(handle(cache));
    const first = buildPodInfo(pod('db1', { labels: { app: 'db' }, affinity: aff }));
    let st = new CycleState();
    ipa.preFilter?.(st, first);
    assert.equal(ipa.filter?.(st, first, a)?.code, Code.Success);
    cache.addOrUpdatePod(first, 'b');
    const second = buildPodInfo(pod('db2', { labels: { app: 'db' }, affinity: aff }));
    st = new CycleState();
    ipa.preFilter?.(st, second);
    assert.equal(ipa.filter?.(st, second, a)?.code, Code.UnschedulableAndUnresolvable);
    assert.equal(ipa.filter?.(st, second, b)?.code, Code.Success);
  });
});

describe('PodTopologySpread', () => {
  it('hard constraint: skew = count + self − min must stay within maxSkew', () => {
    const cache = new SchedulerCache();
    const a = cache.upsertNode(node('a', { labels: { zone: 'a' } }));
    const b = cache.upsertNode(node('b', { labels: { zone: 'b' } }));
    cache.addOrUpdatePod(buildPodInfo(bound(pod('x1', { labels: { app: 'x' } }), 'a')), 'a');
    const spread = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'x' } } }];
    const pts = podTopologySpread(handle(cache));
    const st = new CycleState();
    const p = buildPodInfo(pod('x2', { labels: { app: 'x' }, spread }));
    pts.preFilter?.(st, p);
    assert.equal(pts.filter?.(st, p, a)?.code, Code.Unschedulable);
    assert.equal(pts.filter?.(st, p, b)?.code, Code.Success);
    const nolabel = cache.upsertNode(node('z'));
    assert.equal(pts.filter?.(st, p, nolabel)?.code, Code.UnschedulableAndUnresolvable);
  });
  it('system default spreading prefers the node with fewer pods of the same owner', () => {
    const cache = new SchedulerCache();
    const a = cache.upsertNode(node('a', { labels: { 'topology.kubernetes.io/zone': 'z1' } }));
    const b = cache.upsertNode(node('b', { labels: { 'topology.kubernetes.io/zone': 'z2' } }));
    for (let i = 0; i < 3; i++) cache.addOrUpdatePod(buildPodInfo(bound(pod(`r${i}`, { owner: 'rs1' }), 'a')), 'a');
    const pts = podTopologySpread(handle(cache));
    const st = new CycleState();
    const p = buildPodInfo(pod('new', { owner: 'rs1' }));
    assert.equal(pts.preScore?.(st, p, [a, b])?.code, Code.Success);
    const scores = new Float64Array([pts.score?.(st, p, a) ?? -1, pts.score?.(st, p, b) ?? -1]);
    pts.normalizeScore?.(st, p, [a, b], scores, 2);
    assert.ok((scores[1] ?? 0) > (scores[0] ?? 0), `scores ${[...scores]}`);
    assert.equal(scores[1], 100);
  });
});
