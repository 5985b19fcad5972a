// The runner: faults fire at the right time on the right target, figures match etcd's documented behaviour (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunResult } from '../../../core/cluster/index.js';
import { parseScenario, formatLoadError } from '../../../scenarios/index.js';

function run(yaml: string, seed = 1): RunResult {
  const r = parseScenario(`apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: t}\nspec:\n${yaml}`, 't.yaml');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  return runScenario(r.scenario, { seed });
}

describe('scenario runner (store)', () => {
  it('etcd leader crash: a new leader within a few election timeouts, nothing lost', () => {
    const r = run('  duration: 60s\n  faults:\n    - {at: 20s, crash: "leader(etcd)", restartAfter: 10s}\n  expect: {convergeWithin: 10s}\n');
    const s = r.summary;
    assert.deepEqual(s.components.slice(0, 2), ['etcd', 'kube-apiserver']);
    // etcd: a follower campaigns after its randomised election timeout in [1s, 2s) (etcd docs, tuning);
    // with pre-vote, a new leader within ~3s of the crash.
    const failover = s.leaderElection['etcd']?.failoverSeconds ?? [];
    assert.equal(failover.length, 1);
    assert.ok((failover[0] ?? 99) >= 1 && (failover[0] ?? 99) < 3, `failover ${failover[0]}`);
    assert.equal(s.store.leaderChanges, 2);
    // The availability prober writes once per second through the API servers.
    assert.ok(s.store.commits > 40, `commits ${s.store.commits}`);
    assert.ok((s.availability.apiWritableFraction ?? 0) > 0.8);
    assert.ok(s.invariants.filter((i) => i.name.startsWith('store.')).every((i) => i.held && i.checked));
    assert.equal(s.convergence.length, 1);
    assert.equal(s.convergence[0]?.injectedAt, 20);
    assert.equal(s.convergence[0]?.healedAt, 30);
    assert.ok(r.allHeld);
    // The leader column is empty right after the crash and names a new member afterwards.
    const at = (t: number): string => r.metrics.find((m) => m.t === t)?.storeLeader ?? '?';
    assert.notEqual(at(19), '');
    assert.equal(at(20), '');
    assert.notEqual(at(25), '');
    assert.notEqual(at(25), at(19));
    assert.deepEqual(r.events.filter((e) => e.kind.startsWith('fault.')).map((e) => [e.t, e.kind]), [[20, 'fault.injected'], [30, 'fault.healed']]);
  });

  it('quorum loss: no leader while 2 of 3 are down, convergence once one returns', () => {
    const r = run('  duration: 60s\n  faults:\n    - {at: 10s, crash: master-1, restartAfter: 20s}\n    - {at: 10s, crash: master-2, restartAfter: 20s}\n');
    const leaders = r.metrics.filter((m) => m.t >= 15 && m.t <= 30).map((m) => m.storeLeader);
    // Without a majority no member can be elected (Raft §5.2): master-3's member alone never leads.
    assert.ok(leaders.every((l) => l === '' || l === 'etcd-3') && leaders.slice(5).every((l) => l === ''), leaders.join());
    const conv = r.summary.convergence;
    assert.equal(conv.length, 2);
    assert.ok(conv.every((c) => c.seconds !== null && c.seconds < 5), JSON.stringify(conv));
    assert.ok(r.allHeld);
  });

  it('a partition isolating the leader moves leadership to the majority', () => {
    const r = run('  duration: 40s\n  faults:\n    - {at: 10s, partition: {isolate: "leader(etcd)"}, for: 15s}\n');
    const before = r.metrics.find((m) => m.t === 9)?.storeLeader;
    const during = r.metrics.find((m) => m.t === 20)?.storeLeader;
    assert.ok(before !== undefined && before !== '' && during !== undefined && during !== '' && during !== before);
    assert.equal(r.metrics.find((m) => m.t === 20)?.partitionsActive, 1);
    assert.equal(r.metrics.find((m) => m.t === 30)?.partitionsActive, 0);
    assert.ok(r.summary.invariants.every((i) => i.held));
  });

  it('a fault whose leader target does not exist is skipped and reported', () => {
    const r = run('  duration: 5s\n  faults:\n    - {at: 0s, crash: "leader(kube-scheduler)"}\n');
    assert.deepEqual(r.events.map((e) => e.kind).filter((k) => k.startsWith('fault')), ['fault.skipped']);
    assert.deepEqual(r.summary.convergence, []);
  });

  it('pod columns stay 0 and leader columns empty for components not in the run', () => {
    const r = run('  duration: 5s\n  cluster: {masters: 0, etcd: {topology: external}}\n');
    for (const m of r.metrics) {
      assert.equal(m.podsPending + m.podsRunning + m.boundThisSecond + m.apiRequests, 0);
      assert.equal(m.schedulerLeader, '');
    }
    const notChecked = r.summary.invariants.filter((i) => !i.checked).map((i) => i.name);
    assert.ok(notChecked.includes('scheduler.noDoubleBinding'));
  });
});

describe('scenario runner (store only)', () => {
  it('without masters, a synthetic store client drives the store', () => {
    const r = run('  duration: 20s\n  cluster: {masters: 0, etcd: {members: 3, topology: external}}\n');
    assert.deepEqual(r.summary.components, ['etcd']);
    assert.ok(r.summary.store.commits > 50, `commits ${r.summary.store.commits}`);
    assert.equal(r.summary.availability.apiWritableFraction, null);
    assert.ok(r.allHeld);
  });
});
