import type { Lease, Pod } from '../../../core/api/types.js';

export function pod(name: string, namespace = 'default', extra: Partial<Pod['spec']> = {}): Pod {
  return Object.freeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'registry.local/web:v1' }], ...extra },
  });
}

export function lease(name: string, namespace = 'kube-system', holder = 'a', transitions = 0): Lease {
  return Object.freeze({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace },
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, leaseTransitions: transitions },
  });
}
