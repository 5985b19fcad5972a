import type { Kind, KubeObject } from './types.js';

/**
 * The resource registry: kind ↔ plural resource ↔ API group/version ↔ scope.
 * The API server routes and authorizes by (group, resource); manifests name (apiVersion, kind).
 */
export interface ResourceInfo {
  readonly kind: Kind;
  /** Lower-case plural used in URLs and RBAC rules, e.g. `deployments`. */
  readonly resource: string;
  /** API group; `''` is the core group. */
  readonly group: string;
  readonly version: string;
  /** `group/version`, or just `version` for the core group. */
  readonly apiVersion: string;
  readonly namespaced: boolean;
  /** Whether the kind has a status subresource (status changes do not bump generation). */
  readonly hasStatus: boolean;
}

function info(kind: Kind, resource: string, group: string, version: string, namespaced: boolean, hasStatus: boolean): ResourceInfo {
  return Object.freeze({ kind, resource, group, version, apiVersion: group === '' ? version : `${group}/${version}`, namespaced, hasStatus });
}

/** Every served resource, in a stable order (used for listings and deterministic iteration). */
export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  info('Namespace', 'namespaces', '', 'v1', false, true),
  info('Node', 'nodes', '', 'v1', false, true),
  info('Pod', 'pods', '', 'v1', true, true),
  info('LimitRange', 'limitranges', '', 'v1', true, false),
  info('ResourceQuota', 'resourcequotas', '', 'v1', true, true),
  info('ServiceAccount', 'serviceaccounts', '', 'v1', true, false),
  info('ReplicaSet', 'replicasets', 'apps', 'v1', true, true),
  info('Deployment', 'deployments', 'apps', 'v1', true, true),
  info('Lease', 'leases', 'coordination.k8s.io', 'v1', true, false),
  info('HorizontalPodAutoscaler', 'horizontalpodautoscalers', 'autoscaling', 'v2', true, true),
  info('Role', 'roles', 'rbac.authorization.k8s.io', 'v1', true, false),
  info('RoleBinding', 'rolebindings', 'rbac.authorization.k8s.io', 'v1', true, false),
  info('ClusterRole', 'clusterroles', 'rbac.authorization.k8s.io', 'v1', false, false),
  info('ClusterRoleBinding', 'clusterrolebindings', 'rbac.authorization.k8s.io', 'v1', false, false),
  info('PriorityClass', 'priorityclasses', 'scheduling.k8s.io', 'v1', false, false),
]);

const byKind = new Map<string, ResourceInfo>(RESOURCES.map((r) => [r.kind, r]));
// RESOURCES has no duplicate plurals, so the map holds the entry a search in order would find.
const byPlural = new Map<string, ResourceInfo>(RESOURCES.map((r) => [r.resource, r]));
const byGroupResource = new Map<string, ResourceInfo>(RESOURCES.map((r) => [`${r.group}/${r.resource}`, r]));

/** Whether `kind` is one the simulator serves (narrows the string). */
export function isKnownKind(kind: string): kind is Kind {
  return byKind.has(kind);
}

/** Registry entry for a kind, or undefined for kinds we do not serve. */
export function resourceForKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

/** Registry entry for an (API group, plural resource) pair, as RBAC and URLs name it. */
export function resourceForGroupResource(group: string, resource: string): ResourceInfo | undefined {
  return byGroupResource.get(`${group}/${resource}`);
}

/** Registry entry for a plural resource name in any group (plurals are unique among our kinds). */
export function resourceForPlural(resource: string): ResourceInfo | undefined {
  return byPlural.get(resource);
}

/** Registry entry of an object; every KubeObject kind is registered. */
export function resourceOf(obj: KubeObject): ResourceInfo {
  const r = byKind.get(obj.kind);
  if (r === undefined) throw new Error(`unregistered kind ${obj.kind}`);
  return r;
}

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` is the core group. */
export function splitApiVersion(apiVersion: string): { readonly group: string; readonly version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * The storage key of an object, as the API server lays it out in the store, mirroring
 * kube-apiserver's etcd keys: `/registry/<group/>resource/<namespace>/<name>` (the group prefix
 * is omitted for the core group, as upstream's default storage prefixes do for most kinds).
 */
export function storageKey(r: ResourceInfo, namespace: string | undefined, name: string): string {
  const prefix = r.group === '' ? r.resource : `${r.group}/${r.resource}`;
  return r.namespaced ? `/registry/${prefix}/${namespace ?? ''}/${name}` : `/registry/${prefix}/${name}`;
}

/** `namespace/name` for namespaced objects, `name` for cluster-scoped ones (client-go's MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata.name ?? '';
  const ns = obj.metadata.namespace;
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}
