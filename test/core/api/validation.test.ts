import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateObject, validateObjectMeta, validateUpdate } from '../../../core/api/validation.js';
import { deepEqual } from '../../../core/api/equality.js';
import { isDNS1123Subdomain } from '../../../core/api/names.js';
import { decodeObject } from '../../../core/api/decode.js';
import { loadManifests } from '../../../scenarios/manifest.js';
import { formatFieldError } from '../../../core/api/fieldError.js';
import { applyDefaults } from '../../../core/api/admission/defaults.js';
import type { KubeObject, Pod } from '../../../core/api/types.js';

const SEED = 4245;

function errs(obj: KubeObject): string[] {
  return validateObject(obj).map(formatFieldError);
}

const basePod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };

describe('validation by kind', () => {
  it('names: DNS-1123 subdomain for pods, label for namespaces, path segment for RBAC', () => {
    assert.deepEqual(errs({ ...basePod, metadata: { name: 'Web_1' } }).map((e) => e.split(':')[0]), ['metadata.name']);
    assert.equal(errs({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } }).length, 1);
    assert.equal(errs({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'system:kube-scheduler' }, rules: [] }).length, 0);
    assert.deepEqual(errs({ ...basePod, metadata: {} }), ['metadata.name: Required value: name or generateName is required']);
    assert.deepEqual(errs({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', namespace: 'x' } }), ['metadata.namespace: Forbidden: not allowed on this type']);
  });
  it('pods: containers, resources, tolerations, affinity, spread', () => {
    const bad: Pod = {
      ...basePod,
      spec: {
        containers: [
          { name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } },
          { name: 'c', image: 'x', ports: [{ containerPort: 70000 }] },
        ],
        restartPolicy: 'Sometimes' as 'Always',
        tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { tolerationSeconds: 5, operator: 'Exists', effect: 'NoSchedule' }],
        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '' }] } },
        topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }],
      },
    };
    assert.deepEqual(errs(bad), [
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
      'spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[1].name: Duplicate value: "c"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
      "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty',
      'spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero',
    ]);
  });
  it('deployments: selector, strategy, deadlines', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: {
        selector: {}, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } },
        minReadySeconds: 10, progressDeadlineSeconds: 5,
      },
    };
    assert.deepEqual(errs(d), [
      'spec.selector: Invalid value: {}: empty selector is invalid for deployment',
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0',
      'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds',
    ]);
    const recreate: KubeObject = { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'Recreate', rollingUpdate: {} }, template: { ...d.spec.template, spec: { containers: [{ name: 'c', image: 'x' }] } }, progressDeadlineSeconds: 600 } } as KubeObject;
    assert.deepEqual(errs(recreate), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
  });
  it('HPA, Lease, LimitRange, RBAC, PriorityClass', () => {
    assert.deepEqual(errs({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 5, maxReplicas: 2, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] } }), [
      'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
      'spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0',
    ]);
    assert.deepEqual(errs({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l' }, spec: { leaseDurationSeconds: 0 } }), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
    assert.deepEqual(errs({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', min: { cpu: '1' }, max: { cpu: '500m' } }] } }), ['spec.limits[0].min[cpu]: Invalid value: "1": min value 1 is greater than max value 500m']);
    assert.deepEqual(errs({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'x' }, rules: [{ verbs: [], resources: ['pods'] }] }), [
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    ]);
    assert.deepEqual(errs({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }), [
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
    ]);
    assert.deepEqual(errs({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'huge' }, value: 2_000_000_000 }), ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
  });
  it('metadata: every rule, in order, under the path given', () => {
    const meta = {
      name: 'p', namespace: 'default', generation: -1, labels: { 'bad key': 'v', ok: '-x' }, annotations: { 'Bad Key': 'x', ok: 'y' },
      ownerReferences: [{ apiVersion: '', kind: 'K', name: '', uid: 'u', controller: true }, { apiVersion: 'v1', kind: 'K', name: 'n', uid: 'u2', controller: true }],
      finalizers: ['ok/fin', 'a/b/c'],
    };
    assert.deepEqual(validateObjectMeta(meta, true, isDNS1123Subdomain).map((e) => e.field), [
      'metadata.generation', 'metadata.labels', 'metadata.labels[ok]', 'metadata.annotations', 'metadata.ownerReferences[0].apiVersion',
      'metadata.ownerReferences[0].name', 'metadata.ownerReferences', 'metadata.finalizers[1]',
    ]);
    assert.deepEqual(validateObjectMeta({ generateName: 'X', namespace: 'Bad_NS', annotations: { a: 'x'.repeat(300 * 1024) } }, false, isDNS1123Subdomain, 'spec.template.metadata').map(formatFieldError), [
      'spec.template.metadata.generateName: Invalid value: "X": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
      'spec.template.metadata.namespace: Forbidden: not allowed on this type',
      'spec.template.metadata.annotations: Too long: must have at most 262144 bytes',
    ]);
  });
  it('nodes: taints', () => {
    assert.deepEqual(errs({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }] } }), ['spec.taints[1]: Duplicate value: "a:NoSchedule"']);
  });
});

describe('update validation', () => {
  it('pods: only images, tolerations (added) and deadlines may change; nodeName is set once', () => {
    const bound: Pod = { ...basePod, spec: { ...basePod.spec, nodeName: 'n1' } };
    assert.deepEqual(validateUpdate({ ...bound, spec: { ...bound.spec, containers: [{ name: 'c', image: 'nginx:2' }] } }, bound), []);
    assert.deepEqual(validateUpdate({ ...bound, spec: { ...bound.spec, nodeName: 'n2' } }, bound).map((e) => e.field), ['spec.nodeName']);
    assert.deepEqual(validateUpdate({ ...bound, spec: { ...bound.spec, restartPolicy: 'Never' } }, bound).map((e) => e.field), ['spec']);
    assert.deepEqual(validateUpdate(bound, basePod), [], 'binding sets nodeName');
  });
});

describe('decoding', () => {
  it('reports missing required fields by path', () => {
    const r = decodeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } });
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map(formatFieldError), ['spec: Required value']);
    const r2 = decodeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ image: 'x' }] } });
    assert.ok(!r2.ok);
    assert.deepEqual(r2.errors.map(formatFieldError), ['spec.containers[0].name: Required value']);
  });
  it('loads kind: List', () => {
    const r = loadManifests('apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: B}\n', 'l.yaml');
    assert.ok(!r.ok);
    assert.equal(r.errors[0]?.field, 'items[1].metadata.name');
    assert.equal(r.errors[0]?.line, 9);
  });
});

// Every field name the decoder does not know is rejected, wherever it appears.
const pathArb = fc.constantFrom(['spec'], ['spec', 'template'], ['spec', 'template', 'spec'], ['metadata'], ['spec', 'strategy']);
describe(`decoding properties (fast-check seed ${SEED})`, () => {
  it('an unknown field anywhere is an error naming its path', () => {
    fc.assert(fc.property(pathArb, fc.stringMatching(/^x[a-zA-Z]{1,8}$/), (path, field) => {
      const d: Record<string, unknown> = JSON.parse(JSON.stringify({
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
        spec: { selector: { matchLabels: { a: 'b' } }, strategy: {}, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
      })) as Record<string, unknown>;
      let node: Record<string, unknown> = d;
      for (const seg of path) node = node[seg] as Record<string, unknown>;
      node[field] = 1;
      const r = decodeObject(d);
      return !r.ok && r.errors.length === 1 && r.errors[0]?.field === [...path, field].join('.');
    }), { seed: SEED, numRuns: 300 });
  });
  it('defaulting is idempotent and defaulted objects stay valid', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 50 }), fc.constantFrom('Always', 'OnFailure', 'Never' as const), (replicas, restartPolicy) => {
      const p: Pod = { ...basePod, spec: { ...basePod.spec, restartPolicy } };
      const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { replicas, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
      for (const o of [p, d] as KubeObject[]) {
        const once = applyDefaults(o);
        if (JSON.stringify(applyDefaults(once)) !== JSON.stringify(once)) return false;
        if (validateObject(once).length !== 0) return false;
      }
      return true;
    }), { seed: SEED, numRuns: 200 });
  });
});

// deepEqual is upstream's semantic equality of API objects: equal serialised forms once keys are sorted.
const reordered = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(reordered);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)]));
};
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x,
  );
const jsonPair = fc.oneof(
  fc.tuple(fc.jsonValue(), fc.jsonValue()),
  fc.jsonValue().map((a) => [a, a] as const),
  fc.jsonValue().map((a) => [a, JSON.parse(JSON.stringify(a)) as unknown] as const),
  fc.jsonValue().map((a) => [a, reordered(a)] as const),
  fc.jsonValue().map((a) => [{ x: a, y: undefined }, { x: a }] as const),
);
const pending = (tolerations: boolean, restartPolicy: string, image: string): Pod => ({
  ...basePod,
  spec: {
    containers: [{ name: 'c', image, resources: { requests: { cpu: '100m' } } }],
    restartPolicy: restartPolicy as 'Always',
    ...(tolerations ? { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] } : {}),
  },
});
describe(`update validation properties (fast-check seed ${SEED})`, () => {
  it('deepEqual(a, b) is equality of the key-sorted serialised forms (key order and undefined keys do not count)', () => {
    fc.assert(fc.property(jsonPair, ([a, b]) => deepEqual(a, b) === (canonical(a) === canonical(b))), { seed: SEED, numRuns: 2000 });
  });
  it('a binding validates as the same update on fresh copies (the spec cache and nodeName shortcut change nothing)', () => {
    fc.assert(fc.property(
      fc.boolean(), fc.constantFrom('Always', 'Bogus'), fc.constantFrom('nginx', ' nginx'), fc.constantFrom('', 'n1', 'Bad_Node'), fc.constantFrom('', 'n1', 'n2', 'Bad_Node'), fc.boolean(),
      (tolerations, restartPolicy, image, before, after, reorder) => {
        const base = pending(tolerations, restartPolicy, image);
        const prev: Pod = before === '' ? base : { ...base, spec: { ...base.spec, nodeName: before } };
        validateObject(prev); // as the create did: its spec's errors are now cached
        const spec = { ...prev.spec, nodeName: after };
        const next: Pod = { ...prev, spec: reorder ? (reordered(spec) as Pod['spec']) : spec };
        const fresh = validateUpdate(structuredClone(next), structuredClone(prev)).map(formatFieldError);
        return JSON.stringify(validateUpdate(next, prev).map(formatFieldError)) === JSON.stringify(fresh);
      },
    ), { seed: SEED, numRuns: 500 });
  });
});
