// The API checkers catch real broken API servers end to end: the runner's kube-apiserver wiring is
// kept, but each server is built with a planted bug (in this test only — the product has no switch):
// one skips the compare-and-swap on resourceVersion, one skips the authorizer while a rogue client
// with too few rights writes a pod.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Component, Context, EndpointId, Message, TimerTag } from '../../../../sim/component.js';
import { s } from '../../../../sim/time.js';
import { ApiServer, StoreClientPort } from '../../../../core/apiserver/index.js';
import type { StorePort } from '../../../../core/apiserver/storePort.js';
import type { ApiPolicy } from '../../../../core/apiserver/policy.js';
import { kubernetesPolicy } from '../../../../core/api/kubernetesPolicy.js';
import { defaultTokenTable } from '../../../../core/api/authn.js';
import type { Pod } from '../../../../core/api/types.js';
import { ApiClient } from '../../../../core/client/index.js';
import { COMPONENT_TABLE, runScenario, type ComponentKindEntry, type InstallContext, type RunResult } from '../../../../core/cluster/index.js';
import { apiServerEndpoints } from '../../../../core/cluster/kinds/apiserver.js';
import { parseScenario, formatLoadError } from '../../../../scenarios/index.js';

type Bug = 'skipCas' | 'skipAuthorization';

/** Every txn loses its compares: the server still reads and modifies, but writes blindly. */
function blindWrites(port: StorePort): StorePort {
  return {
    start: (ctx) => port.start(ctx),
    write: (ctx, command, cb) => port.write(ctx, command.type === 'txn' ? { ...command, compares: [] } : command, cb),
    range: (ctx, prefix, exact, cb) => port.range(ctx, prefix, exact, cb),
    watch: (ctx, prefix, from, handler) => port.watch(ctx, prefix, from, handler),
    handleMessage: (ctx, from, msg) => port.handleMessage(ctx, from, msg),
    handleTimer: (ctx, tag) => port.handleTimer(ctx, tag),
  };
}

/** The runner's API server kind, with every server built with `bug`. */
function buggyApiServers(bug: Bug, base: ComponentKindEntry): ComponentKindEntry {
  return {
    ...base,
    install: (ctx: InstallContext) => {
      const { layout, services } = ctx;
      const policy = kubernetesPolicy({ tokens: defaultTokenTable(layout.workers), admission: { namespaceLifecycle: false } });
      const unsafe: ApiPolicy = bug === 'skipAuthorization' ? { ...policy, authorize: () => ({ allowed: true }) } : policy;
      const sim = ctx.sim;
      const patched = new Proxy(sim, {
        get: (target, prop) => {
          if (prop === 'addComponent') {
            return (host: string, name: string, factory: () => Component) =>
              target.addComponent(host, name, name.startsWith('kube-apiserver@') ? () => {
                const port = new StoreClientPort({
                  members: layout.etcdEndpoints,
                  ...(services.storeHistory !== undefined ? { history: services.storeHistory } : {}),
                  ...(services.storeRecorder !== undefined ? { recorder: services.storeRecorder } : {}),
                });
                return new ApiServer({ policy: unsafe }, bug === 'skipCas' ? blindWrites(port) : port);
              } : factory);
          }
          const v: unknown = Reflect.get(target, prop, target);
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const installation = base.install({ ...ctx, sim: patched });
      if (bug === 'skipAuthorization') {
        sim.addHost('rogue');
        sim.addComponent('rogue', 'rogue-client', () => new RogueClient(apiServerEndpoints(layout.masters)));
      }
      return installation;
    },
  };
}

/** Writes a pod as `kubesim:prober`, whom RBAC allows only its own Lease. */
class RogueClient implements Component {
  private client: ApiClient | undefined;
  constructor(private readonly endpoints: readonly string[]) {}
  start(ctx: Context): void {
    this.client = new ApiClient({ user: 'kubesim:prober', token: 'token-kubesim-prober', endpoints: this.endpoints, qps: 10, burst: 10 });
    this.client.start(ctx);
    ctx.setTimer(s(8), 'rogue/write');
  }
  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }
  onTimer(ctx: Context, tag: TimerTag): void {
    if (this.client === undefined || this.client.handleTimer(ctx, tag) || tag !== 'rogue/write') return;
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rogue', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    this.client.create(ctx, 'pods', pod, () => undefined);
  }
}

function run(bug: Bug): RunResult {
  const r = parseScenario(
    'apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: t}\nspec:\n  duration: 20s\n  cluster: {masters: 1, etcd: {members: 1}, nodes: [{count: 1, namePrefix: worker}]}\n',
    't.yaml',
  );
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  const table = COMPONENT_TABLE.map((e) => (e.name === 'kube-apiserver' ? buggyApiServers(bug, e) : e));
  return runScenario(r.scenario, { components: table });
}

describe('API checkers against planted bugs in the API server', () => {
  it('an API server that skips the CAS on resourceVersion violates api.optimisticConcurrency', () => {
    const r = run('skipCas');
    const inv = r.summary.invariants.find((i) => i.name === 'api.optimisticConcurrency');
    assert.equal(inv?.held, false, JSON.stringify(inv));
    assert.match(inv?.detail ?? '', /unconditioned write|lost update/);
    assert.equal(r.allHeld, false);
    assert.equal(r.summary.invariants.find((i) => i.name === 'api.authorization')?.held, true);
  });

  it('an API server that skips the authorizer lets a rogue pod through, and api.authorization says so', () => {
    const r = run('skipAuthorization');
    const inv = r.summary.invariants.find((i) => i.name === 'api.authorization');
    assert.equal(inv?.held, false, JSON.stringify(inv));
    assert.match(inv?.detail ?? '', /create pods default\/rogue by kubesim:prober: served with 200 and committed at revision \d+, but authorization denies it/);
    assert.ok((inv?.firstViolationAt ?? 0) >= 8);
    assert.equal(r.summary.invariants.find((i) => i.name === 'api.optimisticConcurrency')?.held, true);
  });
});
