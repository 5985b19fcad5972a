/**
 * RBAC authorization, as rbac.authorization.k8s.io/v1 evaluates it: a request is allowed when a
 * rule of some role bound to the user (directly, through a group, or as a ServiceAccount) covers
 * its verb, API group, resource (with subresource, `pods/status`) and, where the rule names them,
 * the object's name. ClusterRoleBindings grant everywhere; RoleBindings only in their namespace.
 * There are no deny rules: anything not allowed is forbidden.
 */
import type { ClusterRole, ClusterRoleBinding, KubeObject, PolicyRule, Role, RoleBinding, Subject } from './types.js';
import type { UserInfo } from './authn.js';

/** The attributes RBAC looks at (authorizer.Attributes for a resource request). */
export interface RbacRequest {
  readonly user: UserInfo;
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

/** The RBAC objects to evaluate against (from the API server's caches, plus the bootstrap policy). */
export interface RbacPolicySource {
  list(resource: string, namespace?: string): readonly KubeObject[];
}

export type AuthorizationDecision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

function has(list: readonly string[] | undefined, value: string): boolean {
  return list !== undefined && (list.includes('*') || list.includes(value));
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource === '' ? resource : `${resource}/${subresource}`;
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    if (subresource !== '' && r === `*/${subresource}`) return true;
  }
  return false;
}

/** Whether one rule covers the request (rbac.RuleAllows). */
export function ruleAllows(rule: PolicyRule, req: RbacRequest): boolean {
  if (!has(rule.verbs, req.verb)) return false;
  if (!has(rule.apiGroups, req.apiGroup)) return false;
  if (!resourceMatches(rule, req.resource, req.subresource ?? '')) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (req.name !== undefined && names.includes(req.name));
}

/** Whether a binding subject is this user. */
export function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.name === `system:serviceaccount:${s.namespace ?? bindingNamespace}:${s.name}`;
  }
}

/**
 * Name index of a role list, cached by the list's identity: the API server's caches hand back the
 * same array until the roles change, so authorizing a request does not rebuild the index. The cache
 * only saves work; results are the same with or without it.
 */
const nameIndexCache = new WeakMap<readonly KubeObject[], Map<string, KubeObject>>();

function byName<T extends KubeObject>(objects: readonly KubeObject[], kind: T['kind']): ReadonlyMap<string, T> {
  const cached = nameIndexCache.get(objects);
  if (cached !== undefined) return cached as Map<string, T>;
  const m = new Map<string, T>();
  for (const o of objects) if (o.kind === kind) m.set(o.metadata.name ?? '', o as T);
  nameIndexCache.set(objects, m);
  return m;
}

/**
 * Rules granted cluster-wide to a user, cached by (bindings list, roles list, user): most requests
 * come from a handful of component identities, so the binding scan runs once per identity until
 * RBAC objects change (the caches hand back new arrays then).
 */
const clusterRulesCache = new WeakMap<readonly KubeObject[], WeakMap<readonly KubeObject[], Map<string, readonly PolicyRule[]>>>();

function clusterRulesFor(user: UserInfo, bindings: readonly KubeObject[], roleList: readonly KubeObject[]): readonly PolicyRule[] {
  let byRoles = clusterRulesCache.get(bindings);
  if (byRoles === undefined) {
    byRoles = new WeakMap();
    clusterRulesCache.set(bindings, byRoles);
  }
  let byUser = byRoles.get(roleList);
  if (byUser === undefined) {
    byUser = new Map();
    byRoles.set(roleList, byUser);
  }
  const userKey = keyOfUser(user);
  const cached = byUser.get(userKey);
  if (cached !== undefined) return cached;
  const roles = byName<ClusterRole>(roleList, 'ClusterRole');
  const rules: PolicyRule[] = [];
  for (const o of bindings) {
    if (o.kind !== 'ClusterRoleBinding') continue;
    const b: ClusterRoleBinding = o;
    if (b.roleRef.kind !== 'ClusterRole' || !(b.subjects ?? []).some((s) => subjectMatches(s, user, ''))) continue;
    rules.push(...(roles.get(b.roleRef.name)?.rules ?? []));
  }
  byUser.set(userKey, rules);
  return rules;
}

/** A user's identity as a string, made once per UserInfo (authenticators hand out one object per identity). */
const userKeys = new WeakMap<UserInfo, string>();

function keyOfUser(user: UserInfo): string {
  let k = userKeys.get(user);
  if (k === undefined) {
    k = `${user.name}\u0000${user.groups.join('\u0000')}`;
    userKeys.set(user, k);
  }
  return k;
}

/** What a rule set grants for one (verb, group, resource, subresource): everything, or some names. */
interface Grant {
  readonly any: boolean;
  readonly names: ReadonlySet<string>;
}

/**
 * Grants per rule set and request shape; bounded by the verbs × resources actually requested.
 * Nested by verb, group, resource and subresource: lookups with the request's own strings, no key built.
 */
const grantCache = new WeakMap<readonly PolicyRule[], Map<string, Map<string, Map<string, Map<string, Grant>>>>>();

function grantFor(rules: readonly PolicyRule[], req: RbacRequest): Grant {
  let byVerb = grantCache.get(rules);
  if (byVerb === undefined) {
    byVerb = new Map();
    grantCache.set(rules, byVerb);
  }
  const byShape = level(level(level(byVerb, req.verb), req.apiGroup), req.resource);
  const sub = req.subresource ?? '';
  const cached = byShape.get(sub);
  if (cached !== undefined) return cached;
  let any = false;
  const names = new Set<string>();
  for (const r of rules) {
    if (!has(r.verbs, req.verb) || !has(r.apiGroups, req.apiGroup) || !resourceMatches(r, req.resource, req.subresource ?? '')) continue;
    const rn = r.resourceNames ?? [];
    if (rn.length === 0) any = true;
    else for (const n of rn) names.add(n);
  }
  const grant: Grant = { any, names };
  byShape.set(sub, grant);
  return grant;
}

function level<V>(m: Map<string, Map<string, V>>, k: string): Map<string, V> {
  let next = m.get(k);
  if (next === undefined) {
    next = new Map();
    m.set(k, next);
  }
  return next;
}

/** Authorizes a request against the RBAC objects in `source`. */
export function rbacAuthorize(req: RbacRequest, source: RbacPolicySource): AuthorizationDecision {
  const clusterRoleList = source.list('clusterroles');
  const grant = grantFor(clusterRulesFor(req.user, source.list('clusterrolebindings'), clusterRoleList), req);
  if (grant.any || (req.name !== undefined && grant.names.has(req.name))) return { allowed: true };
  const ns = req.namespace ?? '';
  if (ns !== '') {
    const bindings = source.list('rolebindings', ns);
    if (bindings.length === 0) return { allowed: false, reason: '' };
    const roles = byName<Role>(source.list('roles', ns), 'Role');
    const clusterRoles = byName<ClusterRole>(clusterRoleList, 'ClusterRole');
    for (const o of bindings) {
      if (o.kind !== 'RoleBinding') continue;
      const b: RoleBinding = o;
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, req.user, ns))) continue;
      const rules = b.roleRef.kind === 'Role' ? roles.get(b.roleRef.name)?.rules : clusterRoles.get(b.roleRef.name)?.rules;
      if ((rules ?? []).some((r) => ruleAllows(r, req))) return { allowed: true };
    }
  }
  return { allowed: false, reason: '' };
}
