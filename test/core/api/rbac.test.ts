import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ClusterRole, ClusterRoleBinding, KubeObject, Pod, Role, RoleBinding } from '../../../core/api/types.js';
import { authorize } from '../../../core/api/authorizer.js';
import type { AuthorizationRequest, AuthorizationView } from '../../../core/api/authorizer.js';
import { rbacAuthorize, ruleAllows } from '../../../core/api/rbac.js';
import { authenticateToken, defaultTokenTable, nodeUser } from '../../../core/api/authn.js';
import { resourceForKind } from '../../../core/api/registry.js';
import { kubernetesPolicy } from '../../../core/api/kubernetesPolicy.js';

const SEED = 4244;

function view(objects: readonly KubeObject[]): AuthorizationView {
  const res = (o: KubeObject): string => resourceForKind(o.kind)?.resource ?? '';
  return {
    get: (r, ns, name) => objects.find((o) => res(o) === r && o.metadata.namespace === ns && o.metadata.name === name),
    list: (r, ns) => objects.filter((o) => res(o) === r && (ns === undefined || o.metadata.namespace === ns)),
  };
}

const scheduler = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };
const kcm = { name: 'system:kube-controller-manager', groups: ['system:authenticated'] };
const bob = { name: 'bob', groups: ['system:authenticated'] };
const admin = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

function boundPod(name: string, node: string | undefined): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: node === undefined ? { containers: [] } : { containers: [], nodeName: node } };
}

const req = (r: Partial<AuthorizationRequest> & Pick<AuthorizationRequest, 'user' | 'verb' | 'resource'>): AuthorizationRequest => ({ apiGroup: '', ...r });

describe('authentication', () => {
  it('maps tokens to users and rejects unknown ones', () => {
    const table = defaultTokenTable(['worker-1']);
    assert.deepEqual(authenticateToken(table, 'token-kubelet-worker-1'), nodeUser('worker-1'));
    assert.equal(authenticateToken(table, 'nope'), undefined);
    assert.equal(authenticateToken(table, ''), undefined);
    assert.equal(authenticateToken(table, 'token-kube-scheduler')?.name, 'system:kube-scheduler');
  });
});

describe('RBAC with the bootstrap policy', () => {
  const v = view([]);
  it('lets the scheduler bind pods and renew its own lease only', () => {
    assert.ok(authorize(req({ user: scheduler, verb: 'create', resource: 'pods', subresource: 'binding', namespace: 'default', name: 'p' }), v).allowed);
    assert.ok(authorize(req({ user: scheduler, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler' }), v).allowed);
    assert.ok(!authorize(req({ user: scheduler, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager' }), v).allowed);
    assert.ok(!authorize(req({ user: scheduler, verb: 'create', apiGroup: 'apps', resource: 'deployments', namespace: 'default' }), v).allowed);
  });
  it('lets the controller manager run its controllers', () => {
    assert.ok(authorize(req({ user: kcm, verb: 'create', apiGroup: 'apps', resource: 'replicasets', namespace: 'default' }), v).allowed);
    assert.ok(authorize(req({ user: kcm, verb: 'create', resource: 'pods', namespace: 'default' }), v).allowed);
    assert.ok(authorize(req({ user: kcm, verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'status', namespace: 'default', name: 'web' }), v).allowed);
    assert.ok(authorize(req({ user: kcm, verb: 'watch', apiGroup: 'apps', resource: 'deployments' }), v).allowed);
    assert.ok(!authorize(req({ user: kcm, verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' }), v).allowed);
  });
  it('gives system:masters everything and strangers nothing', () => {
    assert.ok(authorize(req({ user: admin, verb: 'delete', resource: 'nodes', name: 'x' }), v).allowed);
    assert.ok(!authorize(req({ user: bob, verb: 'get', resource: 'pods', namespace: 'default', name: 'p' }), v).allowed);
  });
  it('honours RoleBindings in their namespace only, and resourceNames', () => {
    const role: Role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: 'dev' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }] };
    const rb: RoleBinding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bob-reads', namespace: 'dev' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'User', name: 'bob', apiGroup: 'rbac.authorization.k8s.io' }] };
    const vv = view([role, rb]);
    assert.ok(authorize(req({ user: bob, verb: 'get', resource: 'pods', namespace: 'dev', name: 'a' }), vv).allowed);
    assert.ok(!authorize(req({ user: bob, verb: 'get', resource: 'pods', namespace: 'dev', name: 'b' }), vv).allowed);
    assert.ok(!authorize(req({ user: bob, verb: 'get', resource: 'pods', namespace: 'prod', name: 'a' }), vv).allowed);
    assert.ok(!authorize(req({ user: bob, verb: 'list', resource: 'pods', namespace: 'dev' }), vv).allowed);
  });
  it('matches ServiceAccount subjects and */subresource rules', () => {
    const cr: ClusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'status-writer' }, rules: [{ verbs: ['update'], apiGroups: ['*'], resources: ['*/status'] }] };
    const crb: ClusterRoleBinding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'sw' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'status-writer' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'ops' }] };
    const sa = { name: 'system:serviceaccount:ops:bot', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const vv = view([cr, crb]);
    assert.ok(authorize(req({ user: sa, verb: 'update', apiGroup: 'apps', resource: 'deployments', subresource: 'status', namespace: 'x', name: 'd' }), vv, false).allowed);
    assert.ok(!authorize(req({ user: sa, verb: 'update', apiGroup: 'apps', resource: 'deployments', namespace: 'x', name: 'd' }), vv, false).allowed);
  });
});

describe('node authorizer', () => {
  const w1 = nodeUser('worker-1');
  const pods = [boundPod('mine', 'worker-1'), boundPod('theirs', 'worker-2'), boundPod('pending', undefined)];
  const v = view(pods);
  it('lets a kubelet update the status of pods bound to it only', () => {
    assert.ok(authorize(req({ user: w1, verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'mine' }), v).allowed);
    const d = authorize(req({ user: w1, verb: 'update', resource: 'pods', subresource: 'status', namespace: 'default', name: 'theirs' }), v);
    assert.deepEqual(d, { allowed: false, reason: "no relationship found between node 'worker-1' and this object" });
    assert.ok(!authorize(req({ user: w1, verb: 'get', resource: 'pods', namespace: 'default', name: 'pending' }), v).allowed);
    assert.ok(!authorize(req({ user: w1, verb: 'create', resource: 'pods', namespace: 'default' }), v).allowed);
    assert.ok(!authorize(req({ user: w1, verb: 'update', resource: 'pods', namespace: 'default', name: 'mine' }), v).allowed, 'spec updates are not kubelet business');
    assert.ok(authorize(req({ user: w1, verb: 'watch', resource: 'pods' }), v).allowed);
  });
  it('lets a kubelet touch only its own Node and its own Lease', () => {
    assert.ok(authorize(req({ user: w1, verb: 'update', resource: 'nodes', subresource: 'status', name: 'worker-1' }), v).allowed);
    assert.ok(!authorize(req({ user: w1, verb: 'update', resource: 'nodes', subresource: 'status', name: 'worker-2' }), v).allowed);
    assert.ok(authorize(req({ user: w1, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'worker-1' }), v).allowed);
    assert.ok(!authorize(req({ user: w1, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'worker-2' }), v).allowed);
    assert.ok(!authorize(req({ user: w1, verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'worker-1' }), v).allowed);
    assert.ok(!authorize(req({ user: w1, verb: 'list', apiGroup: 'apps', resource: 'deployments' }), v).allowed);
  });
});

describe('kubernetesPolicy adapter', () => {
  it('authenticates, authorizes and admits through the ApiPolicy port', () => {
    const policy = kubernetesPolicy({ tokens: defaultTokenTable(['worker-1']) });
    assert.equal(policy.authenticate('token-kube-scheduler')?.name, 'system:kube-scheduler');
    assert.equal(policy.validateSchema({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } }, undefined).length, 1);
  });
});

// ───────── properties ─────────

const verbs = ['get', 'list', 'watch', 'create', 'update', 'delete'];
const resources = ['pods', 'nodes', 'leases', 'deployments'];
const ruleArb = fc.record({
  verbs: fc.subarray([...verbs, '*'], { minLength: 1 }),
  apiGroups: fc.subarray(['', 'apps', 'coordination.k8s.io', '*'], { minLength: 1 }),
  resources: fc.subarray([...resources, 'pods/status', '*'], { minLength: 1 }),
});
const requestArb = fc.record({
  verb: fc.constantFrom(...verbs),
  apiGroup: fc.constantFrom('', 'apps', 'coordination.k8s.io'),
  resource: fc.constantFrom(...resources),
  subresource: fc.constantFrom(undefined, 'status'),
  namespace: fc.constantFrom('a', 'b'),
  name: fc.constantFrom('x', 'y'),
});

function cr(name: string, rules: ClusterRole['rules']): ClusterRole {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: rules ?? [] };
}

describe(`authorization properties (fast-check seed ${SEED})`, () => {
  it('granting a binding never takes a permission away (RBAC is additive)', () => {
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 3 }), fc.array(ruleArb, { maxLength: 3 }), requestArb, (r1, r2, r) => {
      const a = cr('a', r1);
      const b = cr('b', r2);
      const bind = (name: string): ClusterRoleBinding => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ kind: 'User', name: 'bob' }] });
      const request = { ...r, user: bob, subresource: r.subresource ?? '' };
      const before = rbacAuthorize(request, view([a, b, bind('a')])).allowed;
      const after = rbacAuthorize(request, view([a, b, bind('a'), bind('b')])).allowed;
      return !before || after;
    }), { seed: SEED, numRuns: 1000 });
  });
  it('a rule allows exactly what its verbs, groups and resources cover', () => {
    fc.assert(fc.property(ruleArb, requestArb, (rule, r) => {
      const res = r.subresource === undefined ? r.resource : `${r.resource}/${r.subresource}`;
      const expected = (rule.verbs.includes('*') || rule.verbs.includes(r.verb))
        && (rule.apiGroups.includes('*') || rule.apiGroups.includes(r.apiGroup))
        && (rule.resources.includes('*') || rule.resources.includes(res));
      return ruleAllows(rule, { ...r, user: bob, subresource: r.subresource ?? '' }) === expected;
    }), { seed: SEED, numRuns: 2000 });
  });
  it('a kubelet can never write a pod bound to another node, whatever it asks', () => {
    const nodes = ['worker-1', 'worker-2', 'worker-3'];
    fc.assert(fc.property(fc.constantFrom(...nodes), fc.constantFrom(...nodes, undefined), fc.constantFrom('update', 'delete', 'create', 'patch'), fc.constantFrom(undefined, 'status', 'eviction', 'binding'), (self, podNode, verb, sub) => {
      const pod = boundPod('p', podNode);
      const d = authorize(req({ user: nodeUser(self), verb, resource: 'pods', namespace: 'default', name: 'p', ...(sub === undefined ? {} : { subresource: sub }), oldObject: pod }), view([pod]));
      return !d.allowed || podNode === self;
    }), { seed: SEED, numRuns: 1000 });
  });
});

describe(`RBAC caching (fast-check seed ${SEED})`, () => {
  it('cached decisions equal a naive evaluation, across repeated requests on stable lists', () => {
    fc.assert(fc.property(fc.array(ruleArb, { maxLength: 4 }), fc.array(fc.record({ ...{ verbs: fc.constant(['get']) }, apiGroups: fc.constant(['']), resources: fc.constant(['pods']), resourceNames: fc.subarray(['x', 'y'], { minLength: 1 }) }), { maxLength: 2 }), fc.array(requestArb, { minLength: 1, maxLength: 6 }), fc.constantFrom('bob', 'alice'), (rules, named, requests, who) => {
      const role = cr('r', [...rules, ...named]);
      const binding: ClusterRoleBinding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'bob' }] };
      const roles: readonly KubeObject[] = [role];
      const bindings: readonly KubeObject[] = [binding];
      const source = { list: (r: string) => (r === 'clusterroles' ? roles : r === 'clusterrolebindings' ? bindings : []) };
      const user = { name: who, groups: [] };
      return requests.every((r) => {
        const request = { ...r, user, subresource: r.subresource ?? '' };
        const naive = who === 'bob' && (role.rules ?? []).some((rule) => ruleAllows(rule, request));
        return rbacAuthorize(request, source).allowed === naive && rbacAuthorize(request, source).allowed === naive;
      });
    }), { seed: SEED, numRuns: 1000 });
  });
});
