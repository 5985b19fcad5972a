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

/**
 * Per-endpoint bookkeeping; the live component instance is replaced on every restart. The endpoint is
 * its component's random stream as well (`ctx.rng === ctx`), so an event touches one object, not two:
 * with thousands of components that saves a cache miss per event.
 */
class Endpoint extends Rng implements Context {
  readonly self: EndpointId;
  readonly name: string;
  readonly hostName: string;
  readonly rng: Rng = this;
  readonly disk = new MemoryDisk();
  instance: Component | undefined = undefined;
  incarnation = 0;
  cpuBusyUntil: Micros = 0;
  /** This process alone is down (its host may be up). */
  crashed = false;
  /** This process alone is stopped (SIGSTOP); its host's pause stops it too. */
  paused = false;
  /** Queue ids of events that arrived while stopped, in arrival order. */
  readonly held: number[] = [];
  private readonly sim: Simulation;
  readonly host: Host;
  readonly factory: ComponentFactory;

  constructor(sim: Simulation, self: EndpointId, name: string, host: Host, streamSeed: string, factory: ComponentFactory) {
    super(streamSeed);
    this.sim = sim;
    this.self = self;
    this.name = name;
    this.host = host;
    this.hostName = host.name;
    this.factory = factory;
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
    const now = this.sim.now;
    const start = this.cpuBusyUntil > now ? this.cpuBusyUntil : now;
    this.cpuBusyUntil = start + Math.max(0, costUs);
    return Math.ceil((this.cpuBusyUntil - now) * this.host.rate);
  }
  lookup(name: string): EndpointId | undefined {
    return this.sim.endpointId(name);
  }
  observe(observation: Observation): void {
    this.sim.emitObservation(this.name, observation);
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
    const endpoint = new Endpoint(this, id, name, host, this.rng.fork(name).seedText, factory);
    this.endpoints.push(endpoint);
    this.endpointsByName.set(name, endpoint);
    host.endpoints.push(id);
    if (host.state !== 'crashed') this.queue.push(this.now, START, id, endpoint.incarnation, undefined);
    return id;
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
    this.emitObservation(host.name, { type: 'host.crashed', subject: host.name });
  }

  /** Powers a crashed host back on: each component starts afresh from its durable storage. */
  restart(hostName: string): void {
    const host = this.host(hostName);
    if (host.state !== 'crashed') return;
    host.state = 'up';
    for (const id of host.endpoints) {
      const endpoint = this.endpointAt(id);
      endpoint.crashed = false;
      endpoint.paused = false;
      this.queue.push(this.now, START, id, endpoint.incarnation, undefined);
    }
    this.emitObservation(host.name, { type: 'host.restarted', subject: host.name });
  }

  /** Stops a host's processes (a long GC pause, SIGSTOP): their timers and deliveries wait until resume. */
  pause(hostName: string): void {
    const host = this.host(hostName);
    if (host.state !== 'up') return;
    host.state = 'paused';
    this.emitObservation(host.name, { type: 'host.paused', subject: host.name });
  }

  /** Resumes a paused host: everything its processes missed fires now, in the order it was due. */
  resume(hostName: string): void {
    const host = this.host(hostName);
    if (host.state !== 'paused') return;
    host.state = 'up';
    for (const id of host.endpoints) {
      const endpoint = this.endpointAt(id);
      if (!endpoint.paused) this.releaseHeld(endpoint);
    }
    this.emitObservation(host.name, { type: 'host.resumed', subject: host.name });
  }

  /** Kills one process: its volatile state and timers are gone; its host and neighbours carry on. */
  crashProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (endpoint.crashed || endpoint.host.state === 'crashed') return;
    endpoint.crashed = true;
    this.stopProcess(endpoint);
    this.emitObservation(endpoint.name, { type: 'process.crashed', subject: endpoint.name });
  }

  /** Starts a killed process again, afresh from its durable storage (no-op while its host is down). */
  restartProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (!endpoint.crashed || endpoint.host.state === 'crashed') return;
    endpoint.crashed = false;
    endpoint.paused = false;
    this.queue.push(this.now, START, endpoint.self, endpoint.incarnation, undefined);
    this.emitObservation(endpoint.name, { type: 'process.restarted', subject: endpoint.name });
  }

  /** Stops one process (a GC pause): its timers and deliveries wait until `resumeProcess`. */
  pauseProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (endpoint.paused || endpoint.crashed || endpoint.host.state === 'crashed') return;
    endpoint.paused = true;
    this.emitObservation(endpoint.name, { type: 'process.paused', subject: endpoint.name });
  }

  resumeProcess(endpointName: string): void {
    const endpoint = this.endpointNamed(endpointName);
    if (!endpoint.paused) return;
    endpoint.paused = false;
    if (endpoint.host.state === 'up') this.releaseHeld(endpoint);
    this.emitObservation(endpoint.name, { type: 'process.resumed', subject: endpoint.name });
  }

  /** Whether a process is running now (its host up, itself neither killed nor stopped). */
  isRunning(endpointName: string): boolean {
    const endpoint = this.endpointNamed(endpointName);
    return endpoint.host.state === 'up' && !endpoint.crashed && !endpoint.paused && endpoint.instance !== undefined;
  }

  private stopProcess(endpoint: Endpoint): void {
    for (const id of endpoint.held) this.queue.cancel(id);
    endpoint.held.length = 0;
    endpoint.instance = undefined;
    endpoint.incarnation++;
    endpoint.cpuBusyUntil = 0;
  }

  private releaseHeld(endpoint: Endpoint): void {
    for (const id of endpoint.held) this.queue.reschedule(id, this.now);
    endpoint.held.length = 0;
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
      this.dispatch(slot);
    }
  }

  traceHash(): string {
    return this.trace.hex();
  }

  private dispatch(slot: number): void {
    const queue = this.queue;
    const kind = queue.kindOf(slot);
    if (kind === CALLBACK) {
      const callback = queue.payloadOf(slot) as ScheduledCallback;
      queue.release(slot);
      this.eventsProcessed++;
      this.fold(kind, -1, this.trace.stringDigest(callback.type));
      callback.run();
      return;
    }
    const endpoint = this.endpoints[queue.targetOf(slot)] as Endpoint;
    const host = endpoint.host;
    if (host.state === 'crashed' || endpoint.crashed) {
      queue.release(slot);
      return;
    }
    if (host.state === 'paused' || endpoint.paused) {
      endpoint.held.push(queue.hold(slot));
      return;
    }
    const aux = queue.auxOf(slot);
    const payload = queue.payloadOf(slot);
    queue.release(slot);
    switch (kind) {
      case START: {
        if (aux !== endpoint.incarnation || endpoint.instance !== undefined) return;
        this.eventsProcessed++;
        this.fold(kind, endpoint.self, endpoint.incarnation);
        const instance = endpoint.factory();
        endpoint.instance = instance;
        instance.start(endpoint);
        return;
      }
      case TIMER: {
        const instance = endpoint.instance;
        if (aux !== endpoint.incarnation || instance === undefined) return;
        this.eventsProcessed++;
        this.fold(kind, endpoint.self, this.trace.payloadDigest(payload));
        instance.onTimer(endpoint, payload as TimerTag);
        return;
      }
      case DELIVER: {
        const instance = endpoint.instance;
        if (instance === undefined) return;
        const from = this.endpointAt(aux);
        // Partitions apply to messages in flight: a cut made after sending still drops it.
        if (this.network.isCut(from.host.id, host.id)) return;
        this.eventsProcessed++;
        this.fold(kind, endpoint.self, this.trace.payloadDigest(payload));
        instance.onMessage(endpoint, aux, payload as Message);
        return;
      }
      default:
        throw new Error(`kernel: unknown event kind ${kind}`);
    }
  }

  private fold(kind: number, target: number, digest: number): void {
    const trace = this.trace;
    trace.fold(this.now);
    trace.fold(((kind * 16_777_216 + target + 1) ^ Math.imul(digest, 0x9e3779b1)) >>> 0);
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
    const delay = endpoint.host.virtualDelay(localDelay);
    return this.queue.push(this.now + delay, TIMER, endpoint.self, endpoint.incarnation, tag);
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
