/**
 * Raft data types in etcd raft's shape: entries, the hard state that must survive a crash, the
 * messages members exchange, and the Ready batch a host drains (persist → send → apply → advance).
 * Member ids are small positive integers; 0 means "none" (no vote, no known leader), as in etcd.
 */

export type RaftId = number;
export const NONE: RaftId = 0;

/** One log entry. `data` null is the empty entry a new leader appends to commit its term. */
export interface Entry<P> {
  readonly index: number;
  readonly term: number;
  readonly data: P | null;
}

/**
 * A snapshot of the state machine at log index `index` (whose entry had term `term`): every entry up
 * to `index` is in it, so the log before it may be dropped (etcd's raftpb.Snapshot). `data` is opaque
 * to Raft (the MVCC state); `sizeBytes` models its transfer size.
 */
export interface Snapshot {
  readonly index: number;
  readonly term: number;
  readonly data: unknown;
  readonly sizeBytes: number;
}

/** What must be on disk before a message that depends on it is sent (Raft paper Figure 2). */
export interface HardState {
  readonly term: number;
  readonly vote: RaftId;
  readonly commit: number;
}

export type RaftRole = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/** Volatile state a host reports when it changes (leader elected or lost). */
export interface SoftState {
  readonly role: RaftRole;
  readonly leader: RaftId;
  readonly term: number;
}

/** A linearizable read point: the request `context` may be served once `index` is applied. */
export interface ReadState {
  readonly context: string;
  readonly index: number;
}

interface Envelope {
  readonly term: number;
  readonly from: RaftId;
  readonly to: RaftId;
}

/** RequestVote or, with `pre`, the PreVote probe (term is the term the candidate would use). */
export interface VoteMessage extends Envelope {
  readonly type: 'raft/vote';
  readonly pre: boolean;
  readonly lastIndex: number;
  readonly lastTerm: number;
}
export interface VoteResponse extends Envelope {
  readonly type: 'raft/voteResp';
  readonly pre: boolean;
  readonly reject: boolean;
}
export interface AppendMessage<P> extends Envelope {
  readonly type: 'raft/append';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: ReadonlyArray<Entry<P>>;
  readonly commit: number;
}
/**
 * On success `index` is the last index now matching the leader. On reject `index` is the
 * rejected prevIndex, and (hintIndex, hintTerm) is etcd's fast-backtracking hint: the largest
 * index at or below it whose term is ≤ the leader's prevTerm.
 */
export interface AppendResponse extends Envelope {
  readonly type: 'raft/appendResp';
  readonly reject: boolean;
  readonly index: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
}
/**
 * InstallSnapshot (etcd's MsgSnap): the leader no longer has the entries a follower needs, so it sends
 * its latest snapshot; the follower answers with an appendResp at the snapshot's index.
 */
export interface SnapshotMessage extends Envelope {
  readonly type: 'raft/snapshot';
  readonly snapshot: Snapshot;
}
/** Carries the commit index a follower may safely adopt, and a ReadIndex context to confirm leadership. */
export interface HeartbeatMessage extends Envelope {
  readonly type: 'raft/heartbeat';
  readonly commit: number;
  readonly context: string | null;
}
export interface HeartbeatResponse extends Envelope {
  readonly type: 'raft/heartbeatResp';
  readonly context: string | null;
}
/** A follower forwarding a ReadIndex request to its leader, and the answer. */
export interface ReadIndexMessage extends Envelope {
  readonly type: 'raft/readIndex';
  readonly context: string;
}
export interface ReadIndexResponse extends Envelope {
  readonly type: 'raft/readIndexResp';
  readonly context: string;
  readonly index: number;
}

export type RaftMessage<P> =
  | VoteMessage
  | VoteResponse
  | AppendMessage<P>
  | AppendResponse
  | SnapshotMessage
  | HeartbeatMessage
  | HeartbeatResponse
  | ReadIndexMessage
  | ReadIndexResponse;

/**
 * Everything the host must do after a batch of inputs, in this order: install and persist `snapshot`
 * (replacing the whole stored log and the state machine), persist `entries` (replacing any stored
 * entries from `entries[0].index` on) and `hardState`, wait for the fsync, send `messages`, apply
 * `committedEntries`, serve `readStates`, then call advance(ready).
 */
export interface Ready<P> {
  readonly softState: SoftState | null;
  /** A snapshot received from the leader (InstallSnapshot), or null. */
  readonly snapshot: Snapshot | null;
  readonly hardState: HardState | null;
  readonly entries: ReadonlyArray<Entry<P>>;
  readonly messages: ReadonlyArray<RaftMessage<P>>;
  readonly committedEntries: ReadonlyArray<Entry<P>>;
  readonly readStates: ReadonlyArray<ReadState>;
}

/** Configuration of one member. Times are microseconds of the member's local clock. */
export interface RaftConfig {
  readonly id: RaftId;
  /** Every voting member including this one. */
  readonly peers: readonly RaftId[];
  /** Leader heartbeat period; etcd default 100ms. Shorter detects failure sooner, costs messages. */
  readonly heartbeatUs: number;
  /** Base election timeout; etcd default 1000ms. Also the CheckQuorum period and the PreVote lease. */
  readonly electionTimeoutUs: number;
  /**
   * Exclusive upper bound of the randomized timeout; default 2×electionTimeoutUs as in etcd.
   * Raft paper Figure 16 uses e.g. 150–155ms: set electionTimeoutUs 150ms, this 155ms.
   */
  readonly electionTimeoutMaxUs?: number;
  /** etcd's PreVote (default true): a partitioned member cannot raise the term and disrupt a leader. */
  readonly preVote?: boolean;
  /** etcd's CheckQuorum (default true): a leader that has not heard from a quorum steps down. */
  readonly checkQuorum?: boolean;
  /**
   * Restart the election timer whenever a higher term is seen, even from a vote request that is
   * refused (etcd's behaviour; default true). LogCabin, the Raft paper's implementation, restarts
   * it only on hearing a leader, granting a vote or starting an election; Figure 16's runs use that.
   */
  readonly resetTimerOnTermChange?: boolean;
  /** Entries per append message (default 64); bounds message size. */
  readonly maxEntriesPerMsg?: number;
  /** Append messages in flight per follower in pipelined mode (default 64); bounds buffering. */
  readonly maxInflight?: number;
  /** Uniform draws in [0,1) for the randomized election timeout (the kernel's Rng.next). */
  readonly random: () => number;
  /**
   * DELIBERATELY BROKEN (default false): the leader commits an entry as soon as it is on its own
   * disk, without a quorum. Exists only so tests can show the durability/linearizability checkers fail.
   */
  readonly unsafeCommitWithoutQuorum?: boolean;
}

/** What a member restores from its disk on (re)start. */
export interface RaftStorage<P> {
  readonly hardState: HardState;
  /** The stored log: entries logOffset+1, logOffset+2, … */
  readonly entries: ReadonlyArray<Entry<P>>;
  /** Index and term of the entry just before `entries` (the compaction point; default 0/0). */
  readonly logOffset?: { readonly index: number; readonly term: number };
  /** The latest snapshot (the state machine was restored from it; applying resumes after it). */
  readonly snapshot?: Snapshot;
}
