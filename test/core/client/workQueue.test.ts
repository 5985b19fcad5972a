import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Component, Context, EndpointId, Message, TimerTag } from '../../../sim/component.js';
import { Simulation, ms, s } from '../../../sim/index.js';
import { TimerRouter } from '../../../core/client/timerRouter.js';
import { WorkQueue } from '../../../core/client/workQueue.js';

const SEED = 4102;

interface Op {
  readonly at: number;
  readonly key: number;
  readonly workMs: number;
  readonly fail: boolean;
}

/** Hosts a WorkQueue whose worker takes `workMs` per key and fails when told to. */
class QueueHost implements Component {
  readonly timers = new TimerRouter('test');
  readonly starts: { t: number; key: number }[] = [];
  readonly ends: { t: number; key: number }[] = [];
  inFlight = new Set<number>();
  maxInFlight = 0;
  overlap = false;
  ctx: Context | undefined;
  plan = new Map<number, Op[]>();
  queue: WorkQueue<number>;

  constructor(readonly workers: number) {
    this.queue = new WorkQueue<number>(this.timers, { name: 'q', workers, process: (ctx, key) => this.process(ctx, key) });
  }
  start(ctx: Context): void {
    this.ctx = ctx;
  }
  onMessage(_ctx: Context, _from: EndpointId, _m: Message): void {}
  onTimer(ctx: Context, tag: TimerTag): void {
    this.timers.handleTimer(ctx, tag);
  }
  private process(ctx: Context, key: number): void {
    if (this.inFlight.has(key)) this.overlap = true;
    this.inFlight.add(key);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    this.starts.push({ t: ctx.now(), key });
    const op = this.plan.get(key)?.shift();
    this.timers.set(ctx, ms(op?.workMs ?? 1), (c) => {
      this.inFlight.delete(key);
      this.ends.push({ t: c.now(), key });
      this.queue.done(c, key, !(op?.fail ?? false));
    });
  }
}

describe(`WorkQueue (fast-check seed ${SEED})`, () => {
  it('dedupes waiting keys and processes every add after it happened', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 2_000 }), key: fc.integer({ min: 0, max: 5 }), workMs: fc.integer({ min: 0, max: 30 }), fail: fc.boolean() }), { maxLength: 60 }),
        (workers, ops) => {
          const sim = new Simulation({ seed: 1 });
          sim.addHost('h');
          const host = new QueueHost(workers);
          sim.addComponent('h', 'q', () => host);
          for (const op of ops) {
            const list = host.plan.get(op.key) ?? [];
            list.push(op);
            host.plan.set(op.key, list);
            sim.at(ms(op.at), 'add', () => {
              if (host.ctx !== undefined) host.queue.add(host.ctx, op.key);
            });
          }
          sim.run({ until: s(2000) });
          assert.equal(host.overlap, false, 'a key was processed by two workers at once');
          assert.ok(host.maxInFlight <= workers);
          // Every add is followed by a processing start of that key at or after it.
          for (const op of ops) assert.ok(host.starts.some((x) => x.key === op.key && x.t >= ms(op.at)), `add of ${op.key} at ${op.at}ms never processed`);
          assert.equal(host.queue.len(), 0);
          assert.equal(host.queue.inFlight(), 0);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('requeues failures with growing backoff and forgets on success', () => {
    const sim = new Simulation({ seed: 2 });
    sim.addHost('h');
    const host = new QueueHost(1);
    sim.addComponent('h', 'q', () => host);
    host.plan.set(7, [
      { at: 0, key: 7, workMs: 0, fail: true },
      { at: 0, key: 7, workMs: 0, fail: true },
      { at: 0, key: 7, workMs: 0, fail: true },
      { at: 0, key: 7, workMs: 0, fail: false },
    ]);
    sim.at(0, 'add', () => host.ctx !== undefined && host.queue.add(host.ctx, 7));
    sim.run({ until: s(10) });
    const t = host.starts.map((x) => x.t);
    assert.equal(t.length, 4);
    // Gaps of 5, 10, 20 ms (client-go's 5ms·2^n), each a hair more for timer ordering.
    const gaps = t.slice(1).map((x, i) => x - (t[i] ?? 0));
    assert.deepEqual(gaps, [5_000, 10_000, 20_000]);
    assert.equal(host.queue.numRequeues(7), 0);
  });
});
