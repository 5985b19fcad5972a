import { s } from '../../../../sim/time.js';
import { ElectionChecker } from '../../../../core/controlplane/electionChecker.js';
import { buildCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { deployment } from './manifests.js';
import type { Deployment } from '../../../../core/api/types.js';

const chk = (c: TestCluster): ElectionChecker => {
  const ch = new ElectionChecker();
  for (const o of c.observations) ch.observe(o.timeUs, o.endpoint, o.obs);
  return ch;
};
const leaderOf = (c: TestCluster): string => c.masters.find((m) => c.kcmOn(m)?.isLeading() === true) ?? '';
const fo: number[] = [];
const fo2: number[] = [];
for (let seed = 1; seed <= 30; seed++) {
  const c = buildCluster({ masters: 3, workers: 1, seed });
  c.sim.run({ until: s(30) });
  const l = leaderOf(c);
  const t0 = c.sim.now;
  c.sim.crash(l);
  c.sim.run({ until: s(80) });
  const a = c.observations.find((o) => o.timeUs > t0 && o.obs.type === 'election.belief' && o.obs['leading'] === true);
  fo.push(((a?.timeUs ?? 0) - t0) / 1e6);
  fo2.push(chk(c).stats(c.sim.now).get('kube-controller-manager')?.failoverSeconds[0] ?? -1);
}
console.log('crash→acquire s: min', Math.min(...fo).toFixed(2), 'mean', (fo.reduce((a, b) => a + b) / fo.length).toFixed(2), 'max', Math.max(...fo).toFixed(2));
console.log('failover (last renew→acquire) s: min', Math.min(...fo2).toFixed(2), 'max', Math.max(...fo2).toFixed(2));
for (const drift of [-0.2, -1 / 3, -0.5]) {
  const c = buildCluster({ masters: 2, workers: 1, separateApiHosts: true });
  c.sim.run({ until: s(30) });
  const l = leaderOf(c);
  c.sim.setClockDrift(l, drift);
  c.sim.network.partition([[l], c.sim.hostNames().filter((h) => h !== l)]);
  c.sim.run({ until: s(120) });
  const st = chk(c).stats(c.sim.now).get('kube-controller-manager');
  console.log(`slow clock rate ${(1 + drift).toFixed(2)} (ratio ${(1 / (1 + drift)).toFixed(2)}): split brain ${st?.splitBrainSeconds.toFixed(2)}s`);
}
{
  const c = buildCluster({ masters: 3, workers: 1, separateApiHosts: true });
  c.sim.run({ until: s(30) });
  const l = leaderOf(c);
  c.sim.network.partition([[l], c.sim.hostNames().filter((h) => h !== l)]);
  c.sim.run({ until: s(60) });
  const ep = `kube-controller-manager@${l}`;
  const r = c.observations.filter((o) => o.endpoint === ep && o.obs.type === 'election.renew').at(-1);
  const st = c.observations.find((o) => o.endpoint === ep && o.obs.type === 'election.belief' && o.obs['leading'] === false);
  console.log('isolated leader stops', (((st?.timeUs ?? 0) - (r?.timeUs ?? 0)) / 1e6).toFixed(2), 's after last renew');
}
for (const fencing of [false, true]) {
  const c = buildCluster({ masters: 2, workers: 2, separateApiHosts: true, fencing });
  c.sim.at(s(1), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 3), () => undefined)));
  c.sim.run({ until: s(40) });
  const l = leaderOf(c);
  c.sim.pause(l);
  c.sim.run({ until: s(70) });
  c.sim.resume(l);
  c.user().do((cl, ctx) => cl.get(ctx, 'deployments', 'default', 'web', (r) => { if (r.ok) { const d = r.object as Deployment; cl.update(ctx, 'deployments', { ...d, spec: { ...d.spec, replicas: 6 } }, () => undefined); } }));
  c.sim.run({ until: s(120) });
  const st = chk(c).stats(c.sim.now).get('kube-controller-manager');
  console.log(`paused leader fencing=${fencing}: split brain ${st?.splitBrainSeconds.toFixed(2)}s, stale writes ${st?.staleWrites}, fenced ${st?.fencedWrites}, leader writes ${st?.leaderWrites}`);
}
{
  const c = buildCluster({ masters: 1, workers: 3 });
  c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', 3), () => undefined)));
  c.sim.run({ until: s(60) });
  const t0 = c.sim.now;
  c.sim.crash('worker-1');
  c.sim.run({ until: t0 + s(600) });
  const nr = c.observations.find((o) => o.obs.type === 'node.notReady');
  const ev = c.observations.find((o) => o.obs.type === 'pod.evicted');
  const rep = c.observations.find((o) => o.timeUs > t0 + s(60) && o.obs.type === 'api.request' && o.obs['verb'] === 'create' && o.obs['resource'] === 'pods' && Number(o.obs['code']) < 300);
  console.log('node crash: Ready=Unknown after', (((nr?.timeUs ?? 0) - t0) / 1e6).toFixed(1), 's; evicted after', (((ev?.timeUs ?? 0) - t0) / 1e6).toFixed(1), 's; replacement created after', (((rep?.timeUs ?? 0) - t0) / 1e6).toFixed(1), 's');
}
