import type { Context, EndpointId, Message, TimerTag } from '../../sim/component.js';
import { s } from '../../sim/time.js';
import { ApiClient } from '../client/apiClient.js';
import { apiLeaseLock } from './apiLeaseLock.js';
import { LeaderElector, type LeaderCallbacks, type LeaderElectorConfig } from './leaderElector.js';
import { namespacedContext, unwrapTimer } from './timerNamespace.js';

export interface LeaderElectionSessionConfig {
  /** The component's user (`system:kube-scheduler`) and bearer token. */
  readonly user: string;
  readonly token: string;
  readonly apiServers: readonly string[];
  /** Lease namespace (kube-system). */
  readonly leaseNamespace: string;
  /** The elector's settings; the lock name is also the client's name prefix and the timer namespace. */
  readonly elector: LeaderElectorConfig;
}

/**
 * A leader-elected component's election machinery: the elector on its own API client, as upstream's
 * kube-scheduler and kube-controller-manager give leader election a client of its own (QPS 20/burst 30,
 * timeout renewDeadline) so that the component's traffic cannot starve renewals of its rate limit.
 * Its timers live in their own namespace of the component's context; the component forwards every
 * message and timer here first.
 */
export class LeaderElectionSession {
  readonly elector: LeaderElector;
  private readonly client: ApiClient;
  private readonly ctx: Context;
  private readonly timerNamespace: string;

  constructor(ctx: Context, config: LeaderElectionSessionConfig, callbacks: LeaderCallbacks) {
    this.timerNamespace = `${config.elector.lockName}-leader-election`;
    this.ctx = namespacedContext(ctx, this.timerNamespace);
    this.client = new ApiClient({
      user: config.user,
      name: `${config.elector.lockName}/leader-election`,
      token: config.token,
      endpoints: config.apiServers,
      qps: 20,
      burst: 30,
      requestTimeoutUs: config.elector.renewDeadlineUs ?? s(10),
    });
    this.elector = new LeaderElector(config.elector, apiLeaseLock(this.client, config.leaseNamespace, config.elector.lockName), callbacks);
  }

  start(): void {
    this.client.start(this.ctx);
    this.elector.start(this.ctx);
  }

  /** True when the message belonged to the election client. */
  handleMessage(from: EndpointId, message: Message): boolean {
    return this.client.handleMessage(this.ctx, from, message);
  }

  /** True when the timer belonged to the election (elector or its client). */
  handleTimer(tag: TimerTag): boolean {
    const inner = unwrapTimer(tag, this.timerNamespace);
    if (inner === undefined) return false;
    if (!this.elector.handleTimer(this.ctx, inner)) this.client.handleTimer(this.ctx, inner);
    return true;
  }
}
