import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifests, formatManifestError, fieldPathSegments } from '../../scenarios/manifest.js';
import type { ManifestResult } from '../../scenarios/manifest.js';

/** Copied verbatim from https://kubernetes.io/docs/concepts/workloads/controllers/deployment/ (line numbers matter below). */
const NGINX_DEPLOYMENT = readFileSync(new URL('./fixtures/nginx-deployment.yaml', import.meta.url), 'utf8');

function errorsOf(r: ManifestResult): string[] {
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors.map(formatManifestError);
}

describe('manifest loading', () => {
  it('loads the nginx Deployment from the Kubernetes docs as it is', () => {
    const r = loadManifests(NGINX_DEPLOYMENT, 'nginx.yaml');
    assert.ok(r.ok, JSON.stringify(r));
    const [first] = r.objects;
    assert.ok(first !== undefined && first.object.kind === 'Deployment');
    assert.equal(first.object.spec.replicas, 3);
    assert.equal(first.object.spec.template.spec.containers[0]?.ports?.[0]?.containerPort, 80);
    assert.equal(first.line, 1);
  });

  it('loads several documents, skipping empty ones, and turns numeric quantities into strings', () => {
    const text = `---
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {env: production}}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: prod, creationTimestamp: null}
spec:
  containers:
  - name: c
    image: registry.internal/app:1
    resources: {requests: {cpu: 0.5, memory: 64Mi}, limits: {cpu: 1}}
---
`;
    const r = loadManifests(text, 'multi.yaml');
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.objects.map((o) => [o.object.kind, o.document, o.line]), [['Namespace', 0, 2], ['Pod', 1, 6]]);
    const pod = r.objects[1]?.object;
    assert.ok(pod?.kind === 'Pod');
    assert.deepEqual(pod.spec.containers[0]?.resources, { requests: { cpu: '0.5', memory: '64Mi' }, limits: { cpu: '1' } });
    assert.equal(pod.metadata.creationTimestamp, undefined);
  });

  it('names an unknown field with its path, line and column', () => {
    const bad = NGINX_DEPLOYMENT.replace('        image: nginx:1.14.2', '        image: nginx:1.14.2\n        imagePullPolcy: Always');
    assert.deepEqual(errorsOf(loadManifests(bad, 'd.yaml')), [
      'd.yaml:20:9: spec.template.spec.containers[0].imagePullPolcy: unknown field "imagePullPolcy"',
    ]);
  });

  it('reports type errors at the value', () => {
    const bad = NGINX_DEPLOYMENT.replace('replicas: 3', 'replicas: three');
    assert.deepEqual(errorsOf(loadManifests(bad, 'd.yaml')), ['d.yaml:8:13: spec.replicas: Invalid value: "three": expected integer, got string']);
  });

  it('reports validation errors with paths: selector must match template labels', () => {
    const bad = NGINX_DEPLOYMENT.replace('      labels:\n        app: nginx\n    spec:', '      labels:\n        app: web\n    spec:');
    const errs = errorsOf(loadManifests(bad, 'd.yaml'));
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /^d\.yaml:15:9: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`$/);
  });

  it('reports a missing image and a bad quantity', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    resources:
      requests:
        cpu: 1 core
`;
    assert.deepEqual(errorsOf(loadManifests(text, 'p.yaml')), [
      "p.yaml:10:14: spec.containers[0].resources.requests[cpu]: Invalid value: \"1 core\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]);
    const noImage = text.replace('    resources:\n      requests:\n        cpu: 1 core\n', '');
    assert.deepEqual(errorsOf(loadManifests(noImage, 'p.yaml')), ['p.yaml:7:5: spec.containers[0].image: Required value']);
  });

  it('reports YAML syntax errors with line and column', () => {
    const errs = errorsOf(loadManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: [\n', 'bad.yaml'));
    assert.match(errs[0] ?? '', /^bad\.yaml:\d+:\d+: /);
  });

  it('reports unknown kinds and api versions', () => {
    assert.deepEqual(errorsOf(loadManifests('apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: x}\n', 'x.yaml')), [
      'x.yaml:1:13: apiVersion: Invalid value: "apps/v1beta1": no matches for kind "Deployment" in version "apps/v1beta1" (served as apps/v1)',
    ]);
    assert.equal(errorsOf(loadManifests('apiVersion: v1\nkind: Service\nmetadata: {name: x}\n', 'x.yaml')).length, 1);
  });

  it('splits field paths with dotted map keys', () => {
    assert.deepEqual(fieldPathSegments('metadata.labels[app.kubernetes.io/name]'), ['metadata', 'labels', 'app.kubernetes.io/name']);
    assert.deepEqual(fieldPathSegments('spec.containers[0].image'), ['spec', 'containers', '0', 'image']);
  });
});

describe('manifests from the Kubernetes documentation', () => {
  it('load unchanged, one object per document', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('./fixtures/docs-examples.yaml', import.meta.url), 'utf8');
    const r = loadManifests(text, 'docs-examples.yaml');
    assert.ok(r.ok, r.ok ? '' : r.errors.map(formatManifestError).join('\n'));
    assert.deepEqual(r.objects.map((o) => o.object.kind), [
      'Deployment', 'HorizontalPodAutoscaler', 'LimitRange', 'ResourceQuota', 'Role', 'RoleBinding', 'PriorityClass',
      'Pod', 'Pod', 'Pod', 'Pod', 'Pod', 'Pod', 'Pod', 'Namespace',
    ]);
  });
});
