import type { Micros } from '../../sim/time.js';
import { ms, s } from '../../sim/time.js';
import { TokenBucket } from './tokenBucket.js';

/**
 * client-go's workqueue.TypedRateLimiter: how long to wait before retrying an item, per item.
 * `when` records a failure and returns the delay; `forget` resets the item after a success.
 */
export interface ItemRateLimiter<K> {
  when(key: K, nowUs: Micros): Micros;
  forget(key: K): void;
  numRequeues(key: K): number;
}

/** Per-item exponential backoff: base·2^failures, capped (client-go's ItemExponentialFailureRateLimiter). */
export class ItemExponentialRateLimiter<K> implements ItemRateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseDelayUs: Micros = ms(5),
    readonly maxDelayUs: Micros = s(1000),
  ) {}

  when(key: K, _nowUs: Micros): Micros {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows the cap long before it overflows a double, so clamp the exponent.
    const delay = this.baseDelayUs * Math.pow(2, Math.min(n, 60));
    return Math.min(delay, this.maxDelayUs);
  }
  forget(key: K): void {
    this.failures.delete(key);
  }
  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/** An overall token bucket shared by all items (client-go's BucketRateLimiter). */
export class BucketRateLimiter<K> implements ItemRateLimiter<K> {
  private readonly bucket: TokenBucket;
  constructor(qps: number, burst: number) {
    this.bucket = new TokenBucket(qps, burst);
  }
  when(_key: K, nowUs: Micros): Micros {
    return this.bucket.reserve(nowUs);
  }
  forget(_key: K): void {}
  numRequeues(_key: K): number {
    return 0;
  }
}

/** The largest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<K> implements ItemRateLimiter<K> {
  private readonly limiters: readonly ItemRateLimiter<K>[];
  constructor(...limiters: ItemRateLimiter<K>[]) {
    this.limiters = limiters;
  }
  when(key: K, nowUs: Micros): Micros {
    let delay = 0;
    for (const l of this.limiters) delay = Math.max(delay, l.when(key, nowUs));
    return delay;
  }
  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }
  numRequeues(key: K): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(key));
    return n;
  }
}

/**
 * client-go's DefaultControllerRateLimiter: max(per-item exponential 5 ms … 1000 s, overall bucket of
 * 10 qps with burst 100) — the bucket only bites when many items fail at once.
 */
export function defaultControllerRateLimiter<K>(): ItemRateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ItemExponentialRateLimiter<K>(ms(5), s(1000)), new BucketRateLimiter<K>(10, 100));
}
