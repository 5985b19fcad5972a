import type { Component, Context, EndpointId, Message, TimerTag } from '../sim/index.js';
import { Simulation, ms, us } from '../sim/index.js';

/** Workload (a): each of N processes sleeps an exponential(1 s) delay, wakes, and sleeps again. */
class SleepyProcess implements Component {
  start(ctx: Context): void {
    ctx.setTimer(ctx.rng.exponential(1_000_000), 0);
  }
  onMessage(): void {}
  onTimer(ctx: Context): void {
    ctx.setTimer(ctx.rng.exponential(1_000_000), 0);
  }
}

export interface WorkloadResult {
  readonly events: number;
  readonly wallSeconds: number;
  readonly eventsPerSec: number;
  readonly traceHash: string;
}

export function runTimeoutWorkload(processes: number, targetEvents: number, seed = 1): WorkloadResult {
  const sim = new Simulation({ seed });
  sim.addHost('host');
  const process = new SleepyProcess();
  // One shared stateless instance: the per-process state lives in the kernel (timer and RNG stream).
  for (let i = 0; i < processes; i++) sim.addComponent('host', `p${i}`, () => process);
  const started = performance.now();
  sim.run({ events: targetEvents });
  const wallSeconds = (performance.now() - started) / 1000;
  return { events: sim.eventsProcessed, wallSeconds, eventsPerSec: sim.eventsProcessed / wallSeconds, traceHash: sim.traceHash() };
}

interface Ball extends Message {
  readonly type: 'ball';
  readonly hits: number;
}

const serve: Ball = { type: 'ball', hits: 0 };

/** Workload (b): pairs of endpoints on different hosts bounce a message over the network model. */
class Player implements Component {
  constructor(private readonly partner: string, private readonly serves: boolean) {}
  private partnerId: EndpointId = -1;
  start(ctx: Context): void {
    this.partnerId = ctx.lookup(this.partner) ?? -1;
    if (this.serves) ctx.send(this.partnerId, serve);
  }
  onMessage(ctx: Context, _from: EndpointId, message: Message): void {
    const ball = message as Ball;
    const reply: Ball = { type: 'ball', hits: ball.hits + 1 };
    ctx.send(this.partnerId, reply, 64);
  }
  onTimer(): void {}
}

export function runPingPongWorkload(pairs: number, targetEvents: number, seed = 1): WorkloadResult {
  const sim = new Simulation({ seed });
  sim.network.configure({ latency: { median: us(500), p99: ms(5) } });
  for (let i = 0; i < pairs; i++) {
    sim.addHost(`a${i}`);
    sim.addHost(`b${i}`);
  }
  for (let i = 0; i < pairs; i++) {
    sim.addComponent(`a${i}`, `ping${i}`, () => new Player(`pong${i}`, true));
    sim.addComponent(`b${i}`, `pong${i}`, () => new Player(`ping${i}`, false));
  }
  const started = performance.now();
  sim.run({ events: targetEvents });
  const wallSeconds = (performance.now() - started) / 1000;
  return { events: sim.eventsProcessed, wallSeconds, eventsPerSec: sim.eventsProcessed / wallSeconds, traceHash: sim.traceHash() };
}

/** Workload (a) inside one component: N timer chains keyed by tag, one RNG stream. Isolates kernel cost. */
class SleepyScheduler implements Component {
  constructor(private readonly chains: number) {}
  start(ctx: Context): void {
    for (let i = 0; i < this.chains; i++) ctx.setTimer(ctx.rng.exponential(1_000_000), i);
  }
  onMessage(): void {}
  onTimer(ctx: Context, tag: TimerTag): void {
    ctx.setTimer(ctx.rng.exponential(1_000_000), tag);
  }
}

export function runTimerChainWorkload(chains: number, targetEvents: number, seed = 1): WorkloadResult {
  const sim = new Simulation({ seed });
  sim.addHost('host');
  sim.addComponent('host', 'scheduler', () => new SleepyScheduler(chains));
  const started = performance.now();
  sim.run({ events: targetEvents });
  const wallSeconds = (performance.now() - started) / 1000;
  return { events: sim.eventsProcessed, wallSeconds, eventsPerSec: sim.eventsProcessed / wallSeconds, traceHash: sim.traceHash() };
}
