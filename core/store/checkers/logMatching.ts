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
 * member's latest snapshot are forgotten (only their terms are kept), and below it terms too: no
 * member applies or snapshots there again (a restarted member re-applies from its own snapshot), so
 * memory is O(entries since the oldest member snapshot), not O(log). Pass `members` to count members
 * that have not applied anything yet; otherwise "every member" means every member seen so far.
 */
export class LogMatchingChecker {
  static readonly NAME = 'store.logMatching';
  /** By index − base (entries below base are forgotten altogether). */
  private terms: number[] = [];
  private data: unknown[] = [];
  private firstMember: string[] = [];
  private base = 0;
  private first: CheckResult | null = null;
  /** Latest snapshot index of every member seen (0 until it has one). */
  private readonly snapshotOf = new Map<string, number>();
  /** Commands at indices up to here have been forgotten. */
  private forgottenThrough = 0;

  constructor(members: readonly string[] = []) {
    for (const m of members) this.snapshotOf.set(m, 0);
  }

  onApply(atUs: number, member: string, index: number, term: number, data: unknown): void {
    if (!this.snapshotOf.has(member)) this.snapshotOf.set(member, 0);
    const at = index - this.base;
    if (at < 0) return; // below every member's snapshot: nobody applies there any more
    const known = this.terms[at];
    if (known === undefined) {
      this.terms[at] = term;
      this.data[at] = data;
      this.firstMember[at] = member;
      return;
    }
    const knownData = this.data[at];
    if (knownData === IN_SNAPSHOT && known === term) {
      this.data[at] = data; // first time the command itself is seen
      return;
    }
    if ((known !== term || (knownData !== data && data !== IN_SNAPSHOT)) && this.first === null) {
      this.first = violation(
        LogMatchingChecker.NAME,
        atUs,
        `index ${index}: ${member} applied term ${term}, ${this.firstMember[at] ?? '?'} applied term ${known}${known === term ? ' with a different command' : ''}`,
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
    for (let i = Math.max(this.forgottenThrough + 1, this.base); i <= everyone; i++) if (this.data[i - this.base] !== undefined) this.data[i - this.base] = IN_SNAPSHOT;
    this.forgottenThrough = Math.max(this.forgottenThrough, everyone);
    // Keep the entry at `everyone` itself (a member may snapshot there again); drop the rest below it
    // once that is at least half of what is held, so the shifts cost O(1) per entry overall.
    const drop = everyone - this.base;
    if (drop > 0 && drop * 2 >= this.terms.length) {
      this.terms = this.terms.slice(drop);
      this.data = this.data.slice(drop);
      this.firstMember = this.firstMember.slice(drop);
      this.base = everyone;
    }
  }

  /** Term committed at `index`, if any member applied it (undefined once every member snapshotted past it). */
  committedTerm(index: number): number | undefined {
    return index < this.base ? undefined : this.terms[index - this.base];
  }

  /** Indices held (for tests of the bound). */
  get held(): number {
    return this.terms.length;
  }

  result(): CheckResult {
    return this.first ?? { name: LogMatchingChecker.NAME, held: true };
  }
}
