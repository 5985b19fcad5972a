export type {
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
export { Simulation, SimulationLimitError } from './kernel.js';
export type { RunOptions, RunOutcome, SimulationOptions, ObservationListener } from './kernel.js';
export { Host, DEFAULT_FSYNC_LATENCY } from './host.js';
export type { HostOptions, HostState, LatencySpec } from './host.js';
export { Network } from './network.js';
export type { NetworkConfig } from './network.js';
export { EventQueue } from './queue.js';
export { Rng } from './rng.js';
export { TraceHash } from './trace.js';
export { DurationError, MICROS_PER_MS, MICROS_PER_S, formatDuration, ms, parseDuration, s, toMillis, toSeconds, us } from './time.js';
export type { Micros } from './time.js';
