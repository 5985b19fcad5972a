// Raft paper Figure 16 (Ongaro & Ousterhout, USENIX ATC 2014, §9.3, "Leader election performance"):
// 5 servers, broadcast time ~15ms, leader crashed at a random point of its heartbeat interval.
// The paper reports: 150–155ms timeouts → median downtime 287ms; 150–200ms (50ms of randomness) →
// worst case over 1000 trials 513ms; no randomness (150–150ms) → consistently more than 10 seconds.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFigure16 } from '../../../core/store/figure16.js';

describe('Raft paper Figure 16 reproduction (seeded trials 1..N)', () => {
  it('150–155ms: median time to a new leader ≈ 287ms (±20%), over 1000 trials', () => {
    const r = runFigure16({ minMs: 150, maxMs: 155, trials: 1000 });
    console.log(`150–155ms: median ${r.medianMs.toFixed(0)}ms p90 ${r.p90Ms.toFixed(0)}ms max ${r.maxMs.toFixed(0)}ms`);
    // Tolerance: 287ms ± 20% — the simulated network only approximates the paper's testbed.
    assert.ok(r.medianMs > 230 && r.medianMs < 345, `median ${r.medianMs}ms`);
  });

  it('150–300ms: the worst of 1000 trials stays well under a second', () => {
    const r = runFigure16({ minMs: 150, maxMs: 300, trials: 1000 });
    console.log(`150–300ms: median ${r.medianMs.toFixed(0)}ms max ${r.maxMs.toFixed(0)}ms`);
    assert.ok(r.maxMs < 800, `worst case ${r.maxMs}ms`);
    assert.ok(r.medianMs < 250, `median ${r.medianMs}ms`);
  });

  it('150–150ms with no randomness anywhere: split votes go on for more than 10 seconds', () => {
    const r = runFigure16({ minMs: 150, maxMs: 150, trials: 5, capMs: 10_000, deterministicNetwork: true });
    console.log(`150–150ms constant latency: median ${r.medianMs.toFixed(0)}ms, ${r.capped}/5 capped at 10s`);
    assert.ok(r.medianMs >= 10_000, `median ${r.medianMs}ms`);
  });

  it('a little randomness beats none: 150–151ms is slower than 150–155ms, which is slower than 150–300ms', () => {
    const narrow = runFigure16({ minMs: 150, maxMs: 151, trials: 200, capMs: 10_000 });
    const five = runFigure16({ minMs: 150, maxMs: 155, trials: 200 });
    const wide = runFigure16({ minMs: 150, maxMs: 300, trials: 200 });
    assert.ok(narrow.p90Ms > five.p90Ms, `p90 150–151 ${narrow.p90Ms} vs 150–155 ${five.p90Ms}`);
    assert.ok(five.medianMs > wide.medianMs, `median 150–155 ${five.medianMs} vs 150–300 ${wide.medianMs}`);
  });
});
