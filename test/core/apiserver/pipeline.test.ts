import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { KubeObject } from '../../../core/api/types.js';
import type { ApiPolicy } from '../../../core/apiserver/policy.js';
import type { ApiResult } from '../../../core/apiserver/protocol.js';
import { status } from '../../../core/apiserver/status.js';
import { USERS, buildWorld } from './harness.js';
import { pod } from './fixtures.js';

const label = (o: KubeObject): string | undefined => o.metadata.labels?.['reject'];

/** Rejects at the stage a pod's `reject` label names; alice may not create pods at all. */
const stagedPolicy: ApiPolicy = {
  authenticate: (token) => USERS.get(token),
  authorize: (a) => (a.user.name === 'alice' && a.verb === 'create' && a.resource === 'pods' ? { allowed: false, reason: 'no RBAC rule allows it' } : { allowed: true }),
  mutate: (_a, o) => (label(o) === 'mutating' ? { ok: false, status: status(403, 'Forbidden', 'pods "x" is forbidden: LimitRanger says no') } : { ok: true, object: o }),
  validateSchema: (o) => (label(o) === 'schema' ? [{ field: 'spec.containers[0].image', reason: 'FieldValueRequired', message: 'Required value' }] : []),
  validate: (_a, o) =>
    label(o) === 'validating' ? { ok: false, status: status(403, 'Forbidden', 'pods "x" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=10, limited: pods=10') } : { ok: true },
};

describe('request pipeline: each stage rejects with its code and is recorded with its stage', () => {
  const cases: { name: string; token: string; reject?: string; code: number; reason: string; stage?: string }[] = [
    { name: 'bad token', token: 'nobody', code: 401, reason: 'Unauthorized', stage: 'authentication' },
    { name: 'RBAC deny', token: 'alice-token', code: 403, reason: 'Forbidden', stage: 'authorization' },
    { name: 'mutating admission', token: 'bob-token', reject: 'mutating', code: 403, reason: 'Forbidden', stage: 'mutating' },
    { name: 'schema validation', token: 'bob-token', reject: 'schema', code: 422, reason: 'Invalid', stage: 'schema' },
    { name: 'validating admission', token: 'bob-token', reject: 'validating', code: 403, reason: 'Forbidden', stage: 'validating' },
    { name: 'accepted', token: 'bob-token', code: 200, reason: '' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}`, () => {
      const w = buildWorld({ seed: 3, policy: stagedPolicy });
      const d = w.addDriver('client-1', c.token);
      let result: ApiResult<unknown> | undefined;
      const p = pod('p1');
      const body = c.reject === undefined ? p : { ...p, metadata: { ...p.metadata, labels: { reject: c.reject } } };
      w.sim.at(ms(50), 'create', () => d.run((ctx) => d.client.create(ctx, 'pods', body, (r) => (result = r))));
      w.sim.run({ until: s(1) });
      assert.ok(result !== undefined);
      const writes = w.memory?.writes.length ?? -1;
      if (c.code === 200) {
        assert.ok(result.ok);
        assert.equal(writes, 1);
      } else {
        assert.ok(!result.ok);
        assert.equal(result.status.code, c.code);
        assert.equal(result.status.reason, c.reason);
        assert.equal(writes, 0, 'a rejected request must not reach the store');
        if (c.code === 422) assert.match(result.status.message, /spec\.containers\[0\]\.image/);
      }
      const obs = w.observations.at(-1)?.obs;
      assert.equal(obs?.['code'], c.code);
      assert.equal(obs?.['stage'], c.stage);
    });
  }

  it('429 past max-mutating-requests-inflight, and the client retries it after Retry-After', () => {
    const w = buildWorld({ seed: 4, apiServers: 1, server: { maxMutatingRequestsInflight: 2 } });
    const d = w.addDriver('client-1', 'admin-token', { maxRetries: 0 });
    const e = w.addDriver('client-2', 'admin-token');
    const results: ApiResult<unknown>[] = [];
    const retried: ApiResult<unknown>[] = [];
    w.sim.at(ms(50), 'burst', () =>
      d.run((ctx) => {
        for (let i = 0; i < 5; i++) d.client.create(ctx, 'pods', pod(`p${i}`), (r) => results.push(r));
      }),
    );
    w.sim.at(ms(50), 'burst-2', () =>
      e.run((ctx) => {
        for (let i = 0; i < 5; i++) e.client.create(ctx, 'pods', pod(`q${i}`), (r) => retried.push(r));
      }),
    );
    w.sim.run({ until: s(10) });
    const codes = results.map((r) => (r.ok ? 200 : r.status.code)).sort();
    assert.ok(codes.includes(429), `expected some 429s, got ${codes.join(',')}`);
    assert.ok(codes.includes(200));
    assert.ok(retried.every((r) => r.ok), 'the default client retries 429s until they succeed');
    assert.ok(w.observations.some((o) => o.obs['stage'] === 'inflight'));
  });
});
