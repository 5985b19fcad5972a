import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { newRsTargetReplicas, oldRsTargetReplicas, resolveFenceposts, scaledValue } from '../../../../core/controlplane/deployment/rolloutMath.js';
import type { Fenceposts } from '../../../../core/controlplane/deployment/rolloutMath.js';

test('fenceposts: 25% of 10 → surge 3 (up), unavailable 2 (down); both 0 → unavailable 1', () => {
  assert.deepEqual(resolveFenceposts(undefined, undefined, 10), { maxSurge: 3, maxUnavailable: 2 });
  assert.deepEqual(resolveFenceposts(0, 0, 10), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(resolveFenceposts('10%', '10%', 4), { maxSurge: 1, maxUnavailable: 0 });
  assert.deepEqual(resolveFenceposts('10%', '10%', 20), { maxSurge: 2, maxUnavailable: 2 });
  assert.deepEqual(resolveFenceposts('10%', '10%', 5), { maxSurge: 1, maxUnavailable: 0 });
  assert.equal(scaledValue('33%', 10, true), 4);
  assert.equal(scaledValue(2, 10, true), 2);
});

interface Pod {
  rs: 'old' | 'new';
  ready: boolean;
}

/** One simulated rollout: the controller step (upstream order: scale up, else scale down) interleaved with readiness. */
function rollout(desired: number, fence: Fenceposts, readiness: readonly boolean[], bad: boolean): { maxPods: number; minAvailable: number; done: boolean } {
  const pods: Pod[] = Array.from({ length: desired }, () => ({ rs: 'old', ready: true }));
  let oldReplicas = desired;
  let newReplicas = 0;
  let maxPods = pods.length;
  let minAvailable = desired;
  const count = (rs: 'old' | 'new', ready?: boolean): number => pods.filter((p) => p.rs === rs && (ready === undefined || p.ready === ready)).length;
  for (let step = 0; step < readiness.length; step++) {
    // readiness event: one new pod may become ready (never, for a bad image)
    if (readiness[step] === true && !bad) {
      const p = pods.find((x) => x.rs === 'new' && !x.ready);
      if (p !== undefined) p.ready = true;
    }
    const newRs = { replicas: newReplicas, available: count('new', true) };
    const oldRs = { replicas: oldReplicas, available: count('old', true) };
    const target = newRsTargetReplicas(desired, fence, newRs, [newRs, oldRs]);
    if (target !== newReplicas) {
      newReplicas = target;
    } else {
      oldReplicas = oldRsTargetReplicas(desired, fence, newRs, [oldRs])[0] ?? oldReplicas;
    }
    // the ReplicaSet controller converges pods to replicas, deleting unready pods first
    while (count('new') < newReplicas) pods.push({ rs: 'new', ready: false });
    while (count('old') > oldReplicas) {
      const i = pods.findIndex((p) => p.rs === 'old' && !p.ready);
      pods.splice(i >= 0 ? i : pods.findIndex((p) => p.rs === 'old'), 1);
    }
    maxPods = Math.max(maxPods, pods.length);
    minAvailable = Math.min(minAvailable, pods.filter((p) => p.ready).length);
  }
  return { maxPods, minAvailable, done: count('new', true) === desired && count('old') === 0 };
}

test('10 replicas, defaults: never more than 13 pods nor fewer than 8 available, and the rollout completes', () => {
  const r = rollout(10, resolveFenceposts(undefined, undefined, 10), Array.from({ length: 200 }, () => true), false);
  assert.equal(r.maxPods, 13);
  assert.equal(r.minAvailable, 8);
  assert.equal(r.done, true);
});

test('a bad image stalls the rollout within maxUnavailable', () => {
  const r = rollout(10, resolveFenceposts(undefined, undefined, 10), Array.from({ length: 200 }, () => true), true);
  assert.equal(r.done, false);
  assert.ok(r.minAvailable >= 8);
  assert.ok(r.maxPods <= 13);
});

test('property: pods ≤ replicas + maxSurge and available ≥ replicas − maxUnavailable over random readiness', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('0%', '10%', '25%', '50%', '100%')),
      fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom('0%', '10%', '25%', '50%', '100%')),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }),
      fc.boolean(),
      (desired, surge, unavailable, readiness, bad) => {
        const fence = resolveFenceposts(surge, unavailable, desired);
        const r = rollout(desired, fence, readiness, bad);
        return r.maxPods <= desired + fence.maxSurge && r.minAvailable >= desired - fence.maxUnavailable;
      },
    ),
    { seed: 20261121, numRuns: 300 },
  );
});
