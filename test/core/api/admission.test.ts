import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KubeObject, LimitRange, Namespace, Pod, ResourceQuota, Deployment } from '../../../core/api/types.js';
import type { AdmissionAttributes, AdmissionView } from '../../../core/api/admission/types.js';
import { mutatingAdmission, validatingAdmission, schemaValidationStatus } from '../../../core/api/admission/chain.js';
import { applyDefaults } from '../../../core/api/admission/defaults.js';
import { admitDefaultTolerationSeconds } from '../../../core/api/admission/defaultTolerationSeconds.js';
import { normalizeImage } from '../../../core/api/admission/imagePolicy.js';
import { resourceForKind } from '../../../core/api/registry.js';

function view(objects: readonly KubeObject[]): AdmissionView {
  const resourceOf = (o: KubeObject): string => resourceForKind(o.kind)?.resource ?? '';
  return {
    get: (resource, namespace, name) => objects.find((o) => resourceOf(o) === resource && (o.metadata.namespace ?? undefined) === namespace && o.metadata.name === name),
    list: (resource, namespace) => objects.filter((o) => resourceOf(o) === resource && (namespace === undefined || o.metadata.namespace === namespace)),
  };
}

const alice = { name: 'alice', groups: ['system:authenticated'] };
const create = (namespace = 'default'): AdmissionAttributes => ({ user: alice, verb: 'create', apiGroup: '', resource: 'pods', namespace });

function pod(name: string, namespace: string, containers: Pod['spec']['containers']): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers } };
}

const prod: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'production' } } };
const dev: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { env: 'dev' } } };

describe('defaulting', () => {
  it('defaults a Deployment as apps/v1 does', () => {
    const d: Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const out = applyDefaults(d);
    assert.ok(out.kind === 'Deployment');
    assert.equal(out.metadata.namespace, 'default');
    assert.equal(out.spec.replicas, 1);
    assert.deepEqual(out.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(out.spec.revisionHistoryLimit, 10);
    assert.equal(out.spec.progressDeadlineSeconds, 600);
    const ps = out.spec.template.spec;
    assert.equal(ps.restartPolicy, 'Always');
    assert.equal(ps.terminationGracePeriodSeconds, 30);
    assert.equal(ps.schedulerName, 'default-scheduler');
    assert.equal(ps.containers[0]?.imagePullPolicy, 'Always');
    assert.equal(d.spec.replicas, undefined, 'input unchanged');
  });
  it('pods get requests from limits, templates do not', () => {
    const p = applyDefaults(pod('p', 'default', [{ name: 'c', image: 'nginx:1.2', resources: { limits: { cpu: '1' } } }]));
    assert.ok(p.kind === 'Pod');
    assert.deepEqual(p.spec.containers[0]?.resources?.requests, { cpu: '1' });
    assert.equal(p.spec.containers[0]?.imagePullPolicy, 'IfNotPresent');
  });
});

describe('DefaultTolerationSeconds', () => {
  it('adds not-ready and unreachable NoExecute tolerations of 300 s', () => {
    const r = admitDefaultTolerationSeconds(create(), pod('p', 'default', [{ name: 'c', image: 'x' }]));
    assert.ok(r.ok && r.object.kind === 'Pod');
    assert.deepEqual(r.object.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });
  it('keeps a pod’s own toleration and does not add a duplicate', () => {
    const p: Pod = { ...pod('p', 'default', [{ name: 'c', image: 'x' }]), spec: { containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] } };
    const r = admitDefaultTolerationSeconds(create(), p);
    assert.ok(r.ok && r.object.kind === 'Pod');
    assert.deepEqual(r.object.spec.tolerations?.map((t) => `${t.key}=${t.tolerationSeconds}`), ['node.kubernetes.io/unreachable=10', 'node.kubernetes.io/not-ready=300']);
    const all: Pod = { ...p, spec: { ...p.spec, tolerations: [{ operator: 'Exists' }] } };
    const r2 = admitDefaultTolerationSeconds(create(), all);
    assert.ok(r2.ok && r2.object.kind === 'Pod');
    assert.equal(r2.object.spec.tolerations?.length, 1);
  });
});

describe('NamespaceLifecycle', () => {
  it('404 for a missing namespace, 403 for a terminating one', () => {
    const r = mutatingAdmission(create('ghost'), pod('p', 'ghost', [{ name: 'c', image: 'x' }]), view([]));
    assert.ok(!r.ok);
    assert.equal(r.status.code, 404);
    assert.equal(r.status.message, 'namespaces "ghost" not found');
    const dying: Namespace = { ...dev, metadata: { ...dev.metadata, deletionTimestamp: 5 } };
    const r2 = mutatingAdmission(create('dev'), pod('p', 'dev', [{ name: 'c', image: 'x' }]), view([dying]));
    assert.ok(!r2.ok);
    assert.equal(r2.status.code, 403);
    assert.equal(r2.status.message, 'pods "p" is forbidden: unable to create new content in namespace dev because it is being terminated');
    assert.ok(mutatingAdmission(create('kube-system'), pod('p', 'kube-system', [{ name: 'c', image: 'x' }]), view([])).ok);
  });
});

const limits: LimitRange = {
  apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'limits', namespace: 'dev' },
  spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' }, min: { cpu: '50m' }, maxLimitRequestRatio: { cpu: '4' } }] },
};

describe('LimitRanger', () => {
  it('defaults requests and limits and annotates what it set', () => {
    const r = mutatingAdmission(create('dev'), pod('p', 'dev', [{ name: 'c', image: 'x' }]), view([dev, limits]));
    assert.ok(r.ok && r.object.kind === 'Pod');
    assert.deepEqual(r.object.spec.containers[0]?.resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    assert.match(r.object.metadata.annotations?.['kubernetes.io/limit-ranger'] ?? '', /^LimitRanger plugin set: cpu request, cpu limit, memory limit, memory request for container c$/);
  });
  it('denies above max with 403 and upstream wording', () => {
    const big = pod('big', 'dev', [{ name: 'c', image: 'x', resources: { requests: { cpu: '1' }, limits: { cpu: '2' } } }]);
    const m = mutatingAdmission(create('dev'), big, view([dev, limits]));
    assert.ok(m.ok);
    const r = validatingAdmission(create('dev'), m.object, view([dev, limits]));
    assert.ok(!r.ok);
    assert.equal(r.status.code, 403);
    assert.equal(r.status.reason, 'Forbidden');
    assert.equal(r.status.message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
  });
  it('denies below min and above the limit/request ratio', () => {
    const small = pod('s', 'dev', [{ name: 'c', image: 'x', resources: { requests: { cpu: '10m' }, limits: { cpu: '200m' } } }]);
    const r = validatingAdmission(create('dev'), small, view([dev, limits]));
    assert.ok(!r.ok);
    assert.equal(r.status.message, 'pods "s" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, cpu max limit to request ratio per Container is 4, but provided ratio is 20.000000]');
  });
});

describe('Priority', () => {
  it('resolves a class name, rejects unknown ones', () => {
    const pc = { apiVersion: 'scheduling.k8s.io/v1' as const, kind: 'PriorityClass' as const, metadata: { name: 'high' }, value: 1000 };
    const p: Pod = { ...pod('p', 'dev', [{ name: 'c', image: 'x' }]), spec: { containers: [{ name: 'c', image: 'x' }], priorityClassName: 'high' } };
    const r = mutatingAdmission(create('dev'), p, view([dev, pc]));
    assert.ok(r.ok && r.object.kind === 'Pod');
    assert.equal(r.object.spec.priority, 1000);
    const bad: Pod = { ...p, spec: { ...p.spec, priorityClassName: 'nope' } };
    const r2 = mutatingAdmission(create('dev'), bad, view([dev, pc]));
    assert.ok(!r2.ok);
    assert.equal(r2.status.code, 403);
    assert.equal(r2.status.message, 'pods "p" is forbidden: no PriorityClass with name nope was found');
  });
});

describe('image policy', () => {
  const config = { imagePolicy: { rules: [{ namespaceSelector: { matchLabels: { env: 'production' } }, allowedRegistries: ['registry.internal'] }] } };
  it('denies public images in production namespaces with 403', () => {
    const p = pod('web', 'prod', [{ name: 'c', image: 'nginx:1.14.2' }]);
    const r = validatingAdmission(create('prod'), p, view([prod]), config);
    assert.ok(!r.ok);
    assert.equal(r.status.code, 403);
    assert.equal(r.status.message, 'pods "web" is forbidden: image policy webhook backend denied one or more images: image "nginx:1.14.2" (registry docker.io) is not allowed in namespace "prod"; allowed: registry.internal');
  });
  it('allows internal images there and anything elsewhere', () => {
    assert.ok(validatingAdmission(create('prod'), pod('web', 'prod', [{ name: 'c', image: 'registry.internal/web:2' }]), view([prod]), config).ok);
    assert.ok(validatingAdmission(create('dev'), pod('web', 'dev', [{ name: 'c', image: 'nginx' }]), view([dev]), config).ok);
  });
  it('normalises docker references', () => {
    assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx');
    assert.equal(normalizeImage('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
    assert.equal(normalizeImage('localhost:5000/x'), 'localhost:5000/x');
  });
});

describe('ResourceQuota', () => {
  const quota: ResourceQuota = {
    apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute', namespace: 'dev' },
    spec: { hard: { pods: '2', 'requests.cpu': '1' } },
  };
  const withCpu = (name: string, cpu: string): Pod => pod(name, 'dev', [{ name: 'c', image: 'x', resources: { requests: { cpu } } }]);
  it('admits within quota and reports the new usage', () => {
    const r = validatingAdmission(create('dev'), withCpu('a', '500m'), view([dev, quota]));
    assert.ok(r.ok);
    assert.deepEqual(r.quotaUpdates[0]?.status?.used, { pods: '1', 'requests.cpu': '500m' });
  });
  it('counts existing pods when the quota has no status, and denies past hard with 403', () => {
    const existing = withCpu('a', '800m');
    const r = validatingAdmission(create('dev'), withCpu('b', '300m'), view([dev, quota, existing]));
    assert.ok(!r.ok);
    assert.equal(r.status.code, 403);
    assert.equal(r.status.message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=300m, used: requests.cpu=800m, limited: requests.cpu=1');
  });
  it('uses status.used when a controller maintains it', () => {
    const q = { ...quota, status: { hard: quota.spec.hard ?? {}, used: { pods: '2', 'requests.cpu': '0' } } };
    const r = validatingAdmission(create('dev'), withCpu('c', '1m'), view([dev, q]));
    assert.ok(!r.ok);
    assert.match(r.status.message, /exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2$/);
  });
  it('requires requests for constrained resources', () => {
    const r = validatingAdmission(create('dev'), pod('n', 'dev', [{ name: 'c', image: 'x' }]), view([dev, quota]));
    assert.ok(!r.ok);
    assert.equal(r.status.message, 'pods "n" is forbidden: failed quota: compute: must specify requests.cpu');
  });
});

describe('schema validation status', () => {
  it('422 Invalid with causes naming fields', () => {
    const d: Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: -1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const s = schemaValidationStatus(d);
    assert.ok(s !== undefined);
    assert.equal(s.code, 422);
    assert.equal(s.reason, 'Invalid');
    assert.equal(s.message, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    assert.deepEqual(s.details?.causes, [{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  });
  it('rejects changing an immutable selector on update', () => {
    const d: Deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', v: '2' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    const next: Deployment = { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'web', v: '2' } } } };
    const s = schemaValidationStatus(next, d);
    assert.ok(s !== undefined);
    assert.match(s.message, /spec\.selector: Invalid value: .*: field is immutable/);
  });
});

const ADMISSION_SEED = 4246;
const cpuArb = fc.option(fc.constantFrom('0', '10m', '100m', '250m', '1', '1500m', '4'), { nil: undefined });
const listArb = fc.record({ cpu: cpuArb, memory: fc.option(fc.constantFrom('1Mi', '64Mi', '1Gi'), { nil: undefined }) })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Record<string, string>);

describe(`admission properties (fast-check seed ${ADMISSION_SEED})`, () => {
  it('admission never throws; every denial is a 403 Status naming the pod', () => {
    fc.assert(fc.property(listArb, listArb, listArb, listArb, listArb, fc.option(listArb, { nil: undefined }), (requests, lims, min, max, def, hard) => {
      const lr: LimitRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'dev' }, spec: { limits: [{ type: 'Container', min, max, default: def }] } };
      const objs: KubeObject[] = [dev, lr];
      if (hard !== undefined) objs.push({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'dev' }, spec: { hard: Object.fromEntries(Object.entries(hard).map(([k, v]) => [`requests.${k}`, v])) } });
      const p = pod('p', 'dev', [{ name: 'c', image: 'x', resources: { requests, limits: lims } }]);
      const m = mutatingAdmission(create('dev'), p, view(objs));
      if (!m.ok) return false;
      const v = validatingAdmission(create('dev'), m.object, view(objs));
      return v.ok || (v.status.code === 403 && v.status.reason === 'Forbidden' && v.status.message.startsWith('pods "p" is forbidden: '));
    }), { seed: ADMISSION_SEED, numRuns: 500 });
  });
  it('mutating admission is idempotent', () => {
    fc.assert(fc.property(listArb, listArb, (requests, def) => {
      const lr: LimitRange = { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'dev' }, spec: { limits: [{ type: 'Container', default: def }] } };
      const p = pod('p', 'dev', [{ name: 'c', image: 'x', resources: { requests } }]);
      const once = mutatingAdmission(create('dev'), p, view([dev, lr]));
      if (!once.ok) return false;
      const twice = mutatingAdmission(create('dev'), once.object, view([dev, lr]));
      return twice.ok && JSON.stringify(twice.object) === JSON.stringify(once.object);
    }), { seed: ADMISSION_SEED, numRuns: 300 });
  });
});

describe('admission shares what a template shares', () => {
  it('pods created from one spec object get one admitted spec, equal to admitting a fresh copy; other settings get their own', () => {
    const high = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000, globalDefault: true } as const;
    const template: Pod['spec'] = { containers: [{ name: 'c', image: 'nginx:1', resources: { requests: { cpu: '100m' } } }] };
    const v = view([high]);
    const admit = (name: string, spec: Pod['spec'], seconds = 300, objects = v): Pod => {
      const r = mutatingAdmission(create(), { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec }, objects, { namespaceLifecycle: false, notReadyTolerationSeconds: seconds });
      assert.ok(r.ok && r.object.kind === 'Pod');
      return r.object;
    };
    const a = admit('a', template);
    const b = admit('b', template);
    assert.equal(a.spec, b.spec);
    assert.deepEqual(admit('fresh', structuredClone(template)).spec, a.spec);
    assert.equal(a.spec.priority, 1000);
    const other = admit('c', template, 60);
    assert.notEqual(other.spec, a.spec);
    assert.equal(other.spec.tolerations?.[0]?.tolerationSeconds, 60);
    assert.equal(admit('d', template, 300, view([])).spec.priority, 0, 'a class change is seen at once');
  });
});
