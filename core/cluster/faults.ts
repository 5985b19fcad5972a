import type { Simulation } from '../../sim/kernel.js';
import type { Micros } from '../../sim/time.js';
import { assertNever } from '../util/assert.js';
import { groupHosts, type HostLayout } from './hosts.js';
import type { ObservedState } from './observed.js';
import type { Fault, FaultTarget, LeaderKind, PartitionSpec } from './scenario.js';

/** When a fault was active, for convergence and the report's shaded windows. */
export interface FaultWindow {
  readonly index: number;
  readonly kind: Fault['kind'];
  /** The fault as written, with a resolved leader appended (`crash leader(etcd) → master-2`). */
  label: string;
  readonly injectedUs: Micros;
  /** Heal or restart time; undefined for a permanent fault (or one skipped because its target was absent). */
  healedUs: Micros | undefined;
  /** True when it fired; false if its target did not exist at fire time (e.g. no leader). */
  fired: boolean;
}

export function describeTarget(t: FaultTarget): string {
  switch (t.type) {
    case 'host':
      return t.host;
    case 'group':
      return t.group;
    case 'instance':
      return `${t.component}@${t.host}`;
    case 'leader':
      return `leader(${t.component})`;
    default:
      return assertNever(t, 'target');
  }
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'crash':
      return `crash ${describeTarget(f.target)}`;
    case 'partition':
      return `partition ${describePartition(f.partition)}${f.oneWay ? ' (one-way)' : ''}`;
    case 'loss':
      return `loss ${f.rate}`;
    case 'latency':
      return `latency +${f.latency.medianUs / 1000}ms/p99 ${f.latency.p99Us / 1000}ms`;
    case 'clockSkew':
      return `clockSkew ${describeTarget(f.target)}${f.offsetUs !== undefined ? ` offset ${f.offsetUs / 1e6}s` : ''}${f.drift !== undefined ? ` drift ${f.drift}` : ''}`;
    case 'pause':
      return `pause ${describeTarget(f.target)}`;
    case 'slowDisk':
      return `slowDisk ${describeTarget(f.target)} ×${f.factor}`;
    default:
      return assertNever(f, 'fault');
  }
}

function describePartition(p: PartitionSpec): string {
  switch (p.type) {
    case 'groups':
      return p.sides.map((s) => `[${s.map(describeTarget).join(' ')}]`).join(' | ');
    case 'isolate':
      return `isolate ${describeTarget(p.target)}`;
    case 'split':
      return `split ${p.group} leader in ${p.leaderIn}`;
    default:
      return assertNever(p, 'partition');
  }
}

/** The component whose leader decides how a group splits. */
const GROUP_LEADER: Readonly<Record<string, LeaderKind | undefined>> = {
  etcd: 'etcd',
  masters: 'kube-controller-manager',
  workers: undefined,
};

/**
 * Schedules the scenario's faults on the kernel and carries them out. Targets are resolved when the
 * fault fires (a `leader(X)` is whoever the observers last saw leading). Crashes and pauses of a
 * component instance or a leader act on that one process (`kill -9`, a GC pause), its neighbours on
 * the master carrying on; host and group targets act on whole machines. Clocks, disks and network
 * links belong to machines, so those faults act on the host that runs the targeted process.
 */
export class FaultInjector {
  readonly windows: FaultWindow[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly layout: HostLayout,
    private readonly state: ObservedState,
  ) {}

  schedule(faults: readonly Fault[]): void {
    faults.forEach((fault, index) => {
      const window: FaultWindow = { index, kind: fault.kind, label: describeFault(fault), injectedUs: fault.atUs, healedUs: undefined, fired: false };
      this.windows.push(window);
      this.sim.at(fault.atUs, `fault/${index}/${fault.kind}`, () => this.inject(fault, window));
    });
  }

  /** Hosts a target names right now; empty when a leader is unknown. */
  hostsOf(target: FaultTarget): string[] {
    switch (target.type) {
      case 'host':
        return [target.host];
      case 'group':
        return [...groupHosts(this.layout, target.group)];
      case 'instance':
        return [target.host];
      case 'leader': {
        const endpoint = this.state.leaderEndpoints.get(target.component);
        if (endpoint === undefined || endpoint === '') return [];
        const id = this.sim.endpointId(endpoint);
        return id === undefined ? [] : [this.sim.hostOfEndpoint(id)];
      }
      default:
        return assertNever(target, 'target');
    }
  }

  /** The one process a target names (instance or leader), or undefined for host and group targets. */
  processOf(target: FaultTarget): string | undefined {
    switch (target.type) {
      case 'host':
      case 'group':
        return undefined;
      case 'instance': {
        if (target.component === 'etcd') {
          const index = this.layout.etcdHosts.indexOf(target.host);
          return index < 0 ? '' : (this.layout.etcdEndpoints[index] ?? '');
        }
        const name = `${target.component}@${target.host}`;
        return this.sim.endpointId(name) === undefined ? '' : name;
      }
      case 'leader':
        return this.state.leaderEndpoints.get(target.component) ?? '';
      default:
        return assertNever(target, 'target');
    }
  }

  /** Kills or stops the targeted process(es) or host(s); returns how to undo it, or a reason it could not fire. */
  private stopTargets(target: FaultTarget, window: FaultWindow, mode: 'crash' | 'pause'): (() => void) | string {
    const sim = this.sim;
    const process = this.processOf(target);
    if (process !== undefined) {
      if (process === '') return `no ${describeTarget(target)} at fire time`;
      if (target.type === 'leader') window.label = `${window.label} → ${process}`;
      if (mode === 'crash') {
        sim.crashProcess(process);
        return () => sim.restartProcess(process);
      }
      sim.pauseProcess(process);
      return () => sim.resumeProcess(process);
    }
    const hosts = this.hostsOf(target);
    if (hosts.length === 0) return `no ${describeTarget(target)} at fire time`;
    this.resolved(window, target, hosts);
    for (const h of hosts) (mode === 'crash' ? sim.crash(h) : sim.pause(h));
    return () => {
      for (const h of hosts) (mode === 'crash' ? sim.restart(h) : sim.resume(h));
    };
  }

  private resolved(window: FaultWindow, target: FaultTarget, hosts: readonly string[]): void {
    if (target.type === 'leader' || target.type === 'group') window.label = `${window.label} → ${hosts.join(',')}`;
  }

  private skip(window: FaultWindow, why: string): void {
    this.state.event(this.sim.now, 'fault.skipped', window.label, why);
  }

  private injected(window: FaultWindow, detail = ''): void {
    window.fired = true;
    this.state.faultsActive++;
    this.state.event(this.sim.now, 'fault.injected', window.label, detail);
  }

  private healAfter(window: FaultWindow, forUs: Micros | undefined, heal: () => void): void {
    if (forUs === undefined) return;
    const at = this.sim.now + forUs;
    window.healedUs = at;
    this.sim.at(at, `heal/${window.index}`, () => {
      heal();
      this.state.faultsActive--;
      this.state.event(this.sim.now, 'fault.healed', window.label);
    });
  }

  private inject(fault: Fault, window: FaultWindow): void {
    const sim = this.sim;
    switch (fault.kind) {
      case 'crash': {
        const undo = this.stopTargets(fault.target, window, 'crash');
        if (typeof undo === 'string') return this.skip(window, undo);
        this.injected(window, fault.restartAfterUs === undefined ? 'permanent' : `restart after ${fault.restartAfterUs / 1e6}s`);
        this.healAfter(window, fault.restartAfterUs, undo);
        return;
      }
      case 'partition': {
        const sides = this.sides(fault.partition);
        if (sides.filter((s) => s.length > 0).length < 2) return this.skip(window, 'fewer than two non-empty sides at fire time');
        window.label = `${window.label} → ${sides.map((s) => `[${s.join(' ')}]`).join(' | ')}`;
        const id = sim.network.partition(sides, { oneWay: fault.oneWay });
        this.state.partitionsActive = sim.network.activePartitions;
        this.injected(window);
        this.healAfter(window, fault.forUs, () => {
          sim.network.heal(id);
          this.state.partitionsActive = sim.network.activePartitions;
        });
        return;
      }
      case 'loss': {
        const id = sim.network.degrade({ loss: fault.rate });
        this.injected(window);
        this.healAfter(window, fault.forUs, () => sim.network.heal(id));
        return;
      }
      case 'latency': {
        const id = sim.network.degrade({ extraLatency: { median: fault.latency.medianUs, p99: fault.latency.p99Us } });
        this.injected(window);
        this.healAfter(window, fault.forUs, () => sim.network.heal(id));
        return;
      }
      case 'clockSkew': {
        const hosts = this.hostsOf(fault.target);
        if (hosts.length === 0) return this.skip(window, `no ${describeTarget(fault.target)} at fire time`);
        this.resolved(window, fault.target, hosts);
        const before = hosts.map((h) => ({ h, offset: sim.host(h).clockOffset, drift: sim.host(h).clockDrift }));
        for (const b of before) {
          if (fault.offsetUs !== undefined) sim.setClockOffset(b.h, b.offset + fault.offsetUs);
          if (fault.drift !== undefined) sim.setClockDrift(b.h, fault.drift);
        }
        this.injected(window);
        // Healing restores the drift rate; an offset step is undone by stepping back (as NTP would).
        this.healAfter(window, fault.forUs, () => {
          for (const b of before) {
            if (fault.drift !== undefined) sim.setClockDrift(b.h, b.drift);
            if (fault.offsetUs !== undefined) sim.setClockOffset(b.h, sim.host(b.h).clockOffset - fault.offsetUs);
          }
        });
        return;
      }
      case 'pause': {
        const undo = this.stopTargets(fault.target, window, 'pause');
        if (typeof undo === 'string') return this.skip(window, undo);
        this.injected(window);
        this.healAfter(window, fault.forUs, undo);
        return;
      }
      case 'slowDisk': {
        const hosts = this.hostsOf(fault.target);
        if (hosts.length === 0) return this.skip(window, `no ${describeTarget(fault.target)} at fire time`);
        this.resolved(window, fault.target, hosts);
        for (const h of hosts) sim.setDiskSlowdown(h, fault.factor);
        this.injected(window);
        this.healAfter(window, fault.forUs, () => {
          for (const h of hosts) sim.setDiskSlowdown(h, 1);
        });
        return;
      }
      default:
        return assertNever(fault, 'fault');
    }
  }

  /** Host lists per side; a host named on two sides stays on the first (a host cannot be in two places). */
  private sides(p: PartitionSpec): string[][] {
    const seen = new Set<string>();
    const take = (hosts: readonly string[]): string[] => {
      const out: string[] = [];
      for (const h of hosts) {
        if (seen.has(h)) continue;
        seen.add(h);
        out.push(h);
      }
      return out;
    };
    switch (p.type) {
      case 'groups':
        return p.sides.map((side) => take(side.flatMap((t) => this.hostsOf(t))));
      case 'isolate': {
        const isolated = take(this.hostsOf(p.target));
        return [isolated, take(this.layout.all)];
      }
      case 'split': {
        const hosts = [...groupHosts(this.layout, p.group)];
        const leaderKind = GROUP_LEADER[p.group];
        const leaderHost = leaderKind === undefined ? undefined : this.hostsOf({ type: 'leader', component: leaderKind })[0];
        const ordered = leaderHost === undefined ? hosts : [leaderHost, ...hosts.filter((h) => h !== leaderHost)];
        // Minority: the largest side without a quorum, e.g. 1 of 3, 2 of 5.
        const minoritySize = Math.floor((hosts.length - 1) / 2);
        if (p.leaderIn === 'minority') return [take(ordered.slice(0, minoritySize)), take(ordered.slice(minoritySize))];
        const majoritySize = hosts.length - minoritySize;
        return [take(ordered.slice(0, majoritySize)), take(ordered.slice(majoritySize))];
      }
      default:
        return assertNever(p, 'partition');
    }
  }
}
