// api.optimisticConcurrency and api.authorization: outside checkers that join the API servers'
// acknowledgements with the store's committed history (issue 4 properties, SPEC invariants).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultTokenTable } from '../../../../core/api/authn.js';
import type { KubeObject } from '../../../../core/api/types.js';
import type { StoreCommand, TxnOp } from '../../../../core/store/mvccTypes.js';
import { CommittedWrites } from '../../../../core/cluster/checkers/committedWrites.js';
import { OptimisticConcurrencyChecker } from '../../../../core/cluster/checkers/optimisticConcurrency.js';
import { AuthorizationChecker, principalsOf } from '../../../../core/cluster/checkers/authorization.js';
import type { ApiRequestRecord } from '../../../../core/cluster/checkers/apiRequest.js';
import { runScenario } from '../../../../core/cluster/index.js';
import { parseScenario, formatLoadError } from '../../../../scenarios/index.js';

const POD = (name: string): string => `/registry/pods/default/${name}`;
const pod = (name: string, v: number, nodeName?: string): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'x' }], ...(nodeName === undefined ? {} : { nodeName }) }, status: { phase: `v${v}` } }) as unknown as KubeObject;

/** A committed history built as the store builds it: log entries applied in order to a shadow MVCC. */
class Log {
  readonly writes = new CommittedWrites();
  private index = 0;
  private t = 0;
  /** Applies a command at time `atS` seconds; returns the revision it committed at. */
  apply(command: StoreCommand, atS = ++this.t): number {
    this.t = atS;
    this.writes.onApply(atS * 1e6, ++this.index, { requestId: `r${this.index}`, command });
    return this.writes.revision;
  }
  cas(key: string, expected: number, value: KubeObject): number {
    return this.apply({ type: 'txn', compares: [{ key, modRevision: expected }], success: [{ type: 'put', key, value }], failure: [] });
  }
  blind(op: TxnOp): number {
    return this.apply({ type: 'txn', compares: [], success: [op], failure: [] });
  }
}

const req = (r: Partial<ApiRequestRecord> & Pick<ApiRequestRecord, 'verb'>): ApiRequestRecord => ({ resource: 'pods', user: 'kubesim:workload', code: 200, namespace: 'default', ...r });

describe('api.optimisticConcurrency on fabricated histories', () => {
  it('holds when every acknowledged write was conditioned on the then-current version', () => {
    const log = new Log();
    const oc = new OptimisticConcurrencyChecker();
    const r1 = log.cas(POD('a'), 0, pod('a', 1));
    oc.onRequest(1e6, req({ verb: 'create', name: 'a', revision: r1, baseRevision: 0 }), log.writes.take(r1));
    const r2 = log.cas(POD('a'), r1, pod('a', 2));
    oc.onRequest(2e6, req({ verb: 'update', name: 'a', revision: r2, baseRevision: r1, precondition: String(r1) }), log.writes.take(r2));
    // A stale update refused: safe, and counted.
    oc.onRequest(3e6, req({ verb: 'update', name: 'a', code: 409, precondition: String(r1) }), undefined);
    const r = oc.result();
    assert.equal(r.held, true);
    assert.equal(r.checked, true);
    assert.match(r.detail ?? '', /2 acknowledged writes .*1 with a client precondition; 1 conditional writes refused/);
  });

  it('flags a lost update: two acknowledged updates computed from the same version (the second without a CAS)', () => {
    const log = new Log();
    const oc = new OptimisticConcurrencyChecker();
    const r1 = log.cas(POD('a'), 0, pod('a', 1));
    oc.onRequest(1e6, req({ verb: 'create', name: 'a', revision: r1, baseRevision: 0 }), log.writes.take(r1));
    const r2 = log.cas(POD('a'), r1, pod('a', 2));
    oc.onRequest(2e6, req({ verb: 'update', name: 'a', revision: r2, baseRevision: r1 }), log.writes.take(r2));
    // A broken server that skipped the CAS writes its stale read-modify-write over r2.
    const r3 = log.blind({ type: 'put', key: POD('a'), value: pod('a', 3) });
    oc.onRequest(3e6, req({ verb: 'update', name: 'a', revision: r3, baseRevision: r1 }), log.writes.take(r3));
    const r = oc.result();
    assert.equal(r.held, false);
    assert.equal(r.firstViolationAt, 3);
    assert.match(r.detail ?? '', /lost update — computed from resourceVersion 2, but \/registry\/pods\/default\/a was at 3/);
  });

  it('flags an unconditioned write even when nothing happened to race it', () => {
    const log = new Log();
    const oc = new OptimisticConcurrencyChecker();
    const r1 = log.blind({ type: 'put', key: POD('a'), value: pod('a', 1) });
    oc.onRequest(1e6, req({ verb: 'create', name: 'a', revision: r1, baseRevision: 0 }), log.writes.take(r1));
    assert.match(oc.result().detail ?? '', /unconditioned write/);
  });

  it('flags a stale client precondition that was accepted', () => {
    const log = new Log();
    const oc = new OptimisticConcurrencyChecker();
    const r1 = log.cas(POD('a'), 0, pod('a', 1));
    const r2 = log.cas(POD('a'), r1, pod('a', 2));
    // The server CASed on the current version but ignored the client's older resourceVersion.
    const r3 = log.cas(POD('a'), r2, pod('a', 3));
    oc.onRequest(3e6, req({ verb: 'update', name: 'a', revision: r3, baseRevision: r2, precondition: String(r1) }), log.writes.take(r3));
    const r = oc.result();
    assert.equal(r.held, false);
    assert.match(r.detail ?? '', /stale resourceVersion 2 accepted .*409 Conflict/);
  });

  it('flags an acknowledgement of a revision at which the store committed another object', () => {
    const log = new Log();
    const oc = new OptimisticConcurrencyChecker();
    const r1 = log.cas(POD('b'), 0, pod('b', 1));
    oc.onRequest(1e6, req({ verb: 'create', name: 'a', revision: r1, baseRevision: 0 }), log.writes.take(r1));
    assert.match(oc.result().detail ?? '', /acknowledged write is lost/);
  });
});

const principals = principalsOf(defaultTokenTable(['worker-1', 'worker-2']));
const RBAC = '/registry/rbac.authorization.k8s.io';
const role = (ns: string, name: string, verbs: string[]): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules: [{ verbs, apiGroups: [''], resources: ['pods'] }] }) as unknown as KubeObject;
const binding = (ns: string, name: string, roleName: string, user: string): KubeObject =>
  ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName }, subjects: [{ kind: 'User', name: user }] }) as unknown as KubeObject;

function authz(log: Log): AuthorizationChecker {
  const c = new AuthorizationChecker(principals, { current: (k) => log.writes.current(k), raceWindowUs: 10e6 });
  log.writes.onWrite((w) => c.onCommitted(w));
  return c;
}

describe('api.authorization on fabricated histories', () => {
  it('holds for mutations the bootstrap policy and the node authorizer allow', () => {
    const log = new Log();
    const a = authz(log);
    const r1 = log.cas(POD('a'), 0, pod('a', 1));
    a.onRequest(1e6, req({ verb: 'create', name: 'a', revision: r1 }), log.writes.take(r1));
    const r2 = log.cas(POD('a'), r1, pod('a', 2, 'worker-1'));
    a.onRequest(2e6, req({ verb: 'bind', name: 'a', user: 'system:kube-scheduler', revision: r2 }), log.writes.take(r2));
    const r3 = log.cas(POD('a'), r2, pod('a', 3, 'worker-1'));
    a.onRequest(3e6, req({ verb: 'updateStatus', name: 'a', user: 'system:node:worker-1', revision: r3 }), log.writes.take(r3));
    assert.deepEqual(a.result(), { name: 'api.authorization', held: true, checked: true, detail: '3 served mutations re-authorized' });
  });

  it('flags a kubelet writing the status of a pod bound to another node', () => {
    const log = new Log();
    const a = authz(log);
    const r1 = log.cas(POD('a'), 0, pod('a', 1, 'worker-2'));
    const r2 = log.cas(POD('a'), r1, pod('a', 2, 'worker-2'));
    a.onRequest(2e6, req({ verb: 'updateStatus', name: 'a', user: 'system:node:worker-1', revision: r2 }), log.writes.take(r2));
    const r = a.result();
    assert.equal(r.held, false);
    assert.equal(r.firstViolationAt, 2);
    assert.match(r.detail ?? '', /updateStatus pods default\/a by system:node:worker-1: served with 200 and committed at revision 3, but authorization denies it \(no relationship/);
  });

  it('flags a principal with no RBAC grant (the prober deleting a pod; an unknown user)', () => {
    for (const user of ['kubesim:prober', 'mallory']) {
      const log = new Log();
      const a = authz(log);
      const r1 = log.cas(POD('a'), 0, pod('a', 1));
      const r2 = log.apply({ type: 'txn', compares: [{ key: POD('a'), modRevision: r1 }], success: [{ type: 'delete', key: POD('a') }], failure: [] });
      a.onRequest(2e6, req({ verb: 'delete', name: 'a', user, revision: r2 }), log.writes.take(r2));
      assert.equal(a.result().held, false, user);
    }
  });

  it('judges against the RBAC objects in the store, and forgives only a change that raced the request', () => {
    const log = new Log();
    const a = authz(log);
    log.cas(`${RBAC}/roles/default/editor`, 0, role('default', 'editor', ['create', 'update']));
    const rb = log.cas(`${RBAC}/rolebindings/default/alice`, 0, binding('default', 'alice', 'editor', 'kubesim:prober'));
    const r1 = log.cas(POD('a'), 0, pod('a', 1));
    a.onRequest(3e6, req({ verb: 'create', name: 'a', user: 'kubesim:prober', revision: r1 }), log.writes.take(r1));
    assert.equal(a.result().held, true, 'allowed by the stored RoleBinding');
    // The binding is removed at t = 4 s; an update committed at 5 s was authorized just before.
    log.apply({ type: 'txn', compares: [{ key: `${RBAC}/rolebindings/default/alice`, modRevision: rb }], success: [{ type: 'delete', key: `${RBAC}/rolebindings/default/alice` }], failure: [] }, 4);
    const r2 = log.apply({ type: 'txn', compares: [{ key: POD('a'), modRevision: r1 }], success: [{ type: 'put', key: POD('a'), value: pod('a', 2) }], failure: [] }, 5);
    a.onRequest(5e6, req({ verb: 'update', name: 'a', user: 'kubesim:prober', revision: r2 }), log.writes.take(r2));
    assert.equal(a.result().held, true);
    assert.match(a.result().detail ?? '', /1 allowed only by RBAC as it stood shortly before/);
    // Well past the race window (10 s here) the revoked grant no longer counts.
    const r3 = log.apply({ type: 'txn', compares: [{ key: POD('a'), modRevision: r2 }], success: [{ type: 'put', key: POD('a'), value: pod('a', 3) }], failure: [] }, 30);
    a.onRequest(30e6, req({ verb: 'update', name: 'a', user: 'kubesim:prober', revision: r3 }), log.writes.take(r3));
    assert.equal(a.result().held, false);
    assert.equal(a.result().firstViolationAt, 30);
  });
});

function scenario(yaml: string): Parameters<typeof runScenario>[0] {
  const r = parseScenario(`apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: t}\nspec:\n${yaml}`, 't.yaml');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  return r.scenario;
}

const SEED = 7301;
const faultArb = fc.array(
  fc.oneof(
    fc.record({ at: fc.integer({ min: 5, max: 25 }), crash: fc.constantFrom('master-1', 'worker-2', 'leader(etcd)', 'leader(kube-controller-manager)', 'worker-1'), restartAfter: fc.integer({ min: 2, max: 10 }) }).map((f) => `{at: ${f.at}s, crash: "${f.crash}", restartAfter: ${f.restartAfter}s}`),
    fc.record({ at: fc.integer({ min: 5, max: 25 }), pause: fc.constantFrom('leader(kube-controller-manager)', 'leader(kube-scheduler)', 'worker-2'), for: fc.integer({ min: 2, max: 20 }) }).map((f) => `{at: ${f.at}s, pause: "${f.pause}", for: ${f.for}s}`),
    fc.record({ at: fc.integer({ min: 5, max: 25 }), for: fc.integer({ min: 2, max: 10 }) }).map((f) => `{at: ${f.at}s, partition: {isolate: master-1}, for: ${f.for}s}`),
    fc.record({ at: fc.integer({ min: 5, max: 25 }), for: fc.integer({ min: 2, max: 10 }) }).map((f) => `{at: ${f.at}s, loss: 0.05, for: ${f.for}s}`),
  ),
  { maxLength: 3 },
);

describe(`API invariants on random runs of a small cluster (fast-check seed ${SEED})`, () => {
  it('api.optimisticConcurrency, api.authorization and store.linearizable (fenced writes included) hold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(1, 3), fc.boolean(), faultArb, (seed, masters, fencing, faults) => {
        const yaml = [
          '  duration: 40s',
          `  cluster: {masters: ${masters}, etcd: {members: ${masters}}, nodes: [{count: 2, namePrefix: worker}], leaderElection: {fencing: ${fencing}}}`,
          '  workload:',
          '    - {at: 2s, apply: {file: manifests/web.yaml}}',
          '    - {at: 15s, scale: {deployment: web, replicas: 5}}',
          `  faults: [${faults.join(', ')}]`,
        ].join('\n');
        const s = { ...scenario(yaml.replace('{file: manifests/web.yaml}', WEB)), seed };
        const result = runScenario(s);
        const inv = (n: string) => result.summary.invariants.find((i) => i.name === n);
        for (const n of ['api.optimisticConcurrency', 'api.authorization', 'store.linearizable']) {
          const r = inv(n);
          assert.ok(r !== undefined && r.held && r.checked, `${n}: ${JSON.stringify(r)} (seed ${seed}, ${yaml})`);
        }
        assert.doesNotMatch(inv('store.linearizable')?.detail ?? '', /not checked/);
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});

const WEB = `{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: default}, spec: {replicas: 3, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web, image: "nginx:1.25", resources: {requests: {cpu: 100m}}}]}}}}`;
