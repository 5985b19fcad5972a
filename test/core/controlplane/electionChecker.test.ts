import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../sim/time.js';
import { ElectionChecker } from '../../../core/controlplane/electionChecker.js';

const belief = (identity: string, leading: boolean, leaseTransitions: number, host = identity): Record<string, unknown> & { type: string } => ({
  type: 'election.belief',
  component: 'kcm',
  identity,
  host,
  leading,
  leaseTransitions,
});

test('split brain is the time two instances believe at once; failover runs from the last renew', () => {
  const ch = new ElectionChecker();
  ch.observe(s(0), 'a', belief('a', true, 0));
  ch.observe(s(10), 'a', { type: 'election.renew', component: 'kcm', identity: 'a' });
  ch.observe(s(27), 'b', belief('b', true, 1));
  ch.observe(s(30), 'a', belief('a', false, 0));
  const st = ch.stats(s(40)).get('kcm');
  assert.equal(st?.splitBrainSeconds, 3);
  assert.deepEqual(st?.failoverSeconds, [17]);
  assert.equal(st?.transitions, 1);
  assert.equal(ch.noSplitBrain(s(40)).held, false);
  assert.equal(ch.noSplitBrain(s(40)).firstViolationAt, 27);
});

test('stale writes: accepted writes whose token is older than the newest term; fenced ones counted apart', () => {
  const ch = new ElectionChecker();
  ch.observe(s(0), 'a', belief('a', true, 0));
  ch.observe(s(1), 'a', { type: 'election.write', component: 'kcm', token: 0, accepted: true });
  ch.observe(s(20), 'b', belief('b', true, 1));
  ch.observe(s(21), 'a', { type: 'election.write', component: 'kcm', token: 0, accepted: true });
  ch.observe(s(22), 'a', { type: 'election.write', component: 'kcm', token: 0, accepted: false, fenced: true });
  ch.observe(s(23), 'b', { type: 'election.write', component: 'kcm', token: 1, accepted: true });
  const st = ch.stats(s(30)).get('kcm');
  assert.equal(st?.staleWrites, 1);
  assert.equal(st?.fencedWrites, 1);
  assert.equal(ch.fencing(s(30)).held, false);
});

test('a crashed host stops believing; a paused one does not', () => {
  const ch = new ElectionChecker();
  ch.observe(s(0), 'kcm@m1', belief('m1', true, 0, 'm1'));
  ch.observe(s(5), 'm1', { type: 'host.crashed', subject: 'm1' });
  ch.observe(s(20), 'kcm@m2', belief('m2', true, 1, 'm2'));
  assert.equal(ch.stats(s(30)).get('kcm')?.splitBrainSeconds, 0);
});
