// Scenario capacities and load steps use core/api's exact Kubernetes quantities (the loader's own
// float parser is gone): values round up as MilliValue/Value, errors keep file:line:col.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLoadError, parseScenario } from '../../scenarios/index.js';

const HEAD = 'apiVersion: kubesim/v1\nkind: Scenario\nmetadata: {name: q}\n';

function pool(cpu: string, memory: string): { cpuMilli: number; memoryBytes: number } | string[] {
  const r = parseScenario(`${HEAD}spec:\n  cluster:\n    nodes:\n      - {count: 1, capacity: {cpu: ${cpu}, memory: ${memory}}}\n`, 'q.yaml');
  if (!r.ok) return r.errors.map(formatLoadError);
  const c = r.scenario.cluster.nodePools[0]?.capacity;
  return { cpuMilli: c?.cpuMilli ?? -1, memoryBytes: c?.memoryBytes ?? -1 };
}

it('capacities: exact decimal and binary quantities, YAML numbers, rounding up like MilliValue/Value', () => {
  assert.deepEqual(pool('"500m"', '16Gi'), { cpuMilli: 500, memoryBytes: 16 * 1024 ** 3 });
  assert.deepEqual(pool('4', '1e9'), { cpuMilli: 4000, memoryBytes: 1_000_000_000 });
  assert.deepEqual(pool('"0.1"', '"1.5Gi"'), { cpuMilli: 100, memoryBytes: 1.5 * 1024 ** 3 });
  // Below a milli-core rounds up to 1m (upstream MilliValue), never down to 0.
  assert.deepEqual(pool('"0.0001"', '"1k"'), { cpuMilli: 1, memoryBytes: 1000 });
  assert.deepEqual(pool('"2.5"', '"512Mi"'), { cpuMilli: 2500, memoryBytes: 512 * 1024 ** 2 });
});

it('capacities: bad quantities are located errors with the field path', () => {
  assert.deepEqual(pool('"4x"', '16Gi'), [
    `q.yaml:7:36: spec.cluster.nodes[0].capacity.cpu: invalid quantity "4x": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'; expected e.g. 500m, 4, 16Gi, 1e9`,
  ]);
  const errs = pool('"-1"', 'lots');
  assert.ok(Array.isArray(errs));
  assert.equal(errs.length, 2);
  assert.match(errs[0] ?? '', /^q\.yaml:7:\d+: spec\.cluster\.nodes\[0\]\.capacity\.cpu: a capacity cannot be negative$/);
  assert.match(errs[1] ?? '', /^q\.yaml:7:\d+: spec\.cluster\.nodes\[0\]\.capacity\.memory: invalid quantity "lots": /);
});

it('load steps: cpu demand as an exact milli-value', () => {
  const r = parseScenario(`${HEAD}spec:\n  workload:\n    - {at: 1s, load: {deployment: web, cpu: "1.8"}}\n`, 'q.yaml');
  if (!r.ok) assert.fail(r.errors.map(formatLoadError).join('\n'));
  const step = r.scenario.workload[0];
  assert.ok(step?.type === 'load');
  assert.equal(step.cpuMilli, 1800);
});
