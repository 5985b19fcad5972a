import type { Context } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import type { Deployment, HorizontalPodAutoscaler, Lease, Node, Pod, ReplicaSet } from '../api/types.js';
import type { LeaderWriter } from './leaderWriter.js';
import type { InformerLike, TimersLike } from './ports.js';

/** The work queue slice controllers use (core/client WorkQueue). */
export interface QueueLike {
  add(ctx: Context, key: string): void;
  addAfter(ctx: Context, key: string, delayUs: Micros): void;
  addRateLimited(ctx: Context, key: string): void;
  done(ctx: Context, key: string, success?: boolean): void;
  forget(key: string): void;
}

export interface SharedInformers {
  readonly pods: InformerLike<Pod>;
  readonly replicasets: InformerLike<ReplicaSet>;
  readonly deployments: InformerLike<Deployment>;
  readonly nodes: InformerLike<Node>;
  /** Leases in kube-node-lease (kubelet heartbeats). */
  readonly nodeLeases: InformerLike<Lease>;
  readonly hpas: InformerLike<HorizontalPodAutoscaler>;
}

/** Everything a controller of kube-controller-manager is handed while its process leads. */
export interface ControllerEnv {
  readonly ctx: Context;
  readonly writer: LeaderWriter;
  readonly timers: TimersLike;
  readonly informers: SharedInformers;
  makeQueue(name: string, workers: number, process: (ctx: Context, key: string) => void): QueueLike;
  /** Local clock in seconds, the unit of object timestamps. */
  nowSeconds(): number;
  /** False once the leading session ended: late callbacks must do nothing. */
  alive(): boolean;
}
