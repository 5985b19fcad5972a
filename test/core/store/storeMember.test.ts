// StoreMember + StoreClient inside the kernel: leader hints, retries, dedupe, reads, watches, compaction.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../../../sim/index.js';
import type { Component, Context, EndpointId, Message, TimerTag } from '../../../sim/index.js';
import { StoreMember } from '../../../core/store/storeMember.js';
import { StoreClient } from '../../../core/store/storeClient.js';
import type { StoreClientOptions, WatchUpdate } from '../../../core/store/storeClient.js';
import { StoreCheckers } from '../../../core/store/checkers/storeCheckers.js';

class ScriptClient implements Component {
  client: StoreClient | undefined;
  constructor(private readonly options: StoreClientOptions) {}
  start(ctx: Context): void {
    this.client = new StoreClient(ctx, this.options);
  }
  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }
  onTimer(ctx: Context, tag: TimerTag): void {
    this.client?.handleTimer(ctx, tag);
  }
}

interface World {
  sim: Simulation;
  members: string[];
  checkers: StoreCheckers;
  client: () => StoreClient;
  member: (name: string) => StoreMember | undefined;
  leader: () => string | undefined;
}

function world(size: number, memberExtra: { retainRevisions?: number; cpuCostUs?: { perReady: number; perMessage: number; perEntry: number } } = {}): World {
  const sim = new Simulation({ seed: 42 });
  const members = Array.from({ length: size }, (_, i) => `etcd-${i + 1}`);
  const checkers = new StoreCheckers(() => sim.now);
  for (const name of members) {
    sim.addHost(name);
    sim.addComponent(name, name, () => new StoreMember({ members, recorder: checkers, ...memberExtra }));
  }
  sim.addHost('apiserver');
  const ep = sim.addComponent('apiserver', 'apiserver', () => new ScriptClient({ members, history: checkers.history, recorder: checkers }));
  const member = (name: string): StoreMember | undefined => {
    const id = sim.endpointId(name);
    const c = id === undefined ? undefined : sim.component(id);
    return c instanceof StoreMember ? c : undefined;
  };
  return {
    sim,
    members,
    checkers,
    member,
    client: () => {
      const c = sim.component(ep);
      assert.ok(c instanceof ScriptClient && c.client !== undefined);
      return c.client;
    },
    leader: () => members.find((m) => member(m)?.isLeader() === true),
  };
}

describe('StoreMember and StoreClient', () => {
  it('a large Ready waits out its CPU cost even on an idle member; a small one acts at once', () => {
    // Review finding: acting at once on an idle CPU must not make catch-ups and replays free.
    const writeLatency = (perEntry: number): number => {
      const w = world(1, { cpuCostUs: { perReady: 1, perMessage: 1, perEntry } });
      w.sim.run({ until: 3_000_000 });
      let doneAt = -1;
      const started = w.sim.now;
      w.client().put('/registry/pods/a', { n: 1 }, {}, (r) => {
        if (r.type === 'ok') doneAt = w.sim.now;
      });
      w.sim.run({ until: 4_000_000 });
      assert.ok(doneAt > 0);
      return doneAt - started;
    };
    const cheap = writeLatency(1);
    const costly = writeLatency(5_000);
    // The write's entry is appended in one Ready and applied in the next: at least 2 × 5 ms of CPU.
    assert.ok(costly - cheap >= 10_000, `cheap ${cheap} µs, costly ${costly} µs`);
  });


  it('writes through the leader, reads linearizably and serializably, and follows leader hints', () => {
    const w = world(3);
    w.sim.run({ until: 3_000_000 });
    const leader = w.leader();
    assert.ok(leader !== undefined);
    const results: string[] = [];
    w.client().put('/registry/pods/a', { n: 1 }, {}, (r) => results.push(`put:${r.type}`));
    w.sim.run({ until: 3_500_000 });
    w.client().get('/registry/pods/a', {}, (r) => results.push(`get:${r.type}:${r.type === 'ok' ? JSON.stringify(r.kvs[0]?.value) : ''}`));
    w.client().range('/registry/pods/', { serializable: true }, (r) => results.push(`range:${r.type}:${r.type === 'ok' ? r.count : -1}`));
    w.sim.run({ until: 4_000_000 });
    assert.deepEqual(results, ['put:ok', 'get:ok:{"n":1}', 'range:ok:1']);
    assert.equal(w.client().preferredMember, leader, 'the client learned the leader from a NotLeader hint');
  });

  it('optimistic concurrency: a put with a stale expectedModRevision is a conflict', () => {
    const w = world(3);
    w.sim.run({ until: 3_000_000 });
    let rev = 0;
    const out: string[] = [];
    w.client().put('k', 'v1', { expectedModRevision: 0 }, (r) => {
      out.push(r.type);
      if (r.type === 'ok') rev = r.revision;
    });
    w.sim.run({ until: 3_500_000 });
    w.client().put('k', 'v2', { expectedModRevision: 0 }, (r) => out.push(r.type));
    w.client().put('k', 'v3', { expectedModRevision: rev }, (r) => out.push(r.type));
    w.sim.run({ until: 4_000_000 });
    assert.deepEqual(out, ['ok', 'conflict', 'ok']);
  });

  it('survives a leader crash: retries reach the new leader and each write is applied once', () => {
    const w = world(3);
    w.sim.run({ until: 3_000_000 });
    const leader = w.leader() ?? '';
    const out: string[] = [];
    w.sim.crash(leader);
    for (let i = 0; i < 5; i++) w.client().put(`k${i}`, i, {}, (r) => out.push(r.type));
    w.sim.run({ until: 10_000_000 });
    assert.deepEqual(out, ['ok', 'ok', 'ok', 'ok', 'ok']);
    w.sim.restart(leader);
    w.sim.run({ until: 14_000_000 });
    const restarted = w.member(leader);
    assert.equal(restarted?.store.size(), 5, 'the restarted member rebuilt its state from its log');
    assert.ok(w.checkers.results().every((r) => r.held));
  });

  it('a write with no quorum times out as `timeout` (outcome unknown), never as ok', () => {
    const w = world(3);
    w.sim.run({ until: 3_000_000 });
    for (const m of w.members) if (m !== w.leader()) w.sim.crash(m);
    const out: string[] = [];
    w.client().put('k', 1, {}, (r) => out.push(r.type));
    w.sim.run({ until: 12_000_000 });
    assert.deepEqual(out, ['timeout']);
    assert.equal(w.checkers.history.ops[0]?.outcome, 'unknown');
  });

  it('a watch delivers every change in order, survives its member crashing, and reports compaction', () => {
    const w = world(3, { retainRevisions: 20 });
    w.sim.run({ until: 3_000_000 });
    const updates: WatchUpdate[] = [];
    w.client().watch('/w/', 1, (u) => updates.push(u));
    for (let i = 0; i < 10; i++) w.sim.at(3_100_000 + i * 100_000, 'put', () => w.client().put(`/w/${i % 3}`, i, {}, () => undefined));
    w.sim.at(3_550_000, 'crash-all-but-leader-watch', () => {
      // Crash whichever member serves the watch if it is not the leader; else a follower.
      const victim = w.members.find((m) => m !== w.leader()) ?? '';
      w.sim.crash(victim);
      w.sim.after(5_000_000, 'restart', () => w.sim.restart(victim));
    });
    w.sim.run({ until: 12_000_000 });
    const revisions = updates.flatMap((u) => (u.type === 'events' ? u.events.map((e) => e.revision) : []));
    assert.equal(revisions.length, 10);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b));
    assert.equal(new Set(revisions).size, 10, 'no duplicates after switching members');
    // Push the history window past revision 2, then watch from there.
    for (let i = 0; i < 60; i++) w.sim.at(12_100_000 + i * 10_000, 'put', () => w.client().put('/other', i, {}, () => undefined));
    w.sim.run({ until: 14_000_000 });
    const late: WatchUpdate[] = [];
    w.client().watch('/w/', 2, (u) => late.push(u));
    w.sim.run({ until: 15_000_000 });
    assert.equal(late[0]?.type, 'compacted');
  });
});

describe('store determinism', () => {
  it('the same seed and faults give the same trace hash and the same history', () => {
    const run = (): { hash: string; ops: number; leaders: string } => {
      const w = world(5);
      w.sim.at(2_500_000, 'crash', () => w.sim.crash(w.leader() ?? 'etcd-1'));
      for (let i = 0; i < 40; i++) w.sim.at(2_000_000 + i * 50_000, 'put', () => w.client().put(`k${i % 4}`, i, {}, () => undefined));
      w.sim.run({ until: 8_000_000 });
      return { hash: w.sim.traceHash(), ops: w.checkers.history.ops.filter((o) => o.outcome === 'ok').length, leaders: JSON.stringify(w.checkers.elections) };
    };
    assert.deepEqual(run(), run());
  });
});

describe('store watch hygiene', () => {
  it('a member stops feeding a watch whose client restarted (no leaked watchers)', () => {
    const w = world(3);
    w.sim.run({ until: 3_000_000 });
    w.client().watch('/x/', 1, () => undefined);
    w.sim.run({ until: 4_000_000 });
    const watchersOf = (): number =>
      w.members.reduce((n, m) => n + ((w.member(m) as unknown as { watchers: Map<string, unknown> } | undefined)?.watchers.size ?? 0), 0);
    assert.equal(watchersOf(), 1);
    w.sim.crash('apiserver');
    w.sim.restart('apiserver');
    w.sim.run({ until: 7_000_000 });
    assert.equal(watchersOf(), 0);
  });
});
