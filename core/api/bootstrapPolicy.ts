/**
 * The default RBAC objects the API server installs at start (upstream's bootstrappolicy), trimmed
 * to the resources kubesim serves, plus the harness identities. Modelled on Kubernetes 1.3x.
 *
 * One deliberate difference: upstream runs each controller under its own ServiceAccount
 * (`--use-service-account-credentials`), bound to a `system:controller:<name>` role. kubesim's
 * kube-controller-manager has a single identity, so the controller roles are bound to the user
 * `system:kube-controller-manager` as well. Nodes get no RBAC binding (as upstream since 1.8):
 * the node authorizer (nodeAuthorizer.ts) decides what kubelets may do.
 */
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from './types.js';
import { GROUP_MASTERS } from './authn.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const READ_WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

function rule(verbs: readonly string[], apiGroups: readonly string[], resources: readonly string[], resourceNames?: readonly string[]): PolicyRule {
  return resourceNames === undefined ? { verbs, apiGroups, resources } : { verbs, apiGroups, resources, resourceNames };
}

function role(name: string, rules: readonly PolicyRule[]): ClusterRole {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }, rules };
}

function binding(name: string, roleName: string, subjects: readonly Subject[]): ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: roleName },
    subjects,
  };
}

const user = (name: string): Subject => ({ kind: 'User', name, apiGroup: RBAC_GROUP });
const group = (name: string): Subject => ({ kind: 'Group', name, apiGroup: RBAC_GROUP });

const eventsRule = rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

export const BOOTSTRAP_CLUSTER_ROLES: readonly ClusterRole[] = [
  role('cluster-admin', [rule(['*'], ['*'], ['*']), { verbs: ['*'], nonResourceURLs: ['*'] }]),
  role('admin', [rule(READ_WRITE, ['', 'apps', 'autoscaling', 'coordination.k8s.io'], ['pods', 'replicasets', 'deployments', 'deployments/scale', 'horizontalpodautoscalers', 'serviceaccounts', 'leases']), rule(READ_WRITE, [RBAC_GROUP], ['roles', 'rolebindings']), rule(READ, [''], ['limitranges', 'resourcequotas', 'namespaces', 'pods/status'])]),
  role('edit', [rule(READ_WRITE, ['', 'apps', 'autoscaling'], ['pods', 'replicasets', 'deployments', 'deployments/scale', 'horizontalpodautoscalers', 'serviceaccounts']), rule(READ, [''], ['limitranges', 'resourcequotas', 'namespaces', 'pods/status'])]),
  role('view', [rule(READ, ['', 'apps', 'autoscaling'], ['pods', 'pods/status', 'replicasets', 'deployments', 'horizontalpodautoscalers', 'serviceaccounts', 'limitranges', 'resourcequotas', 'namespaces'])]),
  role('system:kube-scheduler', [
    eventsRule,
    // Leader election: anyone may create the lock; only the scheduler's own Lease may be read and renewed.
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
    rule(READ, [''], ['nodes']),
    rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
    rule(['create'], [''], ['bindings', 'pods/binding']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(READ, ['apps'], ['replicasets', 'statefulsets']),
    rule(READ, [''], ['replicationcontrollers', 'services', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes']),
    rule(READ, ['policy'], ['poddisruptionbudgets']),
    rule(READ, ['scheduling.k8s.io'], ['priorityclasses']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
  ]),
  role('system:kube-controller-manager', [
    eventsRule,
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
    rule(['create'], [''], ['secrets', 'serviceaccounts']),
    rule(['delete'], [''], ['secrets']),
    rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts']),
    rule(['update'], [''], ['secrets', 'serviceaccounts']),
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    // Shared informers for every controller.
    rule(['list', 'watch'], ['*'], ['*']),
  ]),
  role('system:controller:replicaset-controller', [
    rule(['get', 'list', 'watch', 'update'], ['apps'], ['replicasets']),
    rule(['update'], ['apps'], ['replicasets/status', 'replicasets/finalizers']),
    rule(['list', 'watch', 'patch', 'create', 'delete'], [''], ['pods']),
    eventsRule,
  ]),
  role('system:controller:deployment-controller', [
    rule(['get', 'list', 'watch', 'update'], ['apps'], ['deployments']),
    rule(['update'], ['apps'], ['deployments/status', 'deployments/finalizers']),
    rule(['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['apps'], ['replicasets']),
    rule(['get', 'list', 'watch', 'update'], [''], ['pods']),
    eventsRule,
  ]),
  role('system:controller:node-controller', [
    rule(['get', 'list', 'update', 'delete', 'patch'], [''], ['nodes']),
    rule(['patch', 'update'], [''], ['nodes/status']),
    rule(['patch', 'update'], [''], ['pods/status']),
    rule(['delete', 'list', 'get'], [''], ['pods']),
    rule(READ, ['coordination.k8s.io'], ['leases']),
    eventsRule,
  ]),
  role('system:controller:horizontal-pod-autoscaler', [
    rule(['get', 'list', 'watch'], ['autoscaling'], ['horizontalpodautoscalers']),
    rule(['update'], ['autoscaling'], ['horizontalpodautoscalers/status']),
    rule(['get', 'update'], ['*'], ['*/scale']),
    // kubesim scales through the Deployment itself (no scale subresource modelled).
    rule(['get', 'update'], ['apps'], ['deployments']),
    rule(['list'], [''], ['pods']),
    eventsRule,
  ]),
  role('system:controller:generic-garbage-collector', [rule(['get', 'list', 'watch', 'patch', 'update', 'delete'], ['*'], ['*'])]),
  role('system:controller:resourcequota-controller', [rule(['list', 'watch'], ['*'], ['*']), rule(['update'], [''], ['resourcequotas/status']), eventsRule]),
  role('system:node', [
    rule(['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    eventsRule,
  ]),
  // Harness identity: the availability prober writes one Lease (SPEC "Availability").
  role('kubesim:prober', [
    rule(['create'], ['coordination.k8s.io'], ['leases']),
    rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kubesim-probe']),
  ]),
];

const KCM = 'system:kube-controller-manager';

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: readonly ClusterRoleBinding[] = [
  binding('cluster-admin', 'cluster-admin', [group(GROUP_MASTERS)]),
  binding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [user(KCM)]),
  ...['replicaset-controller', 'deployment-controller', 'node-controller', 'horizontal-pod-autoscaler', 'generic-garbage-collector', 'resourcequota-controller']
    .map((c) => binding(`system:controller:${c}`, `system:controller:${c}`, [user(KCM), { kind: 'ServiceAccount' as const, name: c, namespace: 'kube-system' }])),
  binding('kubesim:prober', 'kubesim:prober', [user('kubesim:prober')]),
];
