import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { desiredReplicasForUtilisation, normalizeWithBehavior } from '../../../../core/controlplane/hpa/hpaMath.js';
import type { HpaHistory } from '../../../../core/controlplane/hpa/hpaMath.js';

test('4 pods at 90% against a 60% target → 6', () => {
  assert.equal(desiredReplicasForUtilisation(4, [90, 90, 90, 90], 60), 6);
});

test('inside the 0.1 tolerance nothing changes', () => {
  assert.equal(desiredReplicasForUtilisation(4, [65, 65, 65, 65], 60), 4);
  assert.equal(desiredReplicasForUtilisation(4, [54.5, 54.5, 54.5, 54.5], 60), 4);
  assert.equal(desiredReplicasForUtilisation(4, [30, 30, 30, 30], 60), 2);
});

test('scale-up is limited to max(4 pods, 100%) per 15s', () => {
  const h: HpaHistory = { recommendations: [], scaleEvents: [] };
  assert.equal(normalizeWithBehavior(h, 0, 2, 50, 1, 100, undefined), 6); // max(2+4, 2×2)
  assert.equal(normalizeWithBehavior(h, 5, 6, 50, 1, 100, undefined), 6); // same 15s period: still from 2
  assert.equal(normalizeWithBehavior(h, 16, 6, 50, 1, 100, undefined), 12);
});

test('scale-down waits for the 300s stabilisation window', () => {
  const h: HpaHistory = { recommendations: [], scaleEvents: [] };
  assert.equal(normalizeWithBehavior(h, 0, 10, 10, 1, 100, undefined), 10);
  let replicas = 10;
  for (let t = 15; t < 300; t += 15) {
    replicas = normalizeWithBehavior(h, t, replicas, 3, 1, 100, undefined);
    assert.equal(replicas, 10, `t=${t}`);
  }
  assert.equal(normalizeWithBehavior(h, 300, replicas, 3, 1, 100, undefined), 3);
});

test('property: the recommendation is ceil(n × mean/target) outside the tolerance band', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 10, max: 100 }), (us, target) => {
      const mean = us.reduce((a, b) => a + b, 0) / us.length;
      const ratio = mean / target;
      const got = desiredReplicasForUtilisation(us.length, us, target);
      if (Math.abs(1 - ratio) <= 0.1) return got === us.length;
      return got >= ratio * us.length - 1e-6 && got < ratio * us.length + 1;
    }),
    { seed: 15 },
  );
});
