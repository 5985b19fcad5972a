import type { Entry } from './types.js';
import { assert } from '../../util/assert.js';

/**
 * The in-memory Raft log of one member: entries 1..lastIndex (no snapshots yet), plus how far it
 * is on disk (`stableIndex`) and committed. Index 0 is the sentinel with term 0.
 */
export class RaftLog<P> {
  private readonly entries: Array<Entry<P>> = [];
  /** Last index known to be persisted; entries after it still have to be written. */
  stableIndex = 0;
  committed = 0;
  applied = 0;

  /** Broken-store mode only: a leader overwriting "committed" entries rolls the commit index back instead of asserting. */
  private readonly tolerateCommittedOverwrite: boolean;

  constructor(restored: ReadonlyArray<Entry<P>>, committed: number, tolerateCommittedOverwrite = false) {
    this.tolerateCommittedOverwrite = tolerateCommittedOverwrite;
    for (const entry of restored) {
      assert(entry.index === this.entries.length + 1, 'restored log must be contiguous from 1');
      this.entries.push(entry);
    }
    this.stableIndex = this.entries.length;
    this.committed = Math.min(committed, this.entries.length);
  }

  lastIndex(): number {
    return this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.entries.length);
  }

  /** Term of the entry at `index`; 0 for index 0; -1 when beyond the log. */
  term(index: number): number {
    if (index === 0) return 0;
    const entry = this.entries[index - 1];
    return entry === undefined ? -1 : entry.term;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  entry(index: number): Entry<P> | undefined {
    return this.entries[index - 1];
  }

  /** Entries [from, to] inclusive, at most `max` of them. */
  slice(from: number, to: number, max = Number.MAX_SAFE_INTEGER): Array<Entry<P>> {
    const end = Math.min(to, from + max - 1);
    return from > end ? [] : this.entries.slice(from - 1, end);
  }

  appendNew(term: number, data: P | null): Entry<P> {
    const entry: Entry<P> = Object.freeze({ index: this.entries.length + 1, term, data });
    this.entries.push(entry);
    return entry;
  }

  /**
   * Appends a leader's entries after (prevIndex, prevTerm) already matched: entries that agree are
   * kept, the first conflicting one and everything after it is replaced (Figure 2, rule 3–4).
   * Returns the last index the leader's message covers.
   */
  appendFromLeader(entries: ReadonlyArray<Entry<P>>): number {
    for (const entry of entries) {
      const existing = this.term(entry.index);
      if (existing === entry.term) continue;
      if (existing !== -1) {
        if (this.tolerateCommittedOverwrite) this.committed = Math.min(this.committed, entry.index - 1);
        assert(entry.index > this.committed, `conflict at committed index ${entry.index}`);
        this.applied = Math.min(this.applied, entry.index - 1);
        this.entries.length = entry.index - 1;
        this.stableIndex = Math.min(this.stableIndex, entry.index - 1);
      }
      assert(entry.index === this.entries.length + 1, 'append must be contiguous');
      this.entries.push(entry);
    }
    const last = entries[entries.length - 1];
    return last === undefined ? 0 : last.index;
  }

  /**
   * etcd's findConflictByTerm: the largest index ≤ `index` whose term is ≤ `term`. Lets a
   * leader skip a whole conflicting term per round trip instead of one entry.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex());
    while (i > 0 && this.term(i) > term) i--;
    return { index: i, term: this.term(i) };
  }

  /** Entries not yet on disk. */
  unstable(): Array<Entry<P>> {
    return this.entries.slice(this.stableIndex);
  }

  /** Committed, persisted and not yet applied: safe to hand to the state machine. */
  nextCommitted(): Array<Entry<P>> {
    const upTo = Math.min(this.committed, this.stableIndex);
    return upTo > this.applied ? this.entries.slice(this.applied, upTo) : [];
  }

  hasNextCommitted(): boolean {
    return Math.min(this.committed, this.stableIndex) > this.applied;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }
}
