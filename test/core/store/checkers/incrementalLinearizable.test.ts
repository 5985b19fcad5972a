// store.linearizable checked as operations settle (LinearizableChecker, bounded memory) gives the
// verdicts of the whole-history check (checkLinearizable) on the same runs, broken store included.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StoreCluster } from '../../../../core/store/storeCluster.js';
import { History } from '../../../../core/store/history.js';
import { LinearizableChecker } from '../../../../core/store/checkers/linearizable.js';
import { applySchedule, scheduleArb } from '../faultSchedule.js';
import type { StoreFault } from '../faultSchedule.js';

const SEED = 20261122;

function linearizable(schedule: readonly StoreFault[], seed: number, unsafe: boolean, keepHistory: boolean): { verdict: unknown; retained: number; ops: number } {
  const cluster = new StoreCluster({
    seed,
    members: 3,
    clients: 2,
    keys: 3,
    meanGapUs: 30_000,
    loadStopUs: 30_000_000,
    readAllAtUs: 38_000_000,
    keepHistory,
    member: unsafe ? { unsafeCommitWithoutQuorum: true } : {},
  });
  applySchedule(cluster, schedule);
  cluster.sim.run({ until: 46_000_000 });
  const r = cluster.checkers.results()[3];
  return { verdict: { held: r?.held, at: r?.firstViolationAt, inconclusive: r?.inconclusive }, retained: cluster.checkers.history.ops.length, ops: cluster.checkers.history.okWrites };
}

describe(`incremental store.linearizable (fast-check seed ${SEED})`, () => {
  it('same verdict as the whole-history check under random faults, safe and broken store', () => {
    let violations = 0;
    fc.assert(
      fc.property(scheduleArb(3, ['crash', 'partition', 'isolateLeader', 'pause', 'loss']), fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), (schedule, seed, unsafe) => {
        const whole = linearizable(schedule, seed, unsafe, true);
        const incremental = linearizable(schedule, seed, unsafe, false);
        assert.deepEqual(incremental.verdict, whole.verdict, JSON.stringify(schedule));
        if ((whole.verdict as { held: boolean }).held === false) violations++;
      }),
      { seed: SEED, numRuns: 40 },
    );
    assert.ok(violations > 0, 'no broken run violated linearizability: the comparison never covered a violation');
  });

  it('without faults nothing stays retained once every key was last read (thousands of operations checked and dropped)', () => {
    const run = linearizable([], 5, false, false);
    assert.ok(run.ops > 1000, `only ${run.ops} writes`);
    assert.ok(run.retained < 10, `retained ${run.retained} operations`);
  });

  it('a stale read after a pruned prefix is still caught; an unknown write may take effect within its lifetime', () => {
    let t = 0;
    const lin = new LinearizableChecker({ unknownLifetimeUs: 10 });
    const h = new History(() => t, lin);
    const at = (x: number): void => {
      t = x;
    };
    const w1 = h.invoke('c', 'k', { type: 'put', value: 'a' });
    at(1);
    h.complete(w1, { type: 'write', revision: 2 });
    at(2);
    const w2 = h.invoke('c', 'k', { type: 'put', value: 'b' });
    at(3);
    h.complete(w2, { type: 'write', revision: 3 });
    assert.equal(h.ops.length, 0, 'settled prefix dropped');
    at(4);
    const u = h.invoke('c', 'k', { type: 'put', value: 'c' });
    at(5);
    h.giveUp(u);
    at(8);
    const r1 = h.invoke('c', 'k', { type: 'get' });
    at(9);
    h.complete(r1, { type: 'read', value: 'b', modRevision: 3 });
    assert.equal(h.ops.length, 2, 'the unknown write is still alive: nothing pruned');
    at(10);
    const r2 = h.invoke('c', 'k', { type: 'get' });
    at(11);
    h.complete(r2, { type: 'read', value: 'c', modRevision: 4 });
    assert.equal(lin.result().held, true, 'the unknown write took effect late, within its lifetime');
    at(12);
    const r3 = h.invoke('c', 'k', { type: 'get' });
    at(13);
    h.complete(r3, { type: 'read', value: 'a', modRevision: 2 });
    assert.equal(lin.result().held, false, 'reading a value from the dropped prefix is stale');
  });
});

describe('store.durability and store.logMatching forget what every member snapshotted past', () => {
  it('with a snapshot every 25 entries they hold O(snapshot interval) entries, not the log', () => {
    const cluster = new StoreCluster({
      seed: 3,
      members: 3,
      clients: 2,
      keys: 3,
      meanGapUs: 30_000,
      loadStopUs: 30_000_000,
      member: { snapshotCount: 25, snapshotCatchUpEntries: 10 },
    });
    cluster.sim.run({ until: 32_000_000 });
    assert.ok(cluster.checkers.history.okWrites > 1000);
    assert.ok(cluster.checkers.results().every((r) => r.held));
    assert.ok(cluster.checkers.durability.held < 100, `durability holds ${cluster.checkers.durability.held} acknowledgements`);
    assert.ok(cluster.checkers.logMatching.held < 100, `logMatching holds ${cluster.checkers.logMatching.held} indices`);
  });
});
