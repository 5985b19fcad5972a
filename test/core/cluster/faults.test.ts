// Fault targets: a component instance or a leader is one process; hosts and groups are machines (issue 7, SPEC fault targets).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunResult } from '../../../core/cluster/index.js';
import { parseScenario, formatLoadError } from '../../../scenarios/index.js';

function run(yaml: string, seed = 1): RunResult {
  const r = parseScenario(`apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: t}\nspec:\n${yaml}`, 't.yaml');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  return runScenario(r.scenario, { seed });
}

describe('fault targets', () => {
  it('crashing leader(etcd) kills the etcd process only: its master keeps serving the API', () => {
    const r = run('  duration: 40s\n  cluster: {masters: 3}\n  faults:\n    - {at: 10s, crash: "leader(etcd)", restartAfter: 20s}\n');
    const fault = r.events.find((e) => e.kind === 'fault.injected');
    assert.match(fault?.subject ?? '', /→ etcd-\d$/, 'resolved to the etcd member, not its host');
    // The API servers on all three masters stay up, so only the etcd election (1–3 s) and the API
    // servers' store-client failover cost writes: at least as available as losing the whole master.
    const hostCrash = run('  duration: 40s\n  cluster: {masters: 3}\n  faults:\n    - {at: 10s, crash: master-1, restartAfter: 20s}\n');
    const writable = r.summary.availability.apiWritableFraction ?? 0;
    assert.ok(writable > 0.75, `writable ${writable}`);
    assert.ok(writable >= (hostCrash.summary.availability.apiWritableFraction ?? 0), 'a process crash costs no more than a host crash');
    assert.ok(r.summary.components.includes('kube-apiserver'));
    const failover = r.summary.leaderElection['etcd']?.failoverSeconds ?? [];
    assert.equal(failover.length, 1);
    assert.ok(r.summary.invariants.filter((i) => i.name.startsWith('store.')).every((i) => i.held));
  });

  it('crashing a host takes down every process on it', () => {
    const r = run('  duration: 40s\n  cluster: {masters: 3}\n  faults:\n    - {at: 10s, crash: master-1, restartAfter: 20s}\n');
    const fault = r.events.find((e) => e.kind === 'fault.injected');
    assert.equal(fault?.subject, 'crash master-1');
    assert.ok(r.summary.invariants.filter((i) => i.name.startsWith('store.')).every((i) => i.held));
  });

  it('crashing kube-scheduler@master-1 stops that scheduler alone; a standby takes the lease', () => {
    const r = run(
      '  duration: 90s\n  cluster: {masters: 3}\n  faults:\n    - {at: 30s, crash: "leader(kube-scheduler)"}\n',
    );
    const fault = r.events.find((e) => e.kind === 'fault.injected');
    assert.match(fault?.subject ?? '', /→ kube-scheduler@master-\d$/);
    // client-go: a standby acquires once leaseDuration (15 s) has passed by its own clock since it last
    // saw the record change, polled every retryPeriod × [1, 2.2): 13–24 s after the last renew.
    const failover = r.summary.leaderElection['kube-scheduler']?.failoverSeconds ?? [];
    assert.equal(failover.length, 1);
    assert.ok((failover[0] ?? 0) >= 13 && (failover[0] ?? 99) <= 24, `failover ${failover[0]}`);
    // The crashed scheduler's master still runs its API server and etcd member: no store election.
    assert.equal(r.summary.store.leaderChanges, 1);
  });
});
