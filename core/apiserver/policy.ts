import type { KubeObject } from '../api/types.js';
import type { Binding, ResourceName } from './protocol.js';
import type { Status, StatusCause } from './status.js';

/** An authenticated principal (`user.Info`): `system:node:worker-7` in groups `system:nodes`, … */
export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

/**
 * Authorization attributes, in RBAC's vocabulary: upstream verbs (`updateStatus` is `update` on
 * subresource `status`, `bind` is `create` on `pods/binding`), API group, resource, subresource.
 */
export interface RequestAttributes {
  readonly user: UserInfo;
  readonly verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'delete';
  readonly apiGroup: string;
  readonly resource: ResourceName;
  readonly subresource?: 'status' | 'binding';
  readonly namespace?: string;
  readonly name?: string;
  /** The object being written (new state), for the node authorizer's "pods bound to me" rule. */
  readonly object?: KubeObject | Binding;
  /** The stored object, when the request touches an existing one. */
  readonly oldObject?: KubeObject;
}

/** Read access to the API server's watch caches, for authorizers and admission plugins (LimitRange, quota, RBAC objects). */
export interface ClusterView {
  get<T extends KubeObject>(resource: ResourceName, namespace: string | undefined, name: string): T | undefined;
  /** Objects of a resource in one namespace (`undefined` = all), from the cache's namespace index. */
  list<T extends KubeObject>(resource: ResourceName, namespace?: string): readonly T[];
  /** Pods bound to a node, from the cache's node index. */
  podsOnNode(nodeName: string): readonly KubeObject[];
  /** Simulated seconds now (for creationTimestamp-like defaults). */
  nowSeconds(): number;
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };
export type Admitted = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: Status };
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly status: Status };

/**
 * The policy half of the request pipeline, in kube-apiserver's order. The API server calls these
 * synchronously (each is pure given the ClusterView) and charges each stage's simulated CPU cost;
 * core/api provides the Kubernetes implementations (token authenticator, RBAC + node authorizer,
 * defaulting/DefaultTolerationSeconds/LimitRanger, validation, LimitRange/ResourceQuota/image policy).
 */
export interface ApiPolicy {
  /** Bearer token → user; undefined → 401. */
  authenticate(token: string): UserInfo | undefined;
  /** RBAC, then the node authorizer; denied → 403. */
  authorize(attrs: RequestAttributes, view: ClusterView): Decision;
  /** Mutating admission (defaulting, tolerations, LimitRanger defaults); may reject (status as given). */
  mutate(attrs: RequestAttributes, object: KubeObject, view: ClusterView): Admitted;
  /** Schema/field validation; any cause → 422 Invalid with field paths. */
  validateSchema(object: KubeObject, oldObject: KubeObject | undefined): readonly StatusCause[];
  /** Validating admission (LimitRange limits, ResourceQuota, image policy): 403/422 as upstream. */
  validate(attrs: RequestAttributes, object: KubeObject, view: ClusterView): Verdict;
}

/**
 * A permissive policy: a fixed token table, everything allowed, nothing mutated or validated.
 * For tests and for wiring before core/api's real plugins are plugged in.
 */
export function allowAllPolicy(tokens: ReadonlyMap<string, UserInfo>): ApiPolicy {
  return {
    authenticate: (token) => tokens.get(token),
    authorize: () => ({ allowed: true }),
    mutate: (_attrs, object) => ({ ok: true, object }),
    validateSchema: () => [],
    validate: () => ({ ok: true }),
  };
}
