import type { CheckResult } from './checkResult.js';
import { violation } from './checkResult.js';

/**
 * store.electionSafety: at most one member becomes leader in any term (Raft §5.2). Fed from the
 * members' `store.leader` observations, so it judges what they did, not what they claim.
 */
export class ElectionSafetyChecker {
  static readonly NAME = 'store.electionSafety';
  private readonly leaderOfTerm = new Map<number, string>();
  private first: CheckResult | null = null;

  onLeaderElected(atUs: number, member: string, term: number): void {
    const known = this.leaderOfTerm.get(term);
    if (known === undefined) this.leaderOfTerm.set(term, member);
    else if (known !== member && this.first === null) {
      this.first = violation(ElectionSafetyChecker.NAME, atUs, `term ${term} has two leaders: ${known} and ${member}`);
    }
  }

  result(): CheckResult {
    return this.first ?? { name: ElectionSafetyChecker.NAME, held: true };
  }
}
