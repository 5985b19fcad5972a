import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventQueue } from '../../sim/queue.js';

const SEED = 20261121;

type Op = { kind: 'push'; time: number } | { kind: 'pop' } | { kind: 'cancel'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), time: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('pop' as const) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
);

describe(`EventQueue (fast-check seed ${SEED})`, () => {
  it('pops in (time, sequence) order under any interleaving of push, pop and cancel', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const queue = new EventQueue(16);
        // Reference model: a plain list of live entries.
        const live: Array<{ time: number; seq: number; id: number }> = [];
        let seq = 0;
        let lastPopped = -Infinity;
        for (const op of ops) {
          if (op.kind === 'push') {
            // The kernel never schedules in the past, so times are at least the last popped time.
            const time = Math.max(op.time, lastPopped === -Infinity ? 0 : lastPopped);
            const id = queue.push(time, 1, seq, 0, seq);
            live.push({ time, seq, id });
            seq++;
          } else if (op.kind === 'cancel') {
            if (live.length === 0) continue;
            const [victim] = live.splice(op.pick % live.length, 1);
            if (victim !== undefined) queue.cancel(victim.id);
          } else {
            live.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const expected = live.shift();
            const slot = queue.pop();
            if (expected === undefined) {
              assert.equal(slot, -1);
              continue;
            }
            assert.equal(queue.poppedTime, expected.time);
            assert.equal(queue.payloadOf(slot), expected.seq);
            lastPopped = expected.time;
            queue.release(slot);
          }
          assert.equal(queue.size, live.length);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('keeps (time, sequence) order across resizes with time scales from microseconds to hours', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 3_600_000_000 })), {
          minLength: 1,
          maxLength: 2_000,
        }),
        fc.integer({ min: 1, max: 8 }),
        (delays, popEvery) => {
          const queue = new EventQueue(16);
          const model: Array<{ time: number; seq: number }> = [];
          let now = 0;
          let seq = 0;
          const popOne = (): void => {
            model.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const expected = model.shift();
            const slot = queue.pop();
            assert.ok(expected !== undefined);
            assert.equal(queue.poppedTime, expected.time);
            assert.equal(queue.payloadOf(slot), expected.seq);
            now = expected.time;
            queue.release(slot);
          };
          delays.forEach((delay, i) => {
            queue.push(now + delay, 0, 0, 0, seq);
            model.push({ time: now + delay, seq: seq++ });
            if (i % popEvery === 0) popOne();
          });
          while (model.length > 0) popOne();
          assert.equal(queue.pop(), -1);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('ignores a cancel of an id whose slot has since been reused', () => {
    const queue = new EventQueue(16);
    const first = queue.push(1, 0, 0, 0, 'first');
    queue.release(queue.pop());
    queue.push(2, 0, 0, 0, 'second'); // reuses the slot with a new generation
    queue.cancel(first);
    const slot = queue.pop();
    assert.equal(queue.payloadOf(slot), 'second');
  });

  it('held events keep their ids and come back in order when rescheduled', () => {
    const queue = new EventQueue(16);
    queue.push(5, 0, 0, 0, 'a');
    queue.push(5, 0, 0, 0, 'b');
    const heldA = queue.hold(queue.pop());
    const heldB = queue.hold(queue.pop());
    assert.equal(queue.size, 0);
    queue.cancel(heldB);
    queue.reschedule(heldA, 9);
    queue.reschedule(heldB, 9);
    assert.equal(queue.size, 1);
    const slot = queue.pop();
    assert.equal(queue.payloadOf(slot), 'a');
    assert.equal(queue.poppedTime, 9);
  });

  it('keeps (time, sequence) order through a long push-only burst spread over hours, then pops and pushes mixed', () => {
    // A burst of pushes with no pop in between (a scenario's setup) sizes the calendar from a sample
    // of what is pending; the order must hold whatever width that gives.
    const queue = new EventQueue(16);
    const model: Array<{ time: number; seq: number }> = [];
    let state = 12345;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    for (let seq = 0; seq < 20_000; seq++) {
      const u = next();
      // Mostly near, some far: microseconds to about an hour; one in ten at an already-used time.
      const time = u < 0.1 && model.length > 0 ? (model[Math.floor(next() * model.length)] as { time: number }).time : Math.floor(-Math.log(1 - u) * (u < 0.9 ? 1e6 : 1e9));
      queue.push(time, 0, 0, 0, seq);
      model.push({ time, seq });
    }
    model.sort((a, b) => a.time - b.time || a.seq - b.seq);
    let seq = 20_000;
    for (let i = 0; i < model.length; i++) {
      const expected = model[i] as { time: number; seq: number };
      const slot = queue.pop();
      assert.equal(queue.poppedTime, expected.time);
      assert.equal(queue.payloadOf(slot), expected.seq);
      queue.release(slot);
      // Every tenth pop schedules one more event at or after now, which must slot into the order.
      if (i % 10 === 0) {
        const time = expected.time + Math.floor(next() * 1e6);
        queue.push(time, 0, 0, 0, seq);
        let at = i + 1;
        while (at < model.length && ((model[at] as { time: number }).time <= time)) at++;
        model.splice(at, 0, { time, seq: seq++ });
      }
    }
    assert.equal(queue.pop(), -1);
  });

  it('does not rebuild the calendar to the width it already has when bursts keep lists long', () => {
    // Periodic events spread over 10 s, each setting off a burst of near-equal times 100–150 µs on:
    // pushes walk long lists (a misfit), yet the width estimate stays the same. Rebuilding anyway
    // (O(pending) each) happened every window: 88 rebuilds in these 200,000 pops, 10 now.
    const queue = new EventQueue(16);
    let state = 777;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    for (let i = 0; i < 5000; i++) queue.push(Math.floor(next() * 10e6), 0, 0, 1, i);
    let last = 0;
    for (let pops = 0; pops < 200_000; pops++) {
      const slot = queue.pop();
      const now = queue.poppedTime;
      assert.ok(now >= last, 'pops in time order');
      last = now;
      const periodic = queue.auxOf(slot) === 1;
      queue.release(slot);
      if (!periodic) continue;
      queue.push(now + 10e6 + Math.floor(next() * 1000), 0, 0, 1, 0);
      const burst = 1 + Math.floor(next() * 40);
      for (let b = 0; b < burst; b++) queue.push(now + 100 + Math.floor(next() * 50), 0, 0, 0, 0);
    }
    assert.ok(queue.rebuilds <= 20, `${queue.rebuilds} rebuilds`);
  });

  it('grows past its initial capacity', () => {
    const queue = new EventQueue(16);
    for (let i = 1000; i > 0; i--) queue.push(i, 0, 0, 0, i);
    for (let i = 1; i <= 1000; i++) {
      const slot = queue.pop();
      assert.equal(queue.payloadOf(slot), i);
      queue.release(slot);
    }
  });
});
