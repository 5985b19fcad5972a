// Test-only StorePort wrapper: the store view's timers get their own namespace so they cannot be
// confused with the API server's own TimerRouter timers (both routers claim every 'client/timer'
// tag; reported to the lead). Callbacks still receive the component's real context.
import type { Context, EndpointId, Message, TimerTag } from '../../../../sim/component.js';
import type { StorePort, StoreWatchHandle, StoreWatchHandler, StoreOutcome } from '../../../../core/apiserver/storePort.js';
import type { ApplyResult, RangeResult, StoreCommand } from '../../../../core/store/mvccTypes.js';
import { namespacedContext, unwrapTimer } from '../../../../core/controlplane/timerNamespace.js';

const NS = 'test-store';

export class IsolatedStore implements StorePort {
  private wrapped: Context | undefined;
  private raw: Context | undefined;
  constructor(private readonly inner: StorePort) {}
  private w(ctx: Context): Context {
    if (this.raw !== ctx || this.wrapped === undefined) {
      this.raw = ctx;
      this.wrapped = namespacedContext(ctx, NS);
    }
    return this.wrapped;
  }
  start(ctx: Context): void {
    this.inner.start(this.w(ctx));
  }
  write(ctx: Context, command: StoreCommand, cb: (r: StoreOutcome<ApplyResult>, ctx: Context) => void): void {
    this.inner.write(this.w(ctx), command, (r) => cb(r, ctx));
  }
  range(ctx: Context, prefix: string, exact: boolean, cb: (r: StoreOutcome<RangeResult>, ctx: Context) => void): void {
    this.inner.range(this.w(ctx), prefix, exact, (r) => cb(r, ctx));
  }
  watch(ctx: Context, prefix: string, fromRevision: number, handler: StoreWatchHandler): StoreWatchHandle {
    const h = this.inner.watch(this.w(ctx), prefix, fromRevision, {
      onEvents: (events, revision) => handler.onEvents(events, revision, ctx),
      onCompacted: (rev) => handler.onCompacted(rev, ctx),
    });
    return { cancel: (c) => h.cancel(this.w(c)) };
  }
  handleMessage(ctx: Context, from: EndpointId, msg: Message): boolean {
    return this.inner.handleMessage(this.w(ctx), from, msg);
  }
  handleTimer(ctx: Context, tag: TimerTag): boolean {
    const inner = unwrapTimer(tag, NS);
    if (inner === undefined) return false;
    this.inner.handleTimer(this.w(ctx), inner);
    return true;
  }
}
