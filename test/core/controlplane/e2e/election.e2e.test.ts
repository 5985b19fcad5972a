import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import type { Lease } from '../../../../core/api/types.js';
import { ElectionChecker } from '../../../../core/controlplane/electionChecker.js';
import { buildCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';

function kcmLease(c: TestCluster): Lease | undefined {
  return c.objects<Lease>('/registry/coordination.k8s.io/leases/kube-system/kube-controller-manager')[0];
}

function checker(c: TestCluster): ElectionChecker {
  const ch = new ElectionChecker();
  for (const o of c.observations) ch.observe(o.timeUs, o.endpoint, o.obs);
  return ch;
}

function leaderHost(c: TestCluster): string | undefined {
  return c.masters.find((m) => c.kcmOn(m)?.isLeading() === true);
}

test('three masters: exactly one controller-manager leads, lease created with transitions 0', () => {
  const c = buildCluster({ masters: 3, workers: 1 });
  c.sim.run({ until: s(30) });
  const leaders = c.masters.filter((m) => c.kcmOn(m)?.isLeading() === true);
  assert.equal(leaders.length, 1);
  const lease = kcmLease(c);
  assert.equal(lease?.spec.leaseTransitions, 0);
  assert.equal(lease?.spec.holderIdentity, `${leaders[0]}_kube-controller-manager`);
});

test('leader crash: a standby holds the lease within 13–24s with leaseTransitions + 1', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const c = buildCluster({ masters: 3, workers: 1, seed });
    c.sim.run({ until: s(30) });
    const leader = leaderHost(c);
    assert.ok(leader !== undefined);
    const crashAt = c.sim.now;
    c.sim.crash(leader);
    c.sim.run({ until: s(70) });
    const lease = kcmLease(c);
    assert.equal(lease?.spec.leaseTransitions, 1, `seed ${seed}`);
    const acquired = c.observations.find((o) => o.timeUs > crashAt && o.obs.type === 'election.belief' && o.obs['leading'] === true && o.obs['component'] === 'kube-controller-manager');
    assert.ok(acquired !== undefined);
    const failover = (acquired.timeUs - crashAt) / 1e6;
    assert.ok(failover >= 13 && failover <= 24, `seed ${seed}: standby took over ${failover}s after the crash`);
    const st = checker(c).stats(c.sim.now).get('kube-controller-manager');
    assert.equal(st?.transitions, 1);
    assert.equal(st?.splitBrainSeconds, 0);
  }
});

test('isolated leader stops leading about 12s after its last successful renew', () => {
  const c = buildCluster({ masters: 3, workers: 1, separateApiHosts: true });
  c.sim.run({ until: s(30) });
  const leader = leaderHost(c);
  assert.ok(leader !== undefined);
  const others = c.sim.hostNames().filter((h) => h !== leader);
  c.sim.network.partition([[leader], others]);
  c.sim.run({ until: s(60) });
  const ep = `kube-controller-manager@${leader}`;
  const lastRenew = c.observations.filter((o) => o.endpoint === ep && o.obs.type === 'election.renew').at(-1);
  const stopped = c.observations.find((o) => o.endpoint === ep && o.obs.type === 'election.belief' && o.obs['leading'] === false);
  assert.ok(lastRenew !== undefined && stopped !== undefined);
  const gap = (stopped.timeUs - lastRenew.timeUs) / 1e6;
  assert.ok(gap > 11.5 && gap < 12.5, `stopped ${gap}s after its last renew`);
});

test('slow-clock leader (rate ratio 2) cut off from the API servers still leads when the standby takes over', () => {
  const c = buildCluster({ masters: 2, workers: 1, separateApiHosts: true });
  c.sim.run({ until: s(30) });
  const leader = leaderHost(c);
  assert.ok(leader !== undefined);
  c.sim.setClockDrift(leader, -0.5);
  const others = c.sim.hostNames().filter((h) => h !== leader);
  c.sim.network.partition([[leader], others]);
  c.sim.run({ until: s(90) });
  const st = checker(c).stats(c.sim.now).get('kube-controller-manager');
  assert.ok(st !== undefined && st.splitBrainSeconds > 0, `split brain ${st?.splitBrainSeconds}s`);
  assert.equal(kcmLease(c)?.spec.leaseTransitions, 1);
});
