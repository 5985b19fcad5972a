// `custom` scheduler policies: a TypeScript module with plugins and weights, loaded by the CLI (issue 6).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kubesim.js');
const FIXTURES = join(import.meta.dirname, 'fixtures');

function kubesim(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function scenario(dir: string, policy: string): string {
  const path = join(dir, 'custom.yaml');
  writeFileSync(
    path,
    `apiVersion: kubesim/v1
kind: Scenario
metadata: {name: custom-policy}
spec:
  duration: 40s
  cluster:
    masters: 1
    etcd: {members: 1}
    nodes:
      - {count: 3, namePrefix: plain, capacity: {cpu: "4", memory: 16Gi, pods: 110}}
      - {count: 2, namePrefix: preferred, capacity: {cpu: "4", memory: 16Gi, pods: 110}, labels: {kubesim.io/preferred: "true"}}
    scheduler: {policy: ${policy}}
  workload:
    - at: 1s
      apply:
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 6
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - {name: web, image: web:v1, resources: {requests: {cpu: 100m, memory: 64Mi}}}
`,
  );
  return path;
}

function scheduledNodes(outDir: string): string[] {
  const csv = readFileSync(join(outDir, 'events.csv'), 'utf8').trim().split('\n').slice(1);
  return csv.map((line) => line.split(',')).filter((cells) => cells[1] === 'pod.scheduled').map((cells) => cells[3] ?? '');
}

describe('custom scheduler policies', () => {
  it('a module named in the scenario (relative to it) places every pod by its plugin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-custom-'));
    const path = scenario(dir, JSON.stringify(join(FIXTURES, 'preferred-nodes-policy.ts')));
    const out = join(dir, 'out');
    const r = kubesim(['run', path, '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const nodes = scheduledNodes(out);
    assert.equal(nodes.length, 6);
    assert.ok(nodes.every((n) => n.startsWith('preferred-')), `bound to ${nodes.join(' ')}`);
    // The base policy is spread, so the two preferred nodes share the pods.
    assert.equal(new Set(nodes).size, 2);
  });

  it('--policy with a module path overrides a built-in policy; the built-in alone spreads over all nodes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-custom-'));
    const path = scenario(dir, 'spread');
    const builtin = join(dir, 'builtin');
    assert.equal(kubesim(['run', path, '--out', builtin, '--quiet']).code, 0);
    assert.ok(scheduledNodes(builtin).some((n) => n.startsWith('plain-')), 'spread uses the plain nodes too');
    const custom = join(dir, 'custom');
    const r = kubesim(['run', path, '--out', custom, '--quiet', '--policy', join(FIXTURES, 'preferred-nodes-policy.ts')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(scheduledNodes(custom).every((n) => n.startsWith('preferred-')));
  });

  it('a module with the wrong exports is bad input: exit 2 and every problem named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-custom-'));
    const path = scenario(dir, 'default');
    const r = kubesim(['run', path, '--out', join(dir, 'out'), '--policy', join(FIXTURES, 'broken-policy.ts')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /plugins\.NotAFactory must be a factory function/);
    assert.match(r.stderr, /weights\.NotAFactory must be a number/);
  });

  it('an unknown policy name in a scenario is a located validation error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-custom-'));
    const path = scenario(dir, 'fastest');
    const r = kubesim(['validate', path]);
    assert.equal(r.code, 2);
    assert.match(r.stderr + r.stdout, /custom\.yaml:\d+:\d+: spec\.cluster\.scheduler\.policy: unknown scheduler policy "fastest"/);
  });
});
