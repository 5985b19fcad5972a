// The kubesim command line, spawned as users run it: exit codes 0/1/2/3 and outputs (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kubesim.js');

function kubesim(args: readonly string[], cwd?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: cwd ?? process.cwd(), timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kubesim-cli-'));

describe('kubesim CLI', () => {
  it('run: exit 0, writes the four outputs, --json prints summary.json', () => {
    const out = tmp();
    const r = kubesim(['run', 'etcd-leader-crash', '--seed', '3', '--out', out, '--json', '--until', '60s']);
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Record<string, unknown>;
    const written = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(printed, written);
    assert.deepEqual(Object.keys(written).slice(0, 7), ['scenario', 'seed', 'version', 'simulatedSeconds', 'wallSeconds', 'events', 'traceHash']);
    assert.equal(written['seed'], 3);
    assert.equal(written['simulatedSeconds'], 60);
    for (const f of ['summary.json', 'metrics.csv', 'events.csv', 'report.html']) assert.ok(existsSync(join(out, f)), f);
    assert.deepEqual(readdirSync(out).sort(), ['events.csv', 'metrics.csv', 'report.html', 'summary.json']);
    const metrics = readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n');
    assert.equal(metrics[0], 't,podsPending,podsRunning,podsReady,podsTerminating,boundThisSecond,storeLeader,storeTerm,schedulerLeader,controllerManagerLeader,apiRequests,apiErrors,partitionsActive,storeCommits');
    assert.equal(metrics.filter((l) => l !== '').length, 1 + 61);
    assert.match(readFileSync(join(out, 'events.csv'), 'utf8'), /^t,kind,subject,detail\n/);
  });

  it('run: exit 1 when an invariant is violated, and still writes every output', () => {
    const dir = tmp();
    // Two of three members gone for good: no quorum, so the store never converges again.
    writeFileSync(
      join(dir, 'quorum.yaml'),
      `apiVersion: kubesim/v1
kind: Scenario
metadata: {name: quorum-gone}
spec:
  duration: 30s
  faults:
    - {at: 10s, crash: master-1}
    - {at: 10s, crash: master-2}
  expect: {convergeWithin: 5s}
`,
    );
    const r = kubesim(['run', 'quorum.yaml', '--out', 'o', '--quiet'], dir);
    assert.equal(r.code, 1, r.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'o', 'summary.json'), 'utf8')) as { invariants: Array<{ name: string; held: boolean }> };
    assert.equal(summary.invariants.find((i) => i.name === 'liveness.convergesWithin')?.held, false);
    assert.match(readFileSync(join(dir, 'o', 'events.csv'), 'utf8'), /invariant\.violated,liveness\.convergesWithin/);
  });

  it('exit 2 for bad input and usage, with located errors and nothing written', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: b}\nspec:\n  duration: 10\n');
    const bad = kubesim(['run', 'bad.yaml', '--out', 'o'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.yaml:5:13: spec\.duration: duration 10 needs a unit/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(existsSync(join(dir, 'o')), false);
    assert.equal(kubesim(['run', 'no-such-scenario'], dir).code, 2);
    assert.equal(kubesim(['frobnicate'], dir).code, 2);
    assert.equal(kubesim(['run', 'etcd-leader-crash', '--seed', 'abc'], dir).code, 2);
    assert.equal(kubesim(['run', 'etcd-leader-crash', '--until', '10'], dir).code, 2);
    assert.equal(kubesim(['run', 'etcd-leader-crash', '--policy', 'nope'], dir).code, 2);
    const v = kubesim(['validate', 'bad.yaml', 'etcd-leader-crash'], dir);
    assert.equal(v.code, 2);
    assert.match(v.stdout, /etcd-leader-crash\.yaml: ok/);
    assert.equal(kubesim(['validate', 'etcd-leader-crash'], dir).code, 0);
  });

  it('exit 3 for an internal error, printing the seed and the replay command', () => {
    const dir = tmp();
    const r = kubesim(['run', 'etcd-leader-crash', '--seed', '5', '--max-events', '500', '--out', 'o'], dir);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /seed: 5\nreplay: kubesim run etcd-leader-crash --seed 5 --max-events 500\n/);
    assert.equal(existsSync(join(dir, 'o')), false, 'nothing half-written');
  });

  it('list prints scenarios, policies, invariants and faults', () => {
    const r = kubesim(['list']);
    assert.equal(r.code, 0);
    for (const s of ['etcd-leader-crash', 'store.linearizable', 'election.noSplitBrain', 'clockSkew', 'default']) assert.ok(r.stdout.includes(s), s);
    assert.equal(kubesim(['list', 'faults']).code, 0);
    assert.equal(kubesim(['list', 'nonsense']).code, 2);
  });
});
