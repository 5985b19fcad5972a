import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from '../../../core/scheduler/schedulingQueue.js';
import { buildPodInfo } from '../../../core/scheduler/podInfo.js';
import { pod } from './fixtures.js';

describe('SchedulingQueue', () => {
  it('pops by priority, then arrival', () => {
    const q = new SchedulingQueue();
    q.add(buildPodInfo(pod('low1', { priority: 1 })), 0);
    q.add(buildPodInfo(pod('high', { priority: 100 })), 1);
    q.add(buildPodInfo(pod('low2', { priority: 1 })), 0);
    assert.deepEqual([q.pop(), q.pop(), q.pop()].map((x) => x?.info.name), ['high', 'low1', 'low2']);
    assert.equal(q.pop(), undefined);
  });
  it('backoff doubles from 1s to a 10s cap', () => {
    const q = new SchedulingQueue();
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a) / 1e6), [1, 2, 4, 8, 10, 10]);
  });
  it('unschedulable pods wait for an event their plugin cares about, or 5 minutes', () => {
    const q = new SchedulingQueue(undefined, (plugin, event) => plugin === 'NodeResourcesFit' && event === 'AssignedPodDelete');
    q.add(buildPodInfo(pod('p')), 0);
    const p = q.pop();
    assert.ok(p !== undefined);
    q.addUnschedulable(p, new Set(['NodeResourcesFit']), 0);
    q.onClusterEvent('NodeLabelChange', 0);
    assert.equal(q.unschedulableLength, 1);
    q.onClusterEvent('AssignedPodDelete', 2_000_000);
    assert.equal(q.unschedulableLength, 0);
    assert.equal(q.activeLength, 1);
    const p2 = q.pop();
    assert.ok(p2 !== undefined);
    q.addUnschedulable(p2, new Set(['NodeResourcesFit']), 3_000_000);
    q.flush(3_000_000 + 299_000_000);
    assert.equal(q.unschedulableLength, 1);
    q.flush(3_000_000 + 300_000_000);
    assert.equal(q.unschedulableLength, 0);
    assert.equal(q.pop()?.info.name, 'p');
  });
  it('an event during a pod\'s cycle sends it to backoff instead of unschedulable', () => {
    const q = new SchedulingQueue();
    q.add(buildPodInfo(pod('p')), 0);
    const p = q.pop();
    assert.ok(p !== undefined);
    q.onClusterEvent('NodeAdd', 0);
    q.addUnschedulable(p, new Set(['X']), 0);
    assert.equal(q.unschedulableLength, 0);
    assert.equal(q.backoffLength, 1);
    assert.equal(q.nextFlushUs(), 1_000_000);
  });
  it('deleted pods are not popped', () => {
    const q = new SchedulingQueue();
    q.add(buildPodInfo(pod('a')), 0);
    q.add(buildPodInfo(pod('b')), 0);
    q.delete('default/a');
    assert.equal(q.pop()?.info.name, 'b');
    assert.equal(q.pop(), undefined);
  });
});
