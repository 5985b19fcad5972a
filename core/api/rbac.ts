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

function byName<T extends KubeObject>(objects: readonly KubeObject[], kind: T['kind']): Map<string, T> {
  const m = new Map<string, T>();
  for (const o of objects) if (o.kind === kind) m.set(o.metadata.name ?? '', o as T);
  return m;
}

/** Authorizes a request against the RBAC objects in `source`. */
export function rbacAuthorize(req: RbacRequest, source: RbacPolicySource): AuthorizationDecision {
  const clusterRoles = byName<ClusterRole>(source.list('clusterroles'), 'ClusterRole');
  const anyRuleAllows = (rules: readonly PolicyRule[] | undefined): boolean => (rules ?? []).some((r) => ruleAllows(r, req));

  for (const o of source.list('clusterrolebindings')) {
    if (o.kind !== 'ClusterRoleBinding') continue;
    const b: ClusterRoleBinding = o;
    if (!(b.subjects ?? []).some((s) => subjectMatches(s, req.user, ''))) continue;
    if (b.roleRef.kind === 'ClusterRole' && anyRuleAllows(clusterRoles.get(b.roleRef.name)?.rules)) return { allowed: true };
  }
  const ns = req.namespace ?? '';
  if (ns !== '') {
    const roles = byName<Role>(source.list('roles', ns), 'Role');
    for (const o of source.list('rolebindings', ns)) {
      if (o.kind !== 'RoleBinding') continue;
      const b: RoleBinding = o;
      if (!(b.subjects ?? []).some((s) => subjectMatches(s, req.user, ns))) continue;
      const rules = b.roleRef.kind === 'Role' ? roles.get(b.roleRef.name)?.rules : clusterRoles.get(b.roleRef.name)?.rules;
      if (anyRuleAllows(rules)) return { allowed: true };
    }
  }
  return { allowed: false, reason: '' };
}
