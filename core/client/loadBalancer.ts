import type { Context, EndpointId } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { assert } from '../util/assert.js';

/**
 * The client's view of the load balancer in front of the API servers: it talks to one server at a
 * time (one HTTP/2 connection) and, when that server stops answering, marks it suspect for a
 * cool-down and moves on to the next one that is not suspect — as an LB with health checks does.
 */
export class LoadBalancer {
  private readonly ids: (EndpointId | undefined)[];
  private readonly suspectUntilUs: Micros[];
  private current = 0;

  constructor(
    readonly names: readonly string[],
    /** How long a server that timed out is skipped (local µs). */
    readonly cooldownUs: Micros,
  ) {
    assert(names.length > 0, 'an API client needs at least one API server endpoint');
    this.ids = names.map(() => undefined);
    this.suspectUntilUs = names.map(() => 0);
  }

  /** Spreads clients over the servers: the first connection goes to a random one. */
  start(ctx: Context): void {
    this.current = ctx.rng.int(this.names.length);
  }

  /** Index of the server the connection is on. */
  currentIndex(): number {
    return this.current;
  }

  /** The endpoint of server `index`, resolved by name once it is registered. */
  endpoint(ctx: Context, index: number): EndpointId | undefined {
    let id = this.ids[index];
    if (id === undefined) {
      const name = this.names[index];
      id = name === undefined ? undefined : ctx.lookup(name);
      this.ids[index] = id;
    }
    return id;
  }

  /**
   * Marks server `index` suspect and, if the connection was on it, moves the connection to the next
   * healthy server (or, if all are suspect, to the one whose cool-down ends first). Returns true if
   * the connection moved.
   */
  fail(nowUs: Micros, index: number): boolean {
    this.suspectUntilUs[index] = nowUs + this.cooldownUs;
    if (index !== this.current) return false;
    const n = this.names.length;
    let best = -1;
    let bestUntil = Infinity;
    for (let step = 1; step <= n; step++) {
      const i = (index + step) % n;
      const until = this.suspectUntilUs[i] ?? 0;
      if (until <= nowUs) {
        best = i;
        break;
      }
      if (until < bestUntil) {
        bestUntil = until;
        best = i;
      }
    }
    const moved = best !== this.current;
    this.current = best < 0 ? this.current : best;
    return moved;
  }

  size(): number {
    return this.names.length;
  }
}
