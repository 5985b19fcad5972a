import type { LatencySpec } from '../../sim/index.js';
import type { StoreMemberOptions } from './storeMember.js';
import { Simulation } from '../../sim/index.js';
import { StoreMember } from './storeMember.js';
import { LoadClient } from './loadClient.js';
import { StoreCheckers } from './checkers/storeCheckers.js';

export interface StoreClusterOptions {
  readonly seed: number | string;
  /** Number of members: 1, 3, 5 or 7. */
  readonly members: number;
  /** Load clients, each on its own host (default 2; 0 for election-only runs). */
  readonly clients?: number;
  readonly keys?: number;
  readonly meanGapUs?: number;
  readonly maxInFlight?: number;
  readonly readShare?: number;
  readonly member?: Omit<StoreMemberOptions, 'members' | 'recorder'>;
  readonly fsyncLatency?: LatencySpec;
  readonly latency?: LatencySpec;
  readonly loss?: number;
  readonly clientAttemptTimeoutUs?: number;
  /** Record the client history and feed the checkers (default true); benchmarks turn it off. */
  readonly record?: boolean;
  /** Clients stop issuing operations at this time, µs (default never). */
  readonly loadStopUs?: number;
  /** client-1 reads every key linearizably at this time, µs (default never). */
  readonly readAllAtUs?: number;
  readonly clientDeadlineUs?: number;
  /** Keep the whole client history and check store.linearizable over it at the end (default: as operations settle). */
  readonly keepHistory?: boolean;
}

/**
 * A store-only world for tests and benchmarks: N members on hosts etcd-1…etcd-N, load clients on
 * client-1…, and the four checkers wired in. The scenario runner builds the real cluster itself.
 */
export class StoreCluster {
  readonly sim: Simulation;
  readonly memberNames: string[];
  readonly clientNames: string[];
  readonly checkers: StoreCheckers;

  constructor(options: StoreClusterOptions) {
    this.sim = new Simulation({ seed: options.seed, maxEvents: 200_000_000 });
    const sim = this.sim;
    this.memberNames = Array.from({ length: options.members }, (_, i) => `etcd-${i + 1}`);
    this.checkers = new StoreCheckers(() => sim.now, { keepHistory: options.keepHistory === true, members: this.memberNames });
    this.clientNames = Array.from({ length: options.clients ?? 2 }, (_, i) => `client-${i + 1}`);
    sim.network.configure({
      ...(options.latency === undefined ? {} : { latency: options.latency }),
      ...(options.loss === undefined ? {} : { loss: options.loss }),
    });
    const record = options.record ?? true;
    const memberOptions: StoreMemberOptions = { ...options.member, members: this.memberNames, ...(record ? { recorder: this.checkers } : {}) };
    for (const name of this.memberNames) {
      sim.addHost(name, options.fsyncLatency === undefined ? {} : { fsyncLatency: options.fsyncLatency });
      sim.addComponent(name, name, () => new StoreMember(memberOptions));
    }
    for (const name of this.clientNames) {
      sim.addHost(name);
      sim.addComponent(name, name, () =>
        new LoadClient({
          members: this.memberNames,
          keys: options.keys ?? 4,
          meanGapUs: options.meanGapUs ?? 20_000,
          ...(record ? { history: this.checkers.history, recorder: this.checkers } : {}),
          ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
          ...(options.readShare === undefined ? {} : { readShare: options.readShare }),
          ...(options.loadStopUs === undefined ? {} : { stopAtUs: options.loadStopUs }),
          ...(options.readAllAtUs === undefined || name !== 'client-1' ? {} : { readAllAtUs: options.readAllAtUs }),
          ...(options.clientAttemptTimeoutUs === undefined ? {} : { attemptTimeoutUs: options.clientAttemptTimeoutUs }),
          ...(options.clientDeadlineUs === undefined ? {} : { deadlineUs: options.clientDeadlineUs }),
        }),
      );
    }
  }

  member(name: string): StoreMember | undefined {
    const id = this.sim.endpointId(name);
    const c = id === undefined ? undefined : this.sim.component(id);
    return c instanceof StoreMember ? c : undefined;
  }

  client(name: string): LoadClient | undefined {
    const id = this.sim.endpointId(name);
    const c = id === undefined ? undefined : this.sim.component(id);
    return c instanceof LoadClient ? c : undefined;
  }

  /** Live members that believe they lead, with their terms (two may, briefly, in different terms). */
  leaders(): Array<{ name: string; term: number }> {
    const out: Array<{ name: string; term: number }> = [];
    for (const name of this.memberNames) {
      const raft = this.member(name)?.raft;
      if (raft !== undefined && raft.role === 'leader') out.push({ name, term: raft.term });
    }
    return out;
  }

  /** The leader of the highest term among live members, if any. */
  leader(): string | undefined {
    const all = this.leaders().sort((a, b) => b.term - a.term);
    return all[0]?.name;
  }
}
