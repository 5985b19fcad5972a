import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { Rng } from '../../sim/rng.js';

describe('Rng', () => {
  it('draws exactly what seedrandom.alea draws for the same seed', () => {
    const ours = new Rng('kubesim:42/etcd-2/election');
    const theirs = seedrandom.alea('kubesim:42/etcd-2/election');
    for (let i = 0; i < 1000; i++) assert.equal(ours.next(), theirs());
  });

  it('forks streams by name: the same name gives the same stream, siblings do not disturb each other', () => {
    const a = Rng.fromSeed(1);
    const b = Rng.fromSeed(1);
    const x1 = a.fork('etcd-1').next();
    b.fork('new-component').next();
    assert.equal(b.fork('etcd-1').next(), x1);
    assert.notEqual(Rng.fromSeed(2).fork('etcd-1').next(), x1);
  });

  it('lognormal matches its median and 99th percentile', () => {
    const rng = Rng.fromSeed(3);
    const draws = Array.from({ length: 20_000 }, () => rng.lognormal(500, 5000)).sort((p, q) => p - q);
    const median = draws[10_000] ?? 0;
    const p99 = draws[19_800] ?? 0;
    assert.ok(Math.abs(median - 500) / 500 < 0.05, `median ${median}`);
    assert.ok(Math.abs(p99 - 5000) / 5000 < 0.1, `p99 ${p99}`);
  });

  it('exponential (ziggurat) follows the exponential distribution: Kolmogorov–Smirnov, mean, variance, tail', () => {
    const rng = Rng.fromSeed(5);
    const n = 200_000;
    const draws = Float64Array.from({ length: n }, () => rng.exponential(1)).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const cdf = 1 - Math.exp(-(draws[i] as number));
      d = Math.max(d, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
    }
    // The 1% critical value of the KS statistic is 1.63 / √n.
    assert.ok(d < 1.63 / Math.sqrt(n), `KS distance ${d}`);
    let sum = 0;
    let squares = 0;
    for (const x of draws) {
      sum += x;
      squares += x * x;
    }
    const mean = sum / n;
    assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(squares / n - mean * mean - 1) < 0.03, `variance ${squares / n - mean * mean}`);
    // Beyond the base layer's edge (7.7) the tail is drawn separately: P(X > 8) = e^-8 ≈ 3.4e-4.
    const beyond = draws.filter((x) => x > 8).length / n;
    assert.ok(beyond > 1.5e-4 && beyond < 6e-4, `P(X > 8) = ${beyond}`);
  });

  it('exponential has the requested mean and jitter follows client-go (d + rand × factor × d)', () => {
    const rng = Rng.fromSeed(4);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += rng.exponential(10);
    assert.ok(Math.abs(sum / 20_000 - 10) < 0.3);
    for (let i = 0; i < 1000; i++) {
      const j = rng.jitter(2000, 1.2);
      assert.ok(j >= 2000 && j < 2000 + 1.2 * 2000);
    }
    const k = rng.jitter(100, 0);
    assert.ok(k >= 100 && k < 200, 'maxFactor ≤ 0 means 1');
  });
});
