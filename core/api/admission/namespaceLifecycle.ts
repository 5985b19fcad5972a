/**
 * NamespaceLifecycle admission (first in the chain): objects cannot be created in a namespace
 * that does not exist (404) or is being deleted (403). The well-known system namespaces are
 * treated as always present, because the simulated cluster starts without Namespace objects for
 * them, as a real one has them from bootstrap.
 */
import type { KubeObject } from '../types.js';
import { admissionForbidden, notFoundStatus } from '../status.js';
import { resourceForKind } from '../registry.js';
import type { AdmissionAttributes, AdmissionView, MutateResult } from './types.js';
import { nameForMessage } from './types.js';

export const IMMORTAL_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function admitNamespaceLifecycle(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView): MutateResult {
  if (attrs.verb !== 'create' || (attrs.subresource ?? '') !== '') return { ok: true, object: obj };
  const info = resourceForKind(obj.kind);
  if (info === undefined || !info.namespaced) return { ok: true, object: obj };
  const namespace = obj.metadata.namespace ?? attrs.namespace ?? 'default';
  const ns = view.get('namespaces', undefined, namespace);
  if (ns === undefined) {
    if (IMMORTAL_NAMESPACES.includes(namespace)) return { ok: true, object: obj };
    return { ok: false, status: notFoundStatus('namespaces', '', namespace) };
  }
  if (ns.metadata.deletionTimestamp !== undefined || (ns.kind === 'Namespace' && ns.status?.phase === 'Terminating')) {
    return {
      ok: false,
      status: admissionForbidden(info.resource, info.group, nameForMessage(obj), `unable to create new content in namespace ${namespace} because it is being terminated`),
    };
  }
  return { ok: true, object: obj };
}
