/**
 * `metav1.Status`-shaped failures produced by admission and validation. Structurally identical
 * to core/apiserver/status.ts's Status (which the API server returns), so results flow through
 * without conversion; defined here so core/api does not depend on the layer above it.
 */
import type { FieldError } from './fieldError.js';
import { fieldErrorMessage, formatFieldError } from './fieldError.js';

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone' | 'Expired'
  | 'Invalid' | 'TooManyRequests' | 'InternalError' | 'ServiceUnavailable' | 'Timeout' | 'MethodNotAllowed';

export interface StatusCause {
  readonly field?: string;
  readonly reason?: string;
  readonly message: string;
}

export interface Status {
  readonly apiVersion: 'v1';
  readonly kind: 'Status';
  readonly status: 'Failure';
  readonly code: number;
  readonly reason: StatusReason;
  readonly message: string;
  readonly details?: {
    readonly name?: string;
    readonly kind?: string;
    readonly group?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
}

/** `deployments.apps` / `pods`: how upstream names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

/** 403 Forbidden from an admission plugin: `pods "web-1" is forbidden: <reason>`. */
export function admissionForbidden(resource: string, group: string, name: string, reason: string): Status {
  return {
    apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 403, reason: 'Forbidden',
    message: `${qualifiedResource(resource, group)} "${name}" is forbidden: ${reason}`,
    details: { name, kind: resource, group },
  };
}

/** 404 NotFound, e.g. creating into a namespace that does not exist. */
export function notFoundStatus(resource: string, group: string, name: string): Status {
  return {
    apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound',
    message: `${qualifiedResource(resource, group)} "${name}" not found`, details: { name, kind: resource, group },
  };
}

/** Field errors → StatusCauses, as the API server lists them in a 422 body. */
export function fieldErrorsToCauses(errors: readonly FieldError[]): StatusCause[] {
  return errors.map((e) => ({ field: e.field, reason: e.type, message: fieldErrorMessage(e) }));
}

/**
 * 422 Invalid: `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be …`;
 * several errors are listed in brackets, as upstream's NewInvalid does.
 */
export function invalidStatus(kind: string, group: string, name: string, errors: readonly FieldError[]): Status {
  const qualifiedKind = group === '' ? kind : `${kind}.${group}`;
  const texts = errors.map(formatFieldError);
  const summary = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  return {
    apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 422, reason: 'Invalid',
    message: `${qualifiedKind} "${name}" is invalid: ${summary}`,
    details: { name, kind: qualifiedKind, group, causes: fieldErrorsToCauses(errors) },
  };
}
