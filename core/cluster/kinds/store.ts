import type { Observation } from '../../../sim/component.js';
import { ms, type Micros } from '../../../sim/time.js';
import { StoreMember } from '../../store/storeMember.js';
import { History } from '../../store/history.js';
import type { StoreRecorder } from '../../store/recorder.js';
import { ElectionSafetyChecker } from '../../store/checkers/electionSafety.js';
import { LogMatchingChecker } from '../../store/checkers/logMatching.js';
import { DurabilityChecker } from '../../store/checkers/durability.js';
import { LinearizableChecker } from '../../store/checkers/linearizable.js';
import type { CheckResult } from '../../store/checkers/checkResult.js';
import type { ComponentKindEntry, InstallContext, Installation, InvariantResult } from '../kinds.js';
import type { InvariantName } from '../scenario.js';
import type { SummaryBuilder } from '../summary.js';
import { percentile, round } from '../summary.js';
import { StoreLoad } from './storeLoad.js';

/** Synthetic load while kube-apiserver is not wired: one op every 100ms per master (5 writes/s + 5 reads/s). */
const LOAD_INTERVAL_US = ms(100);
const LOAD_KEYS = 8;

const STORE_INVARIANTS: readonly InvariantName[] = ['store.electionSafety', 'store.logMatching', 'store.durability', 'store.linearizable'];

function toInvariant(r: CheckResult, name: InvariantName): InvariantResult {
  return {
    name,
    held: r.held,
    checked: true,
    ...(r.firstViolationAt !== undefined ? { firstViolationAt: round(r.firstViolationAt) } : {}),
    ...(r.detail !== undefined ? { detail: r.detail } : {}),
  };
}

/**
 * Wires the etcd members (stacked on masters or on their own hosts), the store checkers, and — while
 * no API server is wired — a synthetic client per master, and turns the members' observations into
 * the store leader/term columns, store.* figures and etcd's entry under leaderElection.
 */
class StoreInstallation implements Installation {
  private readonly electionSafety = new ElectionSafetyChecker();
  private readonly logMatching: LogMatchingChecker;
  private readonly durability: DurabilityChecker;
  private readonly history: History;
  /** Checks the history as operations settle and keeps only what it has not checked yet. */
  private readonly linearizableChecker = new LinearizableChecker();
  private readonly memberHost = new Map<string, string>();
  /** Members that believe they lead, by endpoint → the term they lead. */
  private readonly believers = new Map<string, number>();
  private splitSinceUs: Micros | undefined;
  private splitTotalUs = 0;
  private leaderChanges = 0;
  private commits = 0;
  private snapshotsTaken = 0;
  private snapshotsInstalled = 0;
  private readonly commitLatencyMs: number[] = [];
  /** When the acting leader stopped leading (crash, pause, step-down), awaiting a successor. */
  private leaderLostUs: Micros | undefined;
  private readonly failoverSeconds: number[] = [];
  private readonly downHosts = new Set<string>();
  private readonly pausedHosts = new Set<string>();
  private readonly members: readonly string[];

  constructor(private readonly ctx: InstallContext) {
    const { sim, scenario, layout } = ctx;
    this.history = new History(() => sim.now, this.linearizableChecker);
    const etcd = scenario.cluster.etcd;
    this.members = layout.etcdEndpoints;
    this.logMatching = new LogMatchingChecker(this.members);
    this.durability = new DurabilityChecker(this.members);
    const recorder: StoreRecorder = {
      onApply: (member, index, term, data) => {
        this.logMatching.onApply(sim.now, member, index, term, data);
        for (const listener of ctx.services.storeApplyListeners) listener(sim.now, index, data);
        this.durability.onApply(sim.now, member, index, term);
      },
      onLeaderElected: (member, term, termAt) => {
        this.electionSafety.onLeaderElected(sim.now, member, term);
        this.durability.onLeaderElected(sim.now, member, term, termAt);
      },
      onAck: (index, term) => this.durability.onAck(sim.now, index, term),
      onSnapshot: (member, index, term) => {
        this.logMatching.onSnapshot(sim.now, member, index, term);
        this.durability.onSnapshot(sim.now, member, index, term);
      },
    };
    ctx.services.storeHistory = this.history;
    ctx.services.storeRecorder = recorder;
    layout.etcdEndpoints.forEach((endpoint, i) => {
      const host = layout.etcdHosts[i] ?? endpoint;
      this.memberHost.set(endpoint, host);
      sim.addComponent(host, endpoint, () =>
        new StoreMember({
          members: layout.etcdEndpoints,
          heartbeatUs: etcd.heartbeatIntervalUs,
          electionTimeoutUs: etcd.electionTimeoutUs,
          recorder,
          ...(etcd.snapshotCount === undefined ? {} : { snapshotCount: etcd.snapshotCount }),
          ...(etcd.snapshotCatchUpEntries === undefined ? {} : { snapshotCatchUpEntries: etcd.snapshotCatchUpEntries }),
          ...(etcd.unsafeCommitWithoutQuorum === true ? { unsafeCommitWithoutQuorum: true } : {}),
        }),
      );
    });
    if (!ctx.kinds.includes('kube-apiserver')) {
      const clientHosts = layout.masters.length > 0 ? layout.masters : ['store-client'];
      if (layout.masters.length === 0) sim.addHost('store-client');
      for (const host of clientHosts) {
        sim.addComponent(host, `store-load@${host}`, () =>
          new StoreLoad({ members: layout.etcdEndpoints, history: this.history, recorder, intervalUs: LOAD_INTERVAL_US, keys: LOAD_KEYS, maxInFlight: 16 }),
        );
      }
    }
  }

  observe(timeUs: Micros, endpoint: string, obs: Observation): void {
    const state = this.ctx.state;
    switch (obs.type) {
      case 'store.leader': {
        const term = typeof obs['term'] === 'number' ? obs['term'] : 0;
        if (obs['event'] === 'elected') {
          this.leaderChanges++;
          if (this.leaderLostUs !== undefined) this.failoverSeconds.push(round((timeUs - this.leaderLostUs) / 1e6));
          this.leaderLostUs = undefined;
          this.setBelief(timeUs, endpoint, true, term);
          state.storeLeader = endpoint;
          state.storeTerm = Math.max(state.storeTerm, term);
          state.leaderEndpoints.set('etcd', endpoint);
          state.event(timeUs, 'store.election', endpoint, `leader of term ${term}${typeof obs['electionMs'] === 'number' ? ` after a ${round(obs['electionMs'], 3)}ms campaign` : ''}`);
        } else if (obs['event'] === 'steppedDown') {
          this.setBelief(timeUs, endpoint, false);
          state.event(timeUs, 'leader.lost', endpoint, `etcd leader of term ${term} stepped down`);
          this.leaderGone(timeUs, endpoint);
        }
        return;
      }
      case 'store.snapshot':
        if (obs['event'] === 'installed') {
          this.snapshotsInstalled++;
          state.event(timeUs, 'store.snapshot', endpoint, `installed the leader's snapshot at index ${String(obs['index'])}`);
        } else {
          this.snapshotsTaken++;
        }
        return;
      case 'store.commit': {
        const count = typeof obs['count'] === 'number' ? obs['count'] : 0;
        this.commits += count;
        this.ctx.state.storeCommitsThisSecond += count;
        const lat = obs['latenciesUs'];
        if (Array.isArray(lat)) for (const l of lat) if (typeof l === 'number') this.commitLatencyMs.push(l / 1000);
        return;
      }
      case 'host.crashed':
        this.downHosts.add(endpoint);
        this.hostLost(timeUs, endpoint, true);
        return;
      case 'host.restarted':
        this.downHosts.delete(endpoint);
        return;
      case 'host.paused':
        this.pausedHosts.add(endpoint);
        this.hostLost(timeUs, endpoint, false);
        return;
      case 'host.resumed':
        this.pausedHosts.delete(endpoint);
        this.hostBack(timeUs, endpoint);
        return;
      // A fault on one process: `endpoint` is the member itself (other processes are none of ours).
      case 'process.crashed':
        if (!this.memberHost.has(endpoint)) return;
        this.downMembers.add(endpoint);
        this.memberLost(timeUs, endpoint, true);
        return;
      case 'process.restarted':
        this.downMembers.delete(endpoint);
        return;
      case 'process.paused':
        if (!this.memberHost.has(endpoint)) return;
        this.pausedMembers.add(endpoint);
        this.memberLost(timeUs, endpoint, false);
        return;
      case 'process.resumed':
        if (!this.pausedMembers.delete(endpoint)) return;
        this.memberBack(endpoint);
        return;
      default:
        return;
    }
  }

  /** Fenced writes (multi-key txns) are in the history too: StoreClient records each key they write. */
  private linearizable(): InvariantResult {
    return toInvariant(this.linearizableChecker.result(), 'store.linearizable');
  }

  /** A host went down or stopped: a leader on it stops acting (a crashed one also stops believing). */
  private hostLost(timeUs: Micros, host: string, crashed: boolean): void {
    for (const [member, memberHost] of this.memberHost) if (memberHost === host) this.memberLost(timeUs, member, crashed);
  }

  private memberLost(timeUs: Micros, member: string, crashed: boolean): void {
    if (crashed) this.setBelief(timeUs, member, false);
    this.leaderGone(timeUs, member);
  }

  /** Members whose process (not host) is down or stopped. */
  private readonly downMembers = new Set<string>();
  private readonly pausedMembers = new Set<string>();

  private memberRunning(member: string): boolean {
    const host = this.memberHost.get(member) ?? '';
    return !this.downHosts.has(host) && !this.pausedHosts.has(host) && !this.downMembers.has(member) && !this.pausedMembers.has(member);
  }

  /**
   * A paused host resumed: a member on it that still leads the newest term (nobody replaced it
   * meanwhile) is the acting leader again, and no failover happened.
   */
  private hostBack(_timeUs: Micros, host: string): void {
    for (const member of this.believers.keys()) if (this.memberHost.get(member) === host) this.memberBack(member);
  }

  private memberBack(member: string): void {
    const state = this.ctx.state;
    const term = this.believers.get(member);
    if (state.storeLeader !== '' || term === undefined || term < state.storeTerm || !this.memberRunning(member)) return;
    state.storeLeader = member;
    state.leaderEndpoints.set('etcd', member);
    this.leaderLostUs = undefined;
  }

  private leaderGone(timeUs: Micros, member: string): void {
    const state = this.ctx.state;
    if (state.storeLeader !== member) return;
    state.storeLeader = '';
    state.leaderEndpoints.delete('etcd');
    this.leaderLostUs ??= timeUs;
  }

  private setBelief(timeUs: Micros, member: string, leads: boolean, term = 0): void {
    if (leads) this.believers.set(member, term);
    else this.believers.delete(member);
    const split = this.believers.size >= 2;
    if (split && this.splitSinceUs === undefined) {
      this.splitSinceUs = timeUs;
      this.ctx.state.splitBrain.push({ component: 'etcd', startUs: timeUs, endUs: undefined });
    } else if (!split && this.splitSinceUs !== undefined) {
      this.splitTotalUs += timeUs - this.splitSinceUs;
      this.splitSinceUs = undefined;
      for (const b of this.ctx.state.splitBrain) if (b.component === 'etcd' && b.endUs === undefined) b.endUs = timeUs;
    }
  }

  /** The store can commit: a leader is known, it is running, and a majority of members' hosts are up. */
  converged(): boolean {
    const leader = this.ctx.state.storeLeader;
    if (leader === '') return false;
    // Asked after every observation (every API request): with no host or member down or paused,
    // every member runs, without a lookup per member.
    if (this.downHosts.size === 0 && this.pausedHosts.size === 0 && this.downMembers.size === 0 && this.pausedMembers.size === 0) {
      return this.memberHost.size * 2 > this.members.length;
    }
    if (!this.memberRunning(leader)) return false;
    let up = 0;
    for (const member of this.memberHost.keys()) if (this.memberRunning(member)) up++;
    return up * 2 > this.members.length;
  }

  invariants(): readonly InvariantResult[] {
    return [
      toInvariant(this.electionSafety.result(), 'store.electionSafety'),
      toInvariant(this.logMatching.result(), 'store.logMatching'),
      toInvariant(this.durability.result(), 'store.durability'),
      this.linearizable(),
    ];
  }

  summarise(summary: SummaryBuilder, endUs: Micros): void {
    const splitUs = this.splitTotalUs + (this.splitSinceUs === undefined ? 0 : endUs - this.splitSinceUs);
    summary.store = {
      leaderChanges: this.leaderChanges,
      commits: this.commits,
      commitLatencyMs: { p50: roundOrNull(percentile(this.commitLatencyMs, 50)), p99: roundOrNull(percentile(this.commitLatencyMs, 99)) },
      writesPerSec: endUs > 0 ? round(this.commits / (endUs / 1e6), 3) : 0,
      snapshots: { taken: this.snapshotsTaken, installed: this.snapshotsInstalled },
    };
    summary.leaderElection['etcd'] = {
      transitions: this.leaderChanges,
      failoverSeconds: this.failoverSeconds,
      splitBrainSeconds: round(splitUs / 1e6),
      staleWrites: 0,
      fencedWrites: 0,
    };
  }
}

function roundOrNull(v: number | null): number | null {
  return v === null ? null : round(v, 3);
}

export const STORE_KIND: ComponentKindEntry = {
  name: 'etcd',
  checks: STORE_INVARIANTS,
  enabled: (scenario) => scenario.cluster.etcd.members > 0,
  install: (ctx) => new StoreInstallation(ctx),
};
