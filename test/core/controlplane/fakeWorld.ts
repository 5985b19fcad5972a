// A tiny stand-in for the kernel, for kernel-free tests of the elector: hosts with local clocks
// (offset, rate), pause and crash, timers in local time, and an in-memory Lease server reached
// with a fixed latency unless the host is cut off. The real kernel is used by the end-to-end tests.
import type { Context, Observation, TimerTag } from '../../../sim/component.js';
import { Rng } from '../../../sim/rng.js';
import type { Micros } from '../../../sim/time.js';
import type { LeaseSpec } from '../../../core/api/types.js';
import type { LeaseLock, LockResult } from '../../../core/controlplane/leaseLock.js';

interface Host {
  name: string;
  /** local = baseLocal + rate × (virtual − baseVirtual) */
  baseVirtual: Micros;
  baseLocal: Micros;
  rate: number;
  paused: boolean;
  crashed: boolean;
  cutOff: boolean;
  deferred: Array<() => void>;
  incarnation: number;
}

interface Event {
  at: Micros;
  seq: number;
  fn: () => void;
}

export interface SeenObservation {
  readonly timeUs: Micros;
  readonly endpoint: string;
  readonly obs: Observation;
}

export class FakeWorld {
  now: Micros = 0;
  private seq = 0;
  private queue: Event[] = [];
  private readonly hosts = new Map<string, Host>();
  readonly observations: SeenObservation[] = [];
  lease: { spec: LeaseSpec; rv: number } | undefined = undefined;
  private rvCounter = 0;
  readonly latencyUs: Micros;
  /** Updates accepted, with the writer and time, for assertions. */
  readonly leaseWrites: Array<{ timeUs: Micros; spec: LeaseSpec }> = [];

  constructor(latencyUs: Micros = 1000) {
    this.latencyUs = latencyUs;
  }

  addHost(name: string): void {
    this.hosts.set(name, { name, baseVirtual: 0, baseLocal: 0, rate: 1, paused: false, crashed: false, cutOff: false, deferred: [], incarnation: 0 });
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (h === undefined) throw new Error(`no host ${name}`);
    return h;
  }

  localNow(name: string): Micros {
    const h = this.host(name);
    return Math.floor(h.baseLocal + h.rate * (this.now - h.baseVirtual));
  }

  setRate(name: string, rate: number): void {
    const h = this.host(name);
    h.baseLocal = this.localNow(name);
    h.baseVirtual = this.now;
    h.rate = rate;
  }

  at(timeUs: Micros, fn: () => void): void {
    this.queue.push({ at: timeUs, seq: this.seq++, fn });
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Runs `fn` on the host when it is live; deferred while paused; dropped after a crash. */
  private onHost(name: string, incarnation: number, fn: () => void): () => void {
    return () => {
      const h = this.host(name);
      if (h.crashed || h.incarnation !== incarnation) return;
      if (h.paused) h.deferred.push(fn);
      else fn();
    };
  }

  pause(name: string): void {
    this.host(name).paused = true;
  }
  resume(name: string): void {
    const h = this.host(name);
    h.paused = false;
    const d = h.deferred.splice(0);
    for (const fn of d) fn();
  }
  crash(name: string): void {
    const h = this.host(name);
    h.crashed = true;
    h.incarnation++;
  }
  cut(name: string, cutOff: boolean): void {
    this.host(name).cutOff = cutOff;
  }

  run(untilUs: Micros): void {
    for (;;) {
      const e = this.queue[0];
      if (e === undefined || e.at > untilUs) break;
      this.queue.shift();
      this.now = e.at;
      e.fn();
    }
    this.now = untilUs;
  }

  context(hostName: string, endpoint: string, seed = 1): Context {
    const h = this.host(hostName);
    const incarnation = h.incarnation;
    const rng = Rng.fromSeed(seed).fork(endpoint);
    let timerSeq = 0;
    const cancelled = new Set<number>();
    const ctx: Context = {
      self: 0,
      name: endpoint,
      hostName,
      rng,
      disk: { get: () => undefined, set: () => undefined, delete: () => undefined },
      now: () => this.localNow(hostName),
      send: () => undefined,
      setTimer: (delayUs: Micros, tag: TimerTag) => {
        const id = ++timerSeq;
        const virtualDelay = Math.ceil(delayUs / this.host(hostName).rate);
        this.at(this.now + virtualDelay, this.onHost(hostName, incarnation, () => {
          if (cancelled.has(id)) return;
          this.timerSink.get(endpoint)?.(ctx, tag);
        }));
        return id;
      },
      cancelTimer: (id: number) => {
        cancelled.add(id);
      },
      fsyncDelay: () => 0,
      useCpu: () => 0,
      lookup: () => undefined,
      observe: (obs: Observation) => {
        this.observations.push({ timeUs: this.now, endpoint, obs });
      },
    };
    return ctx;
  }

  /** Where timers of an endpoint are delivered (the component's onTimer). */
  readonly timerSink = new Map<string, (ctx: Context, tag: TimerTag) => void>();

  /** A LeaseLock over the in-memory server, as seen from `hostName`. */
  lock(hostName: string): LeaseLock {
    const call = (fn: () => LockResult, done: (r: LockResult) => void): void => {
      const h = this.host(hostName);
      if (h.cutOff) return; // lost: the elector's request timeout handles it
      const incarnation = h.incarnation;
      this.at(this.now + this.latencyUs, () => {
        if (this.host(hostName).cutOff) return;
        const result = fn();
        this.at(this.now + this.latencyUs, this.onHost(hostName, incarnation, () => {
          if (!this.host(hostName).cutOff) done(result);
        }));
      });
    };
    const ok = (): LockResult => {
      if (this.lease === undefined) return { ok: false, reason: 'NotFound' };
      return { ok: true, record: { spec: this.lease.spec, resourceVersion: String(this.lease.rv) } };
    };
    return {
      describe: () => 'kube-system/test',
      get: (_ctx, done) => call(ok, done),
      create: (_ctx, spec, done) =>
        call(() => {
          if (this.lease !== undefined) return { ok: false, reason: 'AlreadyExists' };
          this.lease = { spec, rv: ++this.rvCounter };
          this.leaseWrites.push({ timeUs: this.now, spec });
          return ok();
        }, done),
      update: (_ctx, rv, spec, done) =>
        call(() => {
          if (this.lease === undefined) return { ok: false, reason: 'NotFound' };
          if (String(this.lease.rv) !== rv) return { ok: false, reason: 'Conflict' };
          this.lease = { spec, rv: ++this.rvCounter };
          this.leaseWrites.push({ timeUs: this.now, spec });
          return ok();
        }, done),
    };
  }
}
