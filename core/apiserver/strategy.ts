import type { Condition, KubeObject, Pod, PodConditionType } from '../api/types.js';
import { deepEqual } from '../api/equality.js';
import type { ResourceInfo } from '../api/registry.js';
import type { Binding } from './protocol.js';
import type { Status } from './status.js';
import { conflict, invalid, status } from './status.js';
import { shallowCopy } from './decorate.js';

/**
 * The registry strategies: what kube-apiserver does to an object on create, update, status update,
 * binding and delete before it is persisted (upstream's rest.RESTCreateStrategy and friends). Pure
 * functions of (request body, stored object, time, ids), so they are unit-tested without a server.
 */

export type Prepared = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: Status };

export interface CreateContext {
  readonly namespace: string | undefined;
  readonly nowSeconds: number;
  readonly uid: string;
  /** Five characters for generateName, drawn by the caller from its RNG. */
  readonly nameSuffix: string;
}

/** Sets server-owned metadata on create: name (generateName), namespace, uid, creationTimestamp, generation. */
export function prepareCreate(r: ResourceInfo, body: KubeObject, c: CreateContext): Prepared {
  const meta = body.metadata;
  let name = meta.name ?? '';
  if (name === '' && meta.generateName !== undefined && meta.generateName !== '') name = meta.generateName + c.nameSuffix;
  if (name === '') return { ok: false, status: invalid(body.kind, '', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]) };
  if (r.namespaced && meta.namespace !== undefined && c.namespace !== undefined && meta.namespace !== c.namespace) {
    return { ok: false, status: status(400, 'BadRequest', `the namespace of the provided object (${meta.namespace}) does not match the namespace sent on the request (${c.namespace})`) };
  }
  const namespace = r.namespaced ? (c.namespace ?? meta.namespace ?? 'default') : undefined;
  // Key by key (see shallowCopy): the client's metadata without the server-owned fields (and, for
  // a cluster-scoped kind, without namespace), then name, namespace, uid, creationTimestamp and
  // generation set in place or appended, as `{ ...rest, name, namespace, uid, … }` would.
  const metadata: Record<string, unknown> = {};
  const src = meta as unknown as Record<string, unknown>;
  for (const k in src) {
    if (k === 'resourceVersion' || k === 'deletionTimestamp' || k === 'deletionGracePeriodSeconds' || (k === 'namespace' && namespace === undefined)) continue;
    metadata[k] = src[k];
  }
  metadata['name'] = name;
  if (namespace !== undefined) metadata['namespace'] = namespace;
  metadata['uid'] = c.uid;
  metadata['creationTimestamp'] = c.nowSeconds;
  metadata['generation'] = 1;
  const out = shallowCopy(body);
  out['metadata'] = metadata;
  return { ok: true, object: freeze(out as unknown as KubeObject) };
}

/**
 * A full update: the client's object, with server-owned metadata kept from the stored one, status
 * kept for kinds with a status subresource, and generation bumped when the spec changed.
 */
export function prepareUpdate(r: ResourceInfo, body: KubeObject, old: KubeObject): Prepared {
  if (body.kind !== old.kind) return { ok: false, status: status(400, 'BadRequest', `kind ${body.kind} does not match stored ${old.kind}`) };
  const rv = body.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) return { ok: false, status: staleConflict(r, old) };
  if (body.metadata.uid !== undefined && body.metadata.uid !== old.metadata.uid) {
    return { ok: false, status: conflict(r.resource, old.metadata.name ?? '', `Precondition failed: UID in precondition: ${body.metadata.uid}, UID in object meta: ${old.metadata.uid ?? ''}`) };
  }
  const specChanged = !deepEqual(specOf(body), specOf(old));
  // Key by key rather than with conditional spreads (see shallowCopy): this runs on every update.
  const om = old.metadata;
  const metadata = shallowCopy(body.metadata, 'resourceVersion');
  if (om.name !== undefined) metadata['name'] = om.name;
  if (om.namespace !== undefined) metadata['namespace'] = om.namespace;
  if (om.uid !== undefined) metadata['uid'] = om.uid;
  if (om.creationTimestamp !== undefined) metadata['creationTimestamp'] = om.creationTimestamp;
  if (om.deletionTimestamp !== undefined) metadata['deletionTimestamp'] = om.deletionTimestamp;
  if (om.deletionGracePeriodSeconds !== undefined) metadata['deletionGracePeriodSeconds'] = om.deletionGracePeriodSeconds;
  metadata['generation'] = (om.generation ?? 1) + (specChanged ? 1 : 0);
  const out = shallowCopy(body, r.hasStatus ? 'status' : undefined);
  out['metadata'] = metadata;
  // A kind with a status subresource keeps the stored status (after the other fields, as before).
  const oldStatus = (old as { readonly status?: unknown }).status;
  if (r.hasStatus && oldStatus !== undefined) out['status'] = oldStatus;
  return { ok: true, object: freeze(out as unknown as KubeObject) };
}

/** PUT …/status: only the status comes from the client; CAS if the body carries a resourceVersion. */
export function prepareStatusUpdate(r: ResourceInfo, body: KubeObject, old: KubeObject): Prepared {
  if (!r.hasStatus) return { ok: false, status: status(404, 'NotFound', `${r.resource} has no status subresource`) };
  const rv = body.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) return { ok: false, status: staleConflict(r, old) };
  const bodyStatus = (body as { readonly status?: unknown }).status;
  const out = shallowCopy(old);
  out['metadata'] = shallowCopy(old.metadata, 'resourceVersion');
  if (bodyStatus !== undefined) out['status'] = bodyStatus;
  return { ok: true, object: freeze(out as unknown as KubeObject) };
}

/** POST pods/<name>/binding: assigns a node once; a pod already bound or terminating is a 409. */
export function prepareBinding(old: KubeObject, binding: Binding, nowSeconds: number): Prepared {
  if (old.kind !== 'Pod') return { ok: false, status: status(400, 'BadRequest', 'binding applies to pods only') };
  const name = old.metadata.name ?? '';
  if (binding.metadata.uid !== undefined && binding.metadata.uid !== old.metadata.uid) {
    return { ok: false, status: conflict('pods', name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${old.metadata.uid ?? ''}`) };
  }
  if (old.metadata.deletionTimestamp !== undefined) return { ok: false, status: conflict('pods', name, 'pod is being deleted, cannot be assigned to a host') };
  if (old.spec.nodeName !== undefined && old.spec.nodeName !== '') {
    return { ok: false, status: conflict('pods', name, `pod ${name} is already assigned to node "${old.spec.nodeName}"`) };
  }
  if (binding.target.name === '') return { ok: false, status: invalid('Binding', name, [{ field: 'target.name', reason: 'FieldValueRequired', message: 'Required value' }]) };
  const scheduled: Condition<PodConditionType> = { type: 'PodScheduled', status: 'True', lastTransitionTime: nowSeconds };
  const conditions = [...(old.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled];
  // Key by key rather than with spreads (see shallowCopy): every pod is bound once. Same keys in
  // the same order as `{ ...old, metadata, spec: { ...old.spec, nodeName }, status: { ...status, conditions } }`.
  const spec = shallowCopy(old.spec);
  spec['nodeName'] = binding.target.name;
  const podStatus = shallowCopy(old.status ?? {});
  podStatus['conditions'] = conditions;
  const pod = shallowCopy(old);
  pod['metadata'] = shallowCopy(old.metadata, 'resourceVersion');
  pod['spec'] = spec;
  pod['status'] = podStatus;
  return { ok: true, object: freeze(pod as unknown as Pod) };
}

/** What a DELETE does to a stored object. */
export type DeletePlan =
  | { readonly type: 'remove' }
  /** Graceful: persist this object (deletionTimestamp set) and let a finalizer or the kubelet finish. */
  | { readonly type: 'mark'; readonly object: KubeObject }
  /** Already terminating and nothing to change: answer with the stored object. */
  | { readonly type: 'unchanged' };

/**
 * Upstream's graceful deletion, simplified: objects with finalizers get a deletionTimestamp and stay
 * until the finalizers are removed; a bound pod gets deletionTimestamp = now + grace and is removed
 * when its kubelet confirms with a grace-0 delete (an unbound pod, or grace 0, goes at once).
 */
export function planDelete(old: KubeObject, gracePeriodSeconds: number | undefined, nowSeconds: number): DeletePlan {
  const finalizers = old.metadata.finalizers ?? [];
  const isPod = old.kind === 'Pod';
  const bound = isPod && old.spec.nodeName !== undefined && old.spec.nodeName !== '';
  const podGrace = isPod ? (gracePeriodSeconds ?? old.spec.terminationGracePeriodSeconds ?? 30) : 0;
  if (old.metadata.deletionTimestamp !== undefined) {
    // The kubelet's confirming delete (grace 0) finishes a terminating pod without finalizers.
    if (isPod && gracePeriodSeconds === 0 && finalizers.length === 0) return { type: 'remove' };
    return { type: 'unchanged' };
  }
  if (finalizers.length === 0 && (!bound || podGrace === 0)) return { type: 'remove' };
  const grace = bound ? podGrace : 0;
  const { resourceVersion: _rv, ...meta } = old.metadata;
  return {
    type: 'mark',
    object: freeze({ ...old, metadata: { ...meta, deletionTimestamp: nowSeconds + grace, deletionGracePeriodSeconds: grace } } as KubeObject),
  };
}

/** After an update: a terminating object whose last finalizer went is removed (pods wait for their kubelet). */
export function shouldRemoveAfterUpdate(obj: KubeObject): boolean {
  if (obj.metadata.deletionTimestamp === undefined || (obj.metadata.finalizers ?? []).length > 0) return false;
  if (obj.kind !== 'Pod') return true;
  return obj.spec.nodeName === undefined || obj.spec.nodeName === '';
}

export function staleConflict(r: ResourceInfo, old: KubeObject): Status {
  return conflict(r.resource, old.metadata.name ?? '', 'the object has been modified; please apply your changes to the latest version and try again');
}

function specOf(o: KubeObject): unknown {
  // RBAC kinds and ServiceAccount have no spec; their top-level content plays that role.
  const rec = o as unknown as Record<string, unknown>;
  if ('spec' in rec) return rec['spec'];
  if ('rules' in rec) return rec['rules'];
  if ('subjects' in rec) return [rec['subjects'], rec['roleRef']];
  if ('value' in rec) return rec['value'];
  return undefined;
}

function freeze<T extends object>(o: T): T {
  return Object.freeze(o);
}

