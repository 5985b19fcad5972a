/**
 * Which store member a client sends its next request to: etcd clientv3's balancer in miniature.
 *
 * - It sticks with the member that last answered (a pinned, healthy connection) and, when a leader
 *   is known from a hint or from a successful write, with the leader (writes and ReadIndex are
 *   cheapest there: followers only reject or forward).
 * - A member that let an attempt time out is unhealthy for a back-off period (doubling on each
 *   consecutive failure, up to a cap, reset by any answer), and is skipped while a healthy member
 *   exists — so a crashed former leader costs one attempt timeout, not one per request.
 * - A leader hint that names a member the client saw fail, in a term no later than the client knew
 *   when it failed, is stale (a follower that has not noticed the crash yet) and is not followed: the
 *   client asks another healthy member. A hint of a later term is news (that member has won an
 *   election since, so it is back) and clears its unhealthy mark.
 *
 * Pure bookkeeping over member indexes and the caller's local time; no I/O, so it is unit-tested alone.
 */
export interface MemberSelectorOptions {
  /** First unhealthy period after a timeout, µs (default 3s, clientv3's minimum health retry duration). */
  readonly backoffUs?: number;
  /** Cap of the doubling back-off, µs (default 10s). Longer keeps a dead member out longer, but a client cut off from a live leader then waits that long after the cut heals. */
  readonly maxBackoffUs?: number;
}

export const NO_MEMBER = -1;

export class MemberSelector {
  private readonly size: number;
  private readonly backoffUs: number;
  private readonly maxBackoffUs: number;
  /** Local µs until which member i is skipped; 0 = healthy. */
  private readonly unhealthyUntilUs: number[];
  /** Consecutive timeouts of member i since it last answered. */
  private readonly failures: number[];
  /** Highest Raft term the client knew when member i last timed out. */
  private readonly failedInTerm: number[];
  /** Highest Raft term learnt from any answer (hints, applied writes). */
  private knownTerm = 0;
  private leaderIndex = NO_MEMBER;
  private currentIndex: number;

  constructor(size: number, start: number, options: MemberSelectorOptions = {}) {
    if (size <= 0) throw new Error('MemberSelector needs at least one member');
    this.size = size;
    this.backoffUs = options.backoffUs ?? 3_000_000;
    this.maxBackoffUs = Math.max(this.backoffUs, options.maxBackoffUs ?? 10_000_000);
    this.unhealthyUntilUs = new Array<number>(size).fill(0);
    this.failures = new Array<number>(size).fill(0);
    this.failedInTerm = new Array<number>(size).fill(0);
    this.currentIndex = ((start % size) + size) % size;
  }

  /** The member believed to lead, or NO_MEMBER. */
  get leader(): number {
    return this.leaderIndex;
  }

  /** The member the client is pinned to (last that answered, or next healthy after a failure). */
  get current(): number {
    return this.currentIndex;
  }

  isHealthy(member: number, nowUs: number): boolean {
    return (this.unhealthyUntilUs[member] ?? 0) <= nowUs;
  }

  /** Where to send now: the known leader if healthy, else the pinned member if healthy, else the next healthy one. */
  pick(nowUs: number): number {
    if (this.leaderIndex !== NO_MEMBER && this.isHealthy(this.leaderIndex, nowUs)) return this.leaderIndex;
    if (!this.isHealthy(this.currentIndex, nowUs)) this.currentIndex = this.nextHealthy(this.currentIndex, nowUs);
    return this.currentIndex;
  }

  /** The highest Raft term the client has learnt. */
  get term(): number {
    return this.knownTerm;
  }

  /**
   * Member `member` answered. `leads` when the answer proves it led (an applied write, whose Raft
   * `term` it reports); a follower's answer (a read) says only that it is alive.
   */
  onAnswer(member: number, leads: boolean, term = 0): void {
    if (!this.valid(member)) return;
    this.markHealthy(member);
    this.knownTerm = Math.max(this.knownTerm, term);
    this.currentIndex = member;
    if (leads) this.leaderIndex = member;
  }

  /**
   * `from` answered "not leader" naming `hinted` (NO_MEMBER if it knows none). Returns the member to
   * retry at once (a fresh, healthy hint) or NO_MEMBER when the caller should back off and ask another.
   */
  onNotLeader(from: number, hinted: number, term: number, nowUs: number): number {
    if (this.valid(from)) this.markHealthy(from);
    const knewBefore = this.knownTerm;
    this.knownTerm = Math.max(this.knownTerm, term);
    if (hinted === NO_MEMBER || !this.valid(hinted) || hinted === from) {
      this.leaderIndex = NO_MEMBER;
      this.currentIndex = this.nextHealthy(this.valid(from) ? from : this.currentIndex, nowUs);
      return NO_MEMBER;
    }
    // Fresh news: the hinted member leads a term later than any the client knew when it failed.
    const fresh = term > (this.failedInTerm[hinted] ?? 0) && term >= knewBefore;
    if (fresh) this.markHealthy(hinted);
    if (this.isHealthy(hinted, nowUs)) {
      this.leaderIndex = hinted;
      this.currentIndex = hinted;
      return hinted;
    }
    // A stale hint at a member that stopped answering: forget the leader and move the pin on, so
    // the retry asks someone else (who may know of a newer leader).
    this.leaderIndex = NO_MEMBER;
    this.currentIndex = this.nextHealthy(from, nowUs);
    return NO_MEMBER;
  }

  /** An attempt at `member` got no answer in time: skip it for a back-off period. */
  onTimeout(member: number, nowUs: number): void {
    if (!this.valid(member)) return;
    // Requests that were in flight together time out together: one failure, not one per request.
    if (this.isHealthy(member, nowUs)) {
      const failures = (this.failures[member] ?? 0) + 1;
      this.failures[member] = failures;
      const backoff = Math.min(this.maxBackoffUs, this.backoffUs * 2 ** Math.min(failures - 1, 30));
      this.unhealthyUntilUs[member] = nowUs + backoff;
      this.failedInTerm[member] = this.knownTerm;
    }
    if (this.leaderIndex === member) this.leaderIndex = NO_MEMBER;
    if (this.currentIndex === member) this.currentIndex = this.nextHealthy(member, nowUs);
  }


  private markHealthy(member: number): void {
    this.unhealthyUntilUs[member] = 0;
    this.failures[member] = 0;
  }

  /** The first healthy member after `after` (cyclically); if none is, the one whose back-off ends first. */
  private nextHealthy(after: number, nowUs: number): number {
    let best = after;
    let bestUntil = Infinity;
    for (let step = 1; step <= this.size; step++) {
      const i = (after + step) % this.size;
      const until = this.unhealthyUntilUs[i] ?? 0;
      if (until <= nowUs) return i;
      if (until < bestUntil) {
        bestUntil = until;
        best = i;
      }
    }
    return best;
  }

  private valid(member: number): boolean {
    return Number.isInteger(member) && member >= 0 && member < this.size;
  }
}
