import type { Context, TimerId, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';

/** The tag every routed timer carries: `type` names the router (so routers in one component never steal each other's timers), `seq` the callback. */
export interface RoutedTimerTag {
  readonly type: string;
  readonly seq: number;
}

/**
 * Lets the client machinery (ApiClient, Informer, WorkQueue) keep timers with callbacks while the
 * kernel only sees small tags: the host component forwards every timer to `handleTimer` (through
 * `ApiClient.handleTimer`) and gets `false` back for its own. Callbacks run in seq order of firing,
 * which the kernel makes deterministic.
 */
export class TimerRouter {
  private readonly tagType: string;
  private nextSeq = 1;
  private readonly pending = new Map<number, { readonly fn: (ctx: Context) => void; readonly timer: TimerId }>();

  /** `owner` must be unique among the routers of one component, e.g. `apiclient/kube-scheduler`. */
  constructor(owner: string) {
    this.tagType = `timers/${owner}`;
  }

  /** Runs `fn` after `delayUs` of local time; returns a handle for `cancel`. */
  set(ctx: Context, delayUs: Micros, fn: (ctx: Context) => void): number {
    const seq = this.nextSeq++;
    const tag: RoutedTimerTag = Object.freeze({ type: this.tagType, seq });
    const timer = ctx.setTimer(Math.max(0, Math.round(delayUs)), tag);
    this.pending.set(seq, { fn, timer });
    return seq;
  }

  cancel(ctx: Context, seq: number): void {
    const entry = this.pending.get(seq);
    if (entry === undefined) return;
    this.pending.delete(seq);
    ctx.cancelTimer(entry.timer);
  }

  /** True if the tag was one of ours (even one already cancelled). */
  handleTimer(ctx: Context, tag: TimerTag): boolean {
    if (typeof tag !== 'object' || tag.type !== this.tagType) return false;
    const seq = (tag as RoutedTimerTag).seq;
    const entry = this.pending.get(seq);
    if (entry !== undefined) {
      this.pending.delete(seq);
      entry.fn(ctx);
    }
    return true;
  }

  /** Timers still pending (for tests and leak checks). */
  size(): number {
    return this.pending.size;
  }
}
