/**
 * The wire protocol between API clients and kube-apiserver instances on the simulated network.
 *
 * Every message is immutable, shared by reference and discriminated on `type`. Sizes are modelled
 * (see `requestSizeBytes`/`objectSizeBytes`), never serialised. One HTTP/2 connection per client is
 * modelled as "the endpoint the client currently talks to": requests, watches and health pings go to
 * it, and when it stops answering the client moves every request and watch elsewhere.
 *
 *   client ── api/request ──────────▶ apiserver      get/list/create/update/updateStatus/delete/bind
 *   client ◀─ api/response ────────── apiserver      one per non-watch request, same `id`
 *   client ── api/request (watch) ──▶ apiserver
 *   client ◀─ api/watch-event ─────── apiserver      batches of events for watch `id`, in resourceVersion order
 *   client ◀─ api/watch-end ───────── apiserver      the watch is over (410 Expired, timeout, shutdown, or refused at start)
 *   client ── api/watch-cancel ─────▶ apiserver      the client stopped watching
 *   client ── api/ping ─────────────▶ apiserver      HTTP/2 health check after a quiet period
 *   client ◀─ api/pong ────────────── apiserver
 */
import type {
  ClusterRole,
  ClusterRoleBinding,
  Deployment,
  HorizontalPodAutoscaler,
  KubeObject,
  Lease,
  LimitRange,
  Namespace,
  Node,
  Pod,
  PriorityClass,
  ReplicaSet,
  ResourceQuota,
  Role,
  RoleBinding,
  ServiceAccount,
} from '../api/types.js';
import type { Status } from './status.js';

/** Plural resource name → object type, as URLs and RBAC rules name resources. */
export interface ResourceTypes {
  readonly namespaces: Namespace;
  readonly nodes: Node;
  readonly pods: Pod;
  readonly limitranges: LimitRange;
  readonly resourcequotas: ResourceQuota;
  readonly serviceaccounts: ServiceAccount;
  readonly replicasets: ReplicaSet;
  readonly deployments: Deployment;
  readonly leases: Lease;
  readonly horizontalpodautoscalers: HorizontalPodAutoscaler;
  readonly roles: Role;
  readonly rolebindings: RoleBinding;
  readonly clusterroles: ClusterRole;
  readonly clusterrolebindings: ClusterRoleBinding;
  readonly priorityclasses: PriorityClass;
}
export type ResourceName = keyof ResourceTypes;
/** `ObjectOf<'pods'>` is `Pod`. */
export type ObjectOf<R extends ResourceName> = ResourceTypes[R];

/**
 * Request verbs. `updateStatus` is PUT on the status subresource (spec and metadata changes are
 * ignored, generation is not bumped); `bind` is POST pods/<name>/binding (only the scheduler may).
 */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'updateStatus' | 'delete' | 'bind';

export function isMutatingVerb(verb: Verb): boolean {
  return verb !== 'get' && verb !== 'list' && verb !== 'watch';
}

/** `v1.Binding`: the body of a bind request; the pod is named by the request's namespace/name. */
export interface Binding {
  readonly apiVersion: 'v1';
  readonly kind: 'Binding';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly uid?: string };
  readonly target: { readonly kind: 'Node'; readonly name: string };
}

/**
 * Optional fencing (scenario `leaderElection.fencing: true`): a write carries the leaseTransitions
 * its writer observed when it acquired the named Lease; the API server rejects it (409 Conflict,
 * stage `fencing`) if the Lease has moved on to a newer holder since.
 */
export interface FencingToken {
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly leaseTransitions: number;
}

/** `metav1.DeleteOptions`, the parts the simulator honours. */
export interface DeleteOptions {
  /** Seconds before the object is removed; 0 deletes at once. Pods default to spec.terminationGracePeriodSeconds (30). */
  readonly gracePeriodSeconds?: number;
  /** Fails with 409 if the stored object no longer has this uid / resourceVersion. */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/**
 * A field selector the watch cache can serve from an index: `spec.nodeName` of pods (what every
 * kubelet watches its pods with; `''` selects unbound pods, what the scheduler watches) and
 * `metadata.name` (what a kubelet watches its own Node with). Both given means both must match.
 */
export interface FieldSelector {
  readonly nodeName?: string;
  /** metadata.name */
  readonly name?: string;
}

export interface ApiRequest {
  readonly type: 'api/request';
  /** Unique per client session; echoed by the response or the watch messages. */
  readonly id: number;
  /** Names the client within its component (default: its user); sessions are tracked per (endpoint, client). */
  readonly client: string;
  /**
   * The client instance's incarnation (grows across restarts); a newer session of the same
   * (endpoint, client) ends the older session's watches, as a reset TCP connection would.
   */
  readonly session: number;
  /** Bearer token; the API server's authenticator maps it to a user. */
  readonly token: string;
  readonly verb: Verb;
  readonly resource: ResourceName;
  /** For namespaced resources; absent on list/watch means all namespaces. */
  readonly namespace?: string;
  readonly name?: string;
  /** create/update/updateStatus: the object; bind: a Binding. */
  readonly body?: KubeObject | Binding;
  /**
   * list: `undefined`/`''` = consistent read from the store; `'0'` = any state of the watch cache;
   * `'N'` = a state at least as new as N (waits briefly for the watch cache).
   * watch: events strictly after N (`'0'`/absent = from the watch cache's current state, as ADDED events).
   */
  readonly resourceVersion?: string;
  readonly fieldSelector?: FieldSelector;
  readonly deleteOptions?: DeleteOptions;
  readonly fencing?: FencingToken;
}

/** A list result: the items and the resourceVersion the list is consistent at (watch from it). */
export interface ObjectList<T> {
  readonly kind: 'List';
  readonly items: readonly T[];
  readonly resourceVersion: string;
}

/** Outcome of an API call as a value: the object (or list), or a Status. */
export type ApiResult<T> = { readonly ok: true; readonly object: T } | { readonly ok: false; readonly status: Status };

export interface ApiResponse {
  readonly type: 'api/response';
  readonly id: number;
  /** Echo of the request's client name and session, so several clients in one component tell their messages apart. */
  readonly client: string;
  readonly session: number;
  /**
   * The API server instance's boot id. A restarted server has a new one; its clients then know every
   * watch they had on it is gone (the connection reset a real restart causes).
   */
  readonly incarnation: number;
  /** 1, 2, 3… per server and client session, over every message kind: see ConnectionSeq. */
  readonly connSeq: number;
  /** get/create/update/updateStatus/delete/bind: a KubeObject; list: an ObjectList. */
  readonly result: ApiResult<KubeObject | ObjectList<KubeObject>>;
}

/** Upstream watch event types. BOOKMARK carries only a resourceVersion (progress, nothing changed). */
export type WatchEvent =
  | { readonly type: 'ADDED'; readonly object: KubeObject }
  | { readonly type: 'MODIFIED'; readonly object: KubeObject }
  | { readonly type: 'DELETED'; readonly object: KubeObject }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

/** Events of one watch, batched per store event batch to keep the message count down at scale. */
export interface WatchEventMessage {
  readonly type: 'api/watch-event';
  readonly id: number;
  /** Echo of the request's client name and session, so several clients in one component tell their messages apart. */
  readonly client: string;
  readonly session: number;
  /**
   * The API server instance's boot id. A restarted server has a new one; its clients then know every
   * watch they had on it is gone (the connection reset a real restart causes).
   */
  readonly incarnation: number;
  /** 1, 2, 3… per server and client session, over every message kind: see ConnectionSeq. */
  readonly connSeq: number;
  /**
   * 1, 2, 3… per watch. The network keeps a link's order but may lose or duplicate messages, which
   * TCP would not: a client that sees a gap treats the stream as broken and resumes from its last
   * resourceVersion; a repeat is ignored.
   */
  readonly seq: number;
  readonly events: readonly WatchEvent[];
}

export interface WatchEndMessage {
  readonly type: 'api/watch-end';
  readonly id: number;
  /** Echo of the request's client name and session, so several clients in one component tell their messages apart. */
  readonly client: string;
  readonly session: number;
  /**
   * The API server instance's boot id. A restarted server has a new one; its clients then know every
   * watch they had on it is gone (the connection reset a real restart causes).
   */
  readonly incarnation: number;
  /** 1, 2, 3… per server and client session, over every message kind: see ConnectionSeq. */
  readonly connSeq: number;
  /** Why: 410 Expired (rewatch impossible, relist), 401/403 (refused), 503/504 (try again, elsewhere). */
  readonly status: Status;
}

export interface WatchCancelMessage {
  readonly type: 'api/watch-cancel';
  readonly id: number;
  readonly client: string;
  readonly session: number;
}

export interface PingMessage {
  readonly type: 'api/ping';
  readonly id: number;
  readonly client: string;
  readonly session: number;
}

export interface PongMessage {
  readonly type: 'api/pong';
  readonly id: number;
  /** Echo of the request's client name and session, so several clients in one component tell their messages apart. */
  readonly client: string;
  readonly session: number;
  /**
   * The API server instance's boot id. A restarted server has a new one; its clients then know every
   * watch they had on it is gone (the connection reset a real restart causes).
   */
  readonly incarnation: number;
  /** 1, 2, 3… per server and client session, over every message kind: see ConnectionSeq. */
  readonly connSeq: number;
}

/**
 * Every message a server sends to one client session (responses, watch events and ends, pongs) is
 * numbered on one counter, as bytes on the client's one HTTP/2 connection. TCP never loses part of
 * a stream, but the simulated network drops messages (loss, partitions), so a client that sees a gap
 * in this number knows the connection lost something, even when the stream that lost it has fallen
 * quiet (the last events of a watch and its progress bookmark dropped in a partition): it resets every
 * watch on that server, as a broken connection would, and they resume from their last resourceVersion.
 */
export type ConnectionSeq = number;

/** Everything a client sends to an API server. */
export type ClientToServer = ApiRequest | WatchCancelMessage | PingMessage;
/** Everything an API server sends to a client. */
export type ServerToClient = ApiResponse | WatchEventMessage | WatchEndMessage | PongMessage;

const CLIENT_TO_SERVER = new Set<string>(['api/request', 'api/watch-cancel', 'api/ping']);
const SERVER_TO_CLIENT = new Set<string>(['api/response', 'api/watch-event', 'api/watch-end', 'api/pong']);

export function isClientToServer(m: { readonly type: string }): m is ClientToServer {
  return CLIENT_TO_SERVER.has(m.type);
}
export function isServerToClient(m: { readonly type: string }): m is ServerToClient {
  return SERVER_TO_CLIENT.has(m.type);
}

/** Modelled bytes: fixed HTTP/JSON overhead plus a per-object estimate. */
export const REQUEST_OVERHEAD_BYTES = 300;
/** A typical pod/node as JSON is a few KB; other objects ~1 KB. Used for network and CPU cost models. */
export function objectSizeBytes(obj: KubeObject | Binding | undefined): number {
  if (obj === undefined) return 0;
  switch (obj.kind) {
    case 'Pod':
      return 3_000;
    case 'Node':
      return 4_000;
    case 'Deployment':
    case 'ReplicaSet':
      return 2_000;
    case 'Binding':
      return 200;
    default:
      return 800;
  }
}
export function requestSizeBytes(req: ApiRequest): number {
  return REQUEST_OVERHEAD_BYTES + objectSizeBytes(req.body);
}
