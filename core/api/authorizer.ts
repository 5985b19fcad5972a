/**
 * kube-apiserver's authorization chain `--authorization-mode=Node,RBAC`: the node authorizer
 * decides for kubelets, RBAC for everyone else (and for kubelet requests the node authorizer has
 * no opinion on). RBAC sees the bootstrap policy merged under the stored RBAC objects, so a
 * cluster is usable before (or without) the bootstrap objects being written to the store; a
 * stored object of the same name overrides its bootstrap default, as reconciliation would.
 */
import type { KubeObject } from './types.js';
import type { AuthorizationDecision, RbacPolicySource, RbacRequest } from './rbac.js';
import { rbacAuthorize } from './rbac.js';
import { nodeAuthorize } from './nodeAuthorizer.js';
import type { PodLookup } from './nodeAuthorizer.js';
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from './bootstrapPolicy.js';

export interface AuthorizationRequest extends RbacRequest {
  readonly object?: unknown;
  readonly oldObject?: KubeObject;
}

export interface AuthorizationView {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): readonly KubeObject[];
}

/** Merged lists, cached by the stored list's identity (see rbac.ts on why that is safe). */
const mergedCache = new WeakMap<readonly KubeObject[], readonly KubeObject[]>();

function withBootstrap(stored: readonly KubeObject[], defaults: readonly KubeObject[]): readonly KubeObject[] {
  if (stored.length === 0) return defaults;
  const cached = mergedCache.get(stored);
  if (cached !== undefined) return cached;
  const names = new Set(stored.map((o) => o.metadata.name));
  const merged = [...stored, ...defaults.filter((d) => !names.has(d.metadata.name))];
  mergedCache.set(stored, merged);
  return merged;
}

/** Sources by view, with and without bootstrap: a view lives as long as its API server, and authorizing a request then allocates none. */
const sources = [new WeakMap<AuthorizationView, RbacPolicySource>(), new WeakMap<AuthorizationView, RbacPolicySource>()] as const;

/** An RBAC source over the view with the bootstrap policy underneath. */
export function rbacSource(view: AuthorizationView, includeBootstrap = true): RbacPolicySource {
  const cache = sources[includeBootstrap ? 1 : 0];
  let source = cache.get(view);
  if (source === undefined) {
    source = makeSource(view, includeBootstrap);
    cache.set(view, source);
  }
  return source;
}

function makeSource(view: AuthorizationView, includeBootstrap: boolean): RbacPolicySource {
  return {
    list(resource: string, namespace?: string): readonly KubeObject[] {
      const stored = view.list(resource, namespace);
      if (!includeBootstrap) return stored;
      if (resource === 'clusterroles') return withBootstrap(stored, BOOTSTRAP_CLUSTER_ROLES);
      if (resource === 'clusterrolebindings') return withBootstrap(stored, BOOTSTRAP_CLUSTER_ROLE_BINDINGS);
      return stored;
    },
  };
}

/** The node authorizer's pod lookup over a view, made once per view. */
const podLookups = new WeakMap<AuthorizationView, PodLookup>();

function podLookup(view: AuthorizationView): PodLookup {
  let lookup = podLookups.get(view);
  if (lookup === undefined) {
    lookup = (ns, name) => view.get('pods', ns, name);
    podLookups.set(view, lookup);
  }
  return lookup;
}

/** Node, then RBAC. A node-authorizer denial is final (upstream binds no RBAC role to system:nodes). */
export function authorize(req: AuthorizationRequest, view: AuthorizationView, includeBootstrap = true): AuthorizationDecision {
  const node = nodeAuthorize(req, podLookup(view));
  if (node.decision === 'allow') return { allowed: true };
  const rbac = rbacAuthorize(req, rbacSource(view, includeBootstrap));
  if (rbac.allowed) return rbac;
  return node.decision === 'deny' ? { allowed: false, reason: node.reason } : rbac;
}
