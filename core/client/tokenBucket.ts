import type { Micros } from '../../sim/time.js';
import { MICROS_PER_S } from '../../sim/time.js';
import { assert } from '../util/assert.js';

/**
 * A token bucket with reservations, as client-go's flowcontrol.NewTokenBucketRateLimiter (built on
 * golang.org/x/time/rate): `burst` tokens at most, refilled at `qps` per second. `reserve` never
 * refuses: it takes a token now (the balance may go negative) and says how long the caller must wait,
 * so requests are delayed in arrival order, never dropped.
 */
export class TokenBucket {
  private tokens: number;
  private lastUs: Micros | undefined;

  /** qps: refill rate (tokens per second, > 0); burst: capacity (≥ 1). */
  constructor(
    readonly qps: number,
    readonly burst: number,
  ) {
    assert(qps > 0 && burst >= 1, `token bucket needs qps > 0 and burst >= 1 (got ${qps}/${burst})`);
    this.tokens = burst;
  }

  private refill(nowUs: Micros): void {
    if (this.lastUs !== undefined && nowUs > this.lastUs) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowUs - this.lastUs) * this.qps) / MICROS_PER_S);
    }
    if (this.lastUs === undefined || nowUs > this.lastUs) this.lastUs = nowUs;
  }

  /** Takes one token; returns the delay (µs, ≥ 0) after which the caller may proceed. */
  reserve(nowUs: Micros): Micros {
    this.refill(nowUs);
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens * MICROS_PER_S) / this.qps);
  }

  /** Takes a token only if one is available now (client-go's TryAccept). */
  tryAccept(nowUs: Micros): boolean {
    this.refill(nowUs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
