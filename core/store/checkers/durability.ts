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
 */
export class DurabilityChecker {
  static readonly NAME = 'store.durability';
  private readonly acked: Array<{ atUs: number; index: number; term: number }> = [];
  private readonly ackedTermAt = new Map<number, number>();
  private first: CheckResult | null = null;

  onAck(atUs: number, index: number, term: number): void {
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
  }

  onApply(atUs: number, member: string, index: number, term: number): void {
    const want = this.ackedTermAt.get(index);
    if (want !== undefined && want !== term && this.first === null) {
      this.first = violation(DurabilityChecker.NAME, atUs, `${member} applied term ${term} at index ${index}, where a write of term ${want} was acknowledged`);
    }
  }

  result(): CheckResult {
    return this.first ?? { name: DurabilityChecker.NAME, held: true };
  }
}
