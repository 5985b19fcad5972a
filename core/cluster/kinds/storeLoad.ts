import type { Component, Context, EndpointId, Message, TimerTag } from '../../../sim/component.js';
import type { Micros } from '../../../sim/time.js';
import { StoreClient } from '../../store/storeClient.js';
import type { History } from '../../store/history.js';
import type { StoreRecorder } from '../../store/recorder.js';

export interface StoreLoadOptions {
  readonly members: readonly string[];
  readonly history: History;
  readonly recorder: StoreRecorder;
  /** Time between operations, µs. */
  readonly intervalUs: Micros;
  /** Distinct keys written (small, so the linearizability check sees contention on each key). */
  readonly keys: number;
  /** At most this many operations in flight; beyond it a tick is skipped (a bounded client). */
  readonly maxInFlight: number;
}

const TICK = 'storeLoad/tick';

/**
 * A synthetic store client standing in for kube-apiserver while it is not wired: alternately writes
 * and linearizably reads a few keys at a steady rate, through the real StoreClient, so a store-only
 * scenario has commits, latencies and a client history for store.linearizable and store.durability.
 */
export class StoreLoad implements Component {
  private client: StoreClient | undefined;
  private seq = 0;

  constructor(private readonly options: StoreLoadOptions) {}

  start(ctx: Context): void {
    this.client = new StoreClient(ctx, {
      members: this.options.members,
      history: this.options.history,
      recorder: this.options.recorder,
    });
    // A random phase, so generators on different hosts do not fire in lockstep.
    ctx.setTimer(ctx.rng.int(this.options.intervalUs) + 1, TICK);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    const client = this.client;
    if (client === undefined) return;
    if (client.handleTimer(ctx, tag)) return;
    if (tag !== TICK) return;
    ctx.setTimer(this.options.intervalUs, TICK);
    if (client.pendingOperations >= this.options.maxInFlight) return;
    const n = this.seq++;
    const key = `/registry/kubesim/load/${ctx.rng.int(this.options.keys)}`;
    if (n % 2 === 0) client.put(key, `${ctx.name}#${n}`, {}, () => undefined);
    else client.get(key, {}, () => undefined);
  }
}
