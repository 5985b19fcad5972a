/**
 * Shapes shared by the admission plugins. They mirror core/apiserver/policy.ts (UserInfo,
 * RequestAttributes, ClusterView, Admitted, Verdict) structurally, so the API server can hand its
 * own values straight in, without core/api importing the layer above it.
 */
import type { KubeObject } from '../types.js';
import type { Status } from '../status.js';

export interface AdmissionUser {
  readonly name: string;
  readonly groups: readonly string[];
}

export interface AdmissionAttributes {
  readonly user: AdmissionUser;
  /** RBAC verb: `create`, `update`, `delete`, … (a bind is `create` on subresource `binding`). */
  readonly verb: string;
  readonly apiGroup: string;
  /** Plural resource, e.g. `pods`. */
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** The stored object on update/delete. */
  readonly oldObject?: KubeObject;
}

/** Read-only view of the cluster's current objects (the API server's watch caches). */
export interface AdmissionView {
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): readonly KubeObject[];
}

/** Result of a mutating stage: the (possibly changed) object, or a denial. */
export type MutateResult = { readonly ok: true; readonly object: KubeObject } | { readonly ok: false; readonly status: Status };

/** Result of a validating stage. */
export type ValidateResult = { readonly ok: true } | { readonly ok: false; readonly status: Status };

export const ALLOW: ValidateResult = Object.freeze({ ok: true });

/** Whether this request writes the object's main resource (not status, not binding), where admission applies. */
export function isMainResourceWrite(attrs: AdmissionAttributes): boolean {
  return (attrs.verb === 'create' || attrs.verb === 'update') && (attrs.subresource === undefined || attrs.subresource === '');
}

/** The name to quote in messages (generateName objects have none yet). */
export function nameForMessage(obj: KubeObject): string {
  return obj.metadata.name ?? obj.metadata.generateName ?? '';
}
