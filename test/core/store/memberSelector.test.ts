// The store client's member selection (core/store/memberSelector.ts): stick with the leader and the
// member that answered, skip a member that timed out for a back-off, ignore stale leader hints.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemberSelector, NO_MEMBER } from '../../../core/store/memberSelector.js';

const S = 1_000_000;
const SEED = 20261123;

describe('MemberSelector', () => {
  it('starts at the given member and sticks with the leader learnt from a hint or an applied write', () => {
    const sel = new MemberSelector(3, 1);
    assert.equal(sel.pick(0), 1);
    // Member 1 is a follower and names member 2 (term 1): retry there at once and stay there.
    assert.equal(sel.onNotLeader(1, 2, 1, 0), 2);
    assert.equal(sel.leader, 2);
    for (let t = 0; t < 10; t++) assert.equal(sel.pick(t * S), 2);
    // A read answered by member 0 moves the pin, but requests still go to the known leader.
    sel.onAnswer(0, false);
    assert.equal(sel.pick(0), 2);
    // An applied write from member 0 means it leads now.
    sel.onAnswer(0, true, 2);
    assert.equal(sel.leader, 0);
    assert.equal(sel.pick(0), 0);
  });

  it('a member that timed out is skipped for a back-off that doubles, is capped, and resets on an answer', () => {
    const sel = new MemberSelector(3, 0, { backoffUs: 3 * S, maxBackoffUs: 10 * S });
    sel.onAnswer(0, true, 1);
    sel.onTimeout(0, 0);
    assert.equal(sel.leader, NO_MEMBER, 'the leader that timed out is forgotten');
    assert.equal(sel.pick(0), 1, 'the next healthy member');
    assert.equal(sel.isHealthy(0, 3 * S - 1), false);
    assert.equal(sel.isHealthy(0, 3 * S), true);
    sel.onTimeout(0, 3 * S); // second consecutive timeout: 6 s
    assert.equal(sel.isHealthy(0, 9 * S - 1), false);
    assert.equal(sel.isHealthy(0, 9 * S), true);
    sel.onTimeout(0, 9 * S); // third: 12 s, capped at 10 s
    assert.equal(sel.isHealthy(0, 19 * S), true);
    sel.onAnswer(0, false);
    sel.onTimeout(0, 20 * S); // reset by the answer: 3 s again
    assert.equal(sel.isHealthy(0, 23 * S), true);
  });

  it('after the leader crashes, a stale hint naming it is not followed; the new leader’s hint is', () => {
    const sel = new MemberSelector(3, 0);
    sel.onAnswer(0, true, 1); // member 0 leads term 1
    sel.onTimeout(0, 0); // ...and crashes
    const pinned = sel.pick(0);
    assert.notEqual(pinned, 0);
    // A follower that has not noticed yet still names member 0 in term 1: back off, ask another.
    assert.equal(sel.onNotLeader(pinned, 0, 1, 50_000), NO_MEMBER);
    assert.notEqual(sel.pick(50_000), 0);
    assert.notEqual(sel.pick(50_000), pinned, 'the retry asks another member');
    // The election is over: member 2 leads term 2.
    assert.equal(sel.onNotLeader(1, 2, 2, 1_500_000), 2);
    assert.equal(sel.pick(1_500_000), 2);
  });

  it('a hint naming a member that timed out is followed when it leads a later term (it is back)', () => {
    const sel = new MemberSelector(3, 0);
    sel.onAnswer(0, true, 1);
    sel.onTimeout(0, 0); // cut off from the client, say, and deposed
    assert.equal(sel.onNotLeader(1, NO_MEMBER, 2, 100_000), NO_MEMBER); // an election in term 2
    // Member 0 comes back and wins term 3 well within its back-off: believe it.
    assert.equal(sel.onNotLeader(1, 0, 3, 200_000), 0);
    assert.equal(sel.isHealthy(0, 200_000), true);
    assert.equal(sel.pick(200_000), 0);
  });

  it('with every member unhealthy, picks the one whose back-off ends first', () => {
    const sel = new MemberSelector(3, 0, { backoffUs: 3 * S });
    sel.onTimeout(1, 0);
    sel.onTimeout(0, 1 * S);
    sel.onTimeout(2, 2 * S);
    assert.equal(sel.pick(2 * S), 1);
  });

  it(`never picks an unhealthy member while a healthy one exists (fast-check seed ${SEED})`, () => {
    type Step = { kind: 'timeout' | 'answer' | 'write' | 'hint'; member: number; hinted: number; term: number; dtUs: number };
    const step = fc.record({
      kind: fc.constantFrom<Step['kind']>('timeout', 'answer', 'write', 'hint'),
      member: fc.integer({ min: 0, max: 4 }),
      hinted: fc.integer({ min: -1, max: 4 }),
      term: fc.integer({ min: 0, max: 5 }),
      dtUs: fc.integer({ min: 0, max: 5 * S }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(step, { maxLength: 60 }), (size, steps) => {
        const sel = new MemberSelector(size, 0);
        let now = 0;
        for (const s of steps) {
          now += s.dtUs;
          const m = s.member % size;
          if (s.kind === 'timeout') sel.onTimeout(m, now);
          else if (s.kind === 'answer') sel.onAnswer(m, false);
          else if (s.kind === 'write') sel.onAnswer(m, true, s.term);
          else {
            const next = sel.onNotLeader(m, s.hinted < 0 ? NO_MEMBER : s.hinted % size, s.term, now);
            if (next !== NO_MEMBER) assert.ok(sel.isHealthy(next, now), 'a hint is followed only to a healthy member');
          }
          const picked = sel.pick(now);
          assert.ok(picked >= 0 && picked < size);
          const anyHealthy = Array.from({ length: size }, (_, i) => sel.isHealthy(i, now)).some((h) => h);
          if (anyHealthy) assert.ok(sel.isHealthy(picked, now), `picked unhealthy ${picked}`);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
