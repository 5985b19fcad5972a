import type { Entry } from './types.js';
import { assert } from '../../util/assert.js';

/** term() of an index that was compacted away (it is inside a snapshot). */
export const COMPACTED = -2;

/**
 * The in-memory Raft log of one member: entries offset+1..lastIndex (everything up to `offset` was
 * compacted into a snapshot, etcd's MemoryStorage with its dummy entry at the compaction point),
 * plus how far it is on disk (`stableIndex`), committed and applied. Index 0 is the sentinel with
 * term 0; the entry at `offset` is known only by its term.
 */
export class RaftLog<P> {
  private entries: Array<Entry<P>> = [];
  /** Last compacted index: entries at or below it are gone (in a snapshot). */
  offset = 0;
  /** Term of the entry at `offset`. */
  offsetTerm = 0;
  /** Last index known to be persisted; entries after it still have to be written. */
  stableIndex = 0;
  committed = 0;
  applied = 0;

  /** Broken-store mode only: a leader overwriting "committed" entries rolls the commit index back instead of asserting. */
  private readonly tolerateCommittedOverwrite: boolean;

  constructor(
    restored: ReadonlyArray<Entry<P>>,
    committed: number,
    tolerateCommittedOverwrite = false,
    offset: { readonly index: number; readonly term: number } = { index: 0, term: 0 },
    appliedIndex = 0,
  ) {
    this.tolerateCommittedOverwrite = tolerateCommittedOverwrite;
    this.offset = offset.index;
    this.offsetTerm = offset.term;
    for (const entry of restored) {
      assert(entry.index === this.lastIndex() + 1, 'restored log must be contiguous after its offset');
      this.entries.push(entry);
    }
    assert(appliedIndex >= this.offset && appliedIndex <= this.lastIndex(), `applied ${appliedIndex} outside the log (${this.offset}, ${this.lastIndex()}]`);
    this.stableIndex = this.lastIndex();
    this.applied = appliedIndex;
    this.committed = Math.min(Math.max(committed, appliedIndex), this.lastIndex());
  }

  /** First index still held as an entry. */
  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.entries.length;
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /** Number of entries held in memory (after the compaction point). */
  get length(): number {
    return this.entries.length;
  }

  /** Term of the entry at `index`; 0 for index 0; COMPACTED below the offset; -1 beyond the log. */
  term(index: number): number {
    if (index === this.offset) return this.offsetTerm;
    if (index < this.offset) return index === 0 ? 0 : COMPACTED;
    const entry = this.entries[index - this.offset - 1];
    return entry === undefined ? -1 : entry.term;
  }

  isCompacted(index: number): boolean {
    return index < this.offset;
  }

  matchTerm(index: number, term: number): boolean {
    const t = this.term(index);
    return t >= 0 && t === term;
  }

  entry(index: number): Entry<P> | undefined {
    return index <= this.offset ? undefined : this.entries[index - this.offset - 1];
  }

  /** Entries [from, to] inclusive, at most `max` of them; `from` must not be compacted. */
  slice(from: number, to: number, max = Number.MAX_SAFE_INTEGER): Array<Entry<P>> {
    // (The message is built only on failure: these run per message, and a template literal allocates.)
    if (from <= this.offset) assert(false, `slice from compacted index ${from} (offset ${this.offset})`);
    const end = Math.min(to, from + max - 1);
    return from > end ? [] : this.entries.slice(from - this.offset - 1, end - this.offset);
  }

  appendNew(term: number, data: P | null): Entry<P> {
    const entry: Entry<P> = Object.freeze({ index: this.lastIndex() + 1, term, data });
    this.entries.push(entry);
    return entry;
  }

  /**
   * Appends a leader's entries after (prevIndex, prevTerm) already matched: entries that agree are
   * kept, the first conflicting one and everything after it is replaced (Figure 2, rule 3–4).
   * Entries at or below the offset are committed and in the snapshot, so they are skipped.
   * Returns the last index the leader's message covers.
   */
  appendFromLeader(entries: ReadonlyArray<Entry<P>>): number {
    for (const entry of entries) {
      if (entry.index <= this.offset) continue;
      const existing = this.term(entry.index);
      if (existing === entry.term) continue;
      if (existing !== -1) {
        if (this.tolerateCommittedOverwrite) this.committed = Math.min(this.committed, entry.index - 1);
        if (entry.index <= this.committed) assert(false, `conflict at committed index ${entry.index}`);
        this.applied = Math.min(this.applied, entry.index - 1);
        this.entries.length = entry.index - 1 - this.offset;
        this.stableIndex = Math.min(this.stableIndex, entry.index - 1);
      }
      assert(entry.index === this.lastIndex() + 1, 'append must be contiguous');
      this.entries.push(entry);
    }
    const last = entries[entries.length - 1];
    return last === undefined ? 0 : last.index;
  }

  /**
   * etcd's findConflictByTerm: the largest index ≤ `index` whose term is ≤ `term`. Lets a
   * leader skip a whole conflicting term per round trip instead of one entry. Stops at the offset.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    let i = Math.min(index, this.lastIndex());
    if (i < this.offset) return { index: i, term: 0 };
    while (i > this.offset && this.term(i) > term) i--;
    return { index: i, term: this.term(i) };
  }

  /** Entries not yet on disk. */
  unstable(): Array<Entry<P>> {
    return this.entries.slice(Math.max(0, this.stableIndex - this.offset));
  }

  /** Committed, persisted and not yet applied: safe to hand to the state machine. */
  nextCommitted(): Array<Entry<P>> {
    const upTo = Math.min(this.committed, this.stableIndex);
    return upTo > this.applied ? this.entries.slice(this.applied - this.offset, upTo - this.offset) : [];
  }

  hasNextCommitted(): boolean {
    return Math.min(this.committed, this.stableIndex) > this.applied;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (index > this.lastIndex()) assert(false, `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Drops the entries up to `index` (etcd's Compact): they are applied, persisted and in a snapshot.
   * The entry at `index` stays known by its term, for the consistency check of the next append.
   */
  compact(index: number): void {
    if (index <= this.offset) return;
    assert(index <= this.applied && index <= this.stableIndex, `compact ${index} past applied ${this.applied} / stable ${this.stableIndex}`);
    const term = this.term(index);
    assert(term >= 0, `compact at unknown index ${index}`);
    this.entries = this.entries.slice(index - this.offset);
    this.offset = index;
    this.offsetTerm = term;
  }

  /** Replaces the whole log by a snapshot at (index, term) from the leader (etcd's restore). */
  restore(index: number, term: number): void {
    assert(index > this.committed, `restore to ${index} at or below commit ${this.committed}`);
    this.entries = [];
    this.offset = index;
    this.offsetTerm = term;
    this.committed = index;
    this.applied = index;
    this.stableIndex = index;
  }
}
