import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Context } from '../../../sim/component.js';
import { ms, s } from '../../../sim/index.js';
import type { Lease, Pod } from '../../../core/api/types.js';
import { objectKey } from '../../../core/api/registry.js';
import type { ApiPolicy } from '../../../core/apiserver/policy.js';
import type { ResourceName, WatchEvent } from '../../../core/apiserver/protocol.js';
import { Informer } from '../../../core/client/informer.js';
import type { Driver } from './harness.js';
import { USERS, buildWorld } from './harness.js';
import { lease, pod } from './fixtures.js';

const SEED_CONCURRENCY = 4201;
const SEED_RBAC = 4202;
const SEED_WATCH = 4203;

const faultArb = fc.array(fc.record({ server: fc.integer({ min: 0, max: 2 }), atMs: fc.integer({ min: 500, max: 6_000 }), forMs: fc.integer({ min: 200, max: 5_000 }) }), { maxLength: 2 });

describe(`API server properties on the Raft store, 3 API servers (fast-check seeds ${SEED_CONCURRENCY}, ${SEED_RBAC}, ${SEED_WATCH})`, () => {
  it('concurrent read-modify-write through several API servers never loses an acknowledged update', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 5 }), faultArb, fc.constantFrom(0, 0.02), (seed, clients, increments, faults, loss) => {
        const w = buildWorld({ seed, store: 'raft', apiServers: 3 });
        const admin = w.addDriver('setup', 'admin-token');
        const acked: number[] = [];
        let unknown = 0;
        // Setup retries until the counter exists (the store may still be electing, a server may be down).
        const createCounter = (ctx: Context): void =>
          admin.client.create(ctx, 'leases', lease('counter', 'default'), (r, c) => {
            if (!r.ok && r.status.code !== 409) admin.client.timers.set(c, ms(100), createCounter);
          });
        w.sim.at(ms(400), 'create counter', () => admin.run(createCounter));
        const drivers: Driver[] = [];
        for (let i = 0; i < clients; i++) drivers.push(w.addDriver(`client-${i}`, 'admin-token', { requestTimeoutUs: s(2) }));
        const increment = (d: Driver, ctx: Context, left: number): void => {
          if (left === 0) return;
          d.client.get(ctx, 'leases', 'default', 'counter', (r, c) => {
            if (!r.ok) {
              c.setTimer(ms(50), 'retry');
              d.client.timers.set(c, ms(100), (c2) => increment(d, c2, left));
              return;
            }
            const cur: Lease = r.object;
            const next = (cur.spec.leaseTransitions ?? 0) + 1;
            d.client.update(c, 'leases', { ...cur, spec: { ...cur.spec, leaseTransitions: next } }, (u, c2) => {
              if (u.ok) {
                acked.push(next);
                increment(d, c2, left - 1);
              } else if (u.status.code === 409) increment(d, c2, left); // lost the race: re-read and retry
              else {
                unknown++; // 503/504: may or may not have been applied
                increment(d, c2, left - 1);
              }
            });
          });
        };
        // Message loss on the clients' links: lost requests and responses become 504s and retries.
        if (loss > 0) w.sim.network.degrade({ hostNames: drivers.map((_, i) => `client-${i}`), loss });
        drivers.forEach((d, i) => w.sim.at(ms(800 + i), 'start', () => d.run((ctx) => increment(d, ctx, increments))));
        for (const f of faults) {
          const host = `master-${f.server + 1}`;
          w.sim.at(ms(f.atMs), 'crash', () => w.sim.crash(host));
          w.sim.at(ms(f.atMs + f.forMs), 'restart', () => w.sim.restart(host));
        }
        let final = -1;
        const finalRead = (ctx: Context): void =>
          admin.client.get(ctx, 'leases', 'default', 'counter', (r, c) => {
            if (r.ok) final = r.object.spec.leaseTransitions ?? 0;
            else admin.client.timers.set(c, ms(200), finalRead);
          });
        w.sim.at(s(50), 'final read', () => admin.run(finalRead));
        w.sim.run({ until: s(60) });
        assert.ok(final >= 0, `final read failed (${final})`);
        assert.equal(new Set(acked).size, acked.length, `two acknowledged updates produced the same value: ${acked.join(',')}`);
        assert.ok(final >= acked.length && final <= acked.length + unknown, `final ${final}, acked ${acked.length}, unknown ${unknown}`);
        if (acked.length > 0) assert.ok(final >= Math.max(...acked));
      }),
      { seed: SEED_CONCURRENCY, numRuns: 30 },
    );
  });

  it('no mutation by a principal RBAC denies ever reaches the store', () => {
    const verbs = ['create', 'update', 'delete'] as const;
    const resources: ResourceName[] = ['pods', 'leases'];
    const users = ['alice', 'bob'] as const;
    const opArb = fc.record({
      user: fc.constantFrom(...users),
      verb: fc.constantFrom(...verbs),
      resource: fc.constantFrom(...resources),
      n: fc.integer({ min: 0, max: 3 }),
      atMs: fc.integer({ min: 100, max: 3_000 }),
    });
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), fc.array(opArb, { maxLength: 40 }), (matrix, ops) => {
        const allowed = (user: string, verb: string, resource: string): boolean => {
          if (user === 'admin') return true;
          const i = users.indexOf(user as 'alice') * 6 + verbs.indexOf(verb as 'create') * 2 + resources.indexOf(resource as 'pods');
          return matrix[i] ?? false;
        };
        const policy: ApiPolicy = {
          authenticate: (t) => USERS.get(t),
          authorize: (a) => (a.verb === 'get' || a.verb === 'list' || a.verb === 'watch' || allowed(a.user.name, a.verb, a.resource) ? { allowed: true } : { allowed: false, reason: 'denied by test RBAC' }),
          mutate: (_a, o) => ({ ok: true, object: o }),
          validateSchema: () => [],
          validate: () => ({ ok: true }),
        };
        const w = buildWorld({ seed: 7, policy });
        const admin = w.addDriver('admin', 'admin-token');
        const alice = w.addDriver('alice', 'alice-token');
        const bob = w.addDriver('bob', 'bob-token');
        const byUser = { alice, bob };
        w.sim.at(ms(20), 'seed objects', () =>
          admin.run((ctx) => {
            for (let n = 0; n < 2; n++) {
              admin.client.create(ctx, 'pods', pod(`p${n}`), () => {});
              admin.client.create(ctx, 'leases', lease(`l${n}`, 'default'), () => {});
            }
          }),
        );
        for (const op of ops) {
          const d = byUser[op.user];
          w.sim.at(ms(op.atMs), 'op', () =>
            d.run((ctx) => {
              const name = op.resource === 'pods' ? `p${op.n}` : `l${op.n}`;
              const obj = op.resource === 'pods' ? pod(name) : lease(name, 'default', op.user);
              if (op.verb === 'create') d.client.create(ctx, op.resource, obj as never, () => {});
              else if (op.verb === 'delete') d.client.delete(ctx, op.resource, 'default', name, () => {});
              else
                d.client.get(ctx, op.resource, 'default', name, (r, c) => {
                  if (!r.ok) return;
                  const cur = r.object;
                  d.client.update(c, op.resource, { ...cur, metadata: { ...cur.metadata, labels: { by: op.user } } } as never, () => {});
                });
            }),
          );
        }
        w.sim.run({ until: s(10) });
        const okMutations = w.observations.filter((o) => o.obs['code'] === 200 && ['create', 'update', 'delete', 'updateStatus', 'bind'].includes(String(o.obs['verb'])));
        for (const o of okMutations) assert.ok(allowed(String(o.obs['user']), String(o.obs['verb']), String(o.obs['resource'])), `denied write accepted: ${JSON.stringify(o.obs)}`);
        const storeWrites = (w.memory?.writes ?? []).filter((x) => x.result.type === 'txn' && x.result.succeeded);
        assert.equal(storeWrites.length, okMutations.length, 'every store write is an acknowledged, authorized request');
      }),
      { seed: SEED_RBAC, numRuns: 60 },
    );
  });

  it('a watcher sees every change in resourceVersion order, or gets 410 and relists to the store’s state', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.array(fc.record({ kind: fc.constantFrom('create', 'update', 'delete'), n: fc.integer({ min: 0, max: 5 }), atMs: fc.integer({ min: 600, max: 8_000 }), writer: fc.integer({ min: 0, max: 1 }) }), { maxLength: 60 }),
        faultArb,
        fc.constantFrom(0, 0.01, 0.05),
        // Tiny watch caches, so resumed watches are often too old and must take the 410 → relist path.
        fc.constantFrom({ minEvents: 2, historyWindowUs: ms(300) }, { minEvents: 1, historyWindowUs: 0 }),
        (seed, ops, faults, loss, watchCache) => {
          const w = buildWorld({ seed, store: 'raft', apiServers: 3, server: { watchCache } });
          const writers = [w.addDriver('w0', 'admin-token', { requestTimeoutUs: s(2) }), w.addDriver('w1', 'admin-token', { requestTimeoutUs: s(2) })];
          const reader = w.addDriver('reader', 'admin-token', { requestTimeoutUs: s(2), readIdleTimeoutUs: s(1), pingTimeoutUs: ms(500) });
          // Message loss on every link: the clients', and the store's (Raft, and the watch streams
          // that feed the API servers' watch caches, which must resume without a gap).
          if (loss > 0) w.sim.network.degrade({ loss });
          let inf: Informer<'pods'> | undefined;
          const orderViolations: string[] = [];
          w.sim.at(ms(500), 'start informer', () =>
            reader.run((ctx) => {
              // Check the raw watch stream the informer consumes: strictly increasing resourceVersions per watch.
              const client = reader.client;
              const original = client.watch.bind(client);
              client.watch = ((c: Context, resource, opts, handler) => {
                let last = Number(opts.resourceVersion);
                return original(c, resource, opts, {
                  onEvents: (events: readonly WatchEvent[], c2: Context) => {
                    for (const e of events) {
                      const rv = Number(e.type === 'BOOKMARK' ? e.resourceVersion : e.object.metadata.resourceVersion);
                      if (e.type === 'BOOKMARK' ? rv < last : rv <= last) orderViolations.push(`${e.type} ${rv} after ${last}`);
                      last = Math.max(last, rv);
                    }
                    handler.onEvents(events, c2);
                  },
                  onEnd: (st, c2) => handler.onEnd(st, c2),
                });
              }) as typeof client.watch;
              inf = new Informer(client, 'pods');
              inf.addEventHandler({
                onUpdate: (o, n) => {
                  if (Number(n.metadata.resourceVersion) < Number(o.metadata.resourceVersion)) orderViolations.push(`update went back in time on ${objectKey(n)}`);
                },
              });
              inf.start(ctx);
            }),
          );
          for (const op of ops) {
            const d = writers[op.writer];
            if (d === undefined) continue;
            w.sim.at(ms(op.atMs), 'write', () =>
              d.run((ctx) => {
                const name = `p${op.n}`;
                if (op.kind === 'create') d.client.create(ctx, 'pods', pod(name), () => {});
                else if (op.kind === 'delete') d.client.delete(ctx, 'pods', 'default', name, () => {}, { gracePeriodSeconds: 0 });
                else
                  d.client.get(ctx, 'pods', 'default', name, (r, c) => {
                    if (r.ok) d.client.update(c, 'pods', { ...r.object, metadata: { ...r.object.metadata, labels: { v: String(op.atMs) } } }, () => {});
                  });
              }),
            );
          }
          for (const f of faults) {
            const host = `master-${f.server + 1}`;
            w.sim.at(ms(f.atMs), 'crash', () => w.sim.crash(host));
            w.sim.at(ms(f.atMs + f.forMs), 'restart', () => w.sim.restart(host));
          }
          let truth: Map<string, string> | undefined;
          // The consistent list retries: with message loss one attempt may fail.
          const finalList = (ctx: Context): void =>
            reader.client.list(ctx, 'pods', {}, (r, c) => {
              if (r.ok) truth = new Map(r.object.items.map((p: Pod) => [objectKey(p), p.metadata.resourceVersion ?? '']));
              else reader.client.timers.set(c, ms(200), finalList);
            });
          w.sim.at(s(40), 'consistent list', () => reader.run(finalList));
          w.sim.run({ until: s(60) });
          assert.deepEqual(orderViolations, []);
          assert.ok(truth !== undefined, 'final consistent list failed');
          const cached = new Map([...(inf?.list() ?? [])].map((p) => [objectKey(p), p.metadata.resourceVersion ?? '']));
          assert.deepEqual(cached, truth);
        },
      ),
      { seed: SEED_WATCH, numRuns: 40 },
    );
  });
});
