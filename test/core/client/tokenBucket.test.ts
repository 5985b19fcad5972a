import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { s } from '../../../sim/index.js';
import { TokenBucket } from '../../../core/client/tokenBucket.js';
import { ItemExponentialRateLimiter, defaultControllerRateLimiter } from '../../../core/client/rateLimiter.js';

const SEED = 4101;

describe(`TokenBucket (fast-check seed ${SEED})`, () => {
  it('allows a burst, then one request per 1/qps', () => {
    const b = new TokenBucket(20, 30);
    for (let i = 0; i < 30; i++) assert.equal(b.reserve(0), 0);
    assert.equal(b.reserve(0), 50_000); // 31st waits 1/20 s
    assert.equal(b.reserve(0), 100_000);
  });

  it('never admits more than burst + qps·t requests by time t', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 200 }), fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 300 }), (qps, burst, gaps) => {
        const b = new TokenBucket(qps, burst);
        let now = 0;
        const admitted: number[] = [];
        for (const g of gaps) {
          now += g;
          admitted.push(now + b.reserve(now));
        }
        // Admission times are non-decreasing (FIFO) and respect the rate bound.
        for (let i = 1; i < admitted.length; i++) assert.ok((admitted[i] ?? 0) >= (admitted[i - 1] ?? 0));
        admitted.forEach((t, i) => assert.ok(i + 1 <= burst + Math.floor((t * qps) / s(1)) + 1, `request ${i} at ${t}`));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('workqueue rate limiters (client-go defaults)', () => {
  it('per-item exponential: 5ms doubling, capped at 1000s, reset by forget', () => {
    const r = new ItemExponentialRateLimiter<string>();
    assert.equal(r.when('a', 0), 5_000);
    assert.equal(r.when('a', 0), 10_000);
    assert.equal(r.when('a', 0), 20_000);
    assert.equal(r.when('b', 0), 5_000);
    for (let i = 0; i < 40; i++) r.when('a', 0);
    assert.equal(r.when('a', 0), s(1000));
    assert.equal(r.numRequeues('a'), 44);
    r.forget('a');
    assert.equal(r.when('a', 0), 5_000);
  });

  it('default controller limiter: the 10 qps / 100 burst bucket bites after 100 failures at once', () => {
    const r = defaultControllerRateLimiter<number>();
    for (let i = 0; i < 100; i++) assert.equal(r.when(i, 0), 5_000);
    assert.equal(r.when(100, 0), 100_000);
  });
});
