// kubesim compare: policies × seeds on worker threads, comparison.csv and the CI table (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meanCi } from '../../cli/compare.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kubesim.js');

describe('kubesim compare', () => {
  it('mean and 95% confidence interval (Student t)', () => {
    assert.deepEqual(meanCi([]), null);
    assert.deepEqual(meanCi([3]), { mean: 3, ci: 0 });
    const r = meanCi([1, 2, 3, 4]);
    // sd = 1.29099, t(3) = 3.182 → 3.182 × 1.29099 / 2 = 2.054
    assert.ok(r !== null && r.mean === 2.5 && Math.abs(r.ci - 2.054) < 0.001);
  });

  it('writes one row per policy and seed with the SPEC columns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-compare-'));
    writeFileSync(
      join(dir, 'small.yaml'),
      `apiVersion: kubesim/v1
kind: Scenario
metadata: {name: small}
spec:
  duration: 30s
  cluster:
    masters: 1
    etcd: {members: 1}
    nodes: [{count: 2, namePrefix: worker}]
  workload:
    - at: 2s
      arrivals: {rate: 2/s, for: 20s, template: {containers: [{name: c, image: x, resources: {requests: {cpu: 100m}}}]}}
`,
    );
    const r = spawnSync(process.execPath, [BIN, 'compare', 'small.yaml', '--policies', 'default,bin-pack', '--seeds', '1..2', '--out', 'cmp'], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = readFileSync(join(dir, 'cmp', 'comparison.csv'), 'utf8').trim().split('\n');
    assert.equal(lines[0], 'policy,seed,throughputPerSec,latencyP50Ms,latencyP99Ms,podStartupP99Ms,utilisationMean,utilisationMax,nodesUsed,fragmentation,preemptions,reschedules,convergenceSeconds');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')), ['default,1', 'default,2', 'bin-pack,1', 'bin-pack,2']);
    assert.match(r.stdout, /throughputPerSec\s+[\d.]+ ± [\d.]+/);
    assert.equal(spawnSync(process.execPath, [BIN, 'compare', 'small.yaml', '--policies', 'nope'], { cwd: dir, encoding: 'utf8' }).status, 2);
  });
});
