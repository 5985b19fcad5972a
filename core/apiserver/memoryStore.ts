import type { Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { Mvcc } from '../store/mvcc.js';
import type { ApplyResult, RangeResult, StoreCommand } from '../store/mvccTypes.js';
import { TimerRouter } from '../client/timerRouter.js';
import type { StoreOutcome, StorePort, StoreWatchHandle, StoreWatchHandler } from './storePort.js';

interface MemWatch {
  readonly prefix: string;
  readonly handler: StoreWatchHandler;
  /** Next revision this watcher has not seen. */
  next: number;
  cancelled: boolean;
}

/**
 * A StorePort over one in-process MVCC map shared by every API server that holds it: the store
 * without Raft, for unit tests of the API server and client. Answers arrive after `latencyUs` on the
 * caller's timers (never synchronously), and `available = false` makes every call fail with 503 as a
 * store without quorum would. Each API server needs its own MemoryStore view (`view()`), because
 * timers belong to a component.
 */
export class MemoryStore {
  readonly mvcc: Mvcc;
  available = true;
  /** Every acknowledged write, in order, for checkers. */
  readonly writes: { readonly command: StoreCommand; readonly result: ApplyResult }[] = [];
  /** One view per API server endpoint name; a restarted instance's view replaces its predecessor's. */
  private readonly views = new Map<string, MemoryStoreView>();

  constructor(
    readonly latencyUs: Micros = 1_000,
    mvcc?: Mvcc,
  ) {
    this.mvcc = mvcc ?? new Mvcc();
  }

  /** A port for one API server instance named `owner` (create it in the component's factory). */
  view(owner: string): StorePort {
    const v = new MemoryStoreView(this);
    this.views.set(owner, v);
    return v;
  }

  apply(command: StoreCommand): ApplyResult {
    const result = this.mvcc.apply(command);
    this.writes.push({ command, result });
    const keys = command.type === 'txn' ? [...command.success, ...command.failure].map((op) => op.key) : command.type === 'compact' ? [] : [command.key];
    for (const v of this.views.values()) v.notify(keys);
    return result;
  }
}

class MemoryStoreView implements StorePort {
  private readonly timers = new TimerRouter('memorystore');
  private readonly watches: MemWatch[] = [];
  private ctx: Context | undefined;

  constructor(private readonly store: MemoryStore) {}

  start(ctx: Context): void {
    this.ctx = ctx;
  }

  write(ctx: Context, command: StoreCommand, cb: (r: StoreOutcome<ApplyResult>, ctx: Context) => void): void {
    this.timers.set(ctx, this.store.latencyUs, (c) => {
      if (!this.store.available) {
        cb({ ok: false, code: 503, message: 'etcdserver: no leader' }, c);
        return;
      }
      cb({ ok: true, value: this.store.apply(command) }, c);
    });
  }

  range(ctx: Context, prefix: string, exact: boolean, cb: (r: StoreOutcome<RangeResult>, ctx: Context) => void): void {
    this.timers.set(ctx, this.store.latencyUs, (c) => {
      if (!this.store.available) {
        cb({ ok: false, code: 503, message: 'etcdserver: no leader' }, c);
        return;
      }
      cb({ ok: true, value: this.store.mvcc.range(prefix, { exact }) }, c);
    });
  }

  watch(ctx: Context, prefix: string, fromRevision: number, handler: StoreWatchHandler): StoreWatchHandle {
    const w: MemWatch = { prefix, handler, next: fromRevision, cancelled: false };
    this.watches.push(w);
    this.timers.set(ctx, this.store.latencyUs, (c) => this.deliver(c, w));
    return {
      cancel: (): void => {
        w.cancelled = true;
        const i = this.watches.indexOf(w);
        if (i >= 0) this.watches.splice(i, 1);
      },
    };
  }

  /** Called after every write to the shared map: schedule delivery to the watchers of the keys written. */
  notify(keys: readonly string[]): void {
    const ctx = this.ctx;
    if (ctx === undefined) return;
    for (const w of this.watches) {
      if (keys.some((k) => k.startsWith(w.prefix))) this.timers.set(ctx, this.store.latencyUs, (c) => this.deliver(c, w));
    }
  }

  private deliver(ctx: Context, w: MemWatch): void {
    if (w.cancelled) return;
    const r = this.store.mvcc.eventsSince(w.prefix, w.next);
    if (r.type === 'compacted') {
      w.cancelled = true;
      w.handler.onCompacted(r.compactRevision, ctx);
      return;
    }
    // Everything up to the store's revision has been scanned, events or not.
    w.next = r.revision + 1;
    if (r.events.length === 0) return;
    w.handler.onEvents(r.events, r.revision, ctx);
  }

  handleMessage(_ctx: Context, _from: EndpointId, _msg: Message): boolean {
    return false;
  }

  handleTimer(ctx: Context, tag: TimerTag): boolean {
    return this.timers.handleTimer(ctx, tag);
  }
}
