import type { Component, Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import { ApiClient } from '../client/apiClient.js';
import { Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workQueue.js';
import type { ControllerEnv, QueueLike, SharedInformers } from './controllerEnv.js';
import { DeploymentController } from './deployment/deploymentController.js';
import { GarbageCollector } from './gc/garbageCollector.js';
import { HpaController } from './hpa/hpaController.js';
import type { LeaderElectionTimings } from './leaderElectionConfig.js';
import type { LeaderElector } from './leaderElector.js';
import { LeaderElectionSession } from './leaderElectionSession.js';
import { LeaderWriter } from './leaderWriter.js';
import type { NodeLifecycleConfig } from './nodelifecycle/nodeLifecycleController.js';
import { DEFAULT_NODE_LIFECYCLE, NodeLifecycleController } from './nodelifecycle/nodeLifecycleController.js';
import { TaintEvictionController } from './nodelifecycle/taintEvictionController.js';
import { ReplicaSetController } from './replicaset/replicaSetController.js';

export const KCM_COMPONENT = 'kube-controller-manager';
const LEASE_NAMESPACE = 'kube-system';

export interface ControllerManagerConfig {
  /** Endpoint names of the kube-apiservers (through the client's load balancer). */
  readonly apiServers: readonly string[];
  /** Lease holder identity; default `<host>_kube-controller-manager`. */
  readonly identity?: string;
  /** Bearer token; default `token-kube-controller-manager`. */
  readonly token?: string;
  /** Client-side rate limit of the controllers' client; upstream default 20 qps, burst 30. */
  readonly qps?: number;
  readonly burst?: number;
  readonly leaderElection?: Partial<LeaderElectionTimings> & { readonly fencing?: boolean };
  readonly nodeLifecycle?: Partial<NodeLifecycleConfig>;
}

/** The controllers of one leadership term; everything dies with it (upstream the process exits). */
interface Term {
  alive: boolean;
  readonly informers: SharedInformers;
  readonly writer: LeaderWriter;
  readonly replicaSets: ReplicaSetController;
  readonly deployments: DeploymentController;
  readonly nodeLifecycle: NodeLifecycleController;
  readonly taintEviction: TaintEvictionController;
  readonly hpa: HpaController;
  readonly gc: GarbageCollector;
}

/**
 * kube-controller-manager: leader-elected through the `kube-system/kube-controller-manager` Lease; while
 * it leads it runs the ReplicaSet, Deployment, node lifecycle, taint eviction, HPA and garbage
 * collector controllers on shared informers. Leader election has its own client (as upstream), so
 * controller traffic cannot starve renewals of the client-side rate limit.
 */
export class KubeControllerManager implements Component {
  private readonly config: ControllerManagerConfig;
  private client: ApiClient | undefined;
  private election: LeaderElectionSession | undefined;
  private term: Term | undefined;

  constructor(config: ControllerManagerConfig) {
    this.config = config;
  }

  /** The elector (for checkers and tests reading state from outside). */
  leaderElector(): LeaderElector | undefined {
    return this.election?.elector;
  }

  isLeading(): boolean {
    return this.election?.elector.isLeading() ?? false;
  }

  /** Controllers of the current term, if leading (tests read counters). */
  controllers(): Term | undefined {
    return this.term;
  }

  start(ctx: Context): void {
    const token = this.config.token ?? 'token-kube-controller-manager';
    this.client = new ApiClient({
      user: 'system:kube-controller-manager',
      token,
      endpoints: this.config.apiServers,
      qps: this.config.qps ?? 20,
      burst: this.config.burst ?? 30,
    });
    this.client.start(ctx);
    const le = this.config.leaderElection ?? {};
    const identity = this.config.identity ?? `${ctx.hostName}_${KCM_COMPONENT}`;
    this.election = new LeaderElectionSession(
      ctx,
      {
        user: 'system:kube-controller-manager',
        token,
        apiServers: this.config.apiServers,
        leaseNamespace: LEASE_NAMESPACE,
        elector: { ...le, lockName: KCM_COMPONENT, identity, component: KCM_COMPONENT, fencing: le.fencing ?? false },
      },
      {
        onStartedLeading: (_c, tok) => this.startTerm(ctx, identity, tok),
        onStoppedLeading: () => this.stopTerm(ctx),
      },
    );
    this.election.start();
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    if (this.election?.handleMessage(from, message) === true) return;
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    if (this.election?.handleTimer(tag) === true) return;
    this.client?.handleTimer(ctx, tag);
  }

  private startTerm(ctx: Context, identity: string, token: number): void {
    const client = this.client;
    if (client === undefined) return;
    const le = this.config.leaderElection ?? {};
    const writer = new LeaderWriter(client, KCM_COMPONENT, identity, token, le.fencing ?? false, LEASE_NAMESPACE, KCM_COMPONENT);
    // Each cache keeps only the indexes some controller reads: pods by node (node lifecycle, taint
    // eviction) and by owner (ReplicaSet, Deployment, GC), ReplicaSets by owner (Deployment, GC).
    const informers: SharedInformers = {
      pods: new Informer(client, 'pods', { indexes: ['nodeName', 'owner'] }),
      replicasets: new Informer(client, 'replicasets', { indexes: ['owner'] }),
      deployments: new Informer(client, 'deployments', { indexes: [] }),
      nodes: new Informer(client, 'nodes', { indexes: [] }),
      nodeLeases: new Informer(client, 'leases', { namespace: 'kube-node-lease', indexes: [] }),
      hpas: new Informer(client, 'horizontalpodautoscalers', { indexes: [] }),
    };
    const state = { alive: true };
    const env: ControllerEnv = {
      ctx,
      writer,
      timers: client.timers,
      informers,
      makeQueue: (name, workers, process): QueueLike =>
        new WorkQueue<string>(client.timers, {
          name,
          workers,
          process: (c, key) => {
            if (state.alive) process(c, key);
          },
        }),
      nowSeconds: () => ctx.now() / 1e6,
      alive: () => state.alive,
    };
    const nl: NodeLifecycleConfig = { ...DEFAULT_NODE_LIFECYCLE, ...this.config.nodeLifecycle };
    const term: Term = {
      get alive() {
        return state.alive;
      },
      set alive(v: boolean) {
        state.alive = v;
      },
      informers,
      writer,
      replicaSets: new ReplicaSetController(env),
      deployments: new DeploymentController(env),
      nodeLifecycle: new NodeLifecycleController(env, nl),
      taintEviction: new TaintEvictionController(env),
      hpa: new HpaController(env),
      gc: new GarbageCollector(env),
    };
    this.term = term;
    // Upstream starts the informers only once it leads (the controllers' Run).
    for (const inf of Object.values(informers) as Array<{ start(c: Context): void }>) inf.start(ctx);
    term.nodeLifecycle.start(ctx);
    term.hpa.start(ctx);
    const sweep = (c: Context): void => {
      if (!state.alive) return;
      if (!term.gc.trySweep(c)) client.timers.set(c, SWEEP_RETRY_US, sweep);
    };
    client.timers.set(ctx, SWEEP_RETRY_US, sweep);
  }

  private stopTerm(ctx: Context): void {
    const term = this.term;
    this.term = undefined;
    if (term === undefined) return;
    term.alive = false;
    for (const inf of Object.values(term.informers) as Array<{ stop(c: Context): void }>) inf.stop(ctx);
  }
}

const SWEEP_RETRY_US: Micros = s(1);
