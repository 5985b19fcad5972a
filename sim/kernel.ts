import type {
  Component,
  ComponentFactory,
  Context,
  DurableStorage,
  EndpointId,
  Message,
  Observation,
  TimerId,
  TimerTag,
} from './component.js';
import { Host, type HostOptions } from './host.js';
import { Network } from './network.js';
import { EventQueue, LATER } from './queue.js';
import { Rng } from './rng.js';
import type { Micros } from './time.js';
import { TraceHash } from './trace.js';

const START = 0;
const TIMER = 1;
const DELIVER = 2;
const CALLBACK = 3;
/** What the trace folds for an event's kind and target: `kind × 2^24 + target + 1`. */
const TRACE_KIND = 16_777_216;
const START_TRACE = START * TRACE_KIND + 1;
const TIMER_TRACE = TIMER * TRACE_KIND + 1;
const DELIVER_TRACE = DELIVER * TRACE_KIND + 1;
const CALLBACK_TRACE = CALLBACK * TRACE_KIND;
/** The low bit of `Endpoint.life`: the process is not running (its host or itself is down or stopped). */
const NOT_RUNNING = 1;

export interface SimulationOptions {
  readonly seed: number | string;
  /** Hard bound on processed events; reaching it aborts the run with SimulationLimitError. Default 2e9. */
  readonly maxEvents?: number;
}

export interface RunOptions {
  /** Stop before the first event later than this virtual time (and set the clock to it). */
  readonly until?: Micros;
  /** Stop after processing this many more events. */
  readonly events?: number;
}

export type RunOutcome = 'until' | 'idle' | 'events';

export type ObservationListener = (time: Micros, endpointName: string, observation: Observation) => void;

/** The run went past its hard bound on events: a runaway loop, or a bound set too low. */
export class SimulationLimitError extends Error {
  override readonly name = 'SimulationLimitError';
}

interface ScheduledCallback {
  readonly type: string;
  readonly run: () => void;
}

class MemoryDisk implements DurableStorage {
  private readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.data.set(key, value);
  }
  delete(key: string): void {
    this.data.delete(key);
  }
}

/** What the kernel keeps of an endpoint beyond the hot path: read on faults, sends and lookups. */
class EndpointInfo {
  cpuBusyUntil: Micros = 0;
  /** This process alone is down (its host may be up). */
  crashed = false;
  /** This process alone is stopped (SIGSTOP); its host's pause stops it too. */
  paused = false;
  /** Queue ids of events that arrived while stopped, in arrival order. */
  readonly held: number[] = [];
  // Made on first use: most components never persist anything, and every object per endpoint
  // spreads the endpoints' hot fields over more cache lines.
  private storage: MemoryDisk | undefined = undefined;

  constructor(
    readonly name: string,
    readonly factory: ComponentFactory,
  ) {}

  get disk(): MemoryDisk {
    this.storage ??= new MemoryDisk();
    return this.storage;
  }
}

const UNASSIGNED_HOST = new Host(-1, '(unassigned)');
const UNASSIGNED_INFO = new EndpointInfo('(unassigned)', () => {
  throw new Error('kernel: an endpoint from the pool was used before it was assigned');
});
/** Endpoints made at once for the pool, so that their objects sit next to each other in memory. */
const ENDPOINT_BATCH = 256;

/**
 * A component's handle on the world (its Context) and its random stream at once (`ctx.rng === ctx`).
 * What every event reads sits in the first few fields (the stream's state, inherited, comes first);
 * the rest is in `info`. With thousands of components an event then costs one or two
 * cache lines of endpoint state, where a large object with boxed fields cost several misses.
 */
class Endpoint extends Rng implements Context {
  self: EndpointId = -1;
  /**
   * `incarnation × 2 + (running ? 0 : 1)`. The incarnation is bumped on every crash, so that timers
   * set by an earlier life never fire; the low bit is set while the host or the process itself is
   * down or stopped. Timers and starts carry `incarnation × 2`, so one comparison with this field
   * admits an event: same life and running.
   */
  life = 0;
  /** The live component; undefined while down or not yet started. */
  instance: Component | undefined = undefined;
  private readonly sim: Simulation;
  host: Host = UNASSIGNED_HOST;
  info: EndpointInfo = UNASSIGNED_INFO;

  /** An empty endpoint for the pool; `assign` makes it one. */
  constructor(sim: Simulation) {
    super();
    this.sim = sim;
  }

  assign(self: EndpointId, host: Host, streamSeed: string, info: EndpointInfo): void {
    this.self = self;
    this.host = host;
    this.info = info;
    this.seed(streamSeed);
  }

  get rng(): Rng {
    return this;
  }
  get name(): string {
    return this.info.name;
  }
  get hostName(): string {
    return this.host.name;
  }
  get disk(): DurableStorage {
    return this.info.disk;
  }
  now(): Micros {
    return this.host.localTime(this.sim.now);
  }
  send(to: EndpointId, message: Message, sizeBytes = 256): void {
    this.sim.send(this, to, message, sizeBytes);
  }
  setTimer(delayUs: Micros, tag: TimerTag): TimerId {
    return this.sim.setTimer(this, delayUs, tag);
  }
  cancelTimer(id: TimerId): void {
    this.sim.cancelTimer(id);
  }
  fsyncDelay(): Micros {
    const spec = this.host.fsyncLatency;
    return Math.round(this.lognormal(spec.median, spec.p99) * this.host.diskSlowdown);
  }
  useCpu(costUs: Micros): Micros {
    const info = this.info;
    const now = this.sim.now;
    const start = info.cpuBusyUntil > now ? info.cpuBusyUntil : now;
    info.cpuBusyUntil = start + Math.max(0, costUs);
    return Math.ceil((info.cpuBusyUntil - now) * this.host.rate);
  }
  lookup(name: string): EndpointId | undefined {
    return this.sim.endpointId(name);
  }
  observe(observation: Observation): void {
    this.sim.emitObservation(this.info.name, observation);
  }
}

/**
 * The discrete-event kernel: a virtual clock, one event queue ordered by (time, sequence), hosts with
 * local clocks that can crash, restart and pause, a network, and components driven as state machines.
 * One event at a time, to completion; nothing here reads the wall clock or an unseeded random source.
 */
export class Simulation {
  /** Virtual time in microseconds. */
  now: Micros = 0;
  eventsProcessed = 0;
  readonly rng: Rng;
  readonly network: Network;
  private readonly queue = new EventQueue(4096);
  private readonly trace = new TraceHash();
  private readonly hosts: Host[] = [];
  private readonly hostsByName = new Map<string, Host>();
  private readonly endpoints: Endpoint[] = [];
  private readonly endpointsByName = new Map<string, Endpoint>();
  private readonly endpointPool: Endpoint[] = [];
  /** Whether any host's clock drifts; until one does, a local delay is a virtual delay. */
  private anyDrift = false;
  private readonly listeners: ObservationListener[] = [];
  private readonly maxEvents: number;

  constructor(options: SimulationOptions) {
    this.rng = Rng.fromSeed(options.seed);
    this.maxEvents = options.maxEvents ?? 2e9;
    this.network = new Network(this.rng.fork('network'), (name) => this.host(name).id);
  }

  addHost(name: string, options: HostOptions = {}): Host {
    if (this.hostsByName.has(name)) throw new Error(`host ${name} already exists`);
    const host = new Host(this.hosts.length, name, options);
    this.hosts.push(host);
    this.hostsByName.set(name, host);
    return host;
  }

  host(name: string): Host {
    const host = this.hostsByName.get(name);
    if (host === undefined) throw new Error(`unknown host ${name}`);
    return host;
  }

  hasHost(name: string): boolean {
    return this.hostsByName.has(name);
  }

  hostNames(): string[] {
    return this.hosts.map((h) => h.name);
  }

  /** Registers a component on a host under a unique endpoint name; it starts at the current time. */
  addComponent(hostName: string, name: string, factory: ComponentFactory): EndpointId {
    if (this.endpointsByName.has(name)) throw new Error(`endpoint ${name} already exists`);
    const host = this.host(hostName);
    const id = this.endpoints.length;
    const endpoint = this.takeEndpoint();
    endpoint.assign(id, host, `${this.rng.seedText}/${name}`, new EndpointInfo(name, factory));
    this.endpoints.push(endpoint);
    this.endpointsByName.set(name, endpoint);
    host.endpoints.push(id);
    this.refreshRunning(endpoint);
    if (host.state !== 'crashed') this.queue.push(this.now, START, id, 0, undefined);
    return id;
  }

  /**
   * An unassigned endpoint from the pool. The pool is refilled ENDPOINT_BATCH at a time with nothing
   * else allocated in between, so endpoints (whose fields every event reads) are packed together
   * in memory rather than spread between each one's strings, seeding garbage and bookkeeping: with
   * 10,000 components that is the difference between fitting in the cache or not.
   */
  private takeEndpoint(): Endpoint {
    if (this.endpointPool.length === 0) {
      for (let i = 0; i < ENDPOINT_BATCH; i++) this.endpointPool.push(new Endpoint(this));
      // Handed out in the order they were made, i.e. in address order.
      this.endpointPool.reverse();
    }
    return this.endpointPool.pop() as Endpoint;
  }

  endpointId(name: string): EndpointId | undefined {
    return this.endpointsByName.get(name)?.self;
  }

  endpointName(id: EndpointId): string {
    return this.endpointAt(id).name;
  }

  hostOfEndpoint(id: EndpointId): string {
    return this.endpointAt(id).host.name;
  }

  /** The live instance behind an endpoint, for checkers that read state from outside; undefined when down. */
  component(id: EndpointId): Component | undefined {
    return this.endpointAt(id).instance;
  }

  /** The local clock of a host now. */
  localTime(hostName: string): Micros {
    return this.host(hostName).localTime(this.now);
  }

  /** Runs `fn` at virtual time `time` (not before now), outside any host: faults, workload, samplers. */
  at(time: Micros, label: string, fn: () => void): number {
    const callback: ScheduledCallback = { type: label, run: fn };
    return this.queue.push(Math.max(time, this.now), CALLBACK, -1, 0, callback);
  }

  after(delay: Micros, label: string, fn: () => void): number {
    return this.at(this.now + delay, label, fn);
  }

  cancel(id: number): void {
    this.queue.cancel(id);
  }

  onObservation(listener: ObservationListener): void {
    this.listeners.push(listener);
  }

  emitObservation(endpointName: string, observation: Observation): void {
    for (const listener of this.listeners) listener(this.now, endpointName, observation);
  }

  // ---- faults -------------------------------------------------------------------------------
  // A host fault acts on every process on it; a process fault (by endpoint name) on that one alone,
  // as `kill -9` or `kill -STOP` of one component would.

  /** Powers a host off: every component's volatile state and timers are gone; messages to it are dropped. */
  crash(hostName: string): void {
    const host = this.host(hostName);
    if (host.state === 'crashed') return;
    host.state = 'crashed';
    for (const id of host.endpoints) this.stopProcess(this.endpointAt(id));
    this.refreshHost(host);
    this.emitObservation(host.name, { type: 'host.crashed', subject: host.name });
  }

  /** Powers a crashed host back on: each component starts afresh from its durable storage. */
  restart(hostName: string): void {
    const host = this.host(hostName);
    if (host.state !== 'crashed') return;
    host.state = 'up';
    for (const id of host.endpoints) {
      const endpoint = this.endpointAt(id);
      endpoint.info.crashed = false;
      endpoint.info.paused = false;
      this.queue.push(this.now, START, id, endpoint.life & ~NOT_RUNNING, undefined);
    }
    this.refreshHost(host);
    this.emitObservation(host.name, { type: 'host.restarted', subject: host.name });
  }

  /** Stops a host's processes (a long GC pause, SIGSTOP): their timers and deliveries wait until resume. */
  pause(hostName: string): void {
    const host = this.host(hostName);
    if (host.state !== 'up') return;
    host.state = 'paused';
    this.refreshHost(host);
    this.emitObservation(host.name, { type: 'host.paused', subject: host.name });
  }

  /** Resumes a paused host: everything its processes missed fires now, in the order it was due. */
  resume(hostName: string): void {
    const host = this.host(hostName);
    if (host.state !== 'paused') return;
    host.state = 'up';
    this.refreshHost(host);
    for (const id of host.endpoints) {
      const endpoint = this.endpointAt(id);
      if (!endpoint.info.paused) this.releaseHeld(endpoint);
    }
    this.emitObservation(host.name, { type: 'host.resumed', subject: host.name });
  }

  /** Kills one process: its volatile state and timers are gone; its host and neighbours carry on. */
  crashProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (endpoint.info.crashed || endpoint.host.state === 'crashed') return;
    endpoint.info.crashed = true;
    this.stopProcess(endpoint);
    this.refreshRunning(endpoint);
    this.emitObservation(endpoint.info.name, { type: 'process.crashed', subject: endpoint.info.name });
  }

  /** Starts a killed process again, afresh from its durable storage (no-op while its host is down). */
  restartProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (!endpoint.info.crashed || endpoint.host.state === 'crashed') return;
    endpoint.info.crashed = false;
    endpoint.info.paused = false;
    this.refreshRunning(endpoint);
    this.queue.push(this.now, START, endpoint.self, endpoint.life & ~NOT_RUNNING, undefined);
    this.emitObservation(endpoint.info.name, { type: 'process.restarted', subject: endpoint.info.name });
  }

  /** Stops one process (a GC pause): its timers and deliveries wait until `resumeProcess`. */
  pauseProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (endpoint.info.paused || endpoint.info.crashed || endpoint.host.state === 'crashed') return;
    endpoint.info.paused = true;
    this.refreshRunning(endpoint);
    this.emitObservation(endpoint.info.name, { type: 'process.paused', subject: endpoint.info.name });
  }

  resumeProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (!endpoint.info.paused) return;
    endpoint.info.paused = false;
    this.refreshRunning(endpoint);
    if (endpoint.host.state === 'up') this.releaseHeld(endpoint);
    this.emitObservation(endpoint.info.name, { type: 'process.resumed', subject: endpoint.info.name });
  }

  /** Whether a process is running now (its host up, itself neither killed nor stopped). */
  isRunning(endpointName: string): boolean {
    const endpoint = this.endpointNamed(endpointName);
    return endpoint.host.state === 'up' && !endpoint.info.crashed && !endpoint.info.paused && endpoint.instance !== undefined;
  }

  private stopProcess(endpoint: Endpoint): void {
    for (const id of endpoint.info.held) this.queue.cancel(id);
    endpoint.info.held.length = 0;
    endpoint.instance = undefined;
    endpoint.life += 2;
    endpoint.info.cpuBusyUntil = 0;
  }

  private refreshHost(host: Host): void {
    for (const id of host.endpoints) this.refreshRunning(this.endpointAt(id));
  }

  private refreshRunning(endpoint: Endpoint): void {
    const running = endpoint.host.state === 'up' && !endpoint.info.crashed && !endpoint.info.paused;
    endpoint.life = running ? endpoint.life & ~NOT_RUNNING : endpoint.life | NOT_RUNNING;
  }

  private releaseHeld(endpoint: Endpoint): void {
    for (const id of endpoint.info.held) this.queue.reschedule(id, this.now);
    endpoint.info.held.length = 0;
  }

  private endpointNamed(name: string): Endpoint {
    const endpoint = this.endpointsByName.get(name);
    if (endpoint === undefined) throw new Error(`unknown endpoint ${name}`);
    return endpoint;
  }

  setClockOffset(hostName: string, offset: Micros): void {
    this.host(hostName).setOffset(offset);
  }

  setClockDrift(hostName: string, driftRate: number): void {
    this.host(hostName).setDrift(this.now, driftRate);
    if (driftRate !== 0) this.anyDrift = true;
  }

  setDiskSlowdown(hostName: string, factor: number): void {
    if (!(factor > 0)) throw new Error(`disk slowdown factor must be positive, got ${factor}`);
    this.host(hostName).diskSlowdown = factor;
  }

  // ---- the run loop -------------------------------------------------------------------------

  /** Processes events in (time, sequence) order until `until`, until idle, or for `events` events. */
  run(options: RunOptions = {}): RunOutcome {
    const until = options.until ?? Infinity;
    const stopAfter = options.events === undefined ? Infinity : this.eventsProcessed + options.events;
    const eventLimit = Math.min(stopAfter, this.maxEvents);
    const queue = this.queue;
    for (;;) {
      if (this.eventsProcessed >= eventLimit) {
        if (this.eventsProcessed >= stopAfter) return 'events';
        const next = queue.peekTime();
        if (next !== Infinity && next <= until) {
          throw new SimulationLimitError(
            `simulation stopped after ${this.maxEvents} events at t=${this.now / 1e6}s (the event bound); a component may be looping`,
          );
        }
      }
      const slot = queue.popNotAfter(until);
      if (slot < 0) {
        if (until !== Infinity && until > this.now) this.now = until;
        return slot === LATER ? 'until' : 'idle';
      }
      this.now = queue.poppedTime;
      if (queue.kindOf(slot) === TIMER) this.deliverTimer(slot);
      else this.dispatch(slot);
    }
  }

  traceHash(): string {
    return this.trace.hex();
  }

  /**
   * Every event but a timer (the run loop takes those itself). Each kind has a short path of its own
   * so that the optimiser can inline it; what only faults need (held and dropped events) is behind
   * the low bit of one field per endpoint, `life`.
   */
  private dispatch(slot: number): void {
    const kind = this.queue.kindOf(slot);
    if (kind === DELIVER) this.deliverMessage(slot);
    else if (kind === START) this.startComponent(slot);
    else this.runCallback(slot);
  }

  private deliverTimer(slot: number): void {
    const queue = this.queue;
    const endpoint = this.endpoints[queue.targetOf(slot)] as Endpoint;
    if (endpoint.life !== queue.auxOf(slot)) {
      // Not running (held or dropped), or set by an earlier life (dropped).
      if ((endpoint.life & NOT_RUNNING) !== 0) this.holdOrDrop(slot, endpoint);
      else queue.release(slot);
      return;
    }
    const tag = queue.payloadOf(slot) as TimerTag;
    queue.release(slot);
    const instance = endpoint.instance;
    if (instance === undefined) return;
    this.eventsProcessed++;
    this.trace.foldEvent(this.now, TIMER_TRACE + endpoint.self, typeof tag === 'number' ? tag : this.trace.payloadDigest(tag));
    instance.onTimer(endpoint, tag);
  }

  private deliverMessage(slot: number): void {
    const queue = this.queue;
    const endpoint = this.endpoints[queue.targetOf(slot)] as Endpoint;
    if ((endpoint.life & NOT_RUNNING) !== 0) {
      this.holdOrDrop(slot, endpoint);
      return;
    }
    const from = queue.auxOf(slot);
    const message = queue.payloadOf(slot) as Message;
    queue.release(slot);
    const instance = endpoint.instance;
    if (instance === undefined) return;
    // Partitions apply to messages in flight: a cut made after sending still drops it.
    if (this.network.isCut((this.endpoints[from] as Endpoint).host.id, endpoint.host.id)) return;
    this.eventsProcessed++;
    this.trace.foldEvent(this.now, DELIVER_TRACE + endpoint.self, this.trace.stringDigest(message.type));
    instance.onMessage(endpoint, from, message);
  }

  private startComponent(slot: number): void {
    const queue = this.queue;
    const endpoint = this.endpoints[queue.targetOf(slot)] as Endpoint;
    if ((endpoint.life & NOT_RUNNING) !== 0) {
      this.holdOrDrop(slot, endpoint);
      return;
    }
    const life = queue.auxOf(slot);
    queue.release(slot);
    if (life !== endpoint.life || endpoint.instance !== undefined) return;
    this.eventsProcessed++;
    this.trace.foldEvent(this.now, START_TRACE + endpoint.self, life >> 1);
    const instance = endpoint.info.factory();
    endpoint.instance = instance;
    instance.start(endpoint);
  }

  private runCallback(slot: number): void {
    const queue = this.queue;
    const callback = queue.payloadOf(slot) as ScheduledCallback;
    queue.release(slot);
    this.eventsProcessed++;
    this.trace.foldEvent(this.now, CALLBACK_TRACE, this.trace.stringDigest(callback.type));
    callback.run();
  }

  /** An event for a process that is not running: gone if it is down, held until resume if stopped. */
  private holdOrDrop(slot: number, endpoint: Endpoint): void {
    if (endpoint.host.state === 'crashed' || endpoint.info.crashed) this.queue.release(slot);
    else endpoint.info.held.push(this.queue.hold(slot));
  }

  send(from: Endpoint, to: EndpointId, message: Message, sizeBytes: number): void {
    const target = this.endpointAt(to);
    const at = this.network.arrival(this.now, from.self, to, from.host.id, target.host.id, sizeBytes);
    if (at < 0) return;
    const copies = this.network.copies;
    this.queue.push(at, DELIVER, to, from.self, message);
    if (copies > 1) this.queue.push(at + 1, DELIVER, to, from.self, message);
  }

  setTimer(endpoint: Endpoint, localDelay: Micros, tag: TimerTag): TimerId {
    const delay = this.anyDrift ? endpoint.host.virtualDelay(localDelay) : localDelay > 0 ? Math.ceil(localDelay) : 0;
    const slot = this.queue.schedule(this.now + delay, TIMER, endpoint.self, endpoint.life & ~NOT_RUNNING, tag);
    return this.queue.idOf(slot);
  }

  cancelTimer(id: TimerId): void {
    this.queue.cancel(id);
  }

  private endpointAt(id: EndpointId): Endpoint {
    const endpoint = this.endpoints[id];
    if (endpoint === undefined) throw new Error(`unknown endpoint ${id}`);
    return endpoint;
  }
}
