import { s } from '../../../../sim/time.js';
import type { Pod } from '../../../../core/api/types.js';
import { buildCluster } from './cluster.js';
import { deployment } from './manifests.js';
const workers = Number(process.argv[2] ?? 100);
const replicas = Number(process.argv[3] ?? 2000);
const c = buildCluster({ masters: 1, workers });
c.sim.at(s(2), 'create', () => c.user().do((cl, ctx) => cl.create(ctx, 'deployments', deployment('web', replicas), () => undefined)));
const t0 = performance.now();
for (const t of [30, 60, 120, 240]) {
  c.sim.run({ until: s(t) });
  const pods = c.objects<Pod>('/registry/pods/default/');
  const ready = pods.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
  console.log(`t=${t}s pods=${pods.length} ready=${ready} events=${c.sim.eventsProcessed} wall=${((performance.now() - t0) / 1000).toFixed(1)}s`);
}
