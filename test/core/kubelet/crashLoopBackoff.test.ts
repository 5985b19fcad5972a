import { test } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../sim/time.js';
import { crashLoopDelay, nextBackoffStep } from '../../../core/kubelet/crashLoopBackoff.js';

test('CrashLoopBackOff: 10s, 20s, 40s … capped at 5 min; reset after a long run', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(crashLoopDelay), [s(10), s(20), s(40), s(80), s(160), s(300), s(300), s(300)]);
  assert.equal(nextBackoffStep(5, s(30)), 6);
  assert.equal(nextBackoffStep(5, s(601)), 1);
});
