/**
 * Test harness for the API server and client: a kernel simulation with N kube-apiservers in front
 * of either the Raft store (3 members) or an in-process MemoryStore, and Driver components that
 * embed an ApiClient (and optionally informers) and are scripted from the test through `sim.at`.
 */
import type { Component, Context, EndpointId, Message, TimerTag } from '../../../sim/component.js';
import { Simulation, ms, us } from '../../../sim/index.js';
import type { ApiPolicy, UserInfo } from '../../../core/apiserver/policy.js';
import { allowAllPolicy } from '../../../core/apiserver/policy.js';
import { ApiServer } from '../../../core/apiserver/apiServer.js';
import type { ApiServerConfig } from '../../../core/apiserver/apiServer.js';
import { MemoryStore } from '../../../core/apiserver/memoryStore.js';
import { StoreClientPort } from '../../../core/apiserver/storeClientPort.js';
import { StoreMember } from '../../../core/store/storeMember.js';
import { ApiClient } from '../../../core/client/apiClient.js';
import type { ApiClientConfig } from '../../../core/client/apiClient.js';
import type { Observation } from '../../../sim/component.js';

export const USERS: ReadonlyMap<string, UserInfo> = new Map<string, UserInfo>([
  ['admin-token', { name: 'admin', groups: ['system:masters'] }],
  ['alice-token', { name: 'alice', groups: ['system:authenticated'] }],
  ['bob-token', { name: 'bob', groups: ['system:authenticated'] }],
]);

/** A component that only hosts an ApiClient; the test drives it through `run`. */
export class Driver implements Component {
  ctx: Context | undefined;
  readonly client: ApiClient;
  readonly extraMessages: Message[] = [];
  onStart: ((ctx: Context, d: Driver) => void) | undefined;

  constructor(config: ApiClientConfig) {
    this.client = new ApiClient(config);
  }
  start(ctx: Context): void {
    this.ctx = ctx;
    this.client.start(ctx);
    this.onStart?.(ctx, this);
  }
  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    if (this.client.handleMessage(ctx, from, message)) return;
    this.extraMessages.push(message);
  }
  onTimer(ctx: Context, tag: TimerTag): void {
    this.client.handleTimer(ctx, tag);
  }
  /** Runs `fn` with this driver's context (from a harness callback). */
  run(fn: (ctx: Context) => void): void {
    if (this.ctx !== undefined) fn(this.ctx);
  }
}

export interface WorldOptions {
  readonly seed: number;
  readonly apiServers?: number;
  readonly store?: 'raft' | 'memory';
  readonly policy?: ApiPolicy;
  readonly server?: Omit<ApiServerConfig, 'policy'>;
  readonly latencyUs?: number;
  /** Message loss probability on every link (store traffic included). */
  readonly loss?: number;
}

export interface World {
  readonly sim: Simulation;
  readonly apiServerNames: readonly string[];
  readonly memory: MemoryStore | undefined;
  readonly observations: { readonly t: number; readonly from: string; readonly obs: Observation }[];
  addDriver(name: string, token: string, overrides?: Partial<ApiClientConfig>): Driver;
  /** The live ApiServer instance behind a name (undefined while crashed). */
  apiServer(name: string): ApiServer | undefined;
}

export function buildWorld(options: WorldOptions): World {
  const sim = new Simulation({ seed: options.seed, maxEvents: 20_000_000 });
  const latency = options.latencyUs ?? ms(1);
  sim.network.configure({ latency: { median: latency, p99: latency * 4 }, loss: options.loss ?? 0 });
  const policy = options.policy ?? allowAllPolicy(USERS);
  const n = options.apiServers ?? 2;
  const storeKind = options.store ?? 'memory';
  const memory = storeKind === 'memory' ? new MemoryStore(us(500)) : undefined;
  const members = ['etcd-1', 'etcd-2', 'etcd-3'];
  if (storeKind === 'raft') {
    for (const m of members) {
      sim.addHost(m);
      sim.addComponent(m, m, () => new StoreMember({ members, heartbeatUs: ms(50), electionTimeoutUs: ms(500), watchProgressUs: ms(500) }));
    }
  }
  const apiServerNames: string[] = [];
  for (let i = 1; i <= n; i++) {
    const host = `master-${i}`;
    const name = `kube-apiserver@${host}`;
    apiServerNames.push(name);
    sim.addHost(host);
    sim.addComponent(host, name, () =>
      new ApiServer({ ...(options.server ?? {}), policy }, memory !== undefined ? memory.view(name) : new StoreClientPort({ members, name })),
    );
  }
  const observations: { t: number; from: string; obs: Observation }[] = [];
  sim.onObservation((t, from, obs) => {
    if (obs.type === 'api.request') observations.push({ t, from, obs });
  });
  return {
    sim,
    apiServerNames,
    memory,
    observations,
    addDriver(name: string, token: string, overrides: Partial<ApiClientConfig> = {}): Driver {
      const user = USERS.get(token)?.name ?? 'unknown';
      let driver: Driver | undefined;
      sim.addHost(name);
      sim.addComponent(name, name, () => {
        driver = new Driver({ user, token, endpoints: apiServerNames, qps: 1000, burst: 1000, ...overrides });
        return driver;
      });
      // The factory runs at start; hand back a proxy that always reaches the live instance.
      return new Proxy({} as Driver, {
        get(_t, prop): unknown {
          if (driver === undefined) throw new Error(`driver ${name} not started yet`);
          const v = (driver as unknown as Record<string | symbol, unknown>)[prop];
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(driver) : v;
        },
      });
    },
    apiServer(name: string): ApiServer | undefined {
      const id = sim.endpointId(name);
      const c = id === undefined ? undefined : sim.component(id);
      return c instanceof ApiServer ? c : undefined;
    },
  };
}
