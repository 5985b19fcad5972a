import type { CheckResult } from './checkResult.js';
import { violation } from './checkResult.js';

/**
 * store.logMatching: every member applies the same entry (same term, same command) at each index,
 * i.e. committed logs agree everywhere (Raft's Log Matching and State Machine Safety). Fed with every
 * applied entry; commands are compared by identity because entries are shared immutable objects.
 */
export class LogMatchingChecker {
  static readonly NAME = 'store.logMatching';
  private readonly terms: number[] = [];
  private readonly data: unknown[] = [];
  private readonly firstMember: string[] = [];
  private first: CheckResult | null = null;

  onApply(atUs: number, member: string, index: number, term: number, data: unknown): void {
    const known = this.terms[index];
    if (known === undefined) {
      this.terms[index] = term;
      this.data[index] = data;
      this.firstMember[index] = member;
      return;
    }
    if ((known !== term || this.data[index] !== data) && this.first === null) {
      this.first = violation(
        LogMatchingChecker.NAME,
        atUs,
        `index ${index}: ${member} applied term ${term}, ${this.firstMember[index] ?? '?'} applied term ${known}${known === term ? ' with a different command' : ''}`,
      );
    }
  }

  /** Term committed at `index`, if any member applied it. */
  committedTerm(index: number): number | undefined {
    return this.terms[index];
  }

  result(): CheckResult {
    return this.first ?? { name: LogMatchingChecker.NAME, held: true };
  }
}
