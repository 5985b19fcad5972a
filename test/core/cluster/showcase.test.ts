// Built-in scenarios end to end, asserting figures against documented Kubernetes behaviour (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunResult } from '../../../core/cluster/index.js';
import { loadScenarioFile, resolveScenarioPath, formatLoadError } from '../../../scenarios/index.js';

function builtin(name: string): RunResult {
  const r = loadScenarioFile(resolveScenarioPath(name) ?? '');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  return runScenario(r.scenario);
}

describe('built-in scenarios against documented behaviour', () => {
  it('scheduler-leader-crash: failover takes about one leaseDuration', () => {
    const r = builtin('scheduler-leader-crash');
    // client-go: a standby acquires once leaseDuration (15s) has passed since it last saw the record
    // change, polling every retryPeriod (2s) with up to 1.2× jitter: 15s ≤ failover < 15 + 2 × 2.2 + slack.
    const failover = r.summary.leaderElection['kube-scheduler']?.failoverSeconds ?? [];
    assert.equal(failover.length, 1);
    assert.ok((failover[0] ?? 0) >= 13 && (failover[0] ?? 0) <= 25, `failover ${failover[0]}`);
    assert.ok(r.summary.scheduling.podsBound > 50);
    assert.ok(r.allHeld, JSON.stringify(r.summary.invariants.filter((i) => !i.held)));
  });

  it('node-crash-self-healing: NotReady after the grace period, eviction after tolerationSeconds', () => {
    const r = builtin('node-crash-self-healing');
    const at = (kind: string): number[] => r.events.filter((e) => e.kind === kind).map((e) => e.t);
    // Crash at 30s; last node Lease renew ≤ 10s earlier; node-monitor-grace-period 50s (Kubernetes ≥ 1.32).
    const notReady = at('node.notReady')[0] ?? 0;
    assert.ok(notReady >= 30 + 50 - 10 && notReady <= 30 + 50 + 5, `NotReady at ${notReady}`);
    // DefaultTolerationSeconds: 300s for node.kubernetes.io/unreachable.
    const evicted = at('pod.evicted');
    assert.ok(evicted.length >= 2);
    assert.ok(evicted.every((t) => t >= notReady + 300 && t <= notReady + 305), `evicted at ${evicted.join()}`);
    // The Deployment heals (6 ready at the end); the naked Pod is gone.
    const last = r.metrics[r.metrics.length - 1];
    assert.equal(last?.podsReady, 6);
    assert.ok(r.allHeld);
  });

  it('hpa-scale-up: the HPA reaches maxReplicas under load', () => {
    const r = builtin('hpa-scale-up');
    const last = r.metrics[r.metrics.length - 1];
    assert.equal(last?.podsReady, 12);
    const scaled = r.events.filter((e) => e.kind === 'hpa.scaled').map((e) => e.detail);
    assert.ok(scaled.some((d) => /→ 12/.test(d)), scaled.join(' | '));
  });
});
