// The placement figures behind comparison.csv (issue 6): node utilisation is per node, nodes in use
// host a pod, fragmentation counts pending pods that fit in the summed free resources but on no node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario, type RunSummary } from '../../../core/cluster/index.js';
import { parseScenario, formatLoadError } from '../../../scenarios/index.js';

// Two 1-CPU nodes, two 500m pods, then an 800m pod. Spread puts one 500m pod on each node: 1 CPU is
// free in total but 500m on each, so the 800m pod stays pending — fragmentation. Bin-pack stacks
// both on one node and the 800m pod fits on the other.
const YAML = `apiVersion: kubesim/v1
kind: Scenario
metadata: {name: frag}
spec:
  duration: 20s
  cluster:
    masters: 1
    etcd: {members: 1}
    nodes: [{count: 2, namePrefix: worker, capacity: {cpu: "1", memory: 4Gi}}]
  workload:
    - {at: 1s, apply: {kind: Pod, apiVersion: v1, metadata: {name: a}, spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 500m, memory: 256Mi}}}]}}}
    - {at: 2s, apply: {kind: Pod, apiVersion: v1, metadata: {name: b}, spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 500m, memory: 256Mi}}}]}}}
    - {at: 5s, apply: {kind: Pod, apiVersion: v1, metadata: {name: big}, spec: {containers: [{name: c, image: x, resources: {requests: {cpu: 800m, memory: 256Mi}}}]}}}
`;

function placement(policy: string): RunSummary['placement'] {
  const r = parseScenario(YAML, 'frag.yaml');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  return runScenario(r.scenario, { policy }).summary.placement;
}

describe('placement figures', () => {
  it('spread: pods on both nodes, the 800m pod pending though 1 CPU is free in total', () => {
    const p = placement('spread');
    assert.equal(p.nodesUsed, 2);
    assert.equal(p.utilisationMax, 0.5);
    // Pending from t≈5 s to the end (20 s) of ~20 samples: about 0.75 pods on average.
    assert.ok(p.fragmentation > 0.6 && p.fragmentation < 0.85, `fragmentation ${p.fragmentation}`);
  });
  it('bin-pack: both 500m pods on one node (100%), the 800m pod fits the other; no fragmentation', () => {
    const p = placement('bin-pack');
    assert.equal(p.nodesUsed, 2);
    assert.equal(p.utilisationMax, 1);
    assert.equal(p.fragmentation, 0);
    // Mean node utilisation at the end is (1 + 0.8) / 2; averaged over the run it is lower.
    assert.ok(p.utilisationMean > 0.5 && p.utilisationMean < 0.9, `utilisationMean ${p.utilisationMean}`);
  });
});
