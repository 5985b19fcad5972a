import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TokenBucket, computeZoneState, zoneEvictionQps } from '../../../../core/controlplane/nodelifecycle/evictionRate.js';

test('zone states: full when none ready, partial at ≥55% not ready (≥3), else normal', () => {
  assert.equal(computeZoneState(0, 1), 'FullDisruption');
  assert.equal(computeZoneState(2, 3), 'PartialDisruption');
  assert.equal(computeZoneState(10, 2), 'Normal');
  assert.equal(computeZoneState(1, 2), 'Normal'); // fewer than 3 not ready never counts as partial
});

test('rates: 0.1/s normal, 0.01/s partial in a large zone, 0 in a small one, 0 everywhere when all zones are down', () => {
  assert.equal(zoneEvictionQps('Normal', 10, false), 0.1);
  assert.equal(zoneEvictionQps('PartialDisruption', 100, false), 0.01);
  assert.equal(zoneEvictionQps('PartialDisruption', 20, false), 0);
  assert.equal(zoneEvictionQps('FullDisruption', 20, false), 0.1);
  assert.equal(zoneEvictionQps('FullDisruption', 20, true), 0);
});

test('property: a 0.1/s bucket with burst 1 admits at most 1 + t/10 taints in t seconds', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 200 }), (times) => {
      const sorted = [...times].sort((a, b) => a - b).map((ms) => ms / 1000);
      const b = new TokenBucket(0.1, 1, 0);
      let admitted = 0;
      for (const t of sorted) if (b.tryAccept(t)) admitted++;
      const span = sorted[sorted.length - 1] ?? 0;
      return admitted <= 1 + Math.floor(span / 10 + 1e-9);
    }),
    { seed: 3 },
  );
});
