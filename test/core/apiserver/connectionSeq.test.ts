// Regression (fuzz controller-manager-split-brain --runs 20 --seed 11, seed 598999): a partition cut
// a controller-manager off from its API server just as pods became ready; the pod watch's last
// events and their progress bookmark were dropped, the next minute's bookmark left at the instant
// the partition healed and was dropped too, and the watch, quiet from then on, never showed a gap:
// the rollout waited for readiness it had already reached. Every server → client message now carries
// a per-connection number, so any later message on the connection (here a response) shows the loss
// and the client resets the watches on that server, as a broken TCP connection would.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { Status } from '../../../core/apiserver/status.js';
import { buildWorld } from './harness.js';
import { pod } from './fixtures.js';

it('a quiet watch whose last events were lost in a partition ends (504) at the next message on its connection', () => {
  const w = buildWorld({ seed: 7, apiServers: 1 });
  const watcher = w.addDriver('watcher', 'admin-token');
  const writer = w.addDriver('writer', 'admin-token');
  const seen: string[] = [];
  const ends: { t: number; status: Status }[] = [];
  w.sim.at(ms(10), 'watch', () =>
    watcher.run((ctx) => {
      watcher.client.watch(ctx, 'pods', { resourceVersion: '0' }, {
        onEvents: (evs) => seen.push(...evs.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type)),
        onEnd: (st, c) => ends.push({ t: c.now(), status: st }),
      });
    }),
  );
  let cut = -1;
  w.sim.at(s(2), 'cut the watcher off', () => (cut = w.sim.network.partition([['watcher'], ['master-1']])));
  w.sim.at(s(3), 'write while cut off', () => writer.run((ctx) => writer.client.create(ctx, 'pods', pod('p'), () => {})));
  w.sim.at(s(6), 'heal', () => w.sim.network.heal(cut));
  // Any later message on the connection: an unrelated read.
  w.sim.at(s(8), 'read', () => watcher.run((ctx) => watcher.client.get(ctx, 'namespaces', undefined, 'default', () => {})));
  w.sim.run({ until: s(20) });
  assert.deepEqual(seen, [], 'the ADDED event was sent during the partition and lost');
  assert.equal(ends.length, 1, 'the watch ended once the response showed the connection lost messages');
  assert.equal(ends[0]?.status.code, 504);
  assert.ok((ends[0]?.t ?? 0) >= s(8) && (ends[0]?.t ?? 0) < s(9), `ended at ${ends[0]?.t}`);
});
