import type { Component, Context, EndpointId, Message, Observation, TimerTag } from '../../../sim/component.js';
import { s, type Micros } from '../../../sim/time.js';
import { ApiServer, StoreClientPort } from '../../apiserver/index.js';
import { kubernetesPolicy } from '../../api/kubernetesPolicy.js';
import { defaultTokenTable } from '../../api/authn.js';
import { ApiClient } from '../../client/index.js';
import type { Lease } from '../../api/types.js';
import type { ComponentKindEntry, InstallContext, Installation, InvariantResult, SharedServices } from '../kinds.js';
import { apiRequestRecord } from '../checkers/apiRequest.js';
import { AuthorizationChecker, principalsOf } from '../checkers/authorization.js';
import { CommittedWrites } from '../checkers/committedWrites.js';
import { OptimisticConcurrencyChecker } from '../checkers/optimisticConcurrency.js';
import type { SummaryBuilder } from '../summary.js';
import { round } from '../summary.js';

export function apiServerEndpoints(masters: readonly string[]): string[] {
  return masters.map((m) => `kube-apiserver@${m}`);
}

/**
 * The run's one replay of the store's committed log: the API checkers and the cluster observer
 * read the same changes, so the log is applied to one shadow MVCC, not one per reader.
 */
export function sharedCommittedWrites(services: SharedServices): CommittedWrites {
  let writes = services.committedWrites;
  if (writes === undefined) {
    const created = new CommittedWrites();
    services.storeApplyListeners.push((t, i, d) => created.onApply(t, i, d));
    services.committedWrites = created;
    writes = created;
  }
  return writes;
}

const PROBE = 'prober/tick';
/** SPEC: a probe that has not succeeded within 5 s counts as failed. */
const PROBE_TIMEOUT_US = s(5);

/**
 * The synthetic availability prober of SPEC "Availability": once per simulated second it writes the
 * Lease `kube-system/kubesim-probe` through the load balancer, as a blackbox monitor would, and
 * reports each outcome as an observation (the runner counts them; the prober never judges itself).
 */
class Prober implements Component {
  private client: ApiClient | undefined;
  private seq = 0;

  constructor(private readonly endpoints: readonly string[]) {}

  start(ctx: Context): void {
    this.client = new ApiClient({
      user: 'kubesim:prober',
      token: 'token-kubesim-prober',
      endpoints: this.endpoints,
      qps: 1000,
      burst: 1000,
      requestTimeoutUs: PROBE_TIMEOUT_US,
      // An LB health check keeps a dead server out of rotation for a while (client default: 10 s).
      suspectCooldownUs: s(30),
    });
    this.client.start(ctx);
    ctx.setTimer(s(1), PROBE);
  }

  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }

  onTimer(ctx: Context, tag: TimerTag): void {
    const client = this.client;
    if (client === undefined || client.handleTimer(ctx, tag) || tag !== PROBE) return;
    ctx.setTimer(s(1), PROBE);
    const id = this.seq++;
    const sentAt = ctx.now();
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'kubesim-probe', namespace: 'kube-system' },
      spec: { holderIdentity: 'kubesim-prober', renewTime: sentAt / 1e6, leaseDurationSeconds: 5 },
    };
    const report = (ok: boolean, code: number): void => {
      // Measured on the prober's own (unskewed) clock: it sits outside the cluster.
      const inTime = ctx.now() - sentAt <= PROBE_TIMEOUT_US;
      ctx.observe({ type: 'probe.result', subject: 'kubesim-probe', ok: ok && inTime, code, id });
    };
    client.update(ctx, 'leases', lease, (r, c) => {
      if (r.ok) return report(true, 200);
      if (r.status.code !== 404) return report(false, r.status.code);
      client.create(c, 'leases', lease, (created) => report(created.ok, created.ok ? 201 : created.status.code));
    });
  }
}

const STAGES = ['authentication', 'authorization', 'mutating', 'schema', 'validating'] as const;

/**
 * kube-apiserver on every master over the Raft store (StoreClientPort), the availability prober on
 * a host of its own, the api.* figures from the servers' `api.request` observations, and the api.*
 * invariants: each acknowledged request joined with what the store committed at its revision.
 */
class ApiServerInstallation implements Installation {
  private requests = 0;
  private readonly byCode = new Map<number, number>();
  private readonly rejected = { authentication: 0, authorization: 0, mutating: 0, schema: 0, validating: 0 };
  private probes = 0;
  private probesOk = 0;
  private readonly writes: CommittedWrites;
  private readonly concurrency = new OptimisticConcurrencyChecker();
  private readonly authorization: AuthorizationChecker;

  constructor(private readonly ctx: InstallContext) {
    const { sim, layout, services } = ctx;
    this.writes = sharedCommittedWrites(services);
    const tokens = defaultTokenTable(layout.workers);
    // The checker knows the principals as the authenticator does, and judges with its own authorizer.
    this.authorization = new AuthorizationChecker(principalsOf(tokens), { current: (key) => this.writes.current(key) });
    this.writes.onWrite((w) => this.authorization.onCommitted(w));
    const tolerationSeconds = ctx.scenario.cluster.nodeLifecycle.tolerationSeconds;
    // The Kubernetes policy of core/api: token authn, RBAC + node authorizer, admission (defaulting,
    // DefaultTolerationSeconds, LimitRanger, quota). Namespaces are not modelled as objects here,
    // so NamespaceLifecycle is off.
    const policy = kubernetesPolicy({
      tokens,
      admission: { notReadyTolerationSeconds: tolerationSeconds, unreachableTolerationSeconds: tolerationSeconds, namespaceLifecycle: false },
    });
    for (const master of layout.masters) {
      const storeOptions = {
        members: layout.etcdEndpoints,
        ...(services.storeHistory !== undefined ? { history: services.storeHistory } : {}),
        ...(services.storeRecorder !== undefined ? { recorder: services.storeRecorder } : {}),
      };
      sim.addComponent(master, `kube-apiserver@${master}`, () => new ApiServer({ policy }, new StoreClientPort(storeOptions)));
    }
    const endpoints = apiServerEndpoints(layout.masters);
    if (endpoints.length > 0) {
      sim.addHost('prober');
      sim.addComponent('prober', 'kubesim-prober', () => new Prober(endpoints));
    }
  }

  observe(timeUs: Micros, _endpoint: string, obs: Observation): void {
    if (obs.type === 'api.request') {
      const record = apiRequestRecord(obs);
      if (record !== undefined) {
        const ok = record.code >= 200 && record.code < 300;
        const writes = ok && record.revision !== undefined ? this.writes.take(record.revision) : undefined;
        this.concurrency.onRequest(timeUs, record, writes);
        this.authorization.onRequest(timeUs, record, writes);
      }
      const code = typeof obs['code'] === 'number' ? obs['code'] : 0;
      this.requests++;
      this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
      const state = this.ctx.state;
      state.apiRequestsThisSecond++;
      if (code >= 400) state.apiErrorsThisSecond++;
      const stage = obs['stage'];
      if (stage !== undefined) for (const st of STAGES) if (st === stage) this.rejected[st]++;
    } else if (obs.type === 'probe.result') {
      this.probes++;
      if (obs['ok'] === true) this.probesOk++;
    }
  }

  /** Unclaimed committed writes are kept for late acknowledgements only so long. */
  sample(timeUs: Micros): void {
    this.writes.prune(timeUs);
  }

  invariants(): readonly InvariantResult[] {
    return [this.concurrency.result(), this.authorization.result()];
  }

  summarise(summary: SummaryBuilder): void {
    const byCode: Record<string, number> = {};
    for (const code of [...this.byCode.keys()].sort((a, b) => a - b)) byCode[String(code)] = this.byCode.get(code) ?? 0;
    summary.api = { requests: this.requests, byCode, rejectedByStage: { ...this.rejected } };
    summary.availability = { apiWritableFraction: this.probes === 0 ? null : round(this.probesOk / this.probes, 4) };
  }
}

export const APISERVER_KIND: ComponentKindEntry = {
  name: 'kube-apiserver',
  checks: ['api.optimisticConcurrency', 'api.authorization'],
  enabled: (scenario) => scenario.cluster.masters > 0 && scenario.cluster.etcd.members > 0,
  install: (ctx) => new ApiServerInstallation(ctx),
};
