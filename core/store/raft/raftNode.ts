import type {
  AppendMessage,
  AppendResponse,
  Entry,
  HardState,
  HeartbeatMessage,
  HeartbeatResponse,
  RaftConfig,
  RaftId,
  RaftMessage,
  RaftRole,
  RaftStorage,
  ReadIndexMessage,
  ReadState,
  Ready,
  Snapshot,
  SnapshotMessage,
  SoftState,
  VoteMessage,
  VoteResponse,
} from './types.js';
import { NONE } from './types.js';
import { RaftLog } from './raftLog.js';
import { Progress } from './progress.js';
import { assert, assertNever } from '../../util/assert.js';

/** A ReadIndex request waiting for a quorum of heartbeat acknowledgements. */
interface PendingRead {
  readonly context: string;
  readonly index: number;
  readonly from: RaftId;
  readonly acks: Set<RaftId>;
}

/** One broadcast's entries array, shared by the followers it fits. */
interface SharedSlice<P> {
  from: number;
  entries: ReadonlyArray<Entry<P>> | undefined;
}

const NO_ENTRIES: ReadonlyArray<never> = Object.freeze([]);
const NO_MESSAGES: ReadonlyArray<never> = Object.freeze([]);
const NO_READS: ReadonlyArray<never> = Object.freeze([]);

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly leader: RaftId };

/**
 * One Raft member as a pure state machine in etcd raft's shape: inputs are step(message), tick()
 * and propose()/readIndex(), each with the member's local time in microseconds; outputs are
 * drained with ready() and acknowledged with advance(). It never does I/O, so it runs the same in
 * unit tests and inside the simulator. Time instead of ticks keeps Raft paper Figure 16's
 * 150–155ms timeouts exact.
 */
export class RaftNode<P> {
  readonly id: RaftId;
  readonly log: RaftLog<P>;
  term: number;
  vote: RaftId;
  role: RaftRole = 'follower';
  leader: RaftId = NONE;

  private readonly peers: readonly RaftId[];
  private readonly quorum: number;
  private readonly heartbeatUs: number;
  private readonly electionTimeoutUs: number;
  private readonly electionTimeoutMaxUs: number;
  private readonly preVote: boolean;
  private readonly checkQuorum: boolean;
  private readonly maxEntriesPerMsg: number;
  private readonly maxInflight: number;
  private readonly random: () => number;
  private readonly unsafeCommitWithoutQuorum: boolean;
  private readonly resetTimerOnTermChange: boolean;

  /** Start of the current election (or CheckQuorum) period, local µs. */
  private electionStartUs: number;
  private randomizedTimeoutUs = 0;
  private nextHeartbeatUs = 0;
  private readonly votes = new Map<RaftId, boolean>();
  private readonly progress = new Map<RaftId, Progress>();
  private committedInTerm = false;
  private appendsDirty = false;
  private readonly pendingReads: PendingRead[] = [];
  private readonly readsBeforeCommit: Array<{ context: string; from: RaftId }> = [];

  private messages: Array<RaftMessage<P>> = [];
  /** maybeCommit's scratch: one match index per peer, largest first. */
  private readonly matchScratch: number[] = [];
  private readStates: ReadState[] = [];
  /** The latest snapshot (taken here or installed from a leader): what a lagging follower is sent. */
  private latestSnapshot: Snapshot | undefined;
  /** A snapshot installed from the leader that the host has yet to persist and load (Ready.snapshot). */
  private pendingSnapshot: Snapshot | null = null;
  /** Local time of the latest input, for stamping snapshot sends. */
  private nowUs: number;
  private prevHard: HardState;
  private prevSoft: SoftState;

  constructor(config: RaftConfig, storage: RaftStorage<P>, nowUs: number) {
    assert(config.peers.includes(config.id), 'peers must include the member itself');
    assert(config.id !== NONE, 'member id 0 is reserved for "none"');
    assert(config.electionTimeoutUs > config.heartbeatUs, 'electionTimeout must exceed heartbeat');
    this.id = config.id;
    this.peers = [...config.peers].sort((a, b) => a - b);
    this.quorum = Math.floor(this.peers.length / 2) + 1;
    this.heartbeatUs = config.heartbeatUs;
    this.electionTimeoutUs = config.electionTimeoutUs;
    this.electionTimeoutMaxUs = config.electionTimeoutMaxUs ?? 2 * config.electionTimeoutUs;
    assert(this.electionTimeoutMaxUs >= this.electionTimeoutUs, 'electionTimeoutMax below electionTimeout');
    this.preVote = config.preVote ?? true;
    this.checkQuorum = config.checkQuorum ?? true;
    this.maxEntriesPerMsg = config.maxEntriesPerMsg ?? 64;
    this.maxInflight = config.maxInflight ?? 64;
    this.random = config.random;
    this.unsafeCommitWithoutQuorum = config.unsafeCommitWithoutQuorum ?? false;
    this.resetTimerOnTermChange = config.resetTimerOnTermChange ?? true;
    const snapshot = storage.snapshot;
    this.latestSnapshot = snapshot;
    const offset = storage.logOffset ?? { index: 0, term: 0 };
    assert(snapshot === undefined || snapshot.index >= offset.index, 'the log is compacted only up to a snapshot');
    this.log = new RaftLog(storage.entries, storage.hardState.commit, this.unsafeCommitWithoutQuorum, offset, snapshot?.index ?? 0);
    this.nowUs = nowUs;
    this.term = storage.hardState.term;
    this.vote = storage.hardState.vote;
    this.prevHard = this.hardState();
    this.electionStartUs = nowUs;
    this.becomeFollower(this.term, NONE, nowUs);
    this.prevSoft = this.softState();
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { role: this.role, leader: this.leader, term: this.term };
  }

  /** Local time at which tick() next has something to do. */
  nextDeadlineUs(): number {
    if (this.role !== 'leader') return this.electionStartUs + this.randomizedTimeoutUs;
    const quorumCheck = this.checkQuorum ? this.electionStartUs + this.electionTimeoutUs : Infinity;
    return Math.min(this.nextHeartbeatUs, quorumCheck);
  }

  /** Time input: election timeouts for followers and candidates, heartbeats and CheckQuorum for a leader. */
  tick(nowUs: number): void {
    this.nowUs = nowUs;
    if (this.role === 'leader') {
      this.tickLeader(nowUs);
      return;
    }
    if (nowUs - this.electionStartUs >= this.randomizedTimeoutUs) this.campaign(nowUs);
  }

  private tickLeader(nowUs: number): void {
    if (nowUs >= this.nextHeartbeatUs) {
      this.nextHeartbeatUs = nowUs + this.heartbeatUs;
      this.broadcastHeartbeat(null);
    }
    if (this.checkQuorum && nowUs - this.electionStartUs >= this.electionTimeoutUs) {
      this.electionStartUs = nowUs;
      let active = 0;
      for (const id of this.peers) {
        const pr = this.progress.get(id);
        if (id === this.id || pr?.recentActive === true) active++;
        if (pr !== undefined && id !== this.id) pr.recentActive = false;
      }
      // CheckQuorum: a leader cut off from a majority steps down so clients go elsewhere.
      if (active < this.quorum) this.becomeFollower(this.term, NONE, nowUs);
    }
  }

  /** Appends a client command if this member leads; otherwise names the leader it knows (0 if none). */
  propose(data: P): ProposeResult {
    if (this.role !== 'leader') return { ok: false, leader: this.leader };
    const entry = this.log.appendNew(this.term, data);
    this.appendsDirty = true;
    if (this.peers.length === 1 || this.unsafeCommitWithoutQuorum) this.maybeCommit();
    return { ok: true, index: entry.index, term: entry.term };
  }

  /**
   * Requests a linearizable read point for `context`. The answer comes back as a ReadState once a
   * quorum confirmed this leader (etcd's ReadIndex, safe mode). Returns false when no leader is known.
   */
  readIndex(context: string): boolean {
    if (this.role === 'leader') {
      this.leaderReadIndex(context, this.id);
      return true;
    }
    if (this.leader === NONE) return false;
    this.send({ type: 'raft/readIndex', term: this.term, from: this.id, to: this.leader, context });
    return true;
  }

  private leaderReadIndex(context: string, from: RaftId): void {
    // A fresh leader's commit index may lag what the old leader committed: wait for its first commit.
    if (!this.committedInTerm) {
      this.readsBeforeCommit.push({ context, from });
      return;
    }
    if (this.peers.length === 1) {
      this.answerRead(context, this.log.committed, from);
      return;
    }
    this.pendingReads.push({ context, index: this.log.committed, from, acks: new Set([this.id]) });
    this.broadcastHeartbeat(context);
  }

  private answerRead(context: string, index: number, from: RaftId): void {
    if (from === this.id) this.readStates.push({ context, index });
    else this.send({ type: 'raft/readIndexResp', term: this.term, from: this.id, to: from, context, index });
  }

  // ---------------------------------------------------------------- step

  step(m: RaftMessage<P>, nowUs: number): void {
    if (m.to !== this.id) return;
    this.nowUs = nowUs;
    if (m.term > this.term) {
      if (m.type === 'raft/vote') {
        // Lease: while a leader is heard from, a vote request is a disruption, not an election.
        const inLease = this.checkQuorum && this.leader !== NONE && nowUs - this.electionStartUs < this.electionTimeoutUs;
        if (inLease) return;
      }
      const keepsTerm = (m.type === 'raft/vote' && m.pre) || (m.type === 'raft/voteResp' && m.pre && !m.reject);
      if (!keepsTerm) {
        const lead = m.type === 'raft/append' || m.type === 'raft/heartbeat' || m.type === 'raft/snapshot' ? m.from : NONE;
        const keepTimer = !this.resetTimerOnTermChange && lead === NONE;
        const startUs = this.electionStartUs;
        const timeoutUs = this.randomizedTimeoutUs;
        this.becomeFollower(m.term, lead, nowUs);
        if (keepTimer) {
          this.electionStartUs = startUs;
          this.randomizedTimeoutUs = timeoutUs;
        }
      }
    } else if (m.term < this.term) {
      this.stepStale(m);
      return;
    }

    if (m.type === 'raft/vote') {
      this.handleVote(m, nowUs);
      return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m, nowUs);
        return;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(m, nowUs);
        return;
      case 'follower':
        this.stepFollower(m, nowUs);
        return;
      default:
        assertNever(this.role, 'raft role');
    }
  }

  /** A message from an older term. */
  private stepStale(m: RaftMessage<P>): void {
    if ((this.checkQuorum || this.preVote) && (m.type === 'raft/append' || m.type === 'raft/heartbeat' || m.type === 'raft/snapshot')) {
      // Tell a deposed leader about the newer term: with PreVote/CheckQuorum nobody else would.
      this.sendAppendResp(m.from, false, 0, 0, 0);
    } else if (m.type === 'raft/vote' && m.pre) {
      this.send({ type: 'raft/voteResp', term: this.term, from: this.id, to: m.from, pre: true, reject: true });
    }
  }

  private handleVote(m: VoteMessage, nowUs: number): void {
    const canVote =
      this.vote === m.from || (this.vote === NONE && this.leader === NONE) || (m.pre && m.term > this.term);
    const grant = canVote && this.log.isUpToDate(m.lastIndex, m.lastTerm);
    // A grant carries the candidate's term (it may be ahead of ours for a PreVote); a rejection ours.
    this.send({ type: 'raft/voteResp', term: grant ? m.term : this.term, from: this.id, to: m.from, pre: m.pre, reject: !grant });
    if (grant && !m.pre) {
      this.vote = m.from;
      this.electionStartUs = nowUs;
    }
  }

  private stepFollower(m: RaftMessage<P>, nowUs: number): void {
    switch (m.type) {
      case 'raft/append':
        this.electionStartUs = nowUs;
        this.leader = m.from;
        this.handleAppend(m);
        return;
      case 'raft/heartbeat':
        this.electionStartUs = nowUs;
        this.leader = m.from;
        this.handleHeartbeat(m);
        return;
      case 'raft/snapshot':
        this.electionStartUs = nowUs;
        this.leader = m.from;
        this.handleSnapshot(m);
        return;
      case 'raft/readIndex':
        if (this.leader !== NONE) this.send({ type: 'raft/readIndex', term: this.term, from: this.id, to: this.leader, context: m.context });
        return;
      case 'raft/readIndexResp':
        this.readStates.push({ context: m.context, index: m.index });
        return;
      case 'raft/vote':
      case 'raft/voteResp':
      case 'raft/appendResp':
      case 'raft/heartbeatResp':
        return;
      default:
        assertNever(m, 'raft message');
    }
  }

  private stepCandidate(m: RaftMessage<P>, nowUs: number): void {
    switch (m.type) {
      case 'raft/append':
      case 'raft/heartbeat':
      case 'raft/snapshot':
        // Someone won this term (or, for a pre-candidate, a later one): follow it.
        this.becomeFollower(m.term, m.from, nowUs);
        this.stepFollower(m, nowUs);
        return;
      case 'raft/voteResp':
        this.handleVoteResponse(m, nowUs);
        return;
      case 'raft/vote':
      case 'raft/appendResp':
      case 'raft/heartbeatResp':
      case 'raft/readIndex':
      case 'raft/readIndexResp':
        return;
      default:
        assertNever(m, 'raft message');
    }
  }

  private stepLeader(m: RaftMessage<P>, nowUs: number): void {
    switch (m.type) {
      case 'raft/appendResp': {
        const pr = this.progress.get(m.from);
        if (pr === undefined || m.index === 0) return;
        pr.recentActive = true;
        this.handleAppendResponse(pr, m);
        return;
      }
      case 'raft/heartbeatResp': {
        const pr = this.progress.get(m.from);
        if (pr === undefined) return;
        pr.recentActive = true;
        // A snapshot that has had an election timeout to arrive and be answered was probably lost
        // (etcd learns it from the transport's MsgSnapStatus): probe again.
        if (pr.state === 'snapshot' && nowUs - pr.snapshotSentUs >= this.electionTimeoutUs) pr.becomeProbe();
        pr.probeSent = false;
        if (pr.state === 'replicate' && pr.inflight.length >= this.maxInflight) pr.inflight.shift();
        if (pr.match < this.log.lastIndex()) this.sendAppend(m.from, true);
        if (m.context !== null) this.ackRead(m.context, m.from);
        return;
      }
      case 'raft/readIndex':
        this.leaderReadIndex(m.context, m.from);
        return;
      case 'raft/append':
      case 'raft/heartbeat':
      case 'raft/snapshot':
        // Another leader in our own term would break election safety: a bug, never an outcome.
        assert(false, `two leaders in term ${this.term}: ${this.id} and ${m.from}`);
        return;
      case 'raft/voteResp':
      case 'raft/readIndexResp':
      case 'raft/vote':
        return;
      default:
        void nowUs;
        assertNever(m, 'raft message');
    }
  }

  // ---------------------------------------------------------------- replication

  private handleAppend(m: AppendMessage<P>): void {
    // (In the broken mode a "committed" prefix may be wrong, so it must be checked like any other.)
    if (m.prevIndex < this.log.committed && !this.unsafeCommitWithoutQuorum) {
      this.sendAppendResp(m.from, false, this.log.committed, 0, 0);
      return;
    }
    if (this.log.matchTerm(m.prevIndex, m.prevTerm)) {
      const lastNew = m.prevIndex + m.entries.length;
      this.log.appendFromLeader(m.entries);
      this.log.commitTo(Math.min(m.commit, lastNew));
      this.sendAppendResp(m.from, false, lastNew, 0, 0);
      return;
    }
    // Fast backtracking: point the leader past every entry of a term it does not have.
    const hint = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    this.sendAppendResp(m.from, true, m.prevIndex, hint.index, hint.term);
  }

  /**
   * One literal per answer: `{ ...common, more }` costs V8 a fresh hidden class per object (about a
   * microsecond and a kilobyte each), which showed at the top of the steady-state profile.
   */
  private sendAppendResp(to: RaftId, reject: boolean, index: number, hintIndex: number, hintTerm: number): void {
    this.send({ type: 'raft/appendResp', term: this.term, from: this.id, to, reject, index, hintIndex, hintTerm });
  }

  private handleHeartbeat(m: HeartbeatMessage): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    this.send({ type: 'raft/heartbeatResp', term: this.term, from: this.id, to: m.from, context: m.context });
  }

  /** etcd's handleSnapshot/restore: adopt the leader's snapshot unless the log already covers it. */
  private handleSnapshot(m: SnapshotMessage): void {
    const s = m.snapshot;
    if (s.index <= this.log.committed) {
      this.sendAppendResp(m.from, false, this.log.committed, 0, 0);
      return;
    }
    if (this.log.matchTerm(s.index, s.term)) {
      // The log already holds the snapshot's last entry: only the commit index moves (etcd fast-forward).
      this.log.commitTo(s.index);
      this.sendAppendResp(m.from, false, this.log.committed, 0, 0);
      return;
    }
    this.log.restore(s.index, s.term);
    this.latestSnapshot = s;
    this.pendingSnapshot = s;
    this.sendAppendResp(m.from, false, s.index, 0, 0);
  }

  private handleAppendResponse(pr: Progress, m: AppendResponse): void {
    if (m.reject) {
      const hintIndex = m.hintTerm > 0 ? this.log.findConflictByTerm(m.hintIndex, m.hintTerm).index : m.hintIndex;
      if (pr.maybeDecrTo(m.index, hintIndex)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from, true);
      }
      return;
    }
    const wasProbe = pr.state === 'probe';
    // Never believe a follower holds more than this leader has (it may answer with its own commit index).
    if (pr.maybeUpdate(Math.min(m.index, this.log.lastIndex()))) {
      if (wasProbe) pr.becomeReplicate();
      if (this.maybeCommit()) this.appendsDirty = true;
    }
    // The snapshot is installed (or the follower already had it): back to appends after it.
    if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) pr.becomeProbe();
    if (pr.next <= this.log.lastIndex()) this.sendAppend(m.from, false);
  }

  private sendAppend(to: RaftId, sendIfEmpty: boolean, shared?: SharedSlice<P>): void {
    const pr = this.progress.get(to);
    if (pr === undefined || pr.paused(this.maxInflight)) return;
    const prevIndex = pr.next - 1;
    if (this.log.isCompacted(prevIndex)) {
      this.sendSnapshot(to, pr);
      return;
    }
    let entries: ReadonlyArray<Entry<P>>;
    if (shared !== undefined && shared.from === pr.next && shared.entries !== undefined) entries = shared.entries;
    else {
      entries = this.log.slice(pr.next, this.log.lastIndex(), this.maxEntriesPerMsg);
      if (shared !== undefined) {
        shared.from = pr.next;
        shared.entries = entries;
      }
    }
    if (entries.length === 0 && !sendIfEmpty) return;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm < 0) assert(false, `leader lacks prevIndex ${prevIndex}`);
    this.send({ type: 'raft/append', term: this.term, from: this.id, to, prevIndex, prevTerm, entries, commit: this.log.committed });
    const last = entries[entries.length - 1];
    if (pr.state === 'replicate') {
      if (last !== undefined) {
        pr.next = last.index + 1;
        pr.inflight.push(last.index);
      }
    } else {
      pr.probeSent = true;
    }
  }

  /** The follower needs entries compacted away: send the latest snapshot instead (etcd's MsgSnap). */
  private sendSnapshot(to: RaftId, pr: Progress): void {
    const snapshot = this.latestSnapshot;
    assert(snapshot !== undefined && snapshot.index >= this.log.offset, `log compacted to ${this.log.offset} without a snapshot covering it`);
    this.send({ type: 'raft/snapshot', term: this.term, from: this.id, to, snapshot });
    pr.becomeSnapshot(snapshot.index, this.nowUs);
  }

  private broadcastAppends(): void {
    // Followers that are level get one entries array between them (messages are immutable).
    const shared: SharedSlice<P> = { from: -1, entries: undefined };
    for (const id of this.peers) if (id !== this.id) this.sendAppend(id, true, shared);
  }

  private broadcastHeartbeat(context: string | null): void {
    for (const id of this.peers) {
      if (id === this.id) continue;
      const pr = this.progress.get(id);
      // Never tell a follower to commit past what it is known to hold (etcd: min(match, committed)).
      const commit = Math.min(pr?.match ?? 0, this.log.committed);
      const hb: HeartbeatMessage = { type: 'raft/heartbeat', term: this.term, from: this.id, to: id, commit, context };
      this.send(hb);
    }
  }

  /** Figure 8 rule: commit the quorum-replicated index only if it holds an entry of the current term. */
  private maybeCommit(): boolean {
    let candidate: number;
    if (this.unsafeCommitWithoutQuorum) {
      candidate = this.log.lastIndex();
    } else {
      // The quorum-th largest match, by insertion sort into a reused array (runs per acknowledgement).
      const matches = this.matchScratch;
      let n = 0;
      for (const id of this.peers) {
        const m = id === this.id ? this.log.stableIndex : (this.progress.get(id)?.match ?? 0);
        let i = n++;
        while (i > 0 && (matches[i - 1] ?? 0) < m) {
          matches[i] = matches[i - 1] ?? 0;
          i--;
        }
        matches[i] = m;
      }
      candidate = matches[this.quorum - 1] ?? 0;
    }
    if (candidate <= this.log.committed || this.log.term(candidate) !== this.term) return false;
    this.log.commitTo(candidate);
    if (!this.committedInTerm) {
      this.committedInTerm = true;
      const waiting = this.readsBeforeCommit.splice(0);
      for (const r of waiting) this.leaderReadIndex(r.context, r.from);
    }
    return true;
  }

  private ackRead(context: string, from: RaftId): void {
    const at = this.pendingReads.findIndex((r) => r.context === context);
    const read = this.pendingReads[at];
    if (read === undefined) return;
    read.acks.add(from);
    if (read.acks.size < this.quorum) return;
    // Leadership confirmed now also confirms it for every earlier request (etcd's readOnly.advance).
    for (const r of this.pendingReads.splice(0, at + 1)) this.answerRead(r.context, r.index, r.from);
  }

  // ---------------------------------------------------------------- elections

  private campaign(nowUs: number): void {
    // Every timeout starts with a pre-vote: only a winning pre-vote may raise the term.
    if (this.preVote) {
      this.role = 'preCandidate';
      this.leader = NONE;
      this.electionStartUs = nowUs;
      this.startVoting(true, nowUs);
    } else {
      this.becomeCandidate(nowUs);
      this.startVoting(false, nowUs);
    }
  }

  private startVoting(pre: boolean, nowUs: number): void {
    this.votes.clear();
    this.votes.set(this.id, true);
    if (this.votes.size >= this.quorum) {
      this.electionWon(pre, nowUs);
      return;
    }
    const term = pre ? this.term + 1 : this.term;
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of this.peers) {
      if (id !== this.id) this.send({ type: 'raft/vote', term, from: this.id, to: id, pre, lastIndex, lastTerm });
    }
  }

  private handleVoteResponse(m: VoteResponse, nowUs: number): void {
    if (m.pre !== (this.role === 'preCandidate')) return;
    this.votes.set(m.from, !m.reject);
    let granted = 0;
    let rejected = 0;
    for (const v of this.votes.values()) if (v) granted++;
    else rejected++;
    if (granted >= this.quorum) this.electionWon(m.pre, nowUs);
    else if (rejected >= this.quorum) this.becomeFollower(this.term, NONE, nowUs);
  }

  private electionWon(pre: boolean, nowUs: number): void {
    if (pre) {
      this.becomeCandidate(nowUs);
      this.startVoting(false, nowUs);
    } else {
      this.becomeLeader(nowUs);
    }
  }

  private resetTerm(term: number, nowUs: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.leader = NONE;
    this.electionStartUs = nowUs;
    const spread = this.electionTimeoutMaxUs - this.electionTimeoutUs;
    this.randomizedTimeoutUs = this.electionTimeoutUs + Math.floor(this.random() * spread);
    this.votes.clear();
    this.progress.clear();
    this.pendingReads.length = 0;
    this.readsBeforeCommit.length = 0;
    this.committedInTerm = false;
    this.appendsDirty = false;
  }

  private becomeFollower(term: number, leader: RaftId, nowUs: number): void {
    this.resetTerm(term, nowUs);
    this.role = 'follower';
    this.leader = leader;
  }

  private becomeCandidate(nowUs: number): void {
    this.resetTerm(this.term + 1, nowUs);
    this.role = 'candidate';
    this.vote = this.id;
  }

  private becomeLeader(nowUs: number): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    const term = this.term;
    this.resetTerm(term, nowUs);
    this.role = 'leader';
    this.leader = this.id;
    for (const id of this.peers) {
      const pr = new Progress(this.log.lastIndex() + 1);
      if (id === this.id) pr.match = this.log.lastIndex();
      this.progress.set(id, pr);
    }
    // The empty entry commits this term's first entry, and with it everything before (Figure 8).
    this.log.appendNew(this.term, null);
    this.appendsDirty = true;
    this.nextHeartbeatUs = nowUs + this.heartbeatUs;
    if (this.peers.length === 1 || this.unsafeCommitWithoutQuorum) this.maybeCommit();
  }

  // ---------------------------------------------------------------- Ready / Advance

  private send(m: RaftMessage<P>): void {
    this.messages.push(m);
  }

  // hasReady() runs after every input and ready() once per batch: neither allocates unless there is
  // something new (hard or soft state objects only when they changed, shared empty arrays).

  private hardChanged(): boolean {
    const prev = this.prevHard;
    return this.term !== prev.term || this.vote !== prev.vote || this.log.committed !== prev.commit;
  }

  private softChanged(): boolean {
    const prev = this.prevSoft;
    return this.role !== prev.role || this.leader !== prev.leader || this.term !== prev.term;
  }

  hasReady(): boolean {
    return (
      this.appendsDirty ||
      this.pendingSnapshot !== null ||
      this.messages.length > 0 ||
      this.readStates.length > 0 ||
      this.log.stableIndex < this.log.lastIndex() ||
      this.log.hasNextCommitted() ||
      this.hardChanged() ||
      this.softChanged()
    );
  }

  /** Drains what the host must do now; call advance(ready) once it is done, before the next ready(). */
  ready(): Ready<P> {
    if (this.appendsDirty && this.role === 'leader') this.broadcastAppends();
    this.appendsDirty = false;
    let hardState: HardState | null = null;
    if (this.hardChanged()) {
      hardState = this.hardState();
      this.prevHard = hardState;
    }
    let softState: SoftState | null = null;
    if (this.softChanged()) {
      softState = this.softState();
      this.prevSoft = softState;
    }
    const ready: Ready<P> = {
      softState,
      snapshot: this.pendingSnapshot,
      hardState,
      entries: this.log.stableIndex < this.log.lastIndex() ? this.log.unstable() : NO_ENTRIES,
      messages: this.messages.length > 0 ? this.messages : NO_MESSAGES,
      committedEntries: this.log.hasNextCommitted() ? this.log.nextCommitted() : NO_ENTRIES,
      readStates: this.readStates.length > 0 ? this.readStates : NO_READS,
    };
    if (this.messages.length > 0) this.messages = [];
    if (this.readStates.length > 0) this.readStates = [];
    return ready;
  }

  /** The host persisted `ready.entries` and applied `ready.committedEntries`. */
  advance(ready: Ready<P>): void {
    if (ready.snapshot !== null && this.pendingSnapshot === ready.snapshot) this.pendingSnapshot = null;
    const lastPersisted: Entry<P> | undefined = ready.entries[ready.entries.length - 1];
    if (lastPersisted !== undefined && this.log.matchTerm(lastPersisted.index, lastPersisted.term)) {
      this.log.stableIndex = Math.max(this.log.stableIndex, lastPersisted.index);
      // The leader's own vote in the commit quorum counts only once its fsync is done.
      if (this.role === 'leader' && this.maybeCommit()) this.appendsDirty = true;
    }
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) this.log.applied = Math.max(this.log.applied, lastApplied.index);
  }

  /**
   * For checkers that read a member from outside: the term of the entry at `index` (-1 if absent,
   * COMPACTED if it is inside the snapshot; see `snapshot` for the compaction point's index and term).
   */
  termAt(index: number): number {
    return this.log.term(index);
  }

  /** The latest snapshot this member holds (taken or installed), if any. */
  get snapshot(): Snapshot | undefined {
    return this.latestSnapshot;
  }

  /**
   * The host has applied everything through `index` and captured the state machine as `data`
   * (etcd's CreateSnapshot): it becomes the snapshot sent to followers that fall behind the log.
   */
  createSnapshot(index: number, data: unknown, sizeBytes: number): Snapshot {
    assert(index <= this.log.applied && index >= (this.latestSnapshot?.index ?? 0), `snapshot at ${index}: applied ${this.log.applied}`);
    const term = this.log.term(index);
    assert(term >= 0, `snapshot at compacted or unknown index ${index}`);
    const snapshot: Snapshot = Object.freeze({ index, term, data, sizeBytes });
    this.latestSnapshot = snapshot;
    return snapshot;
  }

  /** Drops the log up to `index` (etcd's Compact); the latest snapshot must cover it. */
  compact(index: number): void {
    assert(this.latestSnapshot !== undefined && index <= this.latestSnapshot.index, `compact to ${index} beyond the snapshot`);
    this.log.compact(index);
  }
}

export type { ReadIndexMessage, HeartbeatResponse };
export { COMPACTED } from './raftLog.js';
