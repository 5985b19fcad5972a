// The scenario loader: defaults, units, manifests by file, and located errors (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenario, loadScenarioFile, formatLoadError, builtinScenarioNames, resolveScenarioPath } from '../../scenarios/index.js';
import { DEFAULT_CLUSTER, DEFAULT_INVARIANTS } from '../../core/cluster/index.js';

const HEAD = 'apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: t}\n';

function errorsOf(text: string, file = 'bad.yaml'): string[] {
  const r = parseScenario(text, file);
  assert.equal(r.ok, false, 'expected errors');
  return r.ok ? [] : r.errors.map(formatLoadError);
}

describe('scenario loader', () => {
  it('fills every default for a minimal scenario', () => {
    const r = parseScenario(`${HEAD}spec: {}\n`, 'min.yaml');
    assert.ok(r.ok);
    if (!r.ok) return;
    const sc = r.scenario;
    assert.equal(sc.seed, 1);
    assert.equal(sc.durationUs, 300_000_000);
    assert.deepEqual(sc.cluster, DEFAULT_CLUSTER);
    assert.deepEqual(sc.invariants, DEFAULT_INVARIANTS);
    assert.deepEqual(sc.workload, []);
    assert.deepEqual(sc.faults, []);
    assert.deepEqual(sc.expect, {});
    // Upstream defaults this project documents.
    assert.equal(sc.cluster.leaderElection.leaseDurationUs, 15_000_000);
    assert.equal(sc.cluster.nodeLifecycle.gracePeriodUs, 50_000_000);
    assert.equal(sc.cluster.etcd.electionTimeoutUs, 1_000_000);
  });

  it('parses units, quantities, pools, workload and every fault kind', () => {
    const text = `${HEAD}spec:
  duration: 1h30m
  cluster:
    masters: 3
    nodes:
      - {count: 2, namePrefix: worker, capacity: {cpu: "500m", memory: 1Gi, pods: 10}, labels: {zone: a}, taints: [{key: k, effect: NoSchedule}]}
    network: {latency: {median: 250us, p99: 2ms}}
  workload:
    - at: 0s
      apply: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: web:v1}]}}
    - at: 1s
      arrivals: {rate: 3/m, for: 10m, lifetime: {mean: 5m}, template: {containers: [{name: c, image: x}]}}
    - {at: 2s, set: {kind: Deployment, name: web, path: "spec.template.spec.containers[0].image", value: "web:v2"}}
    - {at: 3s, rollback: {deployment: web, toRevision: 1}}
    - {at: 4s, load: {deployment: web, cpu: 1800m}}
    - {at: 5s, delete: {name: p}}
    - {at: 6s, scale: {deployment: web, replicas: 5}}
  faults:
    - {at: 2m, crash: "leader(kube-scheduler)", restartAfter: 30s}
    - {at: 3m, partition: [[master-1], [master-2, master-3, workers]], for: 2m}
    - {at: 4m, clockSkew: {host: master-2, offset: -20s}}
    - {at: 4m, pause: "leader(kube-controller-manager)", for: 20s}
    - {at: 6m, crash: worker-2}
    - {at: 7m, loss: 0.2, for: 10s}
    - {at: 8m, latency: {median: 50ms, p99: 200ms}, for: 10s}
    - {at: 9m, slowDisk: {host: etcd-1, factor: 10}, for: 1m}
    - {at: 10m, partition: {isolate: "leader(etcd)"}, for: 30s}
    - {at: 11m, partition: {split: etcd, leaderIn: minority}, for: 30s}
    - {at: 12m, crash: kube-scheduler@master-1}
  expect: {convergeWithin: 10m}
`;
    const r = parseScenario(text, 'full.yaml');
    if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
    const sc = r.scenario;
    assert.equal(sc.durationUs, 5400_000_000);
    const pool = sc.cluster.nodePools[0];
    assert.deepEqual(pool?.capacity, { cpuMilli: 500, memoryBytes: 1024 ** 3, pods: 10 });
    assert.equal(sc.cluster.network.latency.medianUs, 250);
    assert.deepEqual(sc.workload.map((w) => w.type), ['apply', 'arrivals', 'set', 'rollback', 'load', 'delete', 'scale']);
    const arrivals = sc.workload[1];
    assert.ok(arrivals?.type === 'arrivals');
    assert.equal(arrivals.ratePerSec, 3 / 60);
    assert.deepEqual(arrivals.lifetime, { type: 'exponential', meanUs: 300_000_000 });
    assert.deepEqual(arrivals.template, { spec: { containers: [{ name: 'c', image: 'x' }] } });
    assert.equal(sc.faults.length, 11);
    assert.deepEqual(sc.faults[0], { kind: 'crash', atUs: 120_000_000, target: { type: 'leader', component: 'kube-scheduler' }, restartAfterUs: 30_000_000 });
    assert.deepEqual(sc.faults[2], { kind: 'clockSkew', atUs: 240_000_000, target: { type: 'host', host: 'master-2' }, offsetUs: -20_000_000 });
    // Stacked etcd: etcd-1 names the member on master-1.
    assert.deepEqual(sc.faults[7], { kind: 'slowDisk', atUs: 540_000_000, target: { type: 'instance', component: 'etcd', host: 'master-1' }, factor: 10, forUs: 60_000_000 });
    assert.ok(sc.invariants.includes('liveness.convergesWithin'));
  });

  it('loads manifests from a file relative to the scenario, multi-document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-loader-'));
    mkdirSync(join(dir, 'manifests'));
    writeFileSync(
      join(dir, 'manifests', 'web.yaml'),
      `${readFileSync(new URL('./fixtures/nginx-deployment.yaml', import.meta.url), 'utf8')}---
apiVersion: v1
kind: Pod
metadata: {name: solo}
spec: {containers: [{name: c, image: x}]}
`,
    );
    writeFileSync(join(dir, 's.yaml'), `${HEAD}spec:\n  workload:\n    - {at: 0s, apply: {file: manifests/web.yaml}}\n`);
    const r = loadScenarioFile(join(dir, 's.yaml'));
    if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
    const step = r.scenario.workload[0];
    assert.ok(step?.type === 'apply');
    assert.deepEqual(step.manifests.map((m) => m['kind']), ['Deployment', 'Pod']);
  });

  it('reports errors in a manifest file at that file\'s line and column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-loader-'));
    writeFileSync(join(dir, 'm.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: x}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers:\n  - name: c\n    imagee: x\n');
    writeFileSync(join(dir, 's.yaml'), `${HEAD}spec:\n  workload:\n    - {at: 0s, apply: {file: m.yaml}}\n`);
    const r = loadScenarioFile(join(dir, 's.yaml'));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.ok(r.errors.length >= 1);
    assert.match(formatLoadError(r.errors[0] ?? assert.fail()), /m\.yaml:12:5: spec\.containers\[0\]\.imagee: /);
  });

  it('names file:line:col and the field path for each error, all at once', () => {
    const errors = errorsOf(`${HEAD}spec:
  duration: 10
  cluster:
    etcd: {members: 3, heartbeatInterval: 2s, electionTimeout: 1s}
    leaderElection: {leaseDuration: 10s, renewDeadline: 10s}
  faults:
    - {at: 1s, crash: master-1}
    - {at: 2s, crash: "leader(kube-apiserver)"}
    - {at: 3s, partition: [[master-1], [master-9]], for: 2m}
    - {at: 5s, pause: master-1}
    - {at: 5x, crash: master-2}
  invariants: [default, store.bogus]
`);
    assert.deepEqual(errors, [
      'bad.yaml:5:13: spec.duration: duration 10 needs a unit: us, ms, s, m or h (e.g. 10s)',
      'bad.yaml:7:64: spec.cluster.etcd.electionTimeout: electionTimeout must be greater than heartbeatInterval',
      'bad.yaml:8:37: spec.cluster.leaderElection.leaseDuration: leaseDuration must be greater than renewDeadline',
      'bad.yaml:11:23: spec.faults[1].crash: leader(...) takes one of etcd, kube-scheduler, kube-controller-manager',
      'bad.yaml:12:41: spec.faults[2].partition[1][0]: unknown target "master-9"; expected a host (master-1, master-2, master-3), a group (masters, workers, etcd), component@host or leader(component)',
      'bad.yaml:13:7: spec.faults[3].for: a pause needs for: how long the process is stopped',
      'bad.yaml:14:12: spec.faults[4].at: invalid duration "5x" at "5x"; expected a number with a unit us, ms, s, m or h (e.g. 500us, 2s, 1m30s)',
      'bad.yaml:15:25: spec.invariants[1]: unknown invariant "store.bogus"; see kubesim list invariants',
    ]);
  });

  it('decodes inline manifests with the API model and locates their errors in the scenario', () => {
    const errors = errorsOf(`${HEAD}spec:
  workload:
    - at: 0s
      apply:
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - {name: c, image: x, imagePullPolicy: Sometimes}
`);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /^bad\.yaml:13:\d+: spec\.workload\[0\]\.apply\.spec\.containers\[0\]\.imagePullPolicy: /);
  });

  it('rejects renewDeadline ≤ 1.2 × retryPeriod, unknown fields, and stacked etcd larger than the masters', () => {
    const errors = errorsOf(`${HEAD}spec:
  cluster:
    masters: 1
    leaderElection: {leaseDuration: 15s, renewDeadline: 2s, retryPeriod: 2s}
    etcd: {members: 3}
    netwrok: {}
`);
    assert.deepEqual(errors, [
      'bad.yaml:7:57: spec.cluster.leaderElection.renewDeadline: renewDeadline must be greater than 1.2 × retryPeriod',
      'bad.yaml:8:21: spec.cluster.etcd.members: stacked etcd puts one member on each master: 3 members need 3 masters, not 1',
      'bad.yaml:9:5: spec.cluster.netwrok: unknown field "netwrok"; expected one of masters, etcd, nodes, network, leaderElection, nodeLifecycle, scheduler, clientRateLimits, images',
    ]);
  });

  it('reports YAML syntax errors and a wrong header without a stack trace', () => {
    assert.match(errorsOf('spec: [unclosed\n')[0] ?? '', /^bad\.yaml:\d+:\d+: YAML syntax: /);
    assert.deepEqual(errorsOf('apiVersion: v2\nkind: Scenario\nmetadata: {name: x}\nspec: {}\n'), ['bad.yaml:1:13: apiVersion: apiVersion must be kubesim/v1']);
    assert.deepEqual(errorsOf('apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: x}\n'), ['bad.yaml:1:1: spec: required field is missing']);
  });

  it('every built-in scenario loads', () => {
    assert.ok(builtinScenarioNames().includes('etcd-leader-crash'));
    for (const name of builtinScenarioNames()) {
      const r = loadScenarioFile(resolveScenarioPath(name) ?? '');
      if (!r.ok) assert.fail(`${name}: ${r.errors.map(formatLoadError).join('\n')}`);
      assert.equal(r.scenario.name, name);
      assert.notEqual(r.scenario.description, '');
    }
  });
});
