/**
 * Bearer-token authentication (kube-apiserver's static token file): a table from token to user
 * name and groups. Every authenticated user is also in `system:authenticated`, as upstream adds it.
 */

export interface UserInfo {
  readonly name: string;
  readonly groups: readonly string[];
}

export type TokenTable = ReadonlyMap<string, UserInfo>;

export const GROUP_AUTHENTICATED = 'system:authenticated';
export const GROUP_MASTERS = 'system:masters';
export const GROUP_NODES = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

/** The user for a bearer token, or undefined (→ 401 Unauthorized). */
export function authenticateToken(table: TokenTable, token: string | undefined): UserInfo | undefined {
  if (token === undefined || token === '') return undefined;
  const user = table.get(token);
  if (user === undefined) return undefined;
  return user.groups.includes(GROUP_AUTHENTICATED) ? user : { name: user.name, groups: [...user.groups, GROUP_AUTHENTICATED] };
}

/** The kubelet identity of a node: `system:node:<name>` in `system:nodes`. */
export function nodeUser(nodeName: string): UserInfo {
  return { name: `${NODE_USER_PREFIX}${nodeName}`, groups: [GROUP_NODES, GROUP_AUTHENTICATED] };
}

/** The node a kubelet identity belongs to, or undefined for any other user (the node authorizer's NodeIdentifier). */
export function nodeNameOf(user: UserInfo): string | undefined {
  // Asked for every request (the node authorizer comes first): answered once per UserInfo, '' for none.
  let name = nodeNames.get(user);
  if (name === undefined) {
    name = user.name.startsWith(NODE_USER_PREFIX) && user.groups.includes(GROUP_NODES) ? user.name.slice(NODE_USER_PREFIX.length) : '';
    nodeNames.set(user, name);
  }
  return name === '' ? undefined : name;
}

const nodeNames = new WeakMap<UserInfo, string>();

/**
 * The simulated cluster's tokens: one per component identity, one per kubelet, and the harness
 * identities (`kubesim:workload` applies scenario manifests as a cluster admin; `kubesim:prober`
 * writes the availability Lease). Token strings are deterministic, since nothing here is secret.
 */
export function defaultTokenTable(nodeNames: readonly string[]): TokenTable {
  const table = new Map<string, UserInfo>([
    ['token-kube-scheduler', { name: 'system:kube-scheduler', groups: [GROUP_AUTHENTICATED] }],
    ['token-kube-controller-manager', { name: 'system:kube-controller-manager', groups: [GROUP_AUTHENTICATED] }],
    ['token-kubesim-workload', { name: 'kubesim:workload', groups: [GROUP_MASTERS, GROUP_AUTHENTICATED] }],
    ['token-kubesim-prober', { name: 'kubesim:prober', groups: [GROUP_AUTHENTICATED] }],
    ['token-admin', { name: 'kubernetes-admin', groups: [GROUP_MASTERS, GROUP_AUTHENTICATED] }],
  ]);
  for (const n of nodeNames) table.set(`token-kubelet-${n}`, nodeUser(n));
  return table;
}
