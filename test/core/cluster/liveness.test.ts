// Properties of liveness.convergesWithin's verdict over random convergence timelines, faults and
// workload steps (core/cluster/liveness.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConvergenceTracker } from '../../../core/cluster/convergence.js';
import type { FaultWindow } from '../../../core/cluster/faults.js';
import { convergenceOf, livenessResult } from '../../../core/cluster/liveness.js';

const SEED = 20261122;
const S = 1_000_000;
const END = 200 * S;
const LIMIT = 30 * S;

interface Case {
  /** Seconds at which the converged predicate flips, starting unconverged at 0. */
  readonly flips: number[];
  readonly faults: Array<{ at: number; length: number }>;
  readonly steps: number[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  flips: fc.uniqueArray(fc.integer({ min: 0, max: 199 }), { maxLength: 12 }).map((xs) => xs.sort((a, b) => a - b)),
  faults: fc.array(fc.record({ at: fc.integer({ min: 1, max: 150 }), length: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 4 }),
  steps: fc.uniqueArray(fc.integer({ min: 1, max: 199 }), { maxLength: 4 }),
});

function tracker(flips: readonly number[]): ConvergenceTracker {
  const t = new ConvergenceTracker();
  t.update(0, false);
  flips.forEach((at, i) => t.update(at * S, i % 2 === 0));
  return t;
}

function windows(c: Case): FaultWindow[] {
  return c.faults
    .map((f, index) => ({ index, kind: 'loss' as const, label: `loss ${index}`, injectedUs: f.at * S, healedUs: (f.at + f.length) * S, fired: true }))
    .sort((a, b) => a.injectedUs - b.injectedUs);
}

function verdict(c: Case, steps: readonly number[]): boolean {
  const t = tracker(c.flips);
  const stepsUs = steps.map((x) => x * S);
  const records = convergenceOf(windows(c), t, END, stepsUs);
  return livenessResult(LIMIT, stepsUs, records, END, t.isConverged()).held;
}

describe(`liveness.convergesWithin verdict (fast-check seed ${SEED})`, () => {
  it('workload steps only ever excuse: a run that holds without its steps holds with them', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        if (verdict(c, [])) assert.ok(verdict(c, c.steps));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('a run that ends unconverged after a fault never holds, whatever the steps', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        if (c.flips.length % 2 === 0) assert.equal(verdict(c, c.steps), false);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('a cluster converged from the start and never disturbed holds; one that never converges fails', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        assert.equal(verdict({ ...c, flips: [0] }, c.steps), true);
        assert.equal(verdict({ ...c, flips: [] }, c.steps), false);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('without steps, a fault held past the limit before converging fails', () => {
    // Converges 40 s after a fault healed at 20 s, with a 30 s limit and nothing in between.
    assert.equal(verdict({ flips: [0, 10, 60], faults: [{ at: 10, length: 10 }], steps: [] }, []), false);
    // The same with a step at 45 s, before the limit ran out: only "converged at all" is asked.
    assert.equal(verdict({ flips: [0, 10, 60], faults: [{ at: 10, length: 10 }], steps: [] }, [45]), true);
  });
});
