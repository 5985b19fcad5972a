import type { StoreRecorder } from '../recorder.js';
import type { CheckResult } from './checkResult.js';
import type { IncrementalLinearizableOptions, LinearizableOptions } from './linearizable.js';
import { checkLinearizable } from './linearizable.js';
import { History } from '../history.js';
import { ElectionSafetyChecker } from './electionSafety.js';
import { LogMatchingChecker } from './logMatching.js';
import { DurabilityChecker } from './durability.js';
import { LinearizableChecker } from './linearizable.js';

/**
 * The four store invariants, wired as one StoreRecorder: pass it to every StoreMember and
 * StoreClient of a run (and `history` to the clients), then read results(). `clock` must be the
 * simulation's global time, e.g. `() => sim.now`.
 */
export class StoreCheckers implements StoreRecorder {
  readonly electionSafety = new ElectionSafetyChecker();
  readonly logMatching: LogMatchingChecker;
  readonly durability: DurabilityChecker;
  readonly history: History;
  /** store.linearizable, fed by `history` as operations settle (it keeps only what it has not checked yet). */
  private readonly linearizable: LinearizableChecker | undefined;
  private readonly linearizableOptions: LinearizableOptions;
  private readonly clock: () => number;
  /** Leader elections seen, in order, for metrics and tests. */
  readonly elections: Array<{ readonly atUs: number; readonly member: string; readonly term: number }> = [];

  /**
   * `linearizable` sets store.linearizable's options for the run (checked as operations settle, so
   * results()' options apply only with `keepHistory`, which keeps every operation and checks them
   * all at results() instead). `members` names every store member, so the log checkers forget
   * nothing until all of them have snapshotted past it.
   */
  constructor(
    clock: () => number,
    linearizable: IncrementalLinearizableOptions & { readonly keepHistory?: boolean; readonly members?: readonly string[] } = {},
  ) {
    this.clock = clock;
    this.logMatching = new LogMatchingChecker(linearizable.members);
    this.durability = new DurabilityChecker(linearizable.members);
    this.linearizableOptions = linearizable;
    this.linearizable = linearizable.keepHistory === true ? undefined : new LinearizableChecker(linearizable);
    this.history = new History(clock, this.linearizable);
  }

  onApply(member: string, index: number, term: number, data: unknown): void {
    const now = this.clock();
    this.logMatching.onApply(now, member, index, term, data);
    this.durability.onApply(now, member, index, term);
  }

  onLeaderElected(member: string, term: number, termAt: (index: number) => number): void {
    const now = this.clock();
    this.elections.push({ atUs: now, member, term });
    this.electionSafety.onLeaderElected(now, member, term);
    this.durability.onLeaderElected(now, member, term, termAt);
  }

  onSnapshot(member: string, index: number, term: number, installed: boolean): void {
    const now = this.clock();
    if (installed) this.snapshotsInstalled++;
    else this.snapshotsTaken++;
    this.logMatching.onSnapshot(now, member, index, term);
    this.durability.onSnapshot(now, member, index, term);
  }

  /** Snapshots taken, and installed from a leader (InstallSnapshot), so far: for tests that want compaction exercised. */
  snapshotsTaken = 0;
  snapshotsInstalled = 0;

  onAck(index: number, term: number): void {
    this.durability.onAck(this.clock(), index, term);
  }

  results(options: LinearizableOptions = {}): CheckResult[] {
    const linearizable =
      this.linearizable === undefined ? checkLinearizable(this.history.ops, { ...this.linearizableOptions, ...options }) : this.linearizable.result();
    return [this.electionSafety.result(), this.logMatching.result(), this.durability.result(), linearizable];
  }
}
