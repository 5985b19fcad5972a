import type { Rng } from './rng.js';
import type { LatencySpec } from './host.js';
import type { Micros } from './time.js';

export interface NetworkConfig {
  /** One-way latency between hosts; default median 500us, p99 5ms (one datacenter). */
  readonly latency?: LatencySpec;
  /** Probability that a message between two hosts is lost; default 0. */
  readonly loss?: number;
  /** Probability that a message is delivered twice; default 0 (TCP does not duplicate). */
  readonly duplicate?: number;
  /** Deliver in latency order rather than FIFO per link; default false (links behave like TCP streams). */
  readonly reorder?: boolean;
  /** Link bandwidth in bytes per microsecond for the size term; default 125 (1 Gbit/s). */
  readonly bandwidthBytesPerUs?: number;
  /** Latency between two components on the same host; default 20us (loopback). */
  readonly loopbackLatency?: Micros;
}

/** A degradation of the links touching some hosts: a latency spike and/or extra loss. */
export interface LinkFault {
  /** Host ids affected, or undefined for every link. */
  readonly hosts: ReadonlySet<number> | undefined;
  readonly extraLatency?: LatencySpec;
  readonly loss?: number;
}

interface Partition {
  /** Group index per host id; -1 for hosts not named in the partition (they reach everyone). */
  readonly groupOf: Int32Array;
  readonly oneWay: boolean;
}

/**
 * The simulated network: latency, loss, duplication, FIFO links and partitions. It decides when (and
 * whether) a message arrives; the kernel does the delivering. Partitions are checked both when a
 * message is sent and when it would arrive, so a cut drops messages already in flight.
 */
export class Network {
  private latency: LatencySpec = { median: 500, p99: 5_000 };
  private loss = 0;
  private duplicate = 0;
  private reorder = false;
  private bandwidthBytesPerUs = 125;
  private loopbackLatency: Micros = 20;
  private readonly partitions = new Map<number, Partition>();
  private readonly linkFaults = new Map<number, LinkFault>();
  private nextRuleId = 1;
  /** Last delivery time per (from endpoint, to endpoint), to keep links FIFO. */
  private readonly lastDelivery = new Map<number, Micros>();
  private readonly rng: Rng;
  private readonly hostIdByName: (name: string) => number;

  constructor(rng: Rng, hostIdByName: (name: string) => number) {
    this.rng = rng;
    this.hostIdByName = hostIdByName;
  }

  configure(config: NetworkConfig): void {
    if (config.latency !== undefined) this.latency = config.latency;
    if (config.loss !== undefined) this.loss = checkProbability('loss', config.loss);
    if (config.duplicate !== undefined) this.duplicate = checkProbability('duplicate', config.duplicate);
    if (config.reorder !== undefined) this.reorder = config.reorder;
    if (config.bandwidthBytesPerUs !== undefined) this.bandwidthBytesPerUs = config.bandwidthBytesPerUs;
    if (config.loopbackLatency !== undefined) this.loopbackLatency = config.loopbackLatency;
  }

  /**
   * Cuts the network between groups of hosts (by name). Symmetric by default; with `oneWay` only
   * messages from an earlier group to a later one are dropped. Returns an id for `heal`.
   */
  partition(groups: readonly (readonly string[])[], options: { oneWay?: boolean } = {}): number {
    let maxId = 0;
    const ids = groups.map((group) => group.map((name) => this.hostIdByName(name)));
    for (const group of ids) for (const id of group) maxId = Math.max(maxId, id);
    const groupOf = new Int32Array(maxId + 1).fill(-1);
    ids.forEach((group, index) => {
      for (const id of group) groupOf[id] = index;
    });
    const id = this.nextRuleId++;
    this.partitions.set(id, { groupOf, oneWay: options.oneWay ?? false });
    return id;
  }

  heal(id: number): void {
    this.partitions.delete(id);
    this.linkFaults.delete(id);
  }

  get activePartitions(): number {
    return this.partitions.size;
  }

  /** Adds a latency spike or loss on the links touching `hostNames` (every link when omitted). */
  degrade(fault: { hostNames?: readonly string[]; extraLatency?: LatencySpec; loss?: number }): number {
    const hosts = fault.hostNames === undefined ? undefined : new Set(fault.hostNames.map((n) => this.hostIdByName(n)));
    const id = this.nextRuleId++;
    const rule: LinkFault = {
      hosts,
      ...(fault.extraLatency !== undefined ? { extraLatency: fault.extraLatency } : {}),
      ...(fault.loss !== undefined ? { loss: checkProbability('loss', fault.loss) } : {}),
    };
    this.linkFaults.set(id, rule);
    return id;
  }

  /** True when an active partition drops messages from host `from` to host `to`. */
  isCut(from: number, to: number): boolean {
    if (this.partitions.size === 0 || from === to) return false;
    for (const partition of this.partitions.values()) {
      const a = from < partition.groupOf.length ? (partition.groupOf[from] as number) : -1;
      const b = to < partition.groupOf.length ? (partition.groupOf[to] as number) : -1;
      if (a < 0 || b < 0 || a === b) continue;
      if (!partition.oneWay || a < b) return true;
    }
    return false;
  }

  /**
   * The virtual time at which a message sent now arrives, or -1 if it is lost. `copies` is set to 2
   * when the message is duplicated.
   */
  arrival(now: Micros, fromEp: number, toEp: number, fromHost: number, toHost: number, sizeBytes: number): Micros {
    this.copies = 1;
    if (fromHost === toHost) return now + this.loopbackLatency;
    if (this.isCut(fromHost, toHost)) return -1;
    let latency = this.rng.lognormal(this.latency.median, this.latency.p99);
    let loss = this.loss;
    if (this.linkFaults.size > 0) {
      for (const fault of this.linkFaults.values()) {
        if (fault.hosts !== undefined && !fault.hosts.has(fromHost) && !fault.hosts.has(toHost)) continue;
        if (fault.extraLatency !== undefined) latency += this.rng.lognormal(fault.extraLatency.median, fault.extraLatency.p99);
        if (fault.loss !== undefined) loss = 1 - (1 - loss) * (1 - fault.loss);
      }
    }
    if (loss > 0 && this.rng.chance(loss)) return -1;
    if (this.duplicate > 0 && this.rng.chance(this.duplicate)) this.copies = 2;
    let at = now + Math.max(1, Math.round(latency + sizeBytes / this.bandwidthBytesPerUs));
    if (!this.reorder) {
      const link = fromEp * 1_048_576 + toEp;
      const last = this.lastDelivery.get(link);
      if (last !== undefined && last > at) at = last;
      this.lastDelivery.set(link, at);
    }
    return at;
  }
  copies = 1;
}

function checkProbability(name: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`network ${name} must be a probability in [0, 1], got ${p}`);
  return p;
}
