import type { CheckResult } from './checkResult.js';
import { violation } from './checkResult.js';

/** What termAt answers for an index compacted into the member's snapshot (raftLog's COMPACTED). */
const COMPACTED = -2;

/**
 * store.durability: no acknowledged write is lost. A write acknowledged to a client at (index, term)
 * must be in the log of every leader elected afterwards (Raft's Leader Completeness), and whatever
 * any member applies at that index must be that entry. The harness reports acknowledgements from
 * the client history and, when a member becomes leader, hands over a reader of its log. With log
 * compaction only the leader's retained indices are read: an acknowledged index below its compaction
 * point is inside its snapshot, whose metadata must agree with the acknowledged write (onSnapshot) and
 * whose entries were applied, each checked by onApply, on the member that took it.
 *
 * Bounded: an acknowledged write below every member's latest snapshot is forgotten (the one at it is
 * kept: a member may snapshot there again). No member
 * applies or snapshots at that index again (a restarted member re-applies only after its own
 * snapshot), and every leader elected afterwards holds it inside its snapshot, whose agreement with
 * the committed log store.logMatching checks (same term at the snapshot index, hence the same log up
 * to it), and whose entries were each checked by onApply here when applied. Pass `members` to count
 * members that have applied nothing yet; otherwise "every member" means every member seen so far.
 */
export class DurabilityChecker {
  static readonly NAME = 'store.durability';
  private acked: Array<{ atUs: number; index: number; term: number }> = [];
  private readonly ackedTermAt = new Map<number, number>();
  private first: CheckResult | null = null;
  /** Latest snapshot index of every member seen (0 until it has one). */
  private readonly snapshotOf = new Map<string, number>();
  /** Acknowledgements below this index have been forgotten. */
  private forgottenBelow = 0;

  constructor(members: readonly string[] = []) {
    for (const m of members) this.snapshotOf.set(m, 0);
  }

  /** Acknowledged writes held (for tests of the bound). */
  get held(): number {
    return this.acked.length;
  }

  onAck(atUs: number, index: number, term: number): void {
    if (index < this.forgottenBelow) return;
    this.acked.push({ atUs, index, term });
    this.ackedTermAt.set(index, term);
  }

  /** `termAt(i)` reads the new leader's log (-1 when it has no entry at i, COMPACTED when i is in its snapshot). */
  onLeaderElected(atUs: number, member: string, term: number, termAt: (index: number) => number): void {
    if (this.first !== null) return;
    for (const ack of this.acked) {
      if (ack.atUs > atUs) continue;
      const has = termAt(ack.index);
      if (has === COMPACTED) continue;
      if (has !== ack.term) {
        this.first = violation(
          DurabilityChecker.NAME,
          atUs,
          `leader ${member} of term ${term} lacks the write acknowledged at ${ack.atUs / 1e6}s (index ${ack.index}, term ${ack.term}; it has term ${has})`,
        );
        return;
      }
    }
  }

  /** A member's snapshot ends at (index, term): an acknowledged write there must be that entry. */
  onSnapshot(atUs: number, member: string, index: number, term: number): void {
    const want = this.ackedTermAt.get(index);
    if (want !== undefined && want !== term && this.first === null) {
      this.first = violation(DurabilityChecker.NAME, atUs, `${member}'s snapshot ends at index ${index} in term ${term}, where a write of term ${want} was acknowledged`);
    }
    this.snapshotOf.set(member, Math.max(this.snapshotOf.get(member) ?? 0, index));
    let everyone = Infinity;
    for (const i of this.snapshotOf.values()) everyone = Math.min(everyone, i);
    if (everyone <= this.forgottenBelow) return;
    this.forgottenBelow = everyone;
    this.acked = this.acked.filter((ack) => {
      if (ack.index >= everyone) return true;
      this.ackedTermAt.delete(ack.index);
      return false;
    });
  }

  onApply(atUs: number, member: string, index: number, term: number): void {
    if (!this.snapshotOf.has(member)) this.snapshotOf.set(member, 0);
    const want = this.ackedTermAt.get(index);
    if (want !== undefined && want !== term && this.first === null) {
      this.first = violation(DurabilityChecker.NAME, atUs, `${member} applied term ${term} at index ${index}, where a write of term ${want} was acknowledged`);
    }
  }

  result(): CheckResult {
    return this.first ?? { name: DurabilityChecker.NAME, held: true };
  }
}
