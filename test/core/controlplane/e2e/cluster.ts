// A small simulated cluster for end-to-end tests of the control plane: M masters (kube-apiserver +
// kube-controller-manager each, over one in-memory store), K workers (kubelet each), a minimal
// round-robin binder standing in for kube-scheduler (its own helper owns the real one), and a user
// client. Admission adds the default not-ready/unreachable tolerations (300s) as upstream's
// DefaultTolerationSeconds plugin does.
import type { Component, Context, EndpointId, Message, Observation, TimerTag } from '../../../../sim/component.js';
import { Simulation } from '../../../../sim/index.js';
import type { Micros } from '../../../../sim/time.js';
import { ms, s, us } from '../../../../sim/time.js';
import type { KubeObject, Pod, Toleration } from '../../../../core/api/types.js';
import { ApiServer } from '../../../../core/apiserver/apiServer.js';
import { MemoryStore } from '../../../../core/apiserver/memoryStore.js';
import { objectFromKv } from '../../../../core/apiserver/decorate.js';
import type { ApiPolicy, RequestAttributes, UserInfo } from '../../../../core/apiserver/policy.js';
import type { Status } from '../../../../core/apiserver/status.js';
import { allowAllPolicy } from '../../../../core/apiserver/policy.js';
import { ApiClient } from '../../../../core/client/apiClient.js';
import { Informer } from '../../../../core/client/informer.js';
import { KubeControllerManager } from '../../../../core/controlplane/controllerManager.js';
import type { NodeLifecycleConfig } from '../../../../core/controlplane/nodelifecycle/nodeLifecycleController.js';
import { Kubelet } from '../../../../core/kubelet/kubelet.js';
import type { ImageBehaviour } from '../../../../core/kubelet/podWorker.js';

export interface ClusterOptions {
  readonly seed?: number;
  readonly masters?: number;
  readonly workers?: number;
  readonly zones?: number;
  readonly fencing?: boolean;
  readonly images?: Readonly<Record<string, ImageBehaviour>>;
  readonly nodeLifecycle?: Partial<NodeLifecycleConfig>;
  /**
   * Run the kube-apiservers on their own hosts (api-1 …) instead of on the masters, so a partition
   * can cut a controller-manager off from every API server (the in-memory store has no network).
   */
  readonly separateApiHosts?: boolean;
  /** Leave out the controller-manager on these masters. */
  readonly withoutKcm?: readonly number[];
  /**
   * A validating admission step run before the default one, e.g. a failing webhook: a Status
   * refuses the request. `nowSeconds` is simulated time.
   */
  readonly admit?: (attrs: RequestAttributes, object: KubeObject, nowSeconds: number) => Status | undefined;
}

const DEFAULT_TOLERATIONS: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function testPolicy(tokens: ReadonlyMap<string, UserInfo>, admit: ClusterOptions['admit']): ApiPolicy {
  const base = allowAllPolicy(tokens);
  return {
    ...base,
    validate: (attrs, object, view) => {
      const refused = admit?.(attrs, object, view.nowSeconds());
      return refused === undefined ? base.validate(attrs, object, view) : { ok: false, status: refused };
    },
    mutate: (attrs, object) => {
      if (attrs.verb !== 'create' || object.kind !== 'Pod' || attrs.subresource !== undefined) return { ok: true, object };
      const pod = object;
      const tolerations = [...(pod.spec.tolerations ?? [])];
      for (const t of DEFAULT_TOLERATIONS) if (!tolerations.some((x) => x.key === t.key && x.effect === 'NoExecute')) tolerations.push(t);
      return { ok: true, object: { ...pod, spec: { ...pod.spec, tolerations } } };
    },
  };
}

/** Binds every unbound pod to a ready, untainted worker, round robin. Not the real scheduler. */
export class TestBinder implements Component {
  private client: ApiClient | undefined;
  private next = 0;
  constructor(private readonly apiServers: readonly string[]) {}
  start(ctx: Context): void {
    const client = new ApiClient({ user: 'system:kube-scheduler', token: 'token-kube-scheduler', endpoints: this.apiServers, qps: 1000, burst: 1000 });
    this.client = client;
    client.start(ctx);
    const nodes = new Informer(client, 'nodes');
    const pods = new Informer(client, 'pods', { fieldSelector: { nodeName: '' } });
    const bind = (pod: Pod, c: Context): void => {
      if (pod.spec.nodeName !== undefined && pod.spec.nodeName !== '') return;
      if (pod.metadata.deletionTimestamp !== undefined) return;
      const candidates = [...nodes.list()]
        .filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true && !(n.spec?.taints ?? []).some((t) => t.effect !== 'PreferNoSchedule'))
        .map((n) => n.metadata.name ?? '')
        .sort();
      if (candidates.length === 0) {
        client.timers.set(c, s(1), (c2) => {
          const cur = pods.get(`${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`);
          if (cur !== undefined) bind(cur, c2);
        });
        return;
      }
      const node = candidates[this.next++ % candidates.length] ?? '';
      c.observe({ type: 'test.bind', subject: `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`, node });
      client.bind(c, pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', node, () => undefined);
    };
    pods.addEventHandler({ onAdd: (p, c) => bind(p, c) });
    nodes.start(ctx);
    pods.start(ctx);
  }
  onMessage(ctx: Context, from: EndpointId, m: Message): void {
    this.client?.handleMessage(ctx, from, m);
  }
  onTimer(ctx: Context, tag: TimerTag): void {
    this.client?.handleTimer(ctx, tag);
  }
}

/** A user with kubectl: the harness calls `do` from sim.at callbacks. */
export class TestUser implements Component {
  client: ApiClient | undefined;
  ctx: Context | undefined;
  constructor(private readonly apiServers: readonly string[]) {}
  start(ctx: Context): void {
    this.ctx = ctx;
    this.client = new ApiClient({ user: 'admin', token: 'token-admin', endpoints: this.apiServers, qps: 1000, burst: 1000 });
    this.client.start(ctx);
  }
  do(fn: (client: ApiClient, ctx: Context) => void): void {
    if (this.client !== undefined && this.ctx !== undefined) fn(this.client, this.ctx);
  }
  onMessage(ctx: Context, from: EndpointId, m: Message): void {
    this.client?.handleMessage(ctx, from, m);
  }
  onTimer(ctx: Context, tag: TimerTag): void {
    this.client?.handleTimer(ctx, tag);
  }
}

export interface SeenObservation {
  readonly timeUs: Micros;
  readonly endpoint: string;
  readonly obs: Observation;
}

export interface TestCluster {
  readonly sim: Simulation;
  readonly store: MemoryStore;
  readonly observations: SeenObservation[];
  readonly masters: string[];
  readonly workers: string[];
  readonly kcm: Map<string, EndpointId>;
  readonly userEp: EndpointId;
  user(): TestUser;
  kcmOn(master: string): KubeControllerManager | undefined;
  /** Objects of a kind currently in the store. */
  objects<T extends KubeObject>(prefix: string): T[];
}

export function buildCluster(opts: ClusterOptions = {}): TestCluster {
  const sim = new Simulation({ seed: opts.seed ?? 1, maxEvents: 50_000_000 });
  sim.network.configure({ latency: { median: us(500), p99: ms(5) }, loss: 0 });
  const store = new MemoryStore(ms(2));
  const masters = Array.from({ length: opts.masters ?? 1 }, (_, i) => `master-${i + 1}`);
  const workers = Array.from({ length: opts.workers ?? 3 }, (_, i) => `worker-${i + 1}`);
  const apiHosts = opts.separateApiHosts === true ? masters.map((_, i) => `api-${i + 1}`) : masters;
  const apiServers = apiHosts.map((m) => `kube-apiserver@${m}`);
  const tokens = new Map<string, UserInfo>([
    ['token-admin', { name: 'admin', groups: ['system:masters'] }],
    ['token-kube-controller-manager', { name: 'system:kube-controller-manager', groups: [] }],
    ['token-kube-scheduler', { name: 'system:kube-scheduler', groups: [] }],
  ]);
  for (const w of workers) tokens.set(`token-kubelet-${w}`, { name: `system:node:${w}`, groups: ['system:nodes'] });
  const policy = testPolicy(tokens, opts.admit);
  const kcm = new Map<string, EndpointId>();
  for (const m of masters) sim.addHost(m);
  if (opts.separateApiHosts === true) for (const h of apiHosts) sim.addHost(h);
  for (const m of apiHosts) sim.addComponent(m, `kube-apiserver@${m}`, () => new ApiServer({ policy }, store.view(`kube-apiserver@${m}`)));
  masters.forEach((m, i) => {
    if (opts.withoutKcm?.includes(i + 1) === true) return;
    kcm.set(
      m,
      sim.addComponent(m, `kube-controller-manager@${m}`, () =>
        new KubeControllerManager({
          apiServers,
          leaderElection: { fencing: opts.fencing ?? false },
          ...(opts.nodeLifecycle !== undefined ? { nodeLifecycle: opts.nodeLifecycle } : {}),
        }),
      ),
    );
  });
  sim.addHost('scheduler');
  sim.addComponent('scheduler', 'test-binder', () => new TestBinder(apiServers));
  sim.addHost('user');
  const userEp = sim.addComponent('user', 'user', () => new TestUser(apiServers));
  const zones = opts.zones ?? 1;
  workers.forEach((w, i) => {
    sim.addHost(w);
    sim.addComponent(w, `kubelet@${w}`, () =>
      new Kubelet({
        nodeName: w,
        apiServers,
        capacity: { cpu: '4', memory: '16Gi', pods: '110' },
        labels: { 'topology.kubernetes.io/zone': `zone-${(i % zones) + 1}` },
        taints: [],
        ...(opts.images !== undefined ? { images: opts.images } : {}),
      }),
    );
  });
  const observations: SeenObservation[] = [];
  sim.onObservation((timeUs, endpoint, obs) => observations.push({ timeUs, endpoint, obs }));
  return {
    sim,
    store,
    observations,
    masters,
    workers,
    kcm,
    userEp,
    user: () => sim.component(userEp) as TestUser,
    kcmOn: (m) => {
      const ep = kcm.get(m);
      return ep === undefined ? undefined : (sim.component(ep) as KubeControllerManager | undefined);
    },
    objects: <T extends KubeObject>(prefix: string): T[] => {
      const r = store.mvcc.range(prefix);
      return r.type === 'ok' ? r.kvs.map((kv) => objectFromKv(kv) as T) : [];
    },
  };
}
