/**
 * Kubernetes `metav1.Status`: the body of every failed API response, and the reason codes clients
 * branch on (client-go's apierrors.IsConflict, IsGone, IsNotFound…). Failures are values
 * (DESIGN principle 5): a 409 is an expected outcome, not an exception.
 */

// The Status shape itself lives in core/api (the layer below), which admission and validation
// also answer with; this module adds the constructors and predicates the server and clients use.
import type { Status, StatusCause, StatusReason } from '../api/status.js';
export type { Status, StatusCause, StatusReason } from '../api/status.js';

export type StatusDetails = NonNullable<Status['details']>;

/**
 * Builds a frozen Status. Codes follow apimachinery's errors package: AlreadyExists and Conflict
 * are both 409; Gone and Expired both 410 (a too-old resourceVersion on watch is `Expired`).
 */
export function status(code: number, reason: StatusReason, message: string, details?: StatusDetails): Status {
  const s: Status =
    details === undefined
      ? { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message }
      : { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message, details };
  return Object.freeze(s);
}

export function badRequest(message: string): Status {
  return status(400, 'BadRequest', message);
}
export function unauthorized(message = 'Unauthorized'): Status {
  return status(401, 'Unauthorized', message);
}
export function forbidden(user: string, verb: string, resource: string, namespace: string | undefined, reason: string): Status {
  const scope = namespace === undefined || namespace === '' ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  // RBAC denials carry no reason (as upstream's): then the message ends at the scope.
  const because = reason === '' ? '' : `: ${reason}`;
  return status(403, 'Forbidden', `${resource} is forbidden: User "${user}" cannot ${verb} resource "${resource}" ${scope}${because}`);
}
export function notFound(resource: string, name: string): Status {
  return status(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
}
export function alreadyExists(resource: string, name: string): Status {
  return status(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource });
}
/** The optimistic-concurrency failure clients retry after re-reading (client-go's RetryOnConflict). */
export function conflict(resource: string, name: string, why: string): Status {
  return status(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${resource} "${name}": ${why}`,
    { name, kind: resource },
  );
}
/** A watch or list from a resourceVersion the watch cache no longer holds. */
export function expired(message: string): Status {
  return status(410, 'Expired', message);
}
export function gone(message: string): Status {
  return status(410, 'Gone', message);
}
export function invalid(kind: string, name: string, causes: readonly StatusCause[]): Status {
  const summary = causes.map((c) => (c.field === undefined ? c.message : `${c.field}: ${c.message}`)).join(', ');
  return status(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes: Object.freeze([...causes]) });
}
export function tooManyRequests(message: string, retryAfterSeconds = 1): Status {
  return status(429, 'TooManyRequests', message, { retryAfterSeconds });
}
export function internalError(message: string): Status {
  return status(500, 'InternalError', message);
}
export function serviceUnavailable(message: string): Status {
  return status(503, 'ServiceUnavailable', message);
}
/** Client side: no answer in time; the request may or may not have been applied. */
export function timeout(message: string): Status {
  return status(504, 'Timeout', message);
}

/** client-go's apierrors.IsConflict: a 409 other than AlreadyExists. */
export function isConflict(s: Status): boolean {
  return s.code === 409 && s.reason === 'Conflict';
}
/** client-go's apierrors.IsResourceExpired/IsGone: the watch/list must restart from a fresh list. */
export function isGone(s: Status): boolean {
  return s.code === 410;
}
