import type { Context } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { assert } from '../util/assert.js';
import type { ItemRateLimiter } from './rateLimiter.js';
import { defaultControllerRateLimiter } from './rateLimiter.js';
import type { TimerRouter } from './timerRouter.js';

export interface WorkQueueOptions<K> {
  /** For observations and debugging, e.g. `replicaset`. */
  readonly name: string;
  /** Keys processed at once (a controller's `--concurrent-*-syncs`); default 1. */
  readonly workers?: number;
  /**
   * Called with a key to reconcile; the worker stays busy until `done(ctx, key, …)` is called
   * (possibly much later, from an API callback). Never called re-entrantly from `add`.
   */
  readonly process: (ctx: Context, key: K) => void;
  /** Default: client-go's DefaultControllerRateLimiter. */
  readonly rateLimiter?: ItemRateLimiter<K>;
}

/**
 * client-go's rate-limited work queue, driven by timers instead of blocked goroutines.
 *
 * Guarantees (as upstream): a key waiting in the queue is held once however often it is added
 * (`dirty`); a key is processed by at most one worker at a time (`processing`), and a key added
 * while being processed is processed again after `done`; rate-limited requeues wait per-item
 * exponential backoff until `forget`.
 */
export class WorkQueue<K extends string | number> {
  readonly name: string;
  private readonly workers: number;
  private readonly process: (ctx: Context, key: K) => void;
  private readonly limiter: ItemRateLimiter<K>;
  /** FIFO of keys ready to process; `head` avoids O(n) shifts. */
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Keys waiting for a delayed add → the local time they become ready (the earliest wins). */
  private readonly waiting = new Map<K, Micros>();
  private kickPending = false;
  private shuttingDown = false;

  constructor(
    private readonly timers: TimerRouter,
    options: WorkQueueOptions<K>,
  ) {
    this.name = options.name;
    this.workers = options.workers ?? 1;
    assert(this.workers >= 1, `work queue ${this.name} needs at least one worker`);
    this.process = options.process;
    this.limiter = options.rateLimiter ?? defaultControllerRateLimiter<K>();
  }

  /** Marks `key` as needing processing. */
  add(ctx: Context, key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.queue.push(key);
    this.kick(ctx);
  }

  /** Adds `key` after `delayUs` of local time (immediately if ≤ 0). */
  addAfter(ctx: Context, key: K, delayUs: Micros): void {
    if (this.shuttingDown) return;
    if (delayUs <= 0) {
      this.add(ctx, key);
      return;
    }
    const readyAt = ctx.now() + delayUs;
    const existing = this.waiting.get(key);
    if (existing !== undefined && existing <= readyAt) return;
    this.waiting.set(key, readyAt);
    this.timers.set(ctx, delayUs, (c) => {
      if (this.waiting.get(key) !== readyAt) return; // superseded by an earlier add
      this.waiting.delete(key);
      this.add(c, key);
    });
  }

  /** Adds `key` after its rate limiter's backoff (a failure: the delay grows until `forget`). */
  addRateLimited(ctx: Context, key: K): void {
    this.addAfter(ctx, key, this.limiter.when(key, ctx.now()));
  }

  /** Resets `key`'s backoff (after a successful sync). */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /**
   * Ends processing of `key`. `success === true` also forgets its backoff; `false` requeues it
   * rate-limited; omitted leaves both to the caller.
   */
  done(ctx: Context, key: K, success?: boolean): void {
    assert(this.processing.has(key), `work queue ${this.name}: done(${String(key)}) for a key not being processed`);
    this.processing.delete(key);
    if (success === true) this.forget(key);
    else if (success === false) this.addRateLimited(ctx, key);
    if (this.dirty.has(key) && !this.shuttingDown) this.queue.push(key);
    this.kick(ctx);
  }

  /** Keys waiting to be processed (not counting delayed ones or those in flight). */
  len(): number {
    return this.queue.length - this.head;
  }
  inFlight(): number {
    return this.processing.size;
  }
  isProcessing(key: K): boolean {
    return this.processing.has(key);
  }

  /** Stops handing out keys (a controller that lost its lease); in-flight keys may still finish. */
  shutDown(): void {
    this.shuttingDown = true;
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    this.waiting.clear();
  }

  /** Schedules a dispatch on a zero-delay timer so `process` never runs inside `add`. */
  private kick(ctx: Context): void {
    if (this.kickPending || this.shuttingDown) return;
    if (this.len() === 0 || this.processing.size >= this.workers) return;
    this.kickPending = true;
    this.timers.set(ctx, 0, (c) => {
      this.kickPending = false;
      this.dispatch(c);
    });
  }

  private dispatch(ctx: Context): void {
    while (!this.shuttingDown && this.processing.size < this.workers && this.head < this.queue.length) {
      const key = this.queue[this.head] as K;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      this.process(ctx, key);
    }
  }
}
