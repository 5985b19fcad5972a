// Regression: a stale-token delete of an already terminating pod writes nothing, and was answered
// 200, which the election checker rightly counted as a stale write accepted with fencing on
// (controller-manager-fenced, seed 2 with a rollout). Fencing refuses it like any other write.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { ApiResult } from '../../../core/apiserver/protocol.js';
import { buildWorld } from './harness.js';
import { lease, pod } from './fixtures.js';

const code = (r: ApiResult<unknown>): number => (r.ok ? 200 : r.status.code);

it('fencing: a stale token is refused even when the delete would change nothing (pod already terminating)', () => {
  const w = buildWorld({ seed: 31 });
  const d = w.addDriver('ctrl', 'admin-token');
  const token = (t: number): { fencing: { leaseNamespace: string; leaseName: string; leaseTransitions: number } } => ({ fencing: { leaseNamespace: 'kube-system', leaseName: 'kcm', leaseTransitions: t } });
  const out: string[] = [];
  const record = (label: string) => (r: ApiResult<unknown>): void => {
    out.push(`${label} ${code(r)}${!r.ok && /fenc/.test(r.status.message) ? ' fenced' : ''}`);
  };
  w.sim.at(ms(10), 'lease', () => d.run((ctx) => d.client.create(ctx, 'leases', lease('kcm', 'kube-system', 'new-holder', 3), () => {})));
  w.sim.at(ms(20), 'pod', () => d.run((ctx) => d.client.create(ctx, 'pods', pod('p'), () => {})));
  w.sim.at(ms(40), 'bind', () => d.run((ctx) => d.client.bind(ctx, 'default', 'p', 'n1', () => {})));
  w.sim.at(ms(100), 'current holder deletes', () => d.run((ctx) => d.client.delete(ctx, 'pods', 'default', 'p', record('current'), token(3))));
  w.sim.at(ms(200), 'stale holder deletes', () => d.run((ctx) => d.client.delete(ctx, 'pods', 'default', 'p', record('stale'), token(2))));
  w.sim.at(ms(300), 'current again', () => d.run((ctx) => d.client.delete(ctx, 'pods', 'default', 'p', record('again'), token(3))));
  w.sim.run({ until: s(1) });
  assert.deepEqual(out, ['current 200', 'stale 409 fenced', 'again 200']);
});
