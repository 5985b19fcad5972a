/**
 * What store members and clients report to checkers standing outside them. The harness (tests, the
 * scenario runner) supplies one; members never judge themselves. All methods are optional reads of
 * what happened; implementations stamp times with the simulation's global clock, not a host's.
 */
export interface StoreRecorder {
  /** A member applied the committed entry at `index` (data null: a leader's empty entry). */
  onApply(member: string, index: number, term: number, data: unknown): void;
  /** A member became leader of `term`; `termAt` reads its log right now. */
  onLeaderElected(member: string, term: number, termAt: (index: number) => number): void;
  /** A client received the acknowledgement of a write at (index, term). */
  onAck(index: number, term: number): void;
  /**
   * A member took a snapshot of its applied state at (index, term), or installed one from the leader
   * (`installed`); its log up to the snapshot may be gone from then on. Optional for recorders that
   * do not check logs.
   */
  onSnapshot?(member: string, index: number, term: number, installed: boolean): void;
}
