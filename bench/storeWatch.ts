// Store watch fan-out benchmark: the wall-clock cost per write when every API server watches all its
// resource prefixes and most of them are quiet. A push for a quiet prefix must not rescan the
// history, so the cost per write stays flat as the history grows (it grew linearly before: every
// write cost O(history) per quiet watch). Wall-clock figures only (DESIGN §10).
import { performance } from 'node:perf_hooks';
import { Simulation } from '../sim/index.js';
import type { Component, Context, EndpointId, Message, TimerTag } from '../sim/index.js';
import { StoreClient, StoreMember } from '../core/store/index.js';
import type { BenchRow } from './result.js';

/** The resources an API server keeps a watch cache for (one store watch each). */
const RESOURCES = [
  'pods', 'nodes', 'namespaces', 'services', 'endpoints', 'configmaps', 'secrets', 'deployments',
  'replicasets', 'leases', 'events', 'serviceaccounts', 'persistentvolumes', 'persistentvolumeclaims', 'priorityclasses',
];

/** An API server stand-in: a StoreClient that watches every resource prefix (or none, for the writer). */
class Watcher implements Component {
  client: StoreClient | undefined;
  delivered = 0;
  constructor(
    private readonly members: readonly string[],
    private readonly watches: boolean,
  ) {}
  start(ctx: Context): void {
    const client = new StoreClient(ctx, { members: this.members });
    this.client = client;
    if (!this.watches) return;
    for (const r of RESOURCES) {
      client.watch(`/registry/${r}/`, 1, (u) => {
        if (u.type === 'events') this.delivered += u.events.length;
      });
    }
  }
  onMessage(ctx: Context, from: EndpointId, message: Message): void {
    this.client?.handleMessage(ctx, from, message);
  }
  onTimer(ctx: Context, tag: TimerTag): void {
    this.client?.handleTimer(ctx, tag);
  }
}

export interface StoreWatchFigures {
  readonly writes: number;
  readonly wallMs: number;
  readonly wallUsPerWrite: number;
}

/**
 * 3 members, 3 API servers × 15 prefix watches (only pods busy), one writer putting pods at
 * `writesPerSec` for `seconds` of simulated time; wall time of that stretch.
 */
export function measureStoreWatch(writesPerSec: number, seconds: number, seed = 1): StoreWatchFigures {
  const sim = new Simulation({ seed, maxEvents: 500_000_000 });
  const members = ['etcd-1', 'etcd-2', 'etcd-3'];
  for (const m of members) {
    sim.addHost(m);
    sim.addComponent(m, m, () => new StoreMember({ members }));
  }
  const servers: EndpointId[] = [];
  for (let i = 1; i <= 3; i++) {
    sim.addHost(`apiserver-${i}`);
    servers.push(sim.addComponent(`apiserver-${i}`, `apiserver-${i}`, () => new Watcher(members, true)));
  }
  sim.addHost('writer');
  const writer = sim.addComponent('writer', 'writer', () => new Watcher(members, false));
  const startUs = 3_000_000;
  const endUs = startUs + seconds * 1_000_000;
  const gapUs = Math.round(1_000_000 / writesPerSec);
  let writes = 0;
  for (let t = startUs, i = 0; t < endUs; t += gapUs, i++) {
    const n = i;
    sim.at(t, 'put', () => {
      const c = sim.component(writer);
      if (c instanceof Watcher) c.client?.put(`/registry/pods/p${n % 5_000}`, n, {}, (r) => void (r.type === 'ok' && writes++));
    });
  }
  sim.run({ until: startUs });
  const wallStart = performance.now();
  sim.run({ until: endUs + 2_000_000 });
  const wallMs = performance.now() - wallStart;
  for (const ep of servers) {
    const c = sim.component(ep);
    if (!(c instanceof Watcher) || c.delivered !== writes) throw new Error(`a watcher missed events (${c instanceof Watcher ? c.delivered : '?'} of ${writes})`);
  }
  return { writes, wallMs, wallUsPerWrite: writes > 0 ? (wallMs * 1000) / writes : NaN };
}

export function benchStoreWatch(): BenchRow[] {
  measureStoreWatch(1_000, 2); // JIT warm-up, not reported
  return [5, 10, 20].map((seconds) => {
    const f = measureStoreWatch(1_000, seconds);
    return {
      bench: 'storeWatch',
      metric: `wallPerWrite.${f.writes}`,
      value: f.wallUsPerWrite,
      unit: 'µs wall/write',
      note: `${f.writes} writes, 45 watches (15 prefixes × 3 API servers, 1 busy); flat = no history rescans`,
    };
  });
}
