import type { Micros } from '../../sim/time.js';
import type { Observation } from '../../sim/component.js';

/**
 * Outside checker for leader election (DESIGN principle 6): it reads only what the electors and
 * their components reported (`election.belief`, `election.renew`, `election.write`) plus crash
 * notices from the harness, and derives the SPEC figures:
 * - split brain: virtual time during which ≥ 2 instances of one component believe they lead;
 * - failover: from the previous holder's last successful renew to another instance acquiring;
 * - stale writes: writes accepted by the API server whose fencing token (the leaseTransitions of the
 *   writer's term) is older than the newest term acquired at that moment.
 */
export interface ComponentElectionStats {
  readonly transitions: number;
  readonly failoverSeconds: readonly number[];
  readonly splitBrainSeconds: number;
  readonly staleWrites: number;
  /** Writes refused by the API server's fencing check. */
  readonly fencedWrites: number;
  /** Writes made while believing it leads (accepted or not). */
  readonly leaderWrites: number;
  /** First moment two instances believed they lead, seconds; undefined if never. */
  readonly firstSplitBrainAt?: number;
  /** First stale write accepted, seconds. */
  readonly firstStaleWriteAt?: number;
  readonly currentLeader?: string;
}

interface PerComponent {
  believers: Map<string, Micros>;
  splitSinceUs: Micros | undefined;
  splitTotalUs: Micros;
  firstSplitUs: Micros | undefined;
  /** Highest leaseTransitions acquired so far. */
  maxToken: number;
  holder: string | undefined;
  lastRenewUs: Map<string, Micros>;
  acquisitions: number;
  failoverUs: Micros[];
  staleWrites: number;
  firstStaleUs: Micros | undefined;
  fencedWrites: number;
  leaderWrites: number;
}

export class ElectionChecker {
  private readonly components = new Map<string, PerComponent>();
  /** endpoint name → (component, identity) it believed for, so a crash ends its belief. */
  private readonly endpointBeliefs = new Map<string, Array<{ component: string; identity: string }>>();
  private readonly endpointHosts = new Map<string, string>();

  /** Feed every observation of the run (sim.onObservation). */
  observe(timeUs: Micros, endpointName: string, obs: Observation): void {
    switch (obs.type) {
      case 'election.belief':
        this.onBelief(timeUs, endpointName, obs);
        return;
      case 'election.renew':
        this.onRenew(timeUs, obs);
        return;
      case 'election.write':
        this.onWrite(timeUs, obs);
        return;
      case 'host.crashed':
        // The kernel reports a crash once per host; every instance on it stops believing.
        this.hostDown(timeUs, String(obs.subject ?? endpointName));
        return;
      case 'process.crashed':
        this.endpointDown(timeUs, endpointName);
        return;
      default:
        return;
    }
  }

  /**
   * A host or process went down (crash): its instances stop believing anything. Call from the
   * harness when it crashes a host; a paused process keeps believing (that is the point).
   */
  endpointDown(timeUs: Micros, endpointName: string): void {
    const beliefs = this.endpointBeliefs.get(endpointName);
    if (beliefs === undefined) return;
    for (const b of beliefs) this.setBelief(timeUs, b.component, b.identity, false);
    this.endpointBeliefs.delete(endpointName);
  }

  /** Ends the beliefs of every instance that reported from `hostName`. */
  hostDown(timeUs: Micros, hostName: string): void {
    for (const [endpoint, host] of this.endpointHosts) if (host === hostName) this.endpointDown(timeUs, endpoint);
  }

  /** Closes open intervals at the end of the run and returns per-component figures. */
  stats(endUs: Micros): Map<string, ComponentElectionStats> {
    const out = new Map<string, ComponentElectionStats>();
    for (const name of [...this.components.keys()].sort()) {
      const c = this.state(name);
      const openSplit = c.splitSinceUs !== undefined ? endUs - c.splitSinceUs : 0;
      out.set(name, {
        transitions: c.acquisitions,
        failoverSeconds: c.failoverUs.map((u) => u / 1e6),
        splitBrainSeconds: (c.splitTotalUs + openSplit) / 1e6,
        staleWrites: c.staleWrites,
        fencedWrites: c.fencedWrites,
        leaderWrites: c.leaderWrites,
        ...(c.firstSplitUs !== undefined ? { firstSplitBrainAt: c.firstSplitUs / 1e6 } : {}),
        ...(c.firstStaleUs !== undefined ? { firstStaleWriteAt: c.firstStaleUs / 1e6 } : {}),
        ...(c.holder !== undefined ? { currentLeader: c.holder } : {}),
      });
    }
    return out;
  }

  /** election.noSplitBrain: held when no component ever had two believers at once. */
  noSplitBrain(endUs: Micros): { held: boolean; firstViolationAt?: number; detail?: string } {
    for (const [name, st] of this.stats(endUs)) {
      if (st.splitBrainSeconds > 0) {
        return { held: false, ...(st.firstSplitBrainAt !== undefined ? { firstViolationAt: st.firstSplitBrainAt } : {}), detail: `${name}: ${st.splitBrainSeconds.toFixed(3)}s of split brain` };
      }
    }
    return { held: true };
  }

  /** election.fencing: held when no stale write was accepted. */
  fencing(endUs: Micros): { held: boolean; firstViolationAt?: number; detail?: string } {
    for (const [name, st] of this.stats(endUs)) {
      if (st.staleWrites > 0) {
        return { held: false, ...(st.firstStaleWriteAt !== undefined ? { firstViolationAt: st.firstStaleWriteAt } : {}), detail: `${name}: ${st.staleWrites} stale writes accepted` };
      }
    }
    return { held: true };
  }

  private onBelief(timeUs: Micros, endpointName: string, obs: Observation): void {
    const component = String(obs['component'] ?? obs.subject ?? '');
    const identity = String(obs['identity'] ?? endpointName);
    const leading = obs['leading'] === true;
    const token = typeof obs['leaseTransitions'] === 'number' ? obs['leaseTransitions'] : -1;
    if (typeof obs['host'] === 'string') this.endpointHosts.set(endpointName, obs['host']);
    const c = this.state(component);
    if (leading) {
      const previous = c.holder;
      if (previous !== undefined && (previous !== identity || token > c.maxToken)) {
        // A change of term after the first acquisition, as the Lease's leaseTransitions counts it.
        c.acquisitions++;
        // Failover: from the previous holder's last successful renew (when it stopped renewing).
        const lastRenew = previous !== undefined ? c.lastRenewUs.get(previous) : undefined;
        if (previous !== undefined && previous !== identity && lastRenew !== undefined) c.failoverUs.push(timeUs - lastRenew);
      }
      c.holder = identity;
      c.maxToken = Math.max(c.maxToken, token);
      c.lastRenewUs.set(identity, timeUs);
      const list = this.endpointBeliefs.get(endpointName) ?? [];
      if (!list.some((b) => b.component === component && b.identity === identity)) list.push({ component, identity });
      this.endpointBeliefs.set(endpointName, list);
    }
    this.setBelief(timeUs, component, identity, leading);
  }

  private onRenew(timeUs: Micros, obs: Observation): void {
    const component = String(obs['component'] ?? obs.subject ?? '');
    const identity = String(obs['identity'] ?? '');
    this.state(component).lastRenewUs.set(identity, timeUs);
  }

  private onWrite(timeUs: Micros, obs: Observation): void {
    const component = String(obs['component'] ?? obs.subject ?? '');
    const token = typeof obs['token'] === 'number' ? obs['token'] : -1;
    const c = this.state(component);
    c.leaderWrites++;
    if (obs['fenced'] === true) c.fencedWrites++;
    if (obs['accepted'] !== true) return;
    if (token < c.maxToken) {
      c.staleWrites++;
      if (c.firstStaleUs === undefined) c.firstStaleUs = timeUs;
    }
  }

  private setBelief(timeUs: Micros, component: string, identity: string, leading: boolean): void {
    const c = this.state(component);
    if (leading) c.believers.set(identity, timeUs);
    else c.believers.delete(identity);
    const split = c.believers.size >= 2;
    if (split && c.splitSinceUs === undefined) {
      c.splitSinceUs = timeUs;
      if (c.firstSplitUs === undefined) c.firstSplitUs = timeUs;
    } else if (!split && c.splitSinceUs !== undefined) {
      // Observations arrive in time order from the kernel; clamp anyway so a late notice cannot subtract.
      c.splitTotalUs += Math.max(0, timeUs - c.splitSinceUs);
      c.splitSinceUs = undefined;
    }
  }

  private state(component: string): PerComponent {
    let c = this.components.get(component);
    if (c === undefined) {
      c = {
        believers: new Map(),
        splitSinceUs: undefined,
        splitTotalUs: 0,
        firstSplitUs: undefined,
        maxToken: -1,
        holder: undefined,
        lastRenewUs: new Map(),
        acquisitions: 0,
        failoverUs: [],
        staleWrites: 0,
        firstStaleUs: undefined,
        fencedWrites: 0,
        leaderWrites: 0,
      };
      this.components.set(component, c);
    }
    return c;
  }
}
