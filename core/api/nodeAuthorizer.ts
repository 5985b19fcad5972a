/**
 * The node authorizer (authorization mode `Node`, ahead of RBAC): a kubelet, `system:node:<name>`
 * in group `system:nodes`, may
 *   - read nodes, and write only its own Node and its status;
 *   - get, create, renew and delete only its own Lease in `kube-node-lease`;
 *   - list and watch pods (a kubelet watches with a spec.nodeName field selector), and get,
 *     update the status of, evict and delete only pods bound to it; it may not create pods
 *     (kubesim has no static pods, hence no mirror pods);
 *   - write events.
 * Everything else is forbidden for nodes. Other users get no opinion and fall through to RBAC.
 */
import type { KubeObject } from './types.js';
import type { UserInfo } from './authn.js';
import { nodeNameOf } from './authn.js';

export interface NodeRequest {
  readonly user: UserInfo;
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The object written (new state) or a Binding; for pods, carries spec.nodeName. */
  readonly object?: unknown;
  /** The stored object the request touches. */
  readonly oldObject?: KubeObject;
}

/** Looks up a pod (the API server's cache) to learn which node it is bound to. */
export type PodLookup = (namespace: string, name: string) => KubeObject | undefined;

export type NodeDecision =
  | { readonly decision: 'allow' }
  | { readonly decision: 'deny'; readonly reason: string }
  | { readonly decision: 'noOpinion' };

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const ALLOW: NodeDecision = { decision: 'allow' };
const NO_OPINION: NodeDecision = { decision: 'noOpinion' };
const deny = (reason: string): NodeDecision => ({ decision: 'deny', reason });

function boundNode(obj: unknown): string | undefined {
  if (typeof obj !== 'object' || obj === null || !('kind' in obj) || obj.kind !== 'Pod') return undefined;
  const pod = obj as { readonly spec?: { readonly nodeName?: string } };
  return pod.spec?.nodeName;
}

function authorizePod(node: string, req: NodeRequest, lookup: PodLookup): NodeDecision {
  const sub = req.subresource ?? '';
  if (sub === '' && (req.verb === 'list' || req.verb === 'watch')) return ALLOW;
  if (sub === '' && req.verb === 'create') return deny(`node '${node}' can not create pods`);
  const stored = req.oldObject ?? (req.name === undefined ? undefined : lookup(req.namespace ?? '', req.name));
  const on = boundNode(stored);
  const allowedVerb = (sub === '' && (req.verb === 'get' || req.verb === 'delete'))
    || (sub === 'status' && (req.verb === 'get' || req.verb === 'update' || req.verb === 'patch'))
    || (sub === 'eviction' && req.verb === 'create');
  if (!allowedVerb) return deny(`node '${node}' can not ${req.verb} ${sub === '' ? 'pods' : `pods/${sub}`}`);
  if (on !== node) return deny(`no relationship found between node '${node}' and this object`);
  // A status update must not move the pod to another node either.
  const next = boundNode(req.object);
  if (next !== undefined && next !== node) return deny(`node '${node}' can not move a pod to node '${next}'`);
  return ALLOW;
}

function authorizeNode(node: string, req: NodeRequest): NodeDecision {
  const sub = req.subresource ?? '';
  if (sub === '' && (req.verb === 'list' || req.verb === 'watch')) return ALLOW;
  if (req.name !== undefined && req.name !== node) return deny(`node '${node}' cannot modify node '${req.name}'`);
  if (sub === '' && ['get', 'create', 'update', 'patch', 'delete'].includes(req.verb)) return ALLOW;
  if (sub === 'status' && ['get', 'update', 'patch'].includes(req.verb)) return ALLOW;
  return deny(`node '${node}' can not ${req.verb} nodes${sub === '' ? '' : `/${sub}`}`);
}

function authorizeLease(node: string, req: NodeRequest): NodeDecision {
  if (!['get', 'create', 'update', 'patch', 'delete'].includes(req.verb)) return deny(`can only get, create, update, patch, or delete a node lease`);
  if (req.namespace !== NODE_LEASE_NAMESPACE) return deny(`can only access leases in the ${NODE_LEASE_NAMESPACE} system namespace`);
  // On create the name comes from the object; the API server fills `name` from it.
  const name = req.name ?? (req.object as { readonly metadata?: { readonly name?: string } } | undefined)?.metadata?.name;
  if (name !== node) return deny('can only access node lease with the same name as the requesting node');
  return ALLOW;
}

/** Decides for kubelet identities; noOpinion for anyone else. */
export function nodeAuthorize(req: NodeRequest, lookup: PodLookup): NodeDecision {
  const node = nodeNameOf(req.user);
  if (node === undefined) return NO_OPINION;
  const g = req.apiGroup;
  if (g === '' && req.resource === 'pods') return authorizePod(node, req, lookup);
  if (g === '' && req.resource === 'nodes') return authorizeNode(node, req);
  if (g === 'coordination.k8s.io' && req.resource === 'leases') return authorizeLease(node, req);
  if ((g === '' || g === 'events.k8s.io') && req.resource === 'events' && ['create', 'update', 'patch'].includes(req.verb)) return ALLOW;
  return deny(`node '${node}' is not allowed to ${req.verb} ${req.resource}`);
}
