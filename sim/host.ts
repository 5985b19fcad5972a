import type { Micros } from './time.js';

export type HostState = 'up' | 'crashed' | 'paused';

/** A latency distribution given as a median and a 99th percentile (fitted as a log-normal). */
export interface LatencySpec {
  readonly median: Micros;
  readonly p99: Micros;
}

export interface HostOptions {
  /** fsync latency of this host's disk; default median 2ms, p99 10ms (a datacenter SSD under etcd's load). */
  readonly fsyncLatency?: LatencySpec;
}

export const DEFAULT_FSYNC_LATENCY: LatencySpec = { median: 2_000, p99: 10_000 };

/**
 * A machine: a local clock, a disk and a power switch. The local clock reads
 * `virtual time + offset + accumulated drift`, where drift accumulates at `driftRate` local
 * microseconds per virtual microsecond; offset steps and drift changes never move it backwards in
 * between two changes, so every component on the host sees a consistent, possibly wrong, clock.
 */
export class Host {
  readonly id: number;
  readonly name: string;
  state: HostState = 'up';
  /** Endpoints of the components that live here, in registration order. */
  readonly endpoints: number[] = [];
  fsyncLatency: LatencySpec;
  diskSlowdown = 1;

  private offset: Micros = 0;
  private driftRate = 0;
  private driftAnchorVirtual: Micros = 0;
  private driftAnchorAccumulated = 0;

  constructor(id: number, name: string, options: HostOptions = {}) {
    this.id = id;
    this.name = name;
    this.fsyncLatency = options.fsyncLatency ?? DEFAULT_FSYNC_LATENCY;
  }

  /** The host's local clock at virtual time `now`, in whole microseconds. */
  localTime(now: Micros): Micros {
    const drift = this.driftAnchorAccumulated + (now - this.driftAnchorVirtual) * this.driftRate;
    return Math.floor(now + this.offset + drift);
  }

  /** Local microseconds that pass per virtual microsecond. */
  get rate(): number {
    return 1 + this.driftRate;
  }

  /** Virtual delay after which `localDelay` has passed on this host's clock (never negative). */
  virtualDelay(localDelay: Micros): Micros {
    if (localDelay <= 0) return 0;
    if (this.driftRate === 0) return Math.ceil(localDelay);
    return Math.ceil(localDelay / this.rate);
  }

  /** Sets the clock's offset from true time (a step: NTP jump, misconfigured clock). */
  setOffset(offset: Micros): void {
    this.offset = offset;
  }

  get clockOffset(): Micros {
    return this.offset;
  }

  /** Sets the drift rate (0.5 = the clock runs 1.5× fast, -0.5 = half speed) from virtual time `now` on. */
  setDrift(now: Micros, driftRate: number): void {
    if (!(driftRate > -1)) throw new Error(`host ${this.name}: drift rate ${driftRate} would stop or reverse the clock`);
    this.driftAnchorAccumulated += (now - this.driftAnchorVirtual) * this.driftRate;
    this.driftAnchorVirtual = now;
    this.driftRate = driftRate;
  }

  get clockDrift(): number {
    return this.driftRate;
  }
}
