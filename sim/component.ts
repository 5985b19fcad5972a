import type { Micros } from './time.js';
import type { Rng } from './rng.js';

/** Address of a component on the simulated network; stable across its host's restarts. */
export type EndpointId = number;

/** Handle of a pending timer; cancelling a fired or unknown timer is a no-op. */
export type TimerId = number;

/** Anything that crosses the simulated network. Immutable, shared by reference, discriminated on `type`. */
export interface Message {
  readonly type: string;
}

/** What a component hands itself back when a timer fires: a number, a string or a small frozen object. */
export type TimerTag = number | string | { readonly type: string };

/** Durable storage of one component on its host: survives crashes, as a disk does. */
export interface DurableStorage {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

/** A notable happening, for events.csv and observers; the kernel stamps it with time and source. */
export interface Observation {
  readonly type: string;
  readonly subject?: string;
  readonly detail?: string;
  readonly [field: string]: unknown;
}

/**
 * The whole world as one component sees it. Everything a component does goes through here:
 * it never touches the network, the clock, another component or an unseeded random source.
 */
export interface Context {
  readonly self: EndpointId;
  /** Endpoint name, e.g. `etcd-2` or `kube-scheduler@master-1`. */
  readonly name: string;
  readonly hostName: string;
  /** This component's own random stream, forked from the run's seed by its name. */
  readonly rng: Rng;
  /** Durable storage; what is not written here is lost on a crash. */
  readonly disk: DurableStorage;
  /** The host's local clock in microseconds (virtual time with the host's offset and drift). */
  now(): Micros;
  /** Sends a message; it arrives after the link's latency unless lost, cut by a partition, or the target is down. */
  send(to: EndpointId, message: Message, sizeBytes?: number): void;
  /** Fires `tag` back to this component after `delayUs` of its host's local time. */
  setTimer(delayUs: Micros, tag: TimerTag): TimerId;
  cancelTimer(id: TimerId): void;
  /** A draw of this host's fsync latency (slowDisk faults raise it). */
  fsyncDelay(): Micros;
  /**
   * Spends `costUs` of this component's single simulated CPU; returns the local delay until that work
   * is done (work queues up behind earlier work that is not finished yet).
   */
  useCpu(costUs: Micros): Micros;
  /** The endpoint registered under `name`, if any. */
  lookup(name: string): EndpointId | undefined;
  /** Reports a notable happening to the run's observers (metrics, events.csv, checkers). */
  observe(observation: Observation): void;
}

/**
 * A component is a state machine driven by the kernel: it is started (on boot and after every restart,
 * as a fresh instance built by its factory), receives messages and timer firings, and acts only
 * through its Context.
 */
export interface Component {
  start(ctx: Context): void;
  onMessage(ctx: Context, from: EndpointId, message: Message): void;
  onTimer(ctx: Context, tag: TimerTag): void;
}

/** Builds a fresh instance of a component: at boot, and again after each restart (volatile state is gone). */
export type ComponentFactory = () => Component;
