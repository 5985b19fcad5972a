import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../../sim/time.js';
import type { Deployment } from '../../../../core/api/types.js';
import { ElectionChecker } from '../../../../core/controlplane/electionChecker.js';
import { buildCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { deployment } from './manifests.js';

function checker(c: TestCluster): ElectionChecker {
  const ch = new ElectionChecker();
  for (const o of c.observations) ch.observe(o.timeUs, o.endpoint, o.obs);
  return ch;
}

/** A leader paused past its lease; the user scales the Deployment as it wakes up. */
function pausedLeaderRun(fencing: boolean): { c: TestCluster; leader: string; resumeUs: number } {
  const c = buildCluster({ masters: 2, workers: 2, separateApiHosts: true, fencing });
  c.sim.at(s(1), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 3), () => undefined)));
  c.sim.run({ until: s(40) });
  const leader = c.masters.find((m) => c.kcmOn(m)?.isLeading() === true);
  assert.ok(leader !== undefined);
  c.sim.pause(leader);
  c.sim.run({ until: s(70) });
  c.sim.resume(leader);
  const resumeUs = c.sim.now;
  c.user().do((cl, ctx) =>
    cl.get(ctx, 'deployments', 'default', 'web', (r) => {
      if (r.ok) cl.update(ctx, 'deployments', { ...(r.object as Deployment), spec: { ...(r.object as Deployment).spec, replicas: 6 } }, () => undefined);
    }),
  );
  c.sim.run({ until: s(120) });
  return { c, leader, resumeUs };
}

test('paused leader wakes believing it leads and writes before its renew fails (fencing off: stale writes accepted)', () => {
  const { c, leader, resumeUs } = pausedLeaderRun(false);
  const ep = `kube-controller-manager@${leader}`;
  const stopped = c.observations.find((o) => o.endpoint === ep && o.obs.type === 'election.belief' && o.obs['leading'] === false);
  assert.ok(stopped !== undefined && stopped.timeUs > resumeUs, 'still believed it led when it woke');
  const st = checker(c).stats(c.sim.now).get('kube-controller-manager');
  assert.ok(st !== undefined);
  assert.equal(st.transitions, 1);
  assert.ok(st.splitBrainSeconds > 0, `split brain ${st.splitBrainSeconds}s`);
  assert.ok(st.staleWrites > 0, `stale writes ${st.staleWrites}`);
  assert.equal(checker(c).fencing(c.sim.now).held, false);
});

test('same run with fencing on: the API server refuses every stale write', () => {
  const { c } = pausedLeaderRun(true);
  const st = checker(c).stats(c.sim.now).get('kube-controller-manager');
  assert.ok(st !== undefined);
  assert.ok(st.splitBrainSeconds > 0);
  assert.equal(st.staleWrites, 0);
  assert.ok(st.fencedWrites > 0, `fenced ${st.fencedWrites}`);
  assert.equal(checker(c).fencing(c.sim.now).held, true);
});
