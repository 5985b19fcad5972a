/**
 * The leader's view of one follower (etcd's Progress): how far its log is known to match, what to
 * send next, and whether to probe one message at a time (after a rejection or at election), to
 * pipeline up to `maxInflight` appends (once a success proves where the logs agree), or to wait for
 * a snapshot it was sent to be installed (the entries it needs were compacted away).
 */
export class Progress {
  match = 0;
  next: number;
  state: 'probe' | 'replicate' | 'snapshot' = 'probe';
  /** Snapshot state: index of the snapshot sent, and when (leader's local µs). */
  pendingSnapshot = 0;
  snapshotSentUs = 0;
  /** Probe mode: one append is outstanding, wait for its answer or the next heartbeat response. */
  probeSent = false;
  /** Replicate mode: last index of each in-flight append, oldest first. */
  readonly inflight: number[] = [];
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;

  constructor(next: number) {
    this.next = next;
  }

  paused(maxInflight: number): boolean {
    if (this.state === 'snapshot') return true;
    return this.state === 'probe' ? this.probeSent : this.inflight.length >= maxInflight;
  }

  becomeProbe(): void {
    // After a snapshot, probe just past it (etcd): if it was installed, the logs agree there; if
    // not, the rejection's hint leads back below the compaction point and to a fresh snapshot.
    const afterSnapshot = this.state === 'snapshot' ? this.pendingSnapshot + 1 : 0;
    this.state = 'probe';
    this.probeSent = false;
    this.inflight.length = 0;
    this.pendingSnapshot = 0;
    this.next = afterSnapshot > 0 ? Math.max(this.match + 1, afterSnapshot) : Math.max(this.next, this.match + 1);
  }

  /** A snapshot at `index` is on its way: stop sending appends until it is installed or given up on. */
  becomeSnapshot(index: number, nowUs: number): void {
    this.state = 'snapshot';
    this.probeSent = false;
    this.inflight.length = 0;
    this.pendingSnapshot = index;
    this.snapshotSentUs = nowUs;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.probeSent = false;
    this.next = Math.max(this.next, this.match + 1);
  }

  /** A success up to `index`; returns whether it moved the match forward. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (index > this.match) {
      this.match = index;
      updated = true;
    }
    this.next = Math.max(this.next, index + 1);
    while (this.inflight.length > 0 && (this.inflight[0] ?? 0) <= index) this.inflight.shift();
    this.probeSent = false;
    return updated;
  }

  /**
   * A rejection of prevIndex `rejected`, with the leader-side hint `hintIndex` (last index believed
   * to match). Returns false for a stale rejection that says nothing new (etcd's maybeDecrTo).
   */
  maybeDecrTo(rejected: number, hintIndex: number): boolean {
    if (this.state === 'snapshot') return false; // an answer to an append sent before the snapshot
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hintIndex + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }
}
