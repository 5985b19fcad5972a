import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Component, Context, EndpointId, Message, TimerTag } from '../../sim/index.js';
import { Simulation, SimulationLimitError, ms, s } from '../../sim/index.js';

const SEED = 1121;

interface Ping extends Message {
  readonly type: 'ping';
  readonly n: number;
}

/** Records what reaches it, and sends pings to its peers every `periodUs`. */
class Chatter implements Component {
  static log: Array<{ at: number; to: string; from: string; n: number }> = [];
  private n = 0;
  constructor(private readonly peers: readonly string[], private readonly periodUs: number, private readonly sim: Simulation) {}
  start(ctx: Context): void {
    ctx.setTimer(this.periodUs, 'tick');
  }
  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    Chatter.log.push({ at: this.sim.now, to: ctx.name, from: this.sim.endpointName(from), n: (message as Ping).n });
  }
  onTimer(ctx: Context): void {
    for (const peer of this.peers) {
      const to = ctx.lookup(peer);
      const ping: Ping = { type: 'ping', n: this.n++ };
      if (to !== undefined) ctx.send(to, ping);
    }
    ctx.setTimer(this.periodUs, 'tick');
  }
}

function cluster(seed: number, hosts: number): Simulation {
  const sim = new Simulation({ seed });
  sim.network.configure({ latency: { median: ms(1), p99: ms(20) }, loss: 0.01 });
  const names = Array.from({ length: hosts }, (_, i) => `h${i}`);
  for (const name of names) sim.addHost(name);
  for (const name of names) {
    const peers = names.filter((p) => p !== name);
    sim.addComponent(name, name, () => new Chatter(peers, ms(7), sim));
  }
  return sim;
}

describe(`Simulation kernel (fast-check seed ${SEED})`, () => {
  it('the same seed gives the same trace hash; a different seed a different one', () => {
    const run = (seed: number): string => {
      const sim = cluster(seed, 4);
      sim.run({ until: s(2) });
      return sim.traceHash();
    };
    assert.equal(run(1), run(1));
    assert.notEqual(run(1), run(2));
  });

  it('never delivers across a partition, symmetric or one-way, including messages already in flight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 6 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 200 }),
        (hosts, seed, oneWay, cutAtMs) => {
          Chatter.log = [];
          const sim = cluster(seed, hosts);
          const left = ['h0'];
          const right = Array.from({ length: hosts - 1 }, (_, i) => `h${i + 1}`);
          const cutAt = ms(cutAtMs);
          let cut = 0;
          sim.at(cutAt, 'cut', () => {
            cut = sim.network.partition([left, right], { oneWay });
          });
          sim.at(cutAt + ms(500), 'heal', () => sim.network.heal(cut));
          sim.run({ until: cutAt + ms(800) });
          for (const entry of Chatter.log) {
            if (entry.at < cutAt || entry.at >= cutAt + ms(500)) continue;
            const crossesForward = entry.from === 'h0' && entry.to !== 'h0';
            const crossesBack = entry.from !== 'h0' && entry.to === 'h0';
            assert.ok(!crossesForward, `delivered ${entry.from}→${entry.to} during the cut`);
            if (!oneWay) assert.ok(!crossesBack, `delivered ${entry.from}→${entry.to} during a symmetric cut`);
          }
          const after = Chatter.log.filter((e) => e.at > cutAt + ms(600));
          assert.ok(after.some((e) => e.from === 'h0'), 'traffic resumes after heal');
          if (oneWay) assert.ok(Chatter.log.some((e) => e.at > cutAt + ms(50) && e.at < cutAt + ms(500) && e.to === 'h0'), 'one-way lets the reverse through');
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('a crashed host receives nothing and restarts from durable storage only', () => {
    Chatter.log = [];
    const sim = cluster(5, 3);
    sim.at(s(1), 'crash', () => sim.crash('h1'));
    sim.at(s(2), 'restart', () => sim.restart('h1'));
    sim.run({ until: s(3) });
    const during = Chatter.log.filter((e) => e.at >= s(1) && e.at < s(2));
    assert.ok(during.length > 0);
    assert.ok(during.every((e) => e.to !== 'h1' && e.from !== 'h1'));
    assert.ok(Chatter.log.some((e) => e.at > s(2) && e.from === 'h1'), 'sends again after restart');
  });

  it("a paused host's timers fire after resume, late and in order", () => {
    const fired: Array<{ tag: TimerTag; at: number }> = [];
    const sim = new Simulation({ seed: 9 });
    sim.addHost('h');
    sim.addComponent('h', 'c', () => ({
      start(ctx: Context): void {
        for (let i = 0; i < 5; i++) ctx.setTimer(ms(100 + 10 * i), i);
      },
      onMessage(): void {},
      onTimer(_ctx: Context, tag: TimerTag): void {
        fired.push({ tag, at: sim.now });
      },
    }));
    sim.at(ms(50), 'pause', () => sim.pause('h'));
    sim.at(ms(300), 'resume', () => sim.resume('h'));
    sim.run({ until: s(1) });
    assert.deepEqual(fired.map((f) => f.tag), [0, 1, 2, 3, 4]);
    assert.ok(fired.every((f) => f.at === ms(300)));
  });

  it('property: paused timers always fire after resume in their original order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 1000 }), (delays, pauseFor) => {
        const fired: number[] = [];
        const sim = new Simulation({ seed: 1 });
        sim.addHost('h');
        sim.addComponent('h', 'c', () => ({
          start(ctx: Context): void {
            delays.forEach((d, i) => ctx.setTimer(ms(d), i));
          },
          onMessage(): void {},
          onTimer(_ctx: Context, tag: TimerTag): void {
            fired.push(tag as number);
          },
        }));
        sim.at(ms(300), 'pause', () => sim.pause('h'));
        sim.at(ms(300 + pauseFor), 'resume', () => sim.resume('h'));
        sim.run();
        // Every timer fires exactly once; those due during the pause fire together at resume in due order.
        assert.equal(fired.length, delays.length);
        const dueOrder = delays.map((d, i) => ({ at: d < 300 ? d : d <= 300 + pauseFor ? 300 + pauseFor : d, d, i }));
        dueOrder.sort((a, b) => a.at - b.at || a.d - b.d || a.i - b.i);
        assert.deepEqual(fired, dueOrder.map((x) => x.i));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('a process fault touches one component and leaves its neighbours on the host running', () => {
    const fired: string[] = [];
    const sim = new Simulation({ seed: 2 });
    sim.addHost('master-1');
    const ticker = (name: string): Component => ({
      start(ctx: Context): void {
        fired.push(`${name}:start@${sim.now / 1000}`);
        ctx.setTimer(ms(100), 't');
      },
      onMessage(): void {},
      onTimer(ctx: Context): void {
        fired.push(`${name}@${sim.now / 1000}`);
        ctx.setTimer(ms(100), 't');
      },
    });
    sim.addComponent('master-1', 'kube-scheduler@master-1', () => ticker('sched'));
    sim.addComponent('master-1', 'kube-apiserver@master-1', () => ticker('api'));
    sim.at(ms(150), 'kill', () => sim.crashProcess('kube-scheduler@master-1'));
    sim.at(ms(450), 'start', () => sim.restartProcess('kube-scheduler@master-1'));
    sim.at(ms(650), 'stop', () => sim.pauseProcess('kube-apiserver@master-1'));
    sim.at(ms(900), 'cont', () => sim.resumeProcess('kube-apiserver@master-1'));
    sim.run({ until: ms(1000) });
    assert.deepEqual(
      fired.filter((f) => f.startsWith('sched')),
      ['sched:start@0', 'sched@100', 'sched:start@450', 'sched@550', 'sched@650', 'sched@750', 'sched@850', 'sched@950'],
    );
    // The apiserver ticks through the scheduler's crash, then its 700 ms timer waits for the resume at 900 ms.
    assert.deepEqual(
      fired.filter((f) => f.startsWith('api@')),
      ['api@100', 'api@200', 'api@300', 'api@400', 'api@500', 'api@600', 'api@900', 'api@1000'],
    );
    assert.equal(sim.isRunning('kube-scheduler@master-1'), true);
  });

  it('property: under any mix of host and process crashes, restarts, pauses and resumes, a timer fires only in the life that set it, only while its process runs, and in due order', () => {
    type Fault = { atMs: number; op: 'crashProcess' | 'restartProcess' | 'pauseProcess' | 'resumeProcess' | 'crash' | 'restart' | 'pause' | 'resume'; which: number };
    const faultArb: fc.Arbitrary<Fault> = fc.record({
      atMs: fc.integer({ min: 1, max: 120 }),
      op: fc.constantFrom('crashProcess', 'restartProcess', 'pauseProcess', 'resumeProcess', 'crash', 'restart', 'pause', 'resume'),
      which: fc.nat(),
    });
    fc.assert(
      fc.property(fc.array(faultArb, { maxLength: 30 }), fc.integer({ min: 1, max: 1000 }), (faults, seed) => {
        const sim = new Simulation({ seed });
        const hosts = ['h0', 'h1'];
        const processes = ['a@h0', 'b@h0', 'c@h1'];
        for (const h of hosts) sim.addHost(h);
        const problems: string[] = [];
        let lives = 0;
        // Each start is a new life: it sets timers tagged with its life and a sequence number, and
        // each firing sets one more, so timers stay pending across every fault.
        const fired = new Map<number, Array<{ due: number; seq: number }>>();
        const component = (name: string): Component => {
          const life = ++lives;
          let seq = 0;
          const arm = (ctx: Context, delayUs: number): void => {
            const tag = `${life}/${seq++}/${sim.now + delayUs}`;
            ctx.setTimer(delayUs, tag);
          };
          return {
            start(ctx: Context): void {
              for (let i = 0; i < 3; i++) arm(ctx, ms(5 + ((life * 7 + i * 13) % 40)));
            },
            onMessage(): void {},
            onTimer(ctx: Context, tag: TimerTag): void {
              const [tagLife, tagSeq, due] = String(tag).split('/').map(Number) as [number, number, number];
              if (tagLife !== life) problems.push(`${name}: a timer of life ${tagLife} fired in life ${life}`);
              if (!sim.isRunning(name)) problems.push(`${name}: fired while not running`);
              if (sim.now < due) problems.push(`${name}: fired at ${sim.now} before its due time ${due}`);
              const log = fired.get(life) ?? [];
              log.push({ due, seq: tagSeq });
              fired.set(life, log);
              arm(ctx, ms(3 + (tagSeq % 17)));
            },
          };
        };
        sim.addComponent('h0', processes[0] as string, () => component(processes[0] as string));
        sim.addComponent('h0', processes[1] as string, () => component(processes[1] as string));
        sim.addComponent('h1', processes[2] as string, () => component(processes[2] as string));
        for (const f of faults) {
          const target = f.op.endsWith('Process') ? processes[f.which % processes.length] : hosts[f.which % hosts.length];
          sim.at(ms(f.atMs), f.op, () => (sim[f.op] as (name: string) => void).call(sim, target as string));
        }
        sim.run({ until: ms(200) });
        assert.deepEqual(problems, []);
        // Within a life, timers fire in the order they were due (ties in the order they were set),
        // held ones included: a pause delays them, it does not reorder them.
        for (const [life, log] of fired) {
          for (let i = 1; i < log.length; i++) {
            const a = log[i - 1] as { due: number; seq: number };
            const b = log[i] as { due: number; seq: number };
            assert.ok(a.due < b.due || (a.due === b.due && a.seq < b.seq), `life ${life}: ${JSON.stringify(a)} fired before ${JSON.stringify(b)}`);
          }
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('a host restart brings back a process that had been killed on its own', () => {
    const sim = new Simulation({ seed: 2 });
    sim.addHost('h');
    let starts = 0;
    sim.addComponent('h', 'c', () => ({
      start(): void {
        starts++;
      },
      onMessage(): void {},
      onTimer(): void {},
    }));
    sim.at(ms(10), 'kill', () => sim.crashProcess('c'));
    sim.at(ms(20), 'crash', () => sim.crash('h'));
    sim.at(ms(30), 'restart', () => sim.restart('h'));
    sim.run({ until: ms(40) });
    assert.equal(starts, 2);
    assert.equal(sim.isRunning('c'), true);
  });

  it('local clocks carry offset and drift; timers run on local time', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost('fast');
    let firedAt = -1;
    sim.addComponent('fast', 'c', () => ({
      start(ctx: Context): void {
        ctx.setTimer(s(3), 'x');
      },
      onMessage(): void {},
      onTimer(): void {
        firedAt = sim.now;
      },
    }));
    sim.setClockDrift('fast', 0.5);
    sim.setClockOffset('fast', s(20));
    sim.run({ until: s(10) });
    assert.equal(firedAt, s(2), '3 s of a 1.5× clock pass in 2 s of true time');
    assert.equal(sim.localTime('fast'), s(10) + s(20) + s(5));
  });

  it('useCpu serialises work on one simulated CPU', () => {
    const sim = new Simulation({ seed: 1 });
    sim.addHost('h');
    const delays: number[] = [];
    sim.addComponent('h', 'c', () => ({
      start(ctx: Context): void {
        delays.push(ctx.useCpu(100), ctx.useCpu(100), ctx.useCpu(50));
      },
      onMessage(): void {},
      onTimer(): void {},
    }));
    sim.run();
    assert.deepEqual(delays, [100, 200, 250]);
  });

  it('links are FIFO by default', () => {
    Chatter.log = [];
    const sim = cluster(3, 2);
    sim.network.configure({ loss: 0, latency: { median: ms(5), p99: ms(100) } });
    sim.run({ until: s(5) });
    const fromH0 = Chatter.log.filter((e) => e.from === 'h0').map((e) => e.n);
    assert.ok(fromH0.length > 100);
    assert.deepEqual(fromH0, [...fromH0].sort((a, b) => a - b));
  });

  it('stops with a clear error at the event bound', () => {
    const sim = new Simulation({ seed: 1, maxEvents: 1000 });
    sim.addHost('h');
    sim.addComponent('h', 'loop', () => ({
      start(ctx: Context): void {
        ctx.setTimer(0, 't');
      },
      onMessage(): void {},
      onTimer(ctx: Context): void {
        ctx.setTimer(0, 't');
      },
    }));
    assert.throws(() => sim.run(), (e: unknown) => e instanceof SimulationLimitError && /1000 events/.test(e.message));
  });
});
