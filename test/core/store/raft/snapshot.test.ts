// Raft snapshots and log compaction in the pure member (no kernel): compaction behind a snapshot,
// InstallSnapshot to a follower that needs compacted entries, and a restart from a snapshot.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RaftNode, COMPACTED } from '../../../../core/store/raft/raftNode.js';
import type { Entry, RaftMessage, Snapshot } from '../../../../core/store/raft/types.js';
import { Rng } from '../../../../sim/rng.js';

const MS = 1000;

/** A synchronous three-member world; the "state machine" is the list of applied commands. */
class Net {
  readonly nodes = new Map<number, RaftNode<string>>();
  readonly state = new Map<number, string[]>();
  readonly installed = new Map<number, Snapshot[]>();
  readonly sent: Array<RaftMessage<string>> = [];
  cut: (m: RaftMessage<string>) => boolean = () => false;
  now = 0;

  constructor(size: number) {
    const peers = Array.from({ length: size }, (_, i) => i + 1);
    for (const id of peers) {
      const rng = new Rng(`node-${id}`);
      this.nodes.set(id, new RaftNode<string>({ id, peers, heartbeatUs: 100 * MS, electionTimeoutUs: 1000 * MS, random: () => rng.next() }, { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] }, 0));
      this.state.set(id, []);
      this.installed.set(id, []);
    }
  }

  node(id: number): RaftNode<string> {
    const n = this.nodes.get(id);
    assert.ok(n);
    return n;
  }

  settle(): void {
    for (let round = 0; round < 10_000; round++) {
      const queue: Array<RaftMessage<string>> = [];
      for (const [id, node] of this.nodes) {
        while (node.hasReady()) {
          const rd = node.ready();
          if (rd.snapshot !== null) {
            this.installed.get(id)?.push(rd.snapshot);
            this.state.set(id, [...(rd.snapshot.data as string[])]);
          }
          queue.push(...rd.messages);
          for (const e of rd.committedEntries) if (e.data !== null) this.state.get(id)?.push(e.data);
          node.advance(rd);
        }
      }
      if (queue.length === 0) return;
      for (const m of queue) {
        this.sent.push(m);
        if (!this.cut(m)) this.nodes.get(m.to)?.step(m, this.now);
      }
    }
    assert.fail('did not settle');
  }

  advance(us: number): void {
    const end = this.now + us;
    while (this.now < end) {
      this.now = Math.min(end, this.now + 10 * MS);
      for (const node of this.nodes.values()) node.tick(this.now);
      this.settle();
    }
  }

  leader(): RaftNode<string> {
    const l = [...this.nodes.values()].find((n) => n.role === 'leader');
    assert.ok(l);
    return l;
  }
}

describe('Raft snapshots and log compaction', () => {
  it('a follower behind the compaction point gets InstallSnapshot, then the log again', () => {
    const net = new Net(3);
    net.advance(2500 * MS);
    const leader = net.leader();
    const lagging = [1, 2, 3].find((id) => id !== leader.id) ?? 0;
    net.cut = (m) => m.to === lagging || m.from === lagging;
    for (let i = 0; i < 40; i++) leader.propose(`w${i}`);
    net.settle();
    const applied = leader.log.applied;
    assert.ok(applied >= 40);
    // The host snapshots its state at the applied index and keeps 5 entries behind it.
    leader.createSnapshot(applied, net.state.get(leader.id)?.slice(), 100);
    leader.compact(applied - 5);
    assert.equal(leader.log.offset, applied - 5);
    assert.equal(leader.termAt(applied - 10), COMPACTED);
    assert.equal(leader.termAt(applied - 5), leader.term, 'the compaction point keeps its term');
    for (let i = 40; i < 45; i++) leader.propose(`w${i}`);
    net.settle();
    net.cut = () => false;
    net.advance(500 * MS);
    const snaps = net.sent.filter((m) => m.type === 'raft/snapshot' && m.to === lagging);
    assert.equal(snaps.length, 1, 'one InstallSnapshot, no storm');
    const follower = net.node(lagging);
    assert.equal(net.installed.get(lagging)?.[0]?.index, applied);
    assert.equal(follower.log.committed, leader.log.committed);
    assert.deepEqual(net.state.get(lagging), net.state.get(leader.id), 'same state machine after snapshot + log');
    assert.equal(follower.log.offset, applied);
  });

  it('a lost snapshot is sent again after an election timeout', () => {
    const net = new Net(3);
    net.advance(2500 * MS);
    const leader = net.leader();
    const lagging = [1, 2, 3].find((id) => id !== leader.id) ?? 0;
    net.cut = (m) => m.to === lagging || m.from === lagging;
    for (let i = 0; i < 20; i++) leader.propose(`w${i}`);
    net.settle();
    leader.createSnapshot(leader.log.applied, net.state.get(leader.id)?.slice(), 100);
    leader.compact(leader.log.applied);
    let dropped = 0;
    net.cut = (m) => m.type === 'raft/snapshot' && dropped++ === 0;
    net.advance(2500 * MS);
    assert.ok(net.sent.filter((m) => m.type === 'raft/snapshot').length >= 2);
    assert.deepEqual(net.state.get(lagging), net.state.get(leader.id));
  });

  it('restarts from a snapshot and the entries after it: applies only what follows', () => {
    const rng = new Rng('restart');
    const entries: Array<Entry<string>> = [6, 7, 8, 9].map((index) => ({ index, term: 2, data: `e${index}` }));
    const snapshot: Snapshot = { index: 7, term: 2, data: ['...'], sizeBytes: 10 };
    const node = new RaftNode<string>(
      { id: 1, peers: [1], heartbeatUs: 100 * MS, electionTimeoutUs: 1000 * MS, random: () => rng.next() },
      { hardState: { term: 2, vote: 1, commit: 8 }, entries, logOffset: { index: 5, term: 2 }, snapshot },
      0,
    );
    assert.equal(node.log.applied, 7);
    assert.equal(node.log.committed, 8);
    assert.equal(node.termAt(4), COMPACTED);
    const rd = node.ready();
    assert.deepEqual(rd.committedEntries.map((e) => e.index), [8]);
    node.advance(rd);
    node.tick(2000 * MS);
    while (node.hasReady()) node.advance(node.ready());
    assert.equal(node.role, 'leader');
    assert.equal(node.log.lastIndex(), 10, 'the new term’s empty entry follows the restored log');
  });
});
