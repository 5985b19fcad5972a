// The fuzzer finds a planted bug, shrinks it, and writes a counterexample that replays bit for bit (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzz } from '../../cli/fuzz.js';
import { loadScenarioFile, formatLoadError } from '../../scenarios/index.js';
import { runScenario } from '../../core/cluster/index.js';

const FUZZ_SEED = 7;

function scenarioFile(dir: string, unsafe: boolean): string {
  const path = join(dir, `store-${String(unsafe)}.yaml`);
  writeFileSync(
    path,
    `apiVersion: kubesim/v1
kind: Scenario
metadata: {name: store-${unsafe ? 'broken' : 'ok'}}
spec:
  duration: 40s
  cluster:
    masters: 0
    etcd: {members: 3, topology: external${unsafe ? ', unsafeCommitWithoutQuorum: true' : ''}}
`,
  );
  return path;
}

describe(`kubesim fuzz (fast-check seed ${FUZZ_SEED})`, () => {
  it('finds the planted commit-without-quorum bug, shrinks it, and the counterexample replays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-fuzz-'));
    const path = scenarioFile(dir, true);
    const loaded = loadScenarioFile(path);
    if (!loaded.ok) assert.fail(loaded.errors.map(formatLoadError).join('\n'));
    const out = join(dir, 'out');
    const outcome = fuzz({ scenario: loaded.scenario, path, arg: path }, { runs: 40, seed: FUZZ_SEED, kinds: ['crash', 'partition'], out, quiet: true });
    assert.ok(outcome.found, 'the planted bug is found');
    assert.ok((outcome.counterexample?.faults.length ?? 99) <= 2, `shrunk to ${outcome.counterexample?.faults.length}`);
    const names = (outcome.violated ?? []).map((v) => v.name);
    assert.ok(names.some((n) => n === 'store.durability' || n === 'store.logMatching' || n === 'store.linearizable'), names.join());
    // counterexample.yaml is a scenario that replays to the same violation and trace hash.
    const replay = loadScenarioFile(join(out, 'counterexample.yaml'));
    if (!replay.ok) assert.fail(replay.errors.map(formatLoadError).join('\n'));
    const result = runScenario(replay.scenario);
    assert.equal(result.summary.traceHash, outcome.traceHash);
    assert.deepEqual(result.summary.invariants.filter((i) => !i.held).map((i) => i.name), names);
  });

  it('the same store without the bug survives the same schedules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-fuzz-'));
    const path = scenarioFile(dir, false);
    const loaded = loadScenarioFile(path);
    if (!loaded.ok) assert.fail(loaded.errors.map(formatLoadError).join('\n'));
    const outcome = fuzz({ scenario: loaded.scenario, path, arg: path }, { runs: 15, seed: FUZZ_SEED, kinds: ['crash', 'partition'], out: join(dir, 'out'), quiet: true });
    assert.equal(outcome.found, false, JSON.stringify(outcome.violated));
  });
});
