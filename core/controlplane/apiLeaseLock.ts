import type { Context } from '../../sim/component.js';
import type { Lease, LeaseSpec } from '../api/types.js';
import type { ApiResult } from '../apiserver/protocol.js';
import type { Status } from '../apiserver/status.js';
import type { LeaseLock, LockFailure, LockResult } from './leaseLock.js';

/**
 * The slice of core/client's ApiClient the lease lock uses (structural, so the elector does not
 * depend on the client's construction). ApiClient satisfies it.
 */
export interface LeaseApi {
  get(ctx: Context, resource: 'leases', namespace: string, name: string, done: (r: ApiResult<Lease>) => void): void;
  create(ctx: Context, resource: 'leases', lease: Lease, done: (r: ApiResult<Lease>) => void): void;
  update(ctx: Context, resource: 'leases', lease: Lease, done: (r: ApiResult<Lease>) => void): void;
}

/** client-go's LeaseLock: a coordination.k8s.io/v1 Lease in `namespace` (kube-system for the control plane). */
export function apiLeaseLock(api: LeaseApi, namespace: string, name: string): LeaseLock {
  const toResult = (r: ApiResult<Lease>): LockResult =>
    r.ok
      ? { ok: true, record: { spec: r.object.spec, resourceVersion: r.object.metadata.resourceVersion ?? '' } }
      : { ok: false, reason: failureOf(r.status) };
  const lease = (spec: LeaseSpec, resourceVersion?: string): Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: resourceVersion === undefined ? { name, namespace } : { name, namespace, resourceVersion },
    spec,
  });
  return {
    describe: () => `${namespace}/${name}`,
    get: (ctx, done) => api.get(ctx, 'leases', namespace, name, (r) => done(toResult(r))),
    create: (ctx, spec, done) => api.create(ctx, 'leases', lease(spec), (r) => done(toResult(r))),
    update: (ctx, rv, spec, done) => api.update(ctx, 'leases', lease(spec, rv), (r) => done(toResult(r))),
  };
}

function failureOf(s: Status): LockFailure {
  switch (s.reason) {
    case 'NotFound':
      return 'NotFound';
    case 'Conflict':
      return 'Conflict';
    case 'AlreadyExists':
      return 'AlreadyExists';
    case 'Timeout':
      return 'Timeout';
    case 'ServiceUnavailable':
    case 'TooManyRequests':
      return 'Unavailable';
    case 'Forbidden':
    case 'Unauthorized':
      return 'Forbidden';
    default:
      return 'Error';
  }
}
