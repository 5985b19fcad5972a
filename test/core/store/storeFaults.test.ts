// Safety and liveness of the replicated store under random fault schedules (issue 3).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StoreCluster } from '../../../core/store/storeCluster.js';
import type { StoreFault } from './faultSchedule.js';
import { applySchedule, scheduleArb } from './faultSchedule.js';

const SEED = 20261121;
/** Faults are healed by 23s; the load stops issuing at 30s (see faultArb). */
const LOAD_STOP_US = 30_000_000;
/**
 * After the last heal a leader must exist within this bound: a pre-vote plus a vote round at etcd's
 * 1s election timeout randomized to [1s, 2s), plus a CheckQuorum step-down (1s), with slack for a
 * split vote. 10s is generous but still catches a cluster that stays leaderless.
 */
const LEADER_BOUND_US = 10_000_000;

interface Outcome {
  readonly cluster: StoreCluster;
  readonly leaderAt: number | undefined;
  readonly readOk: number;
  readonly readFailed: number;
}

/** Snapshots every 25 applied entries, 10 kept behind: compaction and InstallSnapshot under every fault. */
const OFTEN = { snapshotCount: 25, snapshotCatchUpEntries: 10 } as const;

function runSchedule(members: number, schedule: readonly StoreFault[], seed: number, unsafe = false, snapshots?: typeof OFTEN): Outcome {
  const cluster = new StoreCluster({
    seed,
    members,
    clients: 2,
    keys: 3,
    meanGapUs: 30_000,
    loadStopUs: LOAD_STOP_US,
    readAllAtUs: LOAD_STOP_US + 8_000_000,
    member: { ...(unsafe ? { unsafeCommitWithoutQuorum: true } : {}), ...(snapshots ?? {}) },
  });
  applySchedule(cluster, schedule);
  const sim = cluster.sim;
  const lastHeal = 23_000_000;
  let leaderAt: number | undefined;
  // A leader after the last heal: poll every 10ms of virtual time, up to the bound.
  const poll = (): void => {
    if (cluster.leader() !== undefined) {
      leaderAt = sim.now;
      return;
    }
    if (sim.now < lastHeal + LEADER_BOUND_US) sim.after(10_000, 'poll-leader', poll);
  };
  sim.at(lastHeal, 'poll-leader', poll);
  sim.run({ until: LOAD_STOP_US + 16_000_000 });
  const reads = cluster.client('client-1')?.finalReads ?? { ok: 0, failed: 0 };
  return { cluster, leaderAt, readOk: reads.ok, readFailed: reads.failed };
}

function describeFailure(schedule: readonly StoreFault[], cluster: StoreCluster): string {
  return JSON.stringify({ schedule, results: cluster.checkers.results().filter((r) => !r.held) });
}

for (const members of [3, 5]) {
  describe(`store under random faults, ${members} members (fast-check seed ${SEED})`, () => {
    it('all four checkers hold; a leader exists soon after heal; every key is readable', () => {
      fc.assert(
        fc.property(scheduleArb(members), fc.integer({ min: 1, max: 1_000_000 }), (schedule, seed) => {
          const { cluster, leaderAt, readOk, readFailed } = runSchedule(members, schedule, seed);
          for (const r of cluster.checkers.results()) {
            assert.ok(r.held, `${r.name} violated: ${describeFailure(schedule, cluster)}`);
            assert.notEqual(r.inconclusive, true, `${r.name} inconclusive`);
          }
          assert.ok(leaderAt !== undefined, `no leader within ${LEADER_BOUND_US / 1e6}s of the last heal: ${JSON.stringify(schedule)}`);
          assert.equal(readFailed, 0, `final reads failed: ${JSON.stringify(schedule)}`);
          assert.ok(readOk > 0);
          const acked = cluster.checkers.history.okWrites;
          assert.ok(acked > 50, `too few acknowledged writes (${acked}) to mean anything`);
        }),
        { seed: SEED + members, numRuns: members === 3 ? 30 : 20, endOnFailure: true },
      );
    });
  });
}

describe(`store with frequent snapshots under crash and partition schedules (fast-check seed ${SEED})`, () => {
  it('log compaction and InstallSnapshot keep all four checkers green; a leader after heal; every key readable', () => {
    let installed = 0;
    let taken = 0;
    fc.assert(
      fc.property(scheduleArb(3, ['crash', 'partition', 'isolateLeader', 'pause', 'loss']), fc.integer({ min: 1, max: 1_000_000 }), (schedule, seed) => {
        const { cluster, leaderAt, readOk, readFailed } = runSchedule(3, schedule, seed, false, OFTEN);
        for (const r of cluster.checkers.results()) {
          assert.ok(r.held, `${r.name} violated: ${describeFailure(schedule, cluster)}`);
          assert.notEqual(r.inconclusive, true, `${r.name} inconclusive`);
        }
        assert.ok(leaderAt !== undefined, `no leader within ${LEADER_BOUND_US / 1e6}s of the last heal: ${JSON.stringify(schedule)}`);
        assert.equal(readFailed, 0, `final reads failed: ${JSON.stringify(schedule)}`);
        assert.ok(readOk > 0);
        // The log stays bounded: at most snapshotCount + catch-up entries (plus a batch in flight).
        for (const name of cluster.memberNames) {
          const raft = cluster.member(name)?.raft;
          if (raft !== undefined) assert.ok(raft.log.length <= OFTEN.snapshotCount + OFTEN.snapshotCatchUpEntries + 200, `${name} holds ${raft.log.length} entries`);
        }
        taken += cluster.checkers.snapshotsTaken;
        installed += cluster.checkers.snapshotsInstalled;
      }),
      { seed: SEED + 7, numRuns: 25, endOnFailure: true },
    );
    assert.ok(taken > 0, 'no snapshot was taken');
    assert.ok(installed > 0, 'no follower was ever sent a snapshot: InstallSnapshot went untested');
  });
});

describe(`the checkers catch a deliberately broken store (fast-check seed ${SEED})`, () => {
  it('unsafeCommitWithoutQuorum: some schedule violates durability or linearizability, and it shrinks', () => {
    const details = fc.check(
      // Crashes and partitions are what expose a leader that acknowledges alone; the other kinds only slow the search.
      fc.property(scheduleArb(3, ['crash', 'partition', 'isolateLeader', 'pause']), (schedule) => {
        const { cluster } = runSchedule(3, schedule, 7, true);
        return cluster.checkers.results().every((r) => r.held);
      }),
      { seed: SEED, numRuns: 30 },
    );
    assert.ok(details.failed, 'the broken mode went unnoticed');
    const counterexample = details.counterexample?.[0] ?? [];
    assert.ok(counterexample.length <= 2, `shrunk schedule still has ${counterexample.length} faults`);
    const { cluster } = runSchedule(3, counterexample, 7, true);
    const violated = cluster.checkers.results().filter((r) => !r.held).map((r) => r.name);
    assert.ok(violated.length > 0);
    console.log(`broken mode caught by ${violated.join(', ')} with shrunk schedule ${JSON.stringify(counterexample)} after ${details.numShrinks} shrinks`);
  });
});
