// Regression (fuzz master-partition --runs 8 --seed 2, shrunk): 1% message loss for 2 s at start.
// A node whose first status post was lost was tainted unreachable at its first monitor pass (6 s),
// and a kubelet whose pod watch request was lost never saw its 3 pods (Pending until the end).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../sim/time.js';
import { runScenario } from '../../../core/cluster/index.js';
import { formatLoadError, loadScenarioFile, resolveScenarioPath } from '../../../scenarios/index.js';

it('master-partition seed 477134 with only {at: 1s, loss: 0.01, for: 2s}: no node tainted, converges', () => {
  const r = loadScenarioFile(resolveScenarioPath('master-partition') ?? '');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  const result = runScenario({ ...r.scenario, seed: 477134, faults: [{ kind: 'loss', atUs: s(1), rate: 0.01, forUs: s(2) }] });
  assert.deepEqual(result.events.filter((e) => e.kind === 'node.tainted' || e.kind === 'node.notReady'), []);
  const conv = result.summary.convergence[0];
  assert.ok(conv?.seconds !== null && conv?.seconds !== undefined && conv.seconds < 30, JSON.stringify(conv));
  assert.ok(result.allHeld, JSON.stringify(result.summary.invariants.filter((i) => !i.held)));
  assert.equal(result.metrics[result.metrics.length - 1]?.podsPending, 0);
});
