// The store's watch stream under message loss, duplication and member restarts: a watcher sees
// exactly the committed changes of its prefix, in revision order, with no gap and no duplicate (or
// it is told `compacted` and must relist). Regression for watch gaps after one lost message.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Simulation } from '../../../sim/index.js';
import type { Component, Context, EndpointId, Message, TimerTag } from '../../../sim/index.js';
import { StoreMember } from '../../../core/store/storeMember.js';
import { Mvcc } from '../../../core/store/mvcc.js';
import type { LogCommand } from '../../../core/store/protocol.js';
import type { StoreRecorder } from '../../../core/store/recorder.js';
import { StoreClient } from '../../../core/store/storeClient.js';
import type { StoreClientOptions, WatchUpdate } from '../../../core/store/storeClient.js';

const SEED = 20261122;
const PREFIX = '/w/';

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
  readonly sim: Simulation;
  readonly members: readonly string[];
  readonly client: () => StoreClient;
  readonly member: (name: string) => StoreMember | undefined;
  /** Members currently feeding a watch (looked at from outside, for choosing a victim). */
  readonly watchServers: () => string[];
  /** The committed log as the members applied it (index → command; null for a leader's empty entry). */
  readonly log: Map<number, LogCommand | null>;
}

function world(seed: number, memberExtra: { retainRevisions?: number } = {}): World {
  const sim = new Simulation({ seed });
  const members = ['etcd-1', 'etcd-2', 'etcd-3'];
  const log = new Map<number, LogCommand | null>();
  const recorder: StoreRecorder = {
    onApply: (_member, index, _term, data) => void log.set(index, data as LogCommand | null),
    onLeaderElected: () => undefined,
    onAck: () => undefined,
  };
  for (const name of members) {
    sim.addHost(name);
    sim.addComponent(name, name, () => new StoreMember({ members, recorder, ...memberExtra }));
  }
  sim.addHost('apiserver');
  const ep = sim.addComponent('apiserver', 'apiserver', () => new ScriptClient({ members }));
  const member = (name: string): StoreMember | undefined => {
    const id = sim.endpointId(name);
    const c = id === undefined ? undefined : sim.component(id);
    return c instanceof StoreMember ? c : undefined;
  };
  return {
    sim,
    members,
    member,
    client: () => {
      const c = sim.component(ep);
      assert.ok(c instanceof ScriptClient && c.client !== undefined);
      return c.client;
    },
    log,
    watchServers: () => members.filter((m) => ((member(m) as unknown as { watchers: Map<string, unknown> } | undefined)?.watchers.size ?? 0) > 0),
  };
}

interface Change {
  readonly revision: number;
  readonly type: string;
  readonly key: string;
  readonly value: unknown;
}

/** A put or delete every `gapUs` from `fromUs` to `toUs`: most under PREFIX, some elsewhere. */
function writeLoad(w: World, fromUs: number, toUs: number, gapUs: number): void {
  let i = 0;
  for (let t = fromUs; t < toUs; t += gapUs, i++) {
    const n = i;
    w.sim.at(t, 'write', () => {
      const c = w.client();
      if (n % 7 === 3) c.delete(`${PREFIX}k${n % 5}`, {}, () => undefined);
      else if (n % 4 === 1) c.put(`/other/k${n % 3}`, n, {}, () => undefined);
      else c.put(`${PREFIX}k${n % 5}`, n, {}, () => undefined);
    });
  }
}

/**
 * The committed changes under PREFIX: the committed log replayed into a fresh MVCC store that keeps
 * all history (applying a retried request once, as the members do), independent of the members'
 * own watch code and history window.
 */
function committed(w: World): Change[] {
  const mvcc = new Mvcc();
  const applied = new Set<string>();
  for (let index = 1; index <= w.log.size; index++) {
    assert.ok(w.log.has(index), `committed entry ${index} seen`);
    const entry = w.log.get(index);
    if (entry === undefined || entry === null || applied.has(entry.requestId)) continue;
    applied.add(entry.requestId);
    mvcc.apply(entry.command);
  }
  const result = mvcc.eventsSince(PREFIX, 1);
  assert.equal(result.type, 'ok');
  return result.type === 'ok' ? result.events.map(toChange) : [];
}

function toChange(e: { readonly revision: number; readonly type: string; readonly kv: { readonly key: string; readonly value: unknown } }): Change {
  return { revision: e.revision, type: e.type, key: e.kv.key, value: e.kv.value };
}

function delivered(updates: readonly WatchUpdate[]): { changes: Change[]; compacted: boolean } {
  const changes: Change[] = [];
  let compacted = false;
  for (const u of updates) {
    assert.ok(!compacted, 'nothing after `compacted`');
    if (u.type === 'compacted') compacted = true;
    else for (const e of u.events) changes.push(toChange(e));
  }
  return { changes, compacted };
}

interface MemberFault {
  readonly atMs: number;
  readonly member: number | 'watchServer';
  readonly downMs: number;
  /** Restart only the process (its host stays up and reachable) rather than the host. */
  readonly processOnly: boolean;
}

interface Case {
  readonly seed: number;
  readonly loss: number;
  readonly duplicate: number;
  /** The members' history window (0: the default 10,000); a small one can leave the watch `compacted`. */
  readonly retainRevisions: number;
  readonly faults: readonly MemberFault[];
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  loss: fc.integer({ min: 0, max: 15 }).map((x) => x / 100),
  duplicate: fc.integer({ min: 0, max: 15 }).map((x) => x / 100),
  retainRevisions: fc.constantFrom(0, 0, 40),
  faults: fc.array(
    fc.record({
      atMs: fc.integer({ min: 2_000, max: 12_000 }),
      member: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant<'watchServer'>('watchServer')),
      downMs: fc.integer({ min: 10, max: 3_000 }),
      processOnly: fc.boolean(),
    }),
    { maxLength: 4 },
  ),
});

function runCase(c: Case): { updates: WatchUpdate[]; w: World } {
  const w = world(c.seed, c.retainRevisions > 0 ? { retainRevisions: c.retainRevisions } : {});
  const updates: WatchUpdate[] = [];
  w.sim.at(1_500_000, 'watch', () => w.client().watch(PREFIX, 1, (u) => updates.push(u)));
  w.sim.at(1_600_000, 'degrade', () => w.sim.network.configure({ loss: c.loss, duplicate: c.duplicate }));
  writeLoad(w, 2_000_000, 14_000_000, 25_000);
  for (const f of c.faults) {
    w.sim.at(f.atMs * 1000, 'member-fault', () => {
      const victim = f.member === 'watchServer' ? w.watchServers()[0] : w.members[f.member];
      if (victim === undefined) return;
      if (f.processOnly) {
        w.sim.crashProcess(victim);
        w.sim.after(f.downMs * 1000, 'restart', () => w.sim.restartProcess(victim));
      } else {
        w.sim.crash(victim);
        w.sim.after(f.downMs * 1000, 'restart', () => w.sim.restart(victim));
      }
    });
  }
  // Heal at 15s, then leave time for retries, elections and re-established watches.
  w.sim.at(15_000_000, 'heal', () => w.sim.network.configure({ loss: 0, duplicate: 0 }));
  w.sim.run({ until: 30_000_000 });
  return { updates, w };
}

describe(`store watch stream under loss, duplication and restarts (fast-check seed ${SEED})`, () => {
  it('delivers exactly the committed changes of the prefix, in revision order, no gaps, no duplicates', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { updates, w } = runCase(c);
        const got = delivered(updates);
        const want = committed(w);
        const revisions = got.changes.map((x) => x.revision);
        for (let i = 1; i < revisions.length; i++) assert.ok((revisions[i] ?? 0) > (revisions[i - 1] ?? 0), 'strictly increasing revisions');
        if (got.compacted) {
          // The watcher fell behind the history window: what it got before must be a gapless prefix.
          assert.deepEqual(got.changes, want.slice(0, got.changes.length));
        } else {
          assert.deepEqual(got.changes, want);
        }
      }),
      { seed: SEED, numRuns: 25, endOnFailure: true },
    );
  });

  it('one lost message does not leave a permanent gap (5% loss, no other faults)', () => {
    const w = world(7);
    const updates: WatchUpdate[] = [];
    w.sim.at(1_500_000, 'watch', () => w.client().watch(PREFIX, 1, (u) => updates.push(u)));
    w.sim.at(1_600_000, 'loss', () => w.sim.network.configure({ loss: 0.05 }));
    writeLoad(w, 2_000_000, 10_000_000, 20_000);
    w.sim.at(11_000_000, 'heal', () => w.sim.network.configure({ loss: 0 }));
    w.sim.run({ until: 16_000_000 });
    assert.deepEqual(delivered(updates).changes, committed(w));
  });

  it('a watch on a member that restarts is re-established before the silence timeout', () => {
    const w = world(11);
    const updates: Array<{ at: number; update: WatchUpdate }> = [];
    w.sim.at(1_500_000, 'watch', () => w.client().watch(PREFIX, 1, (u) => updates.push({ at: w.sim.now, update: u })));
    w.sim.run({ until: 2_000_000 });
    const server = w.watchServers()[0];
    assert.ok(server !== undefined);
    // The serving member's process restarts in 50ms: its new incarnation knows no watches.
    w.sim.crashProcess(server);
    w.sim.after(50_000, 'restart', () => w.sim.restartProcess(server));
    w.sim.run({ until: 3_000_000 });
    let revision = 0;
    w.sim.at(3_000_000, 'put', () => w.client().put(`${PREFIX}after-restart`, 1, {}, (r) => (revision = r.type === 'ok' ? r.revision : -1)));
    w.sim.run({ until: 4_600_000 });
    assert.ok(revision > 0, 'the write committed');
    const seen = updates.find((u) => u.update.type === 'events' && u.update.events.some((e) => e.revision === revision));
    // Silence detection alone would take 3s from the crash; the watch must be back well before.
    assert.ok(seen !== undefined && seen.at < 4_600_000, `delivered by 4.6s (got ${seen?.at ?? 'never'})`);
  });
});

describe('store watch cost', () => {
  it('a quiet watch never rescans the history: each push looks only at revisions since the last one', () => {
    const w = world(5);
    w.sim.run({ until: 2_000_000 });
    const quiet: WatchUpdate[] = [];
    let busy = 0;
    w.client().watch('/quiet/', 1, (u) => quiet.push(u));
    w.client().watch('/busy/', 1, (u) => (busy += u.type === 'events' ? u.events.length : 0));
    // Record how many revisions each push for the quiet prefix spans, on every member.
    let widest = 0;
    let pushes = 0;
    for (const name of w.members) {
      const store = w.member(name)?.store;
      assert.ok(store !== undefined);
      const eventsSince = store.eventsSince.bind(store);
      store.eventsSince = (prefix, fromRevision, max) => {
        if (prefix === '/quiet/') {
          pushes++;
          widest = Math.max(widest, store.revision - fromRevision + 1);
        }
        return eventsSince(prefix, fromRevision, max);
      };
    }
    w.sim.at(2_100_000, 'quiet-put', () => w.client().put('/quiet/a', 0, {}, () => undefined));
    const writes = 1_500;
    for (let i = 0; i < writes; i++) w.sim.at(2_200_000 + i * 2_000, 'busy-put', () => w.client().put(`/busy/k${i % 10}`, i, {}, () => undefined));
    w.sim.run({ until: 8_000_000 });
    assert.equal(busy, writes);
    assert.equal(quiet.flatMap((u) => (u.type === 'events' ? u.events : [])).length, 1);
    assert.ok(pushes > 0);
    // One write per 2ms commits in batches of a few entries; a rescan would span ~1,500 revisions.
    assert.ok(widest <= 20, `a push for the quiet prefix spanned ${widest} revisions`);
  });
});
