import type { Context, TimerId, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { assert, assertNever } from '../util/assert.js';
import type { LeaderElectionTimings } from './leaderElectionConfig.js';
import { DEFAULT_TIMINGS, JITTER_FACTOR, validateTimings } from './leaderElectionConfig.js';
import type { ObservedLease } from './leaseDecision.js';
import { decideAfterGet, fastPathRecord, freshRecord, observeOwnWrite } from './leaseDecision.js';
import type { LeaseLock, LockResult } from './leaseLock.js';

export interface LeaderElectorConfig extends Partial<LeaderElectionTimings> {
  /** Lease name in kube-system, e.g. `kube-scheduler`. */
  readonly lockName: string;
  /** Holder identity written into the Lease, e.g. `master-1_kube-scheduler`. */
  readonly identity: string;
  /** Component label for observations (`kube-scheduler`); defaults to lockName. */
  readonly component?: string;
  /** Writes carry leaseTransitions as a fencing token (off by default, as in Kubernetes). */
  readonly fencing?: boolean;
  /**
   * Timeout of each Lease request; default renewDeadline, as kube-controller-manager and
   * kube-scheduler configure their leader-election client (config.Timeout = RenewDeadline).
   */
  readonly requestTimeoutUs?: Micros;
  /**
   * Upstream components exit on losing the lease (klog.Fatalf "leaderelection lost") and are
   * restarted; we model the restart by rejoining as a fresh candidate after this delay (default 0).
   */
  readonly rejoinAfterUs?: Micros;
}

/** client-go LeaderCallbacks. Called synchronously; `token` is the lease's leaseTransitions for this term. */
export interface LeaderCallbacks {
  onStartedLeading(ctx: Context, token: number): void;
  onStoppedLeading(ctx: Context): void;
  onNewLeader?(ctx: Context, identity: string): void;
}

/** Timer tags of the elector; components hand every tag to handleTimer first. */
export interface ElectorTimerTag {
  readonly type: 'leaderelection';
  readonly lock: string;
  readonly kind: 'acquire' | 'round' | 'poll' | 'deadline' | 'request-timeout' | 'rejoin';
  readonly gen: number;
}

type Phase = 'idle' | 'acquiring' | 'leading' | 'stopped';

/**
 * client-go's LeaderElector as a timer-driven state machine. Only this host's local clock
 * (ctx.now, setTimer) is used, so clock offset is harmless but clock RATE differences and process
 * pauses produce real split brain, as upstream documents.
 *
 * - acquire: tryAcquireOrRenew at once, then every retryPeriod + rand × 1.2 × retryPeriod until it succeeds;
 * - renew: rounds every retryPeriod (first at once); a round retries every retryPeriod and fails
 *   when renewDeadline passes without success, which ends leadership (onStoppedLeading).
 */
export class LeaderElector {
  readonly lockName: string;
  readonly identity: string;
  readonly component: string;
  readonly fencing: boolean;
  readonly timings: LeaderElectionTimings;
  private readonly requestTimeoutUs: Micros;
  private readonly rejoinAfterUs: Micros;
  private readonly lock: LeaseLock;
  private readonly callbacks: LeaderCallbacks;

  private phase: Phase = 'idle';
  private observed: ObservedLease | undefined = undefined;
  private reportedLeader = '';
  private token = -1;
  /** Generation of the current loop (acquire or leading term); timers of older ones are ignored. */
  private loopGen = 0;
  /** Id of the request whose answer we wait for; answers to any other are dropped (cancelled contexts). */
  private requestSeq = 0;
  private pendingRequest = 0;
  private requestTimer: TimerId | undefined = undefined;
  private deadlineTimer: TimerId | undefined = undefined;
  private attemptStartUs: Micros = 0;
  private renewRoundActive = false;

  constructor(config: LeaderElectorConfig, lock: LeaseLock, callbacks: LeaderCallbacks) {
    this.lockName = config.lockName;
    this.identity = config.identity;
    this.component = config.component ?? config.lockName;
    this.fencing = config.fencing ?? false;
    this.timings = {
      leaseDurationUs: config.leaseDurationUs ?? DEFAULT_TIMINGS.leaseDurationUs,
      renewDeadlineUs: config.renewDeadlineUs ?? DEFAULT_TIMINGS.renewDeadlineUs,
      retryPeriodUs: config.retryPeriodUs ?? DEFAULT_TIMINGS.retryPeriodUs,
    };
    const problems = validateTimings(this.timings);
    assert(problems.length === 0, `leader election config for ${this.lockName}: ${problems.join('; ')}`);
    assert(config.identity.length > 0, 'leader election requires a non-empty identity');
    this.requestTimeoutUs = config.requestTimeoutUs ?? this.timings.renewDeadlineUs;
    this.rejoinAfterUs = config.rejoinAfterUs ?? 0;
    this.lock = lock;
    this.callbacks = callbacks;
  }

  /** Starts campaigning (client-go Run). */
  start(ctx: Context): void {
    assert(this.phase === 'idle', 'LeaderElector.start called twice');
    this.enterAcquire(ctx);
  }

  /** True between onStartedLeading and onStoppedLeading: what the component acts on. */
  isLeading(): boolean {
    return this.phase === 'leading';
  }

  /** client-go IsLeader: the last observed record names us (may differ from isLeading while a round runs). */
  observesSelfAsLeader(): boolean {
    return this.observed?.spec.holderIdentity === this.identity;
  }

  /** Identity of the last observed holder ('' when none seen). */
  getLeader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /** leaseTransitions of the term we lead, the fencing token for our writes; undefined when not leading. */
  fencingToken(): number | undefined {
    return this.phase === 'leading' ? this.token : undefined;
  }

  /** Feeds a timer firing; returns false when the tag is not this elector's. */
  handleTimer(ctx: Context, tag: TimerTag): boolean {
    if (typeof tag !== 'object' || tag.type !== 'leaderelection') return false;
    const t = tag as ElectorTimerTag;
    if (t.lock !== this.lockName) return false;
    switch (t.kind) {
      case 'request-timeout':
        if (t.gen === this.pendingRequest) this.failPendingRequest(ctx);
        return true;
      case 'acquire':
        if (t.gen === this.loopGen && this.phase === 'acquiring') this.acquireTick(ctx);
        return true;
      case 'round':
        if (t.gen === this.loopGen && this.phase === 'leading') this.startRenewRound(ctx);
        return true;
      case 'poll':
        if (t.gen === this.loopGen && this.phase === 'leading' && this.renewRoundActive) this.renewAttempt(ctx);
        return true;
      case 'deadline':
        if (t.gen === this.loopGen && this.phase === 'leading' && this.renewRoundActive) this.renewDeadlinePassed(ctx);
        return true;
      case 'rejoin':
        if (t.gen === this.loopGen && this.phase === 'stopped') this.enterAcquire(ctx);
        return true;
      default:
        return assertNever(t.kind, 'elector timer kind');
    }
  }

  // ───────────── acquire ─────────────

  private enterAcquire(ctx: Context): void {
    this.phase = 'acquiring';
    this.loopGen++;
    // A restarted process starts with nothing observed: it must see the record unchanged for a whole
    // leaseDuration before it may take it over.
    this.observed = undefined;
    this.acquireTick(ctx);
  }

  private acquireTick(ctx: Context): void {
    const gen = this.loopGen;
    this.tryAcquireOrRenew(ctx, (ok) => {
      if (gen !== this.loopGen || this.phase !== 'acquiring') return;
      this.maybeReportTransition(ctx);
      if (ok) {
        this.becomeLeader(ctx);
        return;
      }
      // wait.JitterUntil with sliding=true: the jittered period starts after the attempt finished.
      const delay = ctx.rng.jitter(this.timings.retryPeriodUs, JITTER_FACTOR);
      ctx.setTimer(Math.round(delay), this.tag('acquire', gen));
    });
  }

  private becomeLeader(ctx: Context): void {
    assert(this.observed !== undefined && this.observed.spec.holderIdentity === this.identity, 'became leader without holding the record');
    this.phase = 'leading';
    this.loopGen++;
    this.token = this.observed.spec.leaseTransitions ?? 0;
    ctx.observe({
      type: 'election.belief',
      subject: this.component,
      component: this.component,
      identity: this.identity,
      host: ctx.hostName,
      leading: true,
      leaseTransitions: this.token,
      detail: `${this.identity} started leading ${this.lock.describe()} (transitions ${this.token})`,
    });
    this.callbacks.onStartedLeading(ctx, this.token);
    // The callback may not stop us synchronously; if it did, the loop generation moved on.
    if (this.phase === 'leading') this.startRenewRound(ctx);
  }

  // ───────────── renew ─────────────

  private startRenewRound(ctx: Context): void {
    this.renewRoundActive = true;
    this.deadlineTimer = ctx.setTimer(this.timings.renewDeadlineUs, this.tag('deadline', this.loopGen));
    this.renewAttempt(ctx);
  }

  private renewAttempt(ctx: Context): void {
    const gen = this.loopGen;
    const startedUs = ctx.now();
    this.tryAcquireOrRenew(ctx, (ok) => {
      if (gen !== this.loopGen || this.phase !== 'leading' || !this.renewRoundActive) return;
      if (ok) {
        this.renewRoundActive = false;
        if (this.deadlineTimer !== undefined) ctx.cancelTimer(this.deadlineTimer);
        this.deadlineTimer = undefined;
        this.maybeReportTransition(ctx);
        ctx.observe({
          type: 'election.renew',
          subject: this.component,
          component: this.component,
          identity: this.identity,
          leaseTransitions: this.token,
        });
        // wait.Until: the next round starts retryPeriod after this one returned.
        ctx.setTimer(this.timings.retryPeriodUs, this.tag('round', gen));
        return;
      }
      // PollImmediateUntil ticks every retryPeriod from the previous attempt's start.
      const nextUs = Math.max(0, startedUs + this.timings.retryPeriodUs - ctx.now());
      ctx.setTimer(nextUs, this.tag('poll', gen));
    });
  }

  private renewDeadlinePassed(ctx: Context): void {
    // The round's context times out: the in-flight request is cancelled and the round fails.
    this.cancelPendingRequest(ctx);
    this.renewRoundActive = false;
    this.deadlineTimer = undefined;
    this.maybeReportTransition(ctx);
    this.stopLeading(ctx, 'renew deadline passed');
  }

  private stopLeading(ctx: Context, why: string): void {
    this.phase = 'stopped';
    this.loopGen++;
    ctx.observe({
      type: 'election.belief',
      subject: this.component,
      component: this.component,
      identity: this.identity,
      host: ctx.hostName,
      leading: false,
      leaseTransitions: this.token,
      detail: `${this.identity} stopped leading ${this.lock.describe()}: ${why}`,
    });
    this.token = -1;
    this.callbacks.onStoppedLeading(ctx);
    if (this.phase === 'stopped') ctx.setTimer(this.rejoinAfterUs, this.tag('rejoin', this.loopGen));
  }

  // ───────────── tryAcquireOrRenew ─────────────

  /** client-go tryAcquireOrRenew in continuation-passing style; `done` is called at most once. */
  private tryAcquireOrRenew(ctx: Context, done: (ok: boolean) => void): void {
    const nowUs = ctx.now();
    this.attemptStartUs = nowUs;
    const fast = fastPathRecord(this.observed, this.identity, this.timings.leaseDurationUs, nowUs);
    if (fast !== undefined && this.observed !== undefined) {
      const raw = this.observed.rawResourceVersion;
      this.request(ctx, (cb) => this.lock.update(ctx, this.observed?.resourceVersion ?? '', fast, cb), (result) => {
        if (result.ok) {
          this.observed = observeOwnWrite(fast, result.record.resourceVersion, raw, ctx.now());
          done(true);
          return;
        }
        // "Failed to update lock optimistically, falling back to slow path".
        this.slowPath(ctx, nowUs, done);
      });
      return;
    }
    this.slowPath(ctx, nowUs, done);
  }

  private slowPath(ctx: Context, nowUs: Micros, done: (ok: boolean) => void): void {
    this.request(ctx, (cb) => this.lock.get(ctx, cb), (got) => {
      if (!got.ok) {
        if (got.reason !== 'NotFound') {
          done(false);
          return;
        }
        const record = { ...freshRecord(this.identity, this.timings.leaseDurationUs, nowUs), leaseTransitions: 0 };
        this.request(ctx, (cb) => this.lock.create(ctx, record, cb), (created) => {
          if (!created.ok) {
            done(false);
            return;
          }
          this.observed = observeOwnWrite(record, created.record.resourceVersion, '', ctx.now());
          done(true);
        });
        return;
      }
      const decision = decideAfterGet(this.observed, got.record, this.identity, this.timings.leaseDurationUs, nowUs, ctx.now());
      this.observed = decision.observed;
      if (decision.type === 'hold-off') {
        done(false);
        return;
      }
      const raw = decision.observed.rawResourceVersion;
      this.request(ctx, (cb) => this.lock.update(ctx, got.record.resourceVersion, decision.record, cb), (updated) => {
        if (!updated.ok) {
          done(false);
          return;
        }
        this.observed = observeOwnWrite(decision.record, updated.record.resourceVersion, raw, ctx.now());
        done(true);
      });
    });
  }

  /** Issues one lock request with the client timeout; only the latest request's answer is used. */
  private request(ctx: Context, issue: (cb: (r: LockResult) => void) => void, then: (r: LockResult) => void): void {
    this.cancelPendingRequest(ctx);
    const id = ++this.requestSeq;
    this.pendingRequest = id;
    this.pendingThen = then;
    this.requestTimer = ctx.setTimer(this.requestTimeoutUs, this.tag('request-timeout', id));
    issue((result) => {
      if (id !== this.pendingRequest) return;
      this.pendingRequest = 0;
      this.pendingThen = undefined;
      if (this.requestTimer !== undefined) ctx.cancelTimer(this.requestTimer);
      this.requestTimer = undefined;
      then(result);
    });
  }

  private pendingThen: ((r: LockResult) => void) | undefined = undefined;

  private failPendingRequest(ctx: Context): void {
    const then = this.pendingThen;
    this.pendingRequest = 0;
    this.pendingThen = undefined;
    this.requestTimer = undefined;
    void ctx;
    if (then !== undefined) then({ ok: false, reason: 'Timeout' });
  }

  private cancelPendingRequest(ctx: Context): void {
    if (this.requestTimer !== undefined) ctx.cancelTimer(this.requestTimer);
    this.requestTimer = undefined;
    this.pendingRequest = 0;
    this.pendingThen = undefined;
  }

  private maybeReportTransition(ctx: Context): void {
    const holder = this.observed?.spec.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.callbacks.onNewLeader?.(ctx, holder);
  }

  private tag(kind: ElectorTimerTag['kind'], gen: number): ElectorTimerTag {
    return Object.freeze({ type: 'leaderelection', lock: this.lockName, kind, gen });
  }

  /** Local time the current attempt began (for tests and diagnostics). */
  lastAttemptStartUs(): Micros {
    return this.attemptStartUs;
  }
}
