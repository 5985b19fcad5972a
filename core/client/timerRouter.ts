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
  private readonly pending = new Map<number, RoutedTimer>();

  /** `owner` must be unique among the routers of one component, e.g. `apiclient/kube-scheduler`. */
  constructor(owner: string) {
    this.tagType = `timers/${owner}`;
  }

  /** Runs `fn` after `delayUs` of local time; returns a handle for `cancel`. */
  set(ctx: Context, delayUs: Micros, fn: (ctx: Context) => void): number {
    const seq = this.nextSeq++;
    // The pending entry is itself the tag: one object per timer (every API request sets one),
    // not a frozen tag plus an entry. Only its `type` reaches the trace.
    const entry = new RoutedTimer(this.tagType, seq, fn);
    entry.timer = ctx.setTimer(Math.max(0, Math.round(delayUs)), entry);
    this.pending.set(seq, entry);
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

/** A pending timer and the tag the kernel hands back; never changed once the kernel holds it but for `timer`. */
class RoutedTimer implements RoutedTimerTag {
  /** The kernel's id, for cancel. */
  timer: TimerId = 0;
  constructor(
    readonly type: string,
    readonly seq: number,
    readonly fn: (ctx: Context) => void,
  ) {}
}
