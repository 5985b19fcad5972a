// etcd snapshots in a whole-cluster run: the scenario knobs (etcd.snapshotCount,
// etcd.snapshotCatchUpEntries) reach the members, a member that was down past the compacted log is
// sent the leader's snapshot, and every invariant still holds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../core/cluster/index.js';
import { loadScenarioFile, parseScenario, resolveScenarioPath, formatLoadError } from '../../../scenarios/index.js';
import { scenarioToYaml } from '../../../scenarios/serialise.js';

describe('etcd snapshots in a cluster run', () => {
  it('etcd-leader-crash with a snapshot every 50 entries: the restarted leader gets InstallSnapshot; invariants hold', () => {
    const loaded = loadScenarioFile(resolveScenarioPath('etcd-leader-crash') ?? '');
    if (!loaded.ok) assert.fail(loaded.errors.map(formatLoadError).join('\n'));
    const base = loaded.scenario;
    const scenario = { ...base, cluster: { ...base.cluster, etcd: { ...base.cluster.etcd, snapshotCount: 50, snapshotCatchUpEntries: 10 } } };
    const r = runScenario(scenario);
    const snaps = r.summary.store.snapshots;
    // ~3 store writes a second for 90 s: several snapshots per member; the old leader is down 20 s
    // (~60 entries, past the 10 kept behind a snapshot), so it catches up by InstallSnapshot.
    assert.ok(snaps.taken >= 6, `snapshots taken ${snaps.taken}`);
    assert.ok(snaps.installed >= 1, `snapshots installed ${snaps.installed}`);
    assert.ok(r.events.some((e) => e.kind === 'store.snapshot'), 'an events.csv row for the InstallSnapshot');
    assert.ok(r.allHeld, JSON.stringify(r.summary.invariants.filter((i) => !i.held)));
    // The default (100,000) never snapshots in a run this short: nothing else changes.
    assert.deepEqual(runScenario(base).summary.store.snapshots, { taken: 0, installed: 0 });
  });

  it('the knobs parse, validate and round-trip through YAML', () => {
    const yaml = (etcd: string): string =>
      `apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  duration: 10s\n  cluster:\n    masters: 3\n    etcd: ${etcd}\n`;
    const ok = parseScenario(yaml('{members: 3, snapshotCount: 500, snapshotCatchUpEntries: 50}'), 's.yaml');
    if (!ok.ok) assert.fail(ok.errors.map(formatLoadError).join('\n'));
    assert.equal(ok.scenario.cluster.etcd.snapshotCount, 500);
    assert.equal(ok.scenario.cluster.etcd.snapshotCatchUpEntries, 50);
    const again = parseScenario(scenarioToYaml(ok.scenario), 'again.yaml');
    assert.ok(again.ok && again.scenario.cluster.etcd.snapshotCount === 500 && again.scenario.cluster.etcd.snapshotCatchUpEntries === 50);
    const bad = parseScenario(yaml('{members: 3, snapshotCount: 0}'), 'bad.yaml');
    assert.ok(!bad.ok);
  });
});
