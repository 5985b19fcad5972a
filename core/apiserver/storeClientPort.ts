import type { Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import { StoreClient } from '../store/storeClient.js';
import type { StoreClientOptions } from '../store/storeClient.js';
import type { ApplyResult, RangeResult, StoreCommand } from '../store/mvccTypes.js';
import { assert } from '../util/assert.js';
import type { StoreOutcome, StorePort, StoreWatchHandle, StoreWatchHandler } from './storePort.js';

type Failure = { readonly type: 'unavailable' } | { readonly type: 'timeout' };

function failed(r: Failure): StoreOutcome<never> {
  return r.type === 'unavailable' ? { ok: false, code: 503, message: 'no leader / no quorum' } : { ok: false, code: 504, message: 'request timed out' };
}

/**
 * The StorePort over core/store's StoreClient (the Raft-replicated store). Single-key CAS writes go
 * through `put`/`delete` with expectedModRevision, so the store's linearizability checker sees them;
 * multi-key transactions (fenced writes) through `txn`.
 */
export class StoreClientPort implements StorePort {
  private client: StoreClient | undefined;
  private ctx: Context | undefined;

  constructor(private readonly options: StoreClientOptions) {}

  start(ctx: Context): void {
    this.ctx = ctx;
    this.client = new StoreClient(ctx, this.options);
  }

  private c(): StoreClient {
    assert(this.client !== undefined, 'StoreClientPort used before start');
    return this.client;
  }
  private context(fallback: Context): Context {
    return this.ctx ?? fallback;
  }

  write(ctx: Context, command: StoreCommand, cb: (r: StoreOutcome<ApplyResult>, ctx: Context) => void): void {
    const c = this.context(ctx);
    if (command.type === 'txn' && command.compares.length === 1 && command.success.length === 1 && command.failure.length === 0) {
      const cmp = command.compares[0];
      const op = command.success[0];
      if (cmp !== undefined && op !== undefined && cmp.key === op.key) {
        if (op.type === 'put') {
          const options = op.sizeBytes === undefined ? { expectedModRevision: cmp.modRevision } : { expectedModRevision: cmp.modRevision, sizeBytes: op.sizeBytes };
          this.c().put(op.key, op.value, options, (r) => {
            if (r.type === 'ok') cb({ ok: true, value: { type: 'txn', succeeded: true, revision: r.revision, results: [{ type: 'put', revision: r.revision, prevKv: r.prevKv }] } }, c);
            else if (r.type === 'conflict') cb({ ok: true, value: { type: 'txn', succeeded: false, revision: r.revision, results: [] } }, c);
            else cb(failed(r), c);
          });
          return;
        }
        this.c().delete(op.key, { expectedModRevision: cmp.modRevision }, (r) => {
          if (r.type === 'ok') cb({ ok: true, value: { type: 'txn', succeeded: true, revision: r.revision, results: [{ type: 'delete', revision: r.revision, deleted: r.deleted, prevKv: r.prevKv }] } }, c);
          else if (r.type === 'conflict') cb({ ok: true, value: { type: 'txn', succeeded: false, revision: r.revision, results: [] } }, c);
          else cb(failed(r), c);
        });
        return;
      }
    }
    if (command.type === 'txn') {
      this.c().txn(command.compares, command.success, command.failure, (r) => {
        if (r.type === 'ok') cb({ ok: true, value: { type: 'txn', succeeded: r.succeeded, revision: r.revision, results: r.results } }, c);
        else cb(failed(r), c);
      });
      return;
    }
    // Plain puts/deletes/compactions are not used by the API server; route them as a txn without compares.
    if (command.type === 'compact') {
      this.c().compact(command.revision, (r) => {
        if (r.type === 'ok') cb({ ok: true, value: { type: 'compact', revision: command.revision, compacted: true } }, c);
        else cb(failed({ type: r.type }), c);
      });
      return;
    }
    this.c().txn([], [command], [], (r) => {
      if (r.type === 'ok') cb({ ok: true, value: { type: 'txn', succeeded: r.succeeded, revision: r.revision, results: r.results } }, c);
      else cb(failed(r), c);
    });
  }

  range(ctx: Context, prefix: string, exact: boolean, cb: (r: StoreOutcome<RangeResult>, ctx: Context) => void): void {
    const c = this.context(ctx);
    this.c().range(prefix, { exact }, (r) => {
      if (r.type === 'unavailable' || r.type === 'timeout') cb(failed(r), c);
      else cb({ ok: true, value: r }, c);
    });
  }

  watch(ctx: Context, prefix: string, fromRevision: number, handler: StoreWatchHandler): StoreWatchHandle {
    const c = this.context(ctx);
    const id = this.c().watch(prefix, fromRevision, (u) => {
      if (u.type === 'events') handler.onEvents(u.events, u.revision, c);
      else handler.onCompacted(u.compactRevision, c);
    });
    return { cancel: (): void => this.c().cancelWatch(id) };
  }

  handleMessage(ctx: Context, from: EndpointId, msg: Message): boolean {
    return this.client !== undefined && this.client.handleMessage(ctx, from, msg);
  }

  handleTimer(ctx: Context, tag: TimerTag): boolean {
    return this.client !== undefined && this.client.handleTimer(ctx, tag);
  }
}
