import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DurationError, formatDuration, parseDuration } from '../../sim/time.js';

describe('parseDuration (fast-check seed 7)', () => {
  it('parses every unit', () => {
    assert.equal(parseDuration('500us'), 500);
    assert.equal(parseDuration('10ms'), 10_000);
    assert.equal(parseDuration('2s'), 2_000_000);
    assert.equal(parseDuration('5m'), 300_000_000);
    assert.equal(parseDuration('1h'), 3_600_000_000);
    assert.equal(parseDuration('1m30s'), 90_000_000);
    assert.equal(parseDuration('1.5s'), 1_500_000);
    assert.equal(parseDuration('0'), 0);
  });

  it('rejects bad input with a message that says what is accepted', () => {
    for (const bad of ['', '10', '5 minutes', '-1s', 's', '1x']) {
      assert.throws(() => parseDuration(bad), (error: unknown) => error instanceof DurationError && /us, ms, s, m|empty/.test(error.message));
    }
  });

  it('round-trips through formatDuration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), (micros) => parseDuration(formatDuration(micros)) === micros),
      { seed: 7 },
    );
  });
});
