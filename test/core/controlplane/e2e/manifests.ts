import type { Deployment } from '../../../../core/api/types.js';

export function deployment(name: string, replicas: number, image = 'web:v1', extra: Partial<Deployment['spec']> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              resources: { requests: { cpu: '100m', memory: '64Mi' } },
              readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 1, initialDelaySeconds: 0 },
            },
          ],
        },
      },
      ...extra,
    },
  };
}
