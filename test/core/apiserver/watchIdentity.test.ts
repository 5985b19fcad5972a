// Regression: the watch cache keyed watchers by the client's watch id alone. Two clients on one API
// server with the same id (two controller-managers' informers are created in the same order) then
// shared a slot: the later one replaced the earlier, and the earlier one's cancel removed the later
// one, silently. Seen as a rollout stuck after the old controller-manager stopped leading and
// cancelled its watches (split-brain scenario, seed 5): the new leader never saw a pod become ready.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { WatchHandle } from '../../../core/client/apiClient.js';
import { buildWorld } from './harness.js';
import { pod } from './fixtures.js';

it('two clients watching with the same watch id are separate watchers: one cancelling leaves the other', () => {
  const w = buildWorld({ seed: 41, apiServers: 1 });
  const oldLeader = w.addDriver('old', 'admin-token');
  const newLeader = w.addDriver('new', 'admin-token');
  const writer = w.addDriver('writer', 'admin-token');
  const seen = { old: [] as string[], new: [] as string[] };
  let oldWatch: WatchHandle | undefined;
  let ids: number[] = [];
  w.sim.at(ms(10), 'watches', () => {
    oldLeader.run((ctx) => {
      oldWatch = oldLeader.client.watch(ctx, 'pods', { resourceVersion: '0' }, { onEvents: (evs) => seen.old.push(...evs.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type)), onEnd: () => {} });
    });
    newLeader.run((ctx) => {
      const h = newLeader.client.watch(ctx, 'pods', { resourceVersion: '0' }, { onEvents: (evs) => seen.new.push(...evs.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type)), onEnd: () => {} });
      ids = [oldWatch?.id ?? -1, h.id];
    });
  });
  w.sim.at(ms(100), 'old leader stops watching', () => oldLeader.run((ctx) => oldWatch?.stop(ctx)));
  w.sim.at(ms(200), 'write', () => writer.run((ctx) => writer.client.create(ctx, 'pods', pod('p'), () => {})));
  w.sim.run({ until: s(2) });
  assert.equal(ids[0], ids[1], 'the two watches carry the same client-side id');
  assert.deepEqual(seen.old, []);
  assert.deepEqual(seen.new, ['ADDED'], 'the remaining watcher still gets events');
});
