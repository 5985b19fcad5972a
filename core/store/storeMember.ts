import type { Component, Context, EndpointId, Message, TimerId, TimerTag } from '../../sim/index.js';
import type { Entry, HardState, RaftMessage, Ready, Snapshot, SoftState } from './raft/types.js';
import type { MvccSnapshot } from './mvcc.js';
import type { LogCommand, RangeRequest, StoreRequest, StoreResponse } from './protocol.js';
import type { StoreRecorder } from './recorder.js';
import { NONE } from './raft/types.js';
import { RaftNode } from './raft/raftNode.js';
import { Mvcc } from './mvcc.js';
import { ClientSessions, SETTLED, type SessionRecord } from './clientSessions.js';
import { isStoreRequest } from './protocol.js';
import { assertNever } from '../util/assert.js';

export interface StoreMemberOptions {
  /** Endpoint names of every member, in a fixed order; member i has Raft id i+1. */
  readonly members: readonly string[];
  /** Leader heartbeat period, µs; etcd default 100ms. */
  readonly heartbeatUs?: number;
  /** Election timeout, µs; etcd default 1000ms, randomized in [t, 2t). */
  readonly electionTimeoutUs?: number;
  /** Exclusive upper bound of the randomized election timeout, µs; default 2×electionTimeoutUs. */
  readonly electionTimeoutMaxUs?: number;
  /** etcd's PreVote; default true. */
  readonly preVote?: boolean;
  /** etcd's CheckQuorum; default true. */
  readonly checkQuorum?: boolean;
  /** Restart the election timer on any higher term (etcd, default true); false is LogCabin's rule (Figure 16). */
  readonly resetTimerOnTermChange?: boolean;
  /** MVCC history window in revisions (default 10,000; etcd's apiserver compacts every 5 minutes). */
  readonly retainRevisions?: number;
  /** Watch progress notifications, µs (default 1s): lets clients notice a silent member. */
  readonly watchProgressUs?: number;
  /**
   * Applied entries between snapshots (etcd's --snapshot-count, default 100,000). A snapshot of the
   * MVCC state is saved to disk and the log compacted behind it: smaller bounds the log and restart
   * replay, costs a state copy more often.
   */
  readonly snapshotCount?: number;
  /**
   * Entries kept in the log behind a snapshot for slow followers (etcd's SnapshotCatchUpEntries,
   * default 5,000): a follower further behind is sent the whole snapshot (InstallSnapshot) instead.
   */
  readonly snapshotCatchUpEntries?: number;
  /** DELIBERATELY BROKEN: commit without a quorum. Only for showing that the checkers catch it. */
  readonly unsafeCommitWithoutQuorum?: boolean;
  /** Checker hooks (see StoreRecorder); none by default. */
  readonly recorder?: StoreRecorder;
  /**
   * Simulated CPU per Ready batch, µs: a fixed part, per message sent and per entry persisted or
   * applied (defaults 10/5/5, a few-core etcd at tens of thousands of writes/s). This is what makes a
   * leader with more followers slower: it sends and processes more per write.
   */
  readonly cpuCostUs?: { readonly perReady: number; readonly perMessage: number; readonly perEntry: number };
}

interface Watcher {
  readonly watchId: string;
  readonly client: EndpointId;
  readonly prefix: string;
  /** The client's open count for this watch, echoed in every message of the stream. */
  readonly generation: number;
  nextRevision: number;
  /** Sequence number of the last message sent on this stream (the first is 1). */
  seq: number;
  /** Shared by the watchers of one prefix (see pushWatches). */
  readonly prefixChanged: PrefixMemo;
}

interface PrefixMemo {
  epoch: number;
  hit: boolean;
}

interface PendingWrite {
  readonly client: EndpointId;
  readonly proposedAtUs: number;
}

const TICK = 'store/tick';
const FSYNC = 'store/fsync';
const PROGRESS = 'store/progress';
const CPU = 'store/cpu';
const DEFAULT_CPU_COST = Object.freeze({ perReady: 10, perMessage: 5, perEntry: 5 });
/** A Ready whose CPU cost is at most this (µs) acts at once on an idle member; a larger one waits its cost out. */
const IMMEDIATE_READY_US = 50;

const DISK_HARD = 'raft/hardState';
const DISK_LOG = 'raft/log';
/** Index and term of the entry just before the first one in DISK_LOG (the compaction point). */
const DISK_LOG_OFFSET = 'raft/logOffset';
const DISK_SNAPSHOT = 'raft/snapshot';

/** What a store snapshot holds: the MVCC state and the at-most-once table, both as of its index. */
interface StoreSnapshotData {
  readonly mvcc: MvccSnapshot;
  readonly sessions: readonly SessionRecord[];
}

interface LogOffset {
  readonly index: number;
  readonly term: number;
}

/**
 * One etcd member: a Raft node, the MVCC state machine it feeds, and the client-facing server.
 * Writes go through the leader (others answer NotLeader with a hint); reads are serializable from
 * any member or linearizable via ReadIndex; watches are served from the local MVCC history. A
 * persisted entry counts only after the host's fsync delay. Every `snapshotCount` applied entries
 * the MVCC state is snapshotted to disk and the log compacted behind it (keeping
 * `snapshotCatchUpEntries`); on restart the MVCC state is loaded from the snapshot and only the
 * committed entries after it are re-applied. A follower that needs compacted entries is sent the
 * snapshot (InstallSnapshot).
 */
export class StoreMember implements Component {
  private readonly options: StoreMemberOptions;
  private node: RaftNode<LogCommand> | undefined;
  private mvcc: Mvcc;
  private readonly watchers = new Map<string, Watcher>();
  private readonly pendingWrites = new Map<string, PendingWrite>();
  private readonly pendingReads = new Map<string, { readonly client: EndpointId; readonly request: RangeRequest }>();
  private readonly readsAwaitingApply: Array<{ readonly context: string; readonly index: number }> = [];
  /** Results of applied requests, for answering a retried request without applying it twice. */
  private sessions = new ClientSessions();
  private readonly endpoints: Array<EndpointId | undefined> = [];
  private inFlight: Ready<LogCommand> | undefined;

  private tickTimer: TimerId | undefined;
  private tickAtUs = Infinity;
  private campaignStartUs: number | undefined;
  private lastSoft: SoftState = { role: 'follower', leader: NONE, term: 0 };
  private readSeq = 0;
  /** Index of the latest snapshot taken or installed here. */
  private snapshotIndex = 0;
  /** pushWatches' memo: per watched prefix, whether it changed in batch number `epoch`. */
  private readonly prefixChanged = new Map<string, PrefixMemo>();
  private pushEpoch = 0;

  constructor(options: StoreMemberOptions) {
    this.options = options;
    this.mvcc = new Mvcc({ retainRevisions: options.retainRevisions ?? 10_000 });
  }

  // ---------------------------------------------------------------- views for checkers and tests

  get raft(): RaftNode<LogCommand> | undefined {
    return this.node;
  }
  get store(): Mvcc {
    return this.mvcc;
  }
  isLeader(): boolean {
    return this.node?.role === 'leader';
  }

  // ---------------------------------------------------------------- Component

  start(ctx: Context): void {
    const id = this.options.members.indexOf(ctx.name) + 1;
    if (id === 0) throw new Error(`store member ${ctx.name} is not in members [${this.options.members.join(', ')}]`);
    const hardState = ctx.disk.get<HardState>(DISK_HARD) ?? { term: 0, vote: NONE, commit: 0 };
    const entries = this.durableLog(ctx).slice();
    const logOffset = ctx.disk.get<LogOffset>(DISK_LOG_OFFSET) ?? { index: 0, term: 0 };
    const snapshot = ctx.disk.get<Snapshot>(DISK_SNAPSHOT);
    // Restart: the state machine comes back from the snapshot; only entries after it are re-applied.
    if (snapshot !== undefined) this.loadSnapshot(snapshot);
    const rng = ctx.rng;
    this.node = new RaftNode<LogCommand>(
      {
        id,
        peers: this.options.members.map((_, i) => i + 1),
        heartbeatUs: this.options.heartbeatUs ?? 100_000,
        electionTimeoutUs: this.options.electionTimeoutUs ?? 1_000_000,
        ...(this.options.electionTimeoutMaxUs === undefined ? {} : { electionTimeoutMaxUs: this.options.electionTimeoutMaxUs }),
        preVote: this.options.preVote ?? true,
        checkQuorum: this.options.checkQuorum ?? true,
        resetTimerOnTermChange: this.options.resetTimerOnTermChange ?? true,
        random: () => rng.next(),
        unsafeCommitWithoutQuorum: this.options.unsafeCommitWithoutQuorum ?? false,
      },
      { hardState, entries, logOffset, ...(snapshot === undefined ? {} : { snapshot }) },
      ctx.now(),
    );
    this.lastSoft = this.node.softState();
    ctx.setTimer(this.options.watchProgressUs ?? 1_000_000, PROGRESS);
    this.process(ctx);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    const node = this.node;
    if (node === undefined) return;
    if (message.type.startsWith('raft/')) {
      node.step(message as RaftMessage<LogCommand>, ctx.now());
    } else if (isStoreRequest(message)) {
      this.handleRequest(ctx, from, message);
    } else {
      return;
    }
    this.process(ctx);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    const node = this.node;
    if (node === undefined) return;
    if (tag === TICK) {
      this.tickTimer = undefined;
      this.tickAtUs = Infinity;
      node.tick(ctx.now());
    } else if (tag === CPU) {
      const ready = this.inFlight;
      if (ready !== undefined) this.runReady(ctx, ready);
    } else if (tag === FSYNC) {
      const ready = this.inFlight;
      if (ready !== undefined) this.finishReady(ctx, ready);
    } else if (tag === PROGRESS) {
      for (const w of this.watchers.values()) this.pushWatch(ctx, w, true);
      ctx.setTimer(this.options.watchProgressUs ?? 1_000_000, PROGRESS);
    }
    this.process(ctx);
  }

  // ---------------------------------------------------------------- client requests

  private handleRequest(ctx: Context, from: EndpointId, request: StoreRequest): void {
    const node = this.node;
    if (node === undefined) return;
    switch (request.type) {
      case 'store/write': {
        const done = this.sessions.lookup(request.session, request.seq);
        // The client settled it (a stale copy from the network): it waits for no answer.
        if (done === SETTLED) return;
        if (done !== undefined) {
          reply(ctx, from, { type: 'store/writeResp', requestId: request.requestId, ...done });
          return;
        }
        if (this.pendingWrites.has(request.requestId) && node.role === 'leader') return;
        // The request is the log command (it carries the id, origin and command; immutable as sent).
        const proposed = node.propose(request);
        if (proposed.ok) this.pendingWrites.set(request.requestId, { client: from, proposedAtUs: ctx.now() });
        else this.notLeader(ctx, from, request.requestId, proposed.leader);
        return;
      }
      case 'store/range': {
        if (request.serializable) {
          this.answerRange(ctx, from, request);
          return;
        }
        const context = `${ctx.name}/read/${++this.readSeq}`;
        if (node.readIndex(context)) this.pendingReads.set(context, { client: from, request });
        else this.notLeader(ctx, from, request.requestId, NONE);
        return;
      }
      case 'store/watch': {
        // A duplicated or overtaken open of an older (or this same) stream must not restart it.
        const known = this.watchers.get(request.watchId);
        if (known !== undefined && known.generation >= request.generation) return;
        const watcher: Watcher = {
          watchId: request.watchId,
          client: from,
          prefix: request.prefix,
          generation: request.generation,
          nextRevision: request.fromRevision,
          seq: 0,
          prefixChanged: this.prefixMemo(request.prefix),
        };
        this.watchers.set(request.watchId, watcher);
        this.pushWatch(ctx, watcher, true);
        return;
      }
      case 'store/cancelWatch': {
        const known = this.watchers.get(request.watchId);
        if (known !== undefined && known.generation <= request.generation) this.watchers.delete(request.watchId);
        return;
      }
      case 'store/watchAck': {
        // A restarted member (or one whose open or `watchCompacted` was lost) does not serve this
        // stream: say so at once, and the client reopens from its last delivered revision.
        const known = this.watchers.get(request.watchId);
        if (known === undefined || known.generation < request.generation) {
          reply(ctx, from, { type: 'store/watchUnknown', watchId: request.watchId, generation: request.generation });
        }
        return;
      }
      default:
        assertNever(request, 'store request');
    }
  }

  private notLeader(ctx: Context, to: EndpointId, requestId: string, leader: number): void {
    const name = leader === NONE ? null : (this.options.members[leader - 1] ?? null);
    reply(ctx, to, { type: 'store/notLeader', requestId, leader: name, term: this.node?.term ?? 0 });
  }

  private answerRange(ctx: Context, to: EndpointId, request: RangeRequest): void {
    const result = this.mvcc.range(request.prefix, {
      exact: request.exact,
      ...(request.revision === undefined ? {} : { revision: request.revision }),
      ...(request.limit === undefined ? {} : { limit: request.limit }),
    });
    const size = result.type === 'ok' ? 64 + result.kvs.reduce((n, kv) => n + kv.sizeBytes, 0) : 64;
    reply(ctx, to, { type: 'store/rangeResp', requestId: request.requestId, result }, size);
  }

  /**
   * Sends a watcher what changed since its last push. Cost O(log history + new events): eventsSince
   * finds `nextRevision` by binary search, and every push (quiet prefixes too) moves it past the
   * current revision, so nothing is looked at twice.
   */
  private pushWatch(ctx: Context, w: Watcher, progress: boolean): void {
    if (!progress && w.nextRevision > this.mvcc.revision) return; // nothing new since the last push
    const result = this.mvcc.eventsSince(w.prefix, w.nextRevision);
    if (result.type === 'compacted') {
      const compacted = { type: 'store/watchCompacted', watchId: w.watchId, generation: w.generation, seq: ++w.seq, compactRevision: result.compactRevision } as const;
      reply(ctx, w.client, compacted);
      this.watchers.delete(w.watchId);
      return;
    }
    const last = result.events[result.events.length - 1];
    // Everything up to the current revision has been looked at: a quiet watch moves on too, so the
    // next push scans only what is new (not the whole history since its last matching event).
    w.nextRevision = Math.max(w.nextRevision, this.mvcc.revision + 1);
    if (last === undefined && !progress) return;
    const size = 64 + result.events.reduce((n, e) => n + e.kv.sizeBytes, 0);
    const message = { type: 'store/watchEvents', watchId: w.watchId, generation: w.generation, seq: ++w.seq, events: result.events, revision: this.mvcc.revision } as const;
    reply(ctx, w.client, message, size);
  }

  // ---------------------------------------------------------------- the Ready loop

  /**
   * Drains the Raft node: one Ready at a time, waiting for the fsync when it must be durable. A
   * Ready's CPU cost always occupies the member's CPU; when the CPU was already busy, or the Ready is
   * a large one (a catch-up append, a restart replaying its log: over IMMEDIATE_READY_US), the Ready
   * waits for that CPU (a timer). A small Ready on an idle CPU acts at once and only later work
   * queues behind its cost: a few µs is far below a network hop, and one timer per Ready was an
   * eighth of the steady state's events.
   */
  private process(ctx: Context): void {
    const node = this.node;
    if (node === undefined) return;
    while (this.inFlight === undefined && node.hasReady()) {
      const ready = node.ready();
      if (ready.softState !== null) this.onSoftState(ctx, ready.softState);
      this.inFlight = ready;
      const cost = this.options.cpuCostUs ?? DEFAULT_CPU_COST;
      const backlogUs = ctx.useCpu(0);
      const busyUs = ctx.useCpu(cost.perReady + cost.perMessage * ready.messages.length + cost.perEntry * (ready.entries.length + ready.committedEntries.length));
      if (busyUs > 0 && (backlogUs > 0 || busyUs > IMMEDIATE_READY_US)) {
        ctx.setTimer(busyUs, CPU);
        break;
      }
      this.runReady(ctx, ready);
    }
    this.armTick(ctx);
  }

  /** Acts on a Ready: sends (a leader before its fsync), applies, serves reads, then persists. */
  private runReady(ctx: Context, ready: Ready<LogCommand>): void {
    const node = this.node;
    if (node === undefined) return;
    // The leader may send before its own fsync: its vote in the quorum waits for advance() (etcd §10.2.1).
    const leaderSends = node.role === 'leader';
    if (leaderSends) this.sendAll(ctx, ready.messages);
    if (ready.snapshot !== null) {
      // InstallSnapshot from the leader: the state machine jumps to the snapshot's index.
      this.loadSnapshot(ready.snapshot);
      this.options.recorder?.onSnapshot?.(ctx.name, ready.snapshot.index, ready.snapshot.term, true);
      ctx.observe({ type: 'store.snapshot', event: 'installed', subject: ctx.name, index: ready.snapshot.index, sizeBytes: ready.snapshot.sizeBytes });
      for (const w of this.watchers.values()) this.pushWatch(ctx, w, false);
    }
    this.apply(ctx, ready.committedEntries);
    for (const rs of ready.readStates) this.readsAwaitingApply.push(rs);
    this.serveReads(ctx);
    const hs = ready.hardState;
    const mustSync = ready.entries.length > 0 || ready.snapshot !== null || (hs !== null && (hs.term !== this.lastPersistedTerm(ctx) || hs.vote !== this.lastPersistedVote(ctx)));
    this.inFlight = leaderSends ? sent(ready) : ready;
    if (mustSync) {
      ctx.setTimer(ctx.fsyncDelay(), FSYNC);
      return;
    }
    this.finishReady(ctx, this.inFlight);
  }

  /** The Raft log on this member's disk (entries o+1..n at positions 0..n-o-1, o = DISK_LOG_OFFSET's index). */
  private durableLog(ctx: Context): Array<Entry<LogCommand>> {
    let log = ctx.disk.get<Array<Entry<LogCommand>>>(DISK_LOG);
    if (log === undefined) {
      log = [];
      ctx.disk.set(DISK_LOG, log);
    }
    return log;
  }

  private lastPersistedTerm(ctx: Context): number {
    return ctx.disk.get<HardState>(DISK_HARD)?.term ?? 0;
  }
  private lastPersistedVote(ctx: Context): number {
    return ctx.disk.get<HardState>(DISK_HARD)?.vote ?? NONE;
  }

  /** The fsync is done (or was not needed): persist, send what had to wait for it, advance. */
  private finishReady(ctx: Context, ready: Ready<LogCommand>): void {
    const node = this.node;
    this.inFlight = undefined;
    if (node === undefined) return;
    if (ready.hardState !== null) ctx.disk.set(DISK_HARD, ready.hardState);
    if (ready.snapshot !== null) {
      // The snapshot replaces the whole stored log (etcd saves it, then the WAL continues after it).
      ctx.disk.set(DISK_SNAPSHOT, ready.snapshot);
      ctx.disk.set(DISK_LOG_OFFSET, { index: ready.snapshot.index, term: ready.snapshot.term });
      ctx.disk.set(DISK_LOG, []);
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      // The on-disk log is one array, changed only here, when the fsync has completed: replace
      // everything from the first new index on (a leader may have overwritten an uncommitted tail).
      const log = this.durableLog(ctx);
      const offset = ctx.disk.get<LogOffset>(DISK_LOG_OFFSET)?.index ?? 0;
      log.length = first.index - 1 - offset;
      for (const entry of ready.entries) log.push(entry);
      ctx.disk.set(DISK_LOG, log);
    }
    this.sendAll(ctx, ready.messages);
    node.advance(ready);
    this.maybeSnapshot(ctx);
  }

  /**
   * etcd's triggerSnapshot: after `snapshotCount` applied entries, snapshot the state machine at the
   * applied index, save it, and compact the log (in memory and on disk) up to `snapshotCatchUpEntries`
   * behind it, so a slightly slow follower still catches up from the log.
   */
  private maybeSnapshot(ctx: Context): void {
    const node = this.node;
    if (node === undefined) return;
    const applied = this.appliedThrough;
    // A snapshot from the leader was adopted by Raft but is not loaded into the MVCC yet (it rides on
    // the next Ready): the state machine is not at Raft's applied index, so this is no time to copy it.
    if (node.log.applied !== applied) return;
    if (applied - this.snapshotIndex < (this.options.snapshotCount ?? 100_000)) return;
    const data: StoreSnapshotData = Object.freeze({ mvcc: this.mvcc.snapshot(), sessions: Object.freeze(this.sessions.snapshot()) });
    const snapshot = node.createSnapshot(applied, data, data.mvcc.sizeBytes + 64 * this.sessions.size);
    this.snapshotIndex = applied;
    ctx.disk.set(DISK_SNAPSHOT, snapshot);
    const compactTo = applied - (this.options.snapshotCatchUpEntries ?? 5_000);
    if (compactTo > node.log.offset) {
      node.compact(compactTo);
      const log = this.durableLog(ctx);
      const offset = ctx.disk.get<LogOffset>(DISK_LOG_OFFSET)?.index ?? 0;
      log.splice(0, compactTo - offset);
      ctx.disk.set(DISK_LOG_OFFSET, { index: node.log.offset, term: node.log.offsetTerm });
      ctx.disk.set(DISK_LOG, log);
    }
    this.options.recorder?.onSnapshot?.(ctx.name, snapshot.index, snapshot.term, false);
    ctx.observe({ type: 'store.snapshot', event: 'taken', subject: ctx.name, index: snapshot.index, compactedTo: node.log.offset, sizeBytes: snapshot.sizeBytes });
  }

  /** The MVCC state and the at-most-once table as of the snapshot (on restart or InstallSnapshot). */
  private loadSnapshot(snapshot: Snapshot): void {
    const data = snapshot.data as StoreSnapshotData;
    this.mvcc = Mvcc.fromSnapshot(data.mvcc, { retainRevisions: this.options.retainRevisions ?? 10_000 });
    this.sessions = ClientSessions.fromSnapshot(data.sessions);
    this.appliedThrough = snapshot.index;
    this.snapshotIndex = snapshot.index;
  }

  private sendAll(ctx: Context, messages: ReadonlyArray<RaftMessage<LogCommand>>): void {
    for (const m of messages) {
      const to = this.endpointOf(ctx, m.to);
      if (to === undefined) continue;
      const size = m.type === 'raft/append' ? 64 + m.entries.length * 256 : m.type === 'raft/snapshot' ? 64 + m.snapshot.sizeBytes : 64;
      ctx.send(to, m, size);
    }
  }

  private endpointOf(ctx: Context, id: number): EndpointId | undefined {
    const known = this.endpoints[id];
    if (known !== undefined) return known;
    const name = this.options.members[id - 1];
    const found = name === undefined ? undefined : ctx.lookup(name);
    this.endpoints[id] = found;
    return found;
  }

  /**
   * Keeps one tick timer armed no later than Raft's next deadline. A follower's deadline moves later
   * with every message from the leader; the armed timer is then left alone (tick() before the
   * deadline does nothing, and re-arming follows it), so a message costs no timer cancel and push.
   */
  private armTick(ctx: Context): void {
    const node = this.node;
    if (node === undefined) return;
    const at = node.nextDeadlineUs();
    if (at === this.tickAtUs || (this.tickTimer !== undefined && this.tickAtUs < at)) return;
    if (this.tickTimer !== undefined) ctx.cancelTimer(this.tickTimer);
    this.tickAtUs = at;
    this.tickTimer = ctx.setTimer(Math.max(0, at - ctx.now()), TICK);
  }

  private onSoftState(ctx: Context, soft: SoftState): void {
    const node = this.node;
    const was = this.lastSoft;
    this.lastSoft = soft;
    if (soft.role === 'preCandidate' || soft.role === 'candidate') this.campaignStartUs ??= ctx.now();
    if (soft.role === 'follower') this.campaignStartUs = undefined;
    if (was.leader !== soft.leader) {
      // ReadIndex requests in flight died with the old leadership; their clients time out and retry.
      this.pendingReads.clear();
    }
    if (was.role === 'leader' && soft.role !== 'leader') {
      // Proposals may still commit under the next leader; a client retry then gets the remembered result.
      this.pendingWrites.clear();
      ctx.observe({ type: 'store.leader', event: 'steppedDown', subject: ctx.name, term: was.term, detail: `${ctx.name} stepped down in term ${soft.term}` });
    }
    if (soft.role === 'leader' && node !== undefined) {
      const electionMs = this.campaignStartUs === undefined ? 0 : (ctx.now() - this.campaignStartUs) / 1000;
      this.campaignStartUs = undefined;
      ctx.observe({ type: 'store.leader', event: 'elected', subject: ctx.name, term: soft.term, electionMs, detail: `${ctx.name} leads term ${soft.term}` });
      this.options.recorder?.onLeaderElected(ctx.name, soft.term, (i) => node.termAt(i));
    }
  }

  private apply(ctx: Context, entries: ReadonlyArray<Entry<LogCommand>>): void {
    if (entries.length === 0) return;
    const firstRevision = this.mvcc.revision + 1;
    let latenciesUs: number[] | undefined;
    const now = ctx.now();
    for (const entry of entries) {
      this.appliedThrough = entry.index;
      this.options.recorder?.onApply(ctx.name, entry.index, entry.term, entry.data);
      const data = entry.data;
      if (data === null) continue;
      let done = this.sessions.admit(data.session, data.seq, data.floor);
      if (done === SETTLED) {
        // A copy of a write its client has settled (given up on): applying it now could contradict
        // what the client was told, and nobody waits for its answer.
        this.pendingWrites.delete(data.requestId);
        continue;
      }
      if (done === undefined) {
        done = { result: this.mvcc.apply(data.command), index: entry.index, term: entry.term };
        this.sessions.remember(data.session, data.seq, done);
      }
      const pending = this.pendingWrites.get(data.requestId);
      if (pending !== undefined) {
        this.pendingWrites.delete(data.requestId);
        (latenciesUs ??= []).push(now - pending.proposedAtUs);
        reply(ctx, pending.client, { type: 'store/writeResp', requestId: data.requestId, ...done });
      }
    }
    if (latenciesUs !== undefined) ctx.observe({ type: 'store.commit', subject: ctx.name, count: latenciesUs.length, latenciesUs });
    this.pushWatches(ctx, firstRevision);
  }

  /**
   * After applying: push to every watcher whose prefix changed since `firstRevision` (the first
   * revision the batch could have written). Watchers share prefixes (one per resource and API
   * server), so whether a prefix changed is decided once per batch, not once per watcher; a quiet
   * watcher just moves past the batch, as pushWatch would have moved it.
   */
  private pushWatches(ctx: Context, firstRevision: number): void {
    if (this.mvcc.revision < firstRevision || this.watchers.size === 0) return; // nothing was written
    const epoch = ++this.pushEpoch;
    for (const w of this.watchers.values()) {
      const memo = w.prefixChanged;
      if (memo.epoch !== epoch) {
        memo.epoch = epoch;
        memo.hit = this.mvcc.changedSince(w.prefix, firstRevision);
      }
      const hit = memo.hit;
      if (hit || w.nextRevision < firstRevision || w.nextRevision <= this.mvcc.compactRevision) this.pushWatch(ctx, w, false);
      else w.nextRevision = Math.max(w.nextRevision, this.mvcc.revision + 1);
    }
  }

  private prefixMemo(prefix: string): PrefixMemo {
    let memo = this.prefixChanged.get(prefix);
    if (memo === undefined) {
      memo = { epoch: 0, hit: false };
      this.prefixChanged.set(prefix, memo);
    }
    return memo;
  }

  private serveReads(ctx: Context): void {
    const appliedNow = this.appliedThrough;
    let kept = 0;
    for (const rs of this.readsAwaitingApply) {
      if (rs.index > appliedNow) {
        this.readsAwaitingApply[kept++] = rs;
        continue;
      }
      const pending = this.pendingReads.get(rs.context);
      if (pending === undefined) continue;
      this.pendingReads.delete(rs.context);
      this.answerRange(ctx, pending.client, pending.request);
    }
    this.readsAwaitingApply.length = kept;
  }

  /** Last log index handed to the MVCC state machine (ahead of the node's `applied` until advance). */
  private appliedThrough = 0;
}

/** The Ready with its messages already sent (a leader sends before its fsync). */
function sent(r: Ready<LogCommand>): Ready<LogCommand> {
  return { softState: r.softState, snapshot: r.snapshot, hardState: r.hardState, entries: r.entries, messages: NO_MESSAGES, committedEntries: r.committedEntries, readStates: r.readStates };
}
const NO_MESSAGES: ReadonlyArray<never> = Object.freeze([]);

function reply(ctx: Context, to: EndpointId, message: StoreResponse, sizeBytes = 64): void {
  ctx.send(to, message, sizeBytes);
}
