// Regression (kubesim fuzz controller-manager-split-brain --runs 20 --seed 11, shrunk to seed 598999
// and one fault): etcd split with its leader (etcd-2, on master-2) in the minority from 51 s to 60 s.
// The controller-manager on master-2 watches pods through master-3's API server; the pods' readiness
// (58 s), the progress bookmark after it (59 s) and the minute bookmark (sent at the very instant of
// the heal, 60 s) were all dropped by the partition, and the watch stayed quiet: the rollout never
// finished. Fixed by the API connection's message numbers (core/apiserver/protocol.ts, ConnectionSeq):
// the next lease event on that connection shows the loss and every watch on it resumes.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../sim/time.js';
import { runScenario } from '../../../core/cluster/index.js';
import { formatLoadError, loadScenarioFile, resolveScenarioPath } from '../../../scenarios/index.js';

it('controller-manager-split-brain seed 598999, etcd leader partitioned 51-60 s: converges', () => {
  const r = loadScenarioFile(resolveScenarioPath('controller-manager-split-brain') ?? '');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  const result = runScenario({
    ...r.scenario,
    seed: 598999,
    faults: [{ kind: 'partition', atUs: s(51), partition: { type: 'split', group: 'etcd', leaderIn: 'minority' }, oneWay: false, forUs: s(9) }],
  });
  const conv = result.summary.convergence[0];
  assert.ok(conv?.seconds !== null && conv?.seconds !== undefined && conv.seconds < 30, JSON.stringify(conv));
  assert.ok(result.allHeld, JSON.stringify(result.summary.invariants.filter((i) => !i.held)));
});
