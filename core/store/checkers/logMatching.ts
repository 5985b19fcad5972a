import type { CheckResult } from './checkResult.js';
import { violation } from './checkResult.js';

/** Stands for "the command is inside a snapshot" (or forgotten): only the term is compared at that index. */
const IN_SNAPSHOT: unique symbol = Symbol('in snapshot');

/**
 * store.logMatching: every member applies the same entry (same term, same command) at each index,
 * i.e. committed logs agree everywhere (Raft's Log Matching and State Machine Safety). Fed with every
 * applied entry; commands are compared by identity because entries are shared immutable objects.
 * With log compaction a member skips the entries inside a snapshot it installs: a snapshot is judged
 * by its metadata, the term at its index, which must be the committed term there (by Log Matching,
 * the same term at the same index means the same log up to it). Only what members actually applied
 * or snapshotted is compared, so compacted indices are never read. Commands at or below every
 * member's latest snapshot are forgotten (only their terms are kept), so the checker does not hold
 * on to the whole history the members have compacted away.
 */
export class LogMatchingChecker {
  static readonly NAME = 'store.logMatching';
  private readonly terms: number[] = [];
  private readonly data: unknown[] = [];
  private readonly firstMember: string[] = [];
  private first: CheckResult | null = null;
  /** Latest snapshot index of every member seen (0 until it has one). */
  private readonly snapshotOf = new Map<string, number>();
  /** Commands at indices up to here have been forgotten. */
  private forgottenThrough = 0;

  onApply(atUs: number, member: string, index: number, term: number, data: unknown): void {
    if (!this.snapshotOf.has(member)) this.snapshotOf.set(member, 0);
    const known = this.terms[index];
    if (known === undefined) {
      this.terms[index] = term;
      this.data[index] = data;
      this.firstMember[index] = member;
      return;
    }
    const knownData = this.data[index];
    if (knownData === IN_SNAPSHOT && known === term) {
      this.data[index] = data; // first time the command itself is seen
      return;
    }
    if ((known !== term || (knownData !== data && data !== IN_SNAPSHOT)) && this.first === null) {
      this.first = violation(
        LogMatchingChecker.NAME,
        atUs,
        `index ${index}: ${member} applied term ${term}, ${this.firstMember[index] ?? '?'} applied term ${known}${known === term ? ' with a different command' : ''}`,
      );
    }
  }

  /**
   * A member took or installed a snapshot whose last entry is (index, term): that must be the
   * committed entry at `index`.
   */
  onSnapshot(atUs: number, member: string, index: number, term: number): void {
    if (index === 0) return;
    this.onApply(atUs, member, index, term, IN_SNAPSHOT);
    this.snapshotOf.set(member, Math.max(this.snapshotOf.get(member) ?? 0, index));
    let everyone = Infinity;
    for (const i of this.snapshotOf.values()) everyone = Math.min(everyone, i);
    for (let i = this.forgottenThrough + 1; i <= everyone; i++) if (this.data[i] !== undefined) this.data[i] = IN_SNAPSHOT;
    this.forgottenThrough = Math.max(this.forgottenThrough, everyone);
  }

  /** Term committed at `index`, if any member applied it. */
  committedTerm(index: number): number | undefined {
    return this.terms[index];
  }

  result(): CheckResult {
    return this.first ?? { name: LogMatchingChecker.NAME, held: true };
  }
}
