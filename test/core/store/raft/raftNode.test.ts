// Unit tests of the pure Raft member (no kernel): a tiny synchronous driver delivers messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RaftNode } from '../../../../core/store/raft/raftNode.js';
import type { Entry, RaftMessage, ReadState } from '../../../../core/store/raft/types.js';
import { Rng } from '../../../../sim/rng.js';

const MS = 1000;

class Net {
  readonly nodes = new Map<number, RaftNode<string>>();
  readonly persisted = new Map<number, Array<Entry<string>>>();
  readonly applied = new Map<number, Array<Entry<string>>>();
  readonly reads = new Map<number, ReadState[]>();
  readonly sent: Array<RaftMessage<string>> = [];
  /** Drop a message when this returns true. */
  cut: (m: RaftMessage<string>) => boolean = () => false;
  now = 0;

  constructor(size: number, options: { preVote?: boolean; checkQuorum?: boolean } = {}) {
    const peers = Array.from({ length: size }, (_, i) => i + 1);
    for (const id of peers) {
      const rng = new Rng(`node-${id}`);
      const node = new RaftNode<string>(
        { id, peers, heartbeatUs: 100 * MS, electionTimeoutUs: 1000 * MS, random: () => rng.next(), ...options },
        { hardState: { term: 0, vote: 0, commit: 0 }, entries: [] },
        0,
      );
      this.nodes.set(id, node);
      this.applied.set(id, []);
      this.reads.set(id, []);
    }
  }

  node(id: number): RaftNode<string> {
    const n = this.nodes.get(id);
    assert.ok(n);
    return n;
  }

  /** Drains every Ready and delivers messages until quiet. */
  settle(): void {
    for (let round = 0; round < 10_000; round++) {
      const queue: Array<RaftMessage<string>> = [];
      for (const [id, node] of this.nodes) {
        while (node.hasReady()) {
          const rd = node.ready();
          queue.push(...rd.messages);
          this.applied.get(id)?.push(...rd.committedEntries);
          this.reads.get(id)?.push(...rd.readStates);
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

  /** Advances time in 10ms steps, ticking every node. */
  advance(us: number): void {
    const end = this.now + us;
    while (this.now < end) {
      this.now = Math.min(end, this.now + 10 * MS);
      for (const node of this.nodes.values()) node.tick(this.now);
      this.settle();
    }
  }

  leaders(): number[] {
    return [...this.nodes.values()].filter((n) => n.role === 'leader').map((n) => n.id);
  }
}

describe('RaftNode', () => {
  it('a single member elects itself and commits proposals', () => {
    const net = new Net(1);
    net.advance(2100 * MS);
    assert.deepEqual(net.leaders(), [1]);
    const p = net.node(1).propose('x');
    assert.ok(p.ok);
    net.settle();
    assert.deepEqual(net.applied.get(1)?.map((e) => e.data), [null, 'x']);
  });

  it('three members elect one leader within [1s, 2s) plus a round trip and replicate to all', () => {
    const net = new Net(3);
    net.advance(2100 * MS);
    const leaders = net.leaders();
    assert.equal(leaders.length, 1);
    const leader = net.node(leaders[0] ?? 0);
    for (const v of ['a', 'b', 'c']) assert.ok(leader.propose(v).ok);
    net.settle();
    net.advance(200 * MS);
    for (const id of [1, 2, 3]) assert.deepEqual(net.applied.get(id)?.map((e) => e.data), [null, 'a', 'b', 'c']);
  });

  it('a follower rejects a proposal and names the leader', () => {
    const net = new Net(3);
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    const follower = [1, 2, 3].find((id) => id !== leader) ?? 0;
    assert.deepEqual(net.node(follower).propose('x'), { ok: false, leader });
  });

  it('PreVote: an isolated follower does not raise its term, and rejoining does not depose the leader', () => {
    const net = new Net(3);
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    const term = net.node(leader).term;
    const isolated = [1, 2, 3].find((id) => id !== leader) ?? 0;
    net.cut = (m) => m.from === isolated || m.to === isolated;
    net.advance(10_000 * MS);
    assert.equal(net.node(isolated).term, term, 'pre-votes never win, so the term stays');
    net.cut = () => false;
    net.advance(1000 * MS);
    assert.deepEqual(net.leaders(), [leader]);
    assert.equal(net.node(leader).term, term);
  });

  it('without PreVote the same isolation bumps the term and disrupts the leader on rejoin', () => {
    const net = new Net(3, { preVote: false, checkQuorum: false });
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    const term = net.node(leader).term;
    const isolated = [1, 2, 3].find((id) => id !== leader) ?? 0;
    net.cut = (m) => m.from === isolated || m.to === isolated;
    net.advance(10_000 * MS);
    assert.ok(net.node(isolated).term > term + 2);
    net.cut = () => false;
    net.advance(3000 * MS);
    const newLeader = net.leaders()[0] ?? 0;
    assert.ok(net.node(newLeader).term > term, 'the leader was deposed by the higher term');
  });

  it('CheckQuorum: a leader cut off from the majority steps down within ~electionTimeout', () => {
    const net = new Net(5);
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    net.cut = (m) => m.from === leader || m.to === leader;
    net.advance(2100 * MS);
    assert.notEqual(net.node(leader).role, 'leader');
  });

  it('Figure 8: entries of an earlier term are committed only through an entry of the current term', () => {
    const rngs = [new Rng('a'), new Rng('b'), new Rng('c')];
    const old: Array<Entry<string>> = [
      { index: 1, term: 1, data: 'old1' },
      { index: 2, term: 1, data: 'old2' },
    ];
    const peers = [1, 2, 3];
    const mk = (id: number, entries: Array<Entry<string>>): RaftNode<string> =>
      new RaftNode<string>(
        { id, peers, heartbeatUs: 100 * MS, electionTimeoutUs: 1000 * MS, random: () => rngs[id - 1]?.next() ?? 0, preVote: false },
        { hardState: { term: 1, vote: 0, commit: 0 }, entries },
        0,
      );
    const n1 = mk(1, old);
    // Become leader of term 2 by hand: votes from 2.
    n1.tick(2000 * MS);
    const votes = n1.ready();
    n1.advance(votes);
    n1.step({ type: 'raft/voteResp', term: 2, from: 2, to: 1, pre: false, reject: false }, 2000 * MS);
    assert.equal(n1.role, 'leader');
    const rd = n1.ready(); // persists the empty entry of term 2 at index 3
    n1.advance(rd);
    // Follower 2 reports it matches through index 2 (the old entries) only.
    n1.step({ type: 'raft/appendResp', term: 2, from: 2, to: 1, reject: false, index: 2, hintIndex: 0, hintTerm: 0 }, 2001 * MS);
    assert.equal(n1.log.committed, 0, 'a majority holds index 2, but it is of term 1: not committed');
    n1.step({ type: 'raft/appendResp', term: 2, from: 2, to: 1, reject: false, index: 3, hintIndex: 0, hintTerm: 0 }, 2002 * MS);
    assert.equal(n1.log.committed, 3, 'the term-2 entry commits, and the old ones with it');
  });

  it('fast backtracking skips a divergent term in one round trip, not one entry per trip', () => {
    const net = new Net(3);
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    const lagging = [1, 2, 3].find((id) => id !== leader) ?? 0;
    // Isolate the leader and let it append 50 entries nobody else gets.
    net.cut = (m) => m.from === leader || m.to === leader;
    for (let i = 0; i < 50; i++) net.node(leader).propose(`lost${i}`);
    net.settle();
    net.advance(3000 * MS);
    const newLeader = net.leaders().find((id) => id !== leader) ?? 0;
    assert.ok(newLeader !== 0);
    net.node(newLeader).propose('kept');
    net.settle();
    net.cut = () => false;
    const before = net.sent.length;
    net.advance(500 * MS);
    const rejects = net.sent.slice(before).filter((m) => m.type === 'raft/appendResp' && m.reject && m.from === leader).length;
    assert.ok(rejects <= 3, `${rejects} rejections to skip 50 divergent entries`);
    assert.deepEqual(net.applied.get(leader)?.map((e) => e.data).slice(-1), ['kept']);
    void lagging;
  });

  it('ReadIndex: the read point is released only after a quorum confirms leadership', () => {
    const net = new Net(3);
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    const node = net.node(leader);
    node.propose('w');
    net.settle();
    net.cut = (m) => m.type === 'raft/heartbeatResp';
    assert.ok(node.readIndex('r1'));
    net.settle();
    assert.deepEqual(net.reads.get(leader), []);
    net.cut = () => false;
    node.readIndex('r2');
    net.settle();
    assert.deepEqual(net.reads.get(leader)?.map((r) => r.context), ['r1', 'r2']);
    assert.equal(net.reads.get(leader)?.[1]?.index, node.log.committed);
  });

  it('a follower forwards ReadIndex to the leader and gets the read point back', () => {
    const net = new Net(3);
    net.advance(2100 * MS);
    const leader = net.leaders()[0] ?? 0;
    const follower = [1, 2, 3].find((id) => id !== leader) ?? 0;
    assert.ok(net.node(follower).readIndex('f1'));
    net.settle();
    assert.deepEqual(net.reads.get(follower)?.map((r) => r.context), ['f1']);
  });

  it('a vote is refused to a candidate whose log is behind', () => {
    const rng = new Rng('v');
    const node = new RaftNode<string>(
      { id: 1, peers: [1, 2, 3], heartbeatUs: 100 * MS, electionTimeoutUs: 1000 * MS, random: () => rng.next() },
      { hardState: { term: 2, vote: 0, commit: 0 }, entries: [{ index: 1, term: 2, data: 'x' }] },
      0,
    );
    node.step({ type: 'raft/vote', term: 3, from: 2, to: 1, pre: false, lastIndex: 5, lastTerm: 1 }, 5000 * MS);
    const rd = node.ready();
    const resp = rd.messages.find((m) => m.type === 'raft/voteResp');
    assert.ok(resp !== undefined && resp.type === 'raft/voteResp' && resp.reject);
  });
});
