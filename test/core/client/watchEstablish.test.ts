// Regression: a watch request lost on the way (or its first answer lost) left the informer silent
// until watchSilenceUs (150 s); a kubelet's pods stayed Pending (fuzz master-partition seed 477134).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import { Informer } from '../../../core/client/informer.js';
import { buildWorld } from '../apiserver/harness.js';
import { pod } from '../apiserver/fixtures.js';

it('a lost watch request is noticed within the request timeout and the informer watches again', () => {
  const w = buildWorld({ seed: 21, apiServers: 2 });
  const writer = w.addDriver('writer', 'admin-token');
  const reader = w.addDriver('reader', 'admin-token');
  const ends: number[] = [];
  let inf: Informer<'pods'> | undefined;
  w.sim.at(ms(100), 'start informer', () =>
    reader.run((ctx) => {
      const client = reader.client;
      const original = client.watch.bind(client);
      let first = true;
      client.watch = ((c, resource, opts, handler) => {
        // Cut the reader off for an instant around its first watch request, so only that is lost.
        const cut = first ? w.sim.network.partition([['reader'], ['master-1', 'master-2']]) : undefined;
        first = false;
        const h = original(c, resource, opts, { onEvents: (e, c2) => handler.onEvents(e, c2), onEnd: (st, c2) => (ends.push(st.code), handler.onEnd(st, c2)) });
        if (cut !== undefined) w.sim.network.heal(cut);
        return h;
      }) as typeof client.watch;
      inf = new Informer(client, 'pods');
      inf.start(ctx);
    }),
  );
  for (let i = 0; i < 5; i++) w.sim.at(s(1 + i), `create ${i}`, () => writer.run((ctx) => writer.client.create(ctx, 'pods', pod(`p${i}`), () => {})));
  w.sim.run({ until: s(13) });
  assert.deepEqual(ends, [504], 'the silent watch was given up once (timeout), then re-established');
  assert.equal(inf?.size(), 5, 'every pod created while the first watch was lost has arrived');
});
