import type { Component, Context, EndpointId, Message, TimerTag } from '../../sim/index.js';
import type { History } from './history.js';
import type { StoreRecorder } from './recorder.js';
import { StoreClient } from './storeClient.js';

export interface LoadClientOptions {
  readonly members: readonly string[];
  /** Keys `k0…k{n-1}` the load touches; few keys mean more contention, more to check. */
  readonly keys: number;
  /** Mean gap between operations, µs (exponential); the offered load is 1/gap per client. */
  readonly meanGapUs: number;
  /** Operations outstanding at once, at most (default 8): a closed-loop bound on the offered load. */
  readonly maxInFlight?: number;
  /** Share of reads among operations (default 0.3). */
  readonly readShare?: number;
  /** Stop issuing new operations at this local time, µs (default never). */
  readonly stopAtUs?: number;
  /** At this local time, µs, read every key linearizably once (results in `finalReads`). */
  readonly readAllAtUs?: number;
  readonly history?: History;
  readonly recorder?: StoreRecorder;
  readonly attemptTimeoutUs?: number;
  readonly deadlineUs?: number;
}

const NEXT = 'load/next';
const READ_ALL = 'load/readAll';

/**
 * A synthetic store user for tests and benchmarks: a component embedding a StoreClient that issues
 * a random mix of puts, compare-and-swaps, deletes and linearizable gets on a small key set, so the
 * history has contention for store.linearizable to chew on. Every value written is unique.
 */
export class LoadClient implements Component {
  private client: StoreClient | undefined;
  private readonly options: LoadClientOptions;
  private readonly lastModRevision = new Map<string, number>();
  private inFlight = 0;
  private seq = 0;
  /** Operations completed ok, by kind, for benchmarks. */
  readonly completed = { writes: 0, reads: 0, failed: 0, unknown: 0 };
  /** Outcome of the readAllAtUs pass: reads that succeeded and that did not. */
  readonly finalReads = { ok: 0, failed: 0 };
  /** Local completion latency of each acknowledged write, µs. */
  readonly writeLatenciesUs: number[] = [];

  constructor(options: LoadClientOptions) {
    this.options = options;
  }

  start(ctx: Context): void {
    this.client = new StoreClient(ctx, {
      members: this.options.members,
      ...(this.options.history === undefined ? {} : { history: this.options.history }),
      ...(this.options.recorder === undefined ? {} : { recorder: this.options.recorder }),
      ...(this.options.attemptTimeoutUs === undefined ? {} : { attemptTimeoutUs: this.options.attemptTimeoutUs }),
      ...(this.options.deadlineUs === undefined ? {} : { deadlineUs: this.options.deadlineUs }),
    });
    ctx.setTimer(Math.round(ctx.rng.exponential(this.options.meanGapUs)), NEXT);
    const readAllAt = this.options.readAllAtUs;
    if (readAllAt !== undefined && readAllAt > ctx.now()) ctx.setTimer(readAllAt - ctx.now(), READ_ALL);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    if (this.client?.handleTimer(ctx, tag) === true) return;
    if (tag === READ_ALL) {
      this.readAll();
      return;
    }
    if (tag !== NEXT) return;
    const stop = this.options.stopAtUs ?? Infinity;
    if (ctx.now() >= stop) return;
    if (this.inFlight < (this.options.maxInFlight ?? 8)) this.issue(ctx);
    ctx.setTimer(Math.max(1, Math.round(ctx.rng.exponential(this.options.meanGapUs))), NEXT);
  }

  /** Reads every key linearizably: the check that acknowledged writes are readable. */
  private readAll(): void {
    const client = this.client;
    if (client === undefined) return;
    for (let i = 0; i < this.options.keys; i++) {
      client.get(`k${i}`, {}, (r) => {
        if (r.type === 'ok') this.finalReads.ok++;
        else this.finalReads.failed++;
      });
    }
  }

  private issue(ctx: Context): void {
    const client = this.client;
    if (client === undefined) return;
    const key = `k${ctx.rng.int(this.options.keys)}`;
    const value = `${ctx.name}#${++this.seq}`;
    const roll = ctx.rng.next();
    const readShare = this.options.readShare ?? 0.3;
    const started = ctx.now();
    this.inFlight++;
    const settle = (ok: boolean, unknown: boolean): void => {
      this.inFlight--;
      if (unknown) this.completed.unknown++;
      else if (!ok) this.completed.failed++;
    };
    if (roll < readShare) {
      client.get(key, {}, (r) => {
        settle(r.type === 'ok', r.type === 'timeout');
        if (r.type === 'ok') {
          this.completed.reads++;
          this.lastModRevision.set(key, r.kvs[0]?.modRevision ?? 0);
        }
      });
      return;
    }
    const writeDone = (r: { readonly type: string; readonly revision?: number }): void => {
      settle(r.type === 'ok' || r.type === 'conflict', r.type === 'timeout');
      if (r.type === 'ok' || r.type === 'conflict') {
        this.completed.writes++;
        this.writeLatenciesUs.push(ctx.now() - started);
      }
    };
    const kind = (roll - readShare) / (1 - readShare);
    if (kind < 0.5) {
      client.put(key, value, {}, (r) => {
        writeDone(r);
        if (r.type === 'ok') this.lastModRevision.set(key, r.revision);
      });
    } else if (kind < 0.9) {
      const expected = this.lastModRevision.get(key) ?? 0;
      client.put(key, value, { expectedModRevision: expected }, (r) => {
        writeDone(r);
        if (r.type === 'ok') this.lastModRevision.set(key, r.revision);
      });
    } else {
      client.delete(key, {}, (r) => {
        writeDone(r);
        if (r.type === 'ok') this.lastModRevision.set(key, 0);
      });
    }
  }
}
