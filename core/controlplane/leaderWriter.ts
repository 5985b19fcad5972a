import type { Context } from '../../sim/component.js';
import type { KubeObject } from '../api/types.js';
import type { ApiResult, DeleteOptions, FencingToken, ResourceName } from '../apiserver/protocol.js';
import type { ClientLike } from './ports.js';

/**
 * Every write a leader-elected component makes goes through here: it attaches the fencing token when
 * fencing is on, and reports each write's outcome as `election.write` so the outside checker can
 * count stale writes (accepted with an old token) and fenced ones (refused by the API server).
 */
export class LeaderWriter {
  private readonly client: ClientLike;
  private readonly component: string;
  private readonly identity: string;
  private readonly token: number;
  private readonly fencing: FencingToken | undefined;
  /** Set false when the session that owns this writer ends; later answers are still reported. */
  writes = 0;

  constructor(client: ClientLike, component: string, identity: string, token: number, fencing: boolean, leaseNamespace: string, leaseName: string) {
    this.client = client;
    this.component = component;
    this.identity = identity;
    this.token = token;
    this.fencing = fencing ? { leaseNamespace, leaseName, leaseTransitions: token } : undefined;
  }

  create<T extends KubeObject>(ctx: Context, resource: ResourceName, obj: T, done: (r: ApiResult<T>) => void): void {
    this.writes++;
    this.client.create(ctx, resource, obj, (r) => this.report(ctx, 'create', resource, obj, r, done), this.opts());
  }

  update<T extends KubeObject>(ctx: Context, resource: ResourceName, obj: T, done: (r: ApiResult<T>) => void): void {
    this.writes++;
    this.client.update(ctx, resource, obj, (r) => this.report(ctx, 'update', resource, obj, r, done), this.opts());
  }

  updateStatus<T extends KubeObject>(ctx: Context, resource: ResourceName, obj: T, done: (r: ApiResult<T>) => void): void {
    this.writes++;
    this.client.updateStatus(ctx, resource, obj, (r) => this.report(ctx, 'updateStatus', resource, obj, r, done), this.opts());
  }

  delete(ctx: Context, resource: ResourceName, namespace: string | undefined, name: string, done: (r: ApiResult<KubeObject>) => void, options: DeleteOptions = {}): void {
    this.writes++;
    const opts = this.fencing === undefined ? options : { ...options, fencing: this.fencing };
    this.client.delete(ctx, resource, namespace, name, (r) => this.report(ctx, 'delete', resource, undefined, r, done, name), opts);
  }

  private opts(): { fencing?: FencingToken } {
    return this.fencing === undefined ? {} : { fencing: this.fencing };
  }

  private report<T>(ctx: Context, verb: string, resource: ResourceName, obj: KubeObject | undefined, r: ApiResult<KubeObject>, done: (r: ApiResult<T>) => void, name?: string): void {
    const fenced = !r.ok && r.status.code === 409 && /fenc/i.test(r.status.message);
    ctx.observe({
      type: 'election.write',
      subject: this.component,
      component: this.component,
      identity: this.identity,
      token: this.token,
      verb,
      resource,
      name: name ?? obj?.metadata.name ?? '',
      accepted: r.ok,
      fenced,
      code: r.ok ? 200 : r.status.code,
    });
    done(r as ApiResult<T>);
  }
}
