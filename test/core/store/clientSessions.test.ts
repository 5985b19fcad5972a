// The at-most-once table per client session (Raft dissertation §6.3): a write is applied at most
// once however often copies of it reach the log; a retry of a write still in flight gets its
// remembered answer; the table forgets what the client has settled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ClientSessions, SETTLED, type AppliedRequest } from '../../../core/store/clientSessions.js';

const result = (seq: number): AppliedRequest => ({ result: { type: 'put', revision: seq, prevKv: null }, index: seq, term: 1 });

/** What a client does: issue a new write, settle one in flight, or have a copy of any issued write applied. */
type Step = { readonly kind: 'issue'; readonly session: number } | { readonly kind: 'settle'; readonly pick: number } | { readonly kind: 'apply'; readonly pick: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('issue' as const), session: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('settle' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('apply' as const), pick: fc.nat() }),
);

interface Sent {
  readonly session: string;
  readonly seq: number;
  readonly floor: number;
}

describe('ClientSessions', () => {
  it('applies each write at most once, answers a retry in flight, and forgets what its client settled', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 300 }), (steps) => {
        const table = new ClientSessions();
        const nextSeq = [1, 1, 1];
        const inFlight = [new Set<number>(), new Set<number>(), new Set<number>()];
        const sent: Sent[] = [];
        const appliedTimes = new Map<string, number>();
        for (const step of steps) {
          if (step.kind === 'issue') {
            const c = step.session;
            const seq = nextSeq[c]!++;
            // The client's floor: its lowest write still in flight, this one if none.
            const floor = Math.min(seq, ...inFlight[c]!);
            inFlight[c]!.add(seq);
            sent.push({ session: `c${c}`, seq, floor });
          } else if (step.kind === 'settle') {
            const all = inFlight.flatMap((s, c) => [...s].map((seq) => [c, seq] as const));
            const chosen = all[step.pick % Math.max(1, all.length)];
            if (chosen !== undefined) inFlight[chosen[0]]!.delete(chosen[1]);
          } else {
            const copy = sent[step.pick % Math.max(1, sent.length)];
            if (copy === undefined) continue;
            const known = table.admit(copy.session, copy.seq, copy.floor);
            const key = `${copy.session}/${copy.seq}`;
            const c = Number(copy.session.slice(1));
            if (known === undefined) {
              table.remember(copy.session, copy.seq, result(copy.seq));
              appliedTimes.set(key, (appliedTimes.get(key) ?? 0) + 1);
            } else if (known !== SETTLED) {
              assert.equal(known.index, copy.seq, 'a retry gets its own remembered answer');
              assert.ok(appliedTimes.has(key));
            } else {
              assert.ok(!inFlight[c]!.has(copy.seq), 'only a settled write is refused');
            }
          }
          for (const times of appliedTimes.values()) assert.equal(times, 1, 'applied at most once');
          // A write in flight that was applied is remembered: its retry is answered, not re-applied.
          for (const [c, seqs] of inFlight.entries()) {
            for (const seq of seqs) {
              const known = table.lookup(`c${c}`, seq);
              assert.notEqual(known, SETTLED);
              assert.equal(known !== undefined, appliedTimes.has(`c${c}/${seq}`));
            }
          }
        }
        // Once a client has nothing else in flight, its next applied write leaves only itself.
        for (let c = 0; c < 3; c++) {
          inFlight[c]!.clear();
          const seq = nextSeq[c]!++;
          assert.equal(table.admit(`c${c}`, seq, seq), undefined);
          table.remember(`c${c}`, seq, result(seq));
        }
        assert.equal(table.size, 3);
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });

  it('an old retry carries an old floor and never lowers the session floor', () => {
    const table = new ClientSessions();
    table.admit('a', 5, 5);
    table.remember('a', 5, result(5));
    table.admit('a', 7, 7);
    table.remember('a', 7, result(7));
    assert.equal(table.lookup('a', 5), SETTLED);
    assert.equal(table.admit('a', 6, 5), SETTLED, 'below the floor already reached');
    assert.equal(table.size, 1);
  });

  it('a snapshot restores the same answers', () => {
    const table = new ClientSessions();
    for (const [session, seq, floor] of [['a', 1, 1], ['a', 2, 1], ['b', 1, 1], ['a', 4, 2]] as const) {
      table.admit(session, seq, floor);
      table.remember(session, seq, result(seq));
    }
    const restored = ClientSessions.fromSnapshot(table.snapshot());
    assert.equal(restored.size, table.size);
    for (const [session, seq] of [['a', 1], ['a', 2], ['a', 3], ['a', 4], ['b', 1], ['b', 2], ['c', 1]] as const) {
      assert.deepEqual(restored.lookup(session, seq), table.lookup(session, seq), `${session}/${seq}`);
    }
  });
});
