// Store snapshots end to end (etcd's --snapshot-count and SnapshotCatchUpEntries): the log stays
// bounded, a restarted member loads its snapshot and re-applies only what follows it, a member that
// was down past the compaction point is sent the snapshot, and runs stay deterministic.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreCluster } from '../../../core/store/storeCluster.js';

const SNAPSHOT_COUNT = 100;
const CATCH_UP = 50;

function cluster(seed: number): { c: StoreCluster; applies: Array<{ atUs: number; member: string; index: number }> } {
  const c = new StoreCluster({
    seed,
    members: 3,
    clients: 2,
    keys: 5,
    meanGapUs: 10_000,
    loadStopUs: 20_000_000,
    readAllAtUs: 24_000_000,
    member: { snapshotCount: SNAPSHOT_COUNT, snapshotCatchUpEntries: CATCH_UP },
  });
  const applies: Array<{ atUs: number; member: string; index: number }> = [];
  const onApply = c.checkers.onApply.bind(c.checkers);
  c.checkers.onApply = (member, index, term, data) => {
    applies.push({ atUs: c.sim.now, member, index });
    onApply(member, index, term, data);
  };
  return { c, applies };
}

describe('store snapshots and log compaction', () => {
  it('bounded logs; a restarted member loads its snapshot; one down past the compaction point gets InstallSnapshot', () => {
    const { c, applies } = cluster(3);
    const sim = c.sim;
    let follower = '';
    let snapshotAtCrash = 0;
    sim.at(5_000_000, 'crash a follower', () => {
      follower = c.memberNames.find((n) => n !== c.leader()) ?? '';
      snapshotAtCrash = c.member(follower)?.raft?.snapshot?.index ?? 0;
      sim.crash(follower);
    });
    sim.at(12_000_000, 'restart it', () => sim.restart(follower));
    sim.run({ until: 30_000_000 });
    for (const r of c.checkers.results()) assert.ok(r.held, `${r.name}: ${r.detail ?? ''}`);
    assert.ok(snapshotAtCrash > 0, 'the follower had a snapshot on disk when it crashed');
    // On restart it re-applied only entries after its snapshot, never the log from index 1.
    const replayed = applies.filter((a) => a.member === follower && a.atUs >= 12_000_000);
    assert.ok(replayed.length > 0);
    assert.ok(Math.min(...replayed.map((a) => a.index)) > snapshotAtCrash, 'replay starts after the snapshot');
    // It was down for 7 s (hundreds of entries, past the 50 kept behind a snapshot): the leader sent a snapshot.
    assert.ok(c.checkers.snapshotsInstalled >= 1, 'InstallSnapshot');
    // Every member holds at most snapshotCount + catch-up entries (plus a batch in flight), and agrees on the state.
    const revisions = new Set<number>();
    for (const name of c.memberNames) {
      const m = c.member(name);
      const raft = m?.raft;
      assert.ok(raft !== undefined);
      assert.ok(raft.log.length <= SNAPSHOT_COUNT + CATCH_UP + 64, `${name} holds ${raft.log.length} entries`);
      assert.ok(raft.log.offset > 0, `${name} compacted its log`);
      revisions.add(m?.store.revision ?? -1);
    }
    assert.equal(revisions.size, 1, 'all members at the same revision');
    assert.deepEqual(c.client('client-1')?.finalReads, { ok: 5, failed: 0 });
  });

  it('is deterministic: the same seed gives the same trace hash', () => {
    const run = (): string => {
      const { c } = cluster(9);
      let crashed = 'etcd-1';
      c.sim.at(4_000_000, 'crash', () => {
        crashed = c.leader() ?? crashed;
        c.sim.crash(crashed);
      });
      c.sim.at(9_000_000, 'restart', () => c.sim.restart(crashed));
      c.sim.run({ until: 15_000_000 });
      return `${c.sim.traceHash()} ${c.checkers.snapshotsTaken} ${c.checkers.snapshotsInstalled}`;
    };
    assert.equal(run(), run());
  });
});
