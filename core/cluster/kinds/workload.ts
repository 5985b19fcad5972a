import type { Component, Context, EndpointId, Message, TimerTag } from '../../../sim/component.js';
import { s, type Micros } from '../../../sim/time.js';
import { ApiClient } from '../../client/index.js';
import { resourceForKind } from '../../api/registry.js';
import type { Deployment, KubeObject, Pod, ReplicaSet } from '../../api/types.js';
import { rollbackDeployment } from '../../controlplane/deployment/rollback.js';
import { CPU_DEMAND_ANNOTATION } from '../../controlplane/hpa/hpaController.js';
import type { ResourceName } from '../../apiserver/protocol.js';
import type { WorkloadDriver } from '../kinds.js';
import type { ObservedState } from '../observed.js';
import type { LifetimeSpec, Manifest, WorkloadStep } from '../scenario.js';
import { assertNever } from '../../util/assert.js';

export const WORKLOAD_ENDPOINT = 'kubesim-workload';

type Tag = { readonly type: 'workload/arrival'; readonly step: number } | { readonly type: 'workload/expire'; readonly ns: string; readonly name: string };

/** Field path `spec.template.spec.containers[0].image` → segments. */
function segments(path: string): string[] {
  return path.split(/\.|\[(\d+)\]/).filter((x): x is string => x !== undefined && x !== '');
}

function setPath(obj: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(obj)) {
    const copy = [...obj];
    const i = Number(head);
    copy[i] = setPath(copy[i], rest, value);
    return copy;
  }
  const base = obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>) : {};
  return { ...base, [head]: setPath(base[head], rest, value) };
}

/**
 * The scenario's kubectl: carries out workload steps through the API servers (an admin client on a
 * host outside the cluster), with Poisson arrivals of pods and their lifetimes on its own timers.
 * Outcomes it cannot complete (object missing, API unavailable) become events, not failures.
 */
export class WorkloadDriverComponent implements Component, WorkloadDriver {
  private client: ApiClient | undefined;
  private ctx: Context | undefined;
  private readonly backlog: WorkloadStep[] = [];
  private readonly arrivals: Array<Extract<WorkloadStep, { type: 'arrivals' }> & { endUs: Micros; seq: number }> = [];

  constructor(
    private readonly apiServers: readonly string[],
    private readonly state: ObservedState,
  ) {}

  start(ctx: Context): void {
    this.ctx = ctx;
    this.client = new ApiClient({ user: 'kubesim:workload', token: 'token-kubesim-workload', endpoints: this.apiServers, qps: 1000, burst: 1000 });
    this.client.start(ctx);
    for (const step of this.backlog.splice(0)) this.perform(step);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    if (this.client?.handleTimer(ctx, tag) === true) return;
    if (typeof tag !== 'object') return;
    const t = tag as Tag;
    switch (t.type) {
      case 'workload/arrival':
        this.arrive(ctx, t.step);
        return;
      case 'workload/expire':
        this.client?.delete(ctx, 'pods', t.ns, t.name, () => undefined);
        return;
      default:
        assertNever(t, 'workload timer');
    }
  }

  private note(kind: string, subject: string, detail: string): void {
    this.state.event(this.ctx === undefined ? 0 : this.nowGlobal(), kind, subject, detail);
  }

  /** The driver's host is never faulted, so its clock is the global one. */
  private nowGlobal(): Micros {
    return this.ctx?.now() ?? 0;
  }

  perform(step: WorkloadStep): void {
    const ctx = this.ctx;
    const client = this.client;
    if (ctx === undefined || client === undefined) {
      this.backlog.push(step);
      return;
    }
    switch (step.type) {
      case 'apply':
        for (const m of step.manifests) this.apply(ctx, client, m as unknown as KubeObject);
        return;
      case 'arrivals': {
        const index = this.arrivals.length;
        this.arrivals.push({ ...step, endUs: ctx.now() + step.forUs, seq: 0 });
        ctx.setTimer(Math.max(1, Math.round(ctx.rng.exponential(1e6 / step.ratePerSec))), Object.freeze({ type: 'workload/arrival', step: index }));
        return;
      }
      case 'set':
        this.modify(ctx, client, step.kind, step.namespace, step.name, (o) => setPath(o, segments(step.path), step.value) as KubeObject);
        return;
      case 'scale':
        this.modify(ctx, client, step.kind, step.namespace, step.name, (o) => setPath(o, ['spec', 'replicas'], step.replicas) as KubeObject);
        return;
      case 'load':
        this.modify(ctx, client, 'Deployment', step.namespace, step.deployment, (o) =>
          setPath(o, ['metadata', 'annotations', CPU_DEMAND_ANNOTATION], `${step.cpuMilli}m`) as KubeObject,
        );
        return;
      case 'delete': {
        const resource = resourceForKind(step.kind)?.resource as ResourceName | undefined;
        if (resource === undefined) return this.note('workload.failed', step.name, `unknown kind ${step.kind}`);
        client.delete(ctx, resource, step.namespace, step.name, (r) => {
          if (!r.ok) this.note('workload.failed', step.name, `delete: ${r.status.code} ${r.status.message}`);
        });
        return;
      }
      case 'rollback':
        this.rollback(ctx, client, step.namespace, step.deployment, step.toRevision);
        return;
      default:
        assertNever(step, 'workload step');
    }
  }

  private apply(ctx: Context, client: ApiClient, obj: KubeObject): void {
    const resource = resourceForKind(obj.kind)?.resource as ResourceName | undefined;
    if (resource === undefined) return this.note('workload.failed', obj.metadata.name ?? '', `unknown kind ${obj.kind}`);
    const ns = obj.metadata.namespace ?? 'default';
    const withNs = (resourceForKind(obj.kind)?.namespaced ?? false) ? ({ ...obj, metadata: { ...obj.metadata, namespace: ns } } as KubeObject) : obj;
    client.create(ctx, resource as never, withNs as never, (r: { ok: boolean; status?: { code: number; message: string } }, c: Context) => {
      if (r.ok) return;
      if (r.status?.code === 409) {
        this.modify(c, client, obj.kind, ns, obj.metadata.name ?? '', (current) => ({ ...withNs, metadata: { ...withNs.metadata, resourceVersion: current.metadata.resourceVersion } }) as KubeObject);
        return;
      }
      this.note('workload.failed', obj.metadata.name ?? '', `apply: ${r.status?.code ?? 0} ${r.status?.message ?? ''}`);
    });
  }

  /** Read-modify-write with a few retries on conflict, as kubectl edit/patch would. */
  private modify(ctx: Context, client: ApiClient, kind: string, ns: string, name: string, change: (o: KubeObject) => KubeObject, attempt = 0): void {
    const info = resourceForKind(kind);
    const resource = info?.resource as ResourceName | undefined;
    if (resource === undefined || info === undefined) return this.note('workload.failed', name, `unknown kind ${kind}`);
    const namespace = info.namespaced ? ns : undefined;
    client.get(ctx, resource as never, namespace, name, (r: { ok: boolean; object?: unknown; status?: { code: number; message: string } }, c: Context) => {
      if (!r.ok || r.object === undefined) return this.note('workload.failed', name, `get: ${r.status?.code ?? 0} ${r.status?.message ?? ''}`);
      const next = change(r.object as KubeObject);
      client.update(c, resource as never, next as never, (u: { ok: boolean; status?: { code: number; message: string } }, c2: Context) => {
        if (u.ok) return;
        if (u.status?.code === 409 && attempt < 5) return this.modify(c2, client, kind, ns, name, change, attempt + 1);
        this.note('workload.failed', name, `update: ${u.status?.code ?? 0} ${u.status?.message ?? ''}`);
      });
    });
  }

  private rollback(ctx: Context, client: ApiClient, ns: string, name: string, toRevision: number): void {
    client.get(ctx, 'deployments', ns, name, (r, c) => {
      if (!r.ok) return this.note('workload.failed', name, `rollback: ${r.status.code} ${r.status.message}`);
      const d = r.object as Deployment;
      client.list(c, 'replicasets', { namespace: ns }, (l, c2) => {
        if (!l.ok) return this.note('workload.failed', name, `rollback: ${l.status.code} ${l.status.message}`);
        const owned = (l.object.items as readonly ReplicaSet[]).filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === d.metadata.uid));
        const next = rollbackDeployment(d, owned, toRevision);
        if (next === undefined) return this.note('workload.failed', name, `rollback: revision ${toRevision} not found`);
        client.update(c2, 'deployments', next, (u) => {
          if (!u.ok) this.note('workload.failed', name, `rollback: ${u.status.code} ${u.status.message}`);
        });
      });
    });
  }

  private arrive(ctx: Context, index: number): void {
    const a = this.arrivals[index];
    const client = this.client;
    if (a === undefined || client === undefined || ctx.now() > a.endUs) return;
    ctx.setTimer(Math.max(1, Math.round(ctx.rng.exponential(1e6 / a.ratePerSec))), Object.freeze({ type: 'workload/arrival', step: index }));
    const name = `${a.namePrefix}-${index}-${a.seq++}`;
    const template = a.template as Manifest & { metadata?: { labels?: Record<string, string> }; spec: unknown };
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: a.namespace, labels: template.metadata?.labels ?? {} },
      spec: template.spec,
    } as unknown as Pod;
    client.create(ctx, 'pods', pod, () => undefined);
    const lifetime = drawLifetime(ctx, a.lifetime);
    if (lifetime !== undefined) ctx.setTimer(lifetime, Object.freeze({ type: 'workload/expire', ns: a.namespace, name }));
  }
}

function drawLifetime(ctx: Context, l: LifetimeSpec): Micros | undefined {
  switch (l.type) {
    case 'forever':
      return undefined;
    case 'fixed':
      return l.us;
    case 'exponential':
      return Math.max(1, Math.round(ctx.rng.exponential(l.meanUs)));
    case 'lognormal':
      return Math.max(1, Math.round(ctx.rng.lognormal(l.medianUs, l.p99Us)));
    default:
      return assertNever(l, 'lifetime');
  }
}

export const WORKLOAD_STEP_TIMEOUT_US = s(10);
