import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCheckers } from '../../../core/scheduler/checkers/schedulerCheckers.js';
import { node, pod, bound } from './fixtures.js';

function withZones(): SchedulerCheckers {
  const c = new SchedulerCheckers();
  c.onNode(0, node('a', { labels: { zone: 'a' } }));
  c.onNode(0, node('b', { labels: { zone: 'b' } }));
  return c;
}

describe('scheduler checkers', () => {
  it('noDoubleBinding flags a pod bound twice', () => {
    const c = withZones();
    const p = pod('p');
    c.onBinding(1_000_000, bound(p, 'a'), 'a');
    c.onBinding(2_000_000, bound(p, 'b'), 'b');
    const r = c.results()[0];
    assert.equal(r?.held, false);
    assert.equal(r?.firstViolationAt, 2);
  });
  it('constraints flag hard topology spread skew and required anti-affinity', () => {
    const spread = [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'x' } } }];
    const c = withZones();
    c.onBinding(1, bound(pod('x1', { labels: { app: 'x' }, spread }), 'a'), 'a');
    assert.equal(c.results()[2]?.held, true);
    c.onBinding(2, bound(pod('x2', { labels: { app: 'x' }, spread }), 'a'), 'a');
    assert.match(c.results()[2]?.detail ?? '', /skew 2 > maxSkew 1/);

    const anti = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'y' } }, topologyKey: 'zone' }] },
    };
    const d = withZones();
    d.onBinding(1, bound(pod('y1', { labels: { app: 'y' }, affinity: anti }), 'b'), 'b');
    d.onBinding(2, bound(pod('y2', { labels: { app: 'y' } }), 'b'), 'b');
    assert.match(d.results()[2]?.detail ?? '', /existing pod default\/y1's anti-affinity/);
  });
  it('capacity frees resources of pods that are gone', () => {
    const c = new SchedulerCheckers();
    c.onNode(0, node('n', { cpu: '1' }));
    const p1 = pod('p1', { cpu: '800m' });
    c.onBinding(1, bound(p1, 'n'), 'n');
    c.onPodGone(2, p1.metadata.uid ?? '');
    c.onBinding(3, bound(pod('p2', { cpu: '800m' }), 'n'), 'n');
    assert.equal(c.results()[1]?.held, true);
  });
});
