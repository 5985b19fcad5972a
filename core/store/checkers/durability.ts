import type { CheckResult } from './checkResult.js';
import { violation } from './checkResult.js';

/**
 * store.durability: no acknowledged write is lost. A write acknowledged to a client at (index, term)
 * must be in the log of every leader elected afterwards (Raft's Leader Completeness), and whatever
 * any member applies at that index must be that entry. The harness reports acknowledgements from
 * the client history and, when a member becomes leader, hands over a reader of its log.
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

  /** `termAt(i)` reads the new leader's log (-1 when it has no entry at i). */
  onLeaderElected(atUs: number, member: string, term: number, termAt: (index: number) => number): void {
    if (this.first !== null) return;
    for (const ack of this.acked) {
      if (ack.atUs > atUs) continue;
      const has = termAt(ack.index);
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
