// A fault schedule is plain data: typed faults → YAML → typed faults is the identity (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseScenario, scenarioToYaml, faultsToYaml, formatLoadError, loadScenarioFile, resolveScenarioPath, builtinScenarioNames } from '../../scenarios/index.js';
import { DEFAULT_CLUSTER, DEFAULT_DURATION_US, type Fault, type FaultTarget, type PartitionSpec, type Scenario } from '../../core/cluster/index.js';

const SEED = 20261121;

const cluster = { ...DEFAULT_CLUSTER, nodePools: [{ count: 3, namePrefix: 'worker', capacity: { cpuMilli: 4000, memoryBytes: 16 * 1024 ** 3, pods: 110 }, labels: {}, taints: [] }] };

const target: fc.Arbitrary<FaultTarget> = fc.oneof(
  fc.constantFrom('master-1', 'master-2', 'master-3', 'worker-1', 'worker-3').map((host): FaultTarget => ({ type: 'host', host })),
  fc.constantFrom('masters', 'workers', 'etcd' as const).map((group): FaultTarget => ({ type: 'group', group })),
  fc.constantFrom(
    { type: 'instance', component: 'kube-scheduler', host: 'master-2' } as const,
    { type: 'instance', component: 'etcd', host: 'master-1' } as const,
    { type: 'instance', component: 'kubelet', host: 'worker-2' } as const,
  ),
  fc.constantFrom('etcd', 'kube-scheduler', 'kube-controller-manager' as const).map((component): FaultTarget => ({ type: 'leader', component })),
);
const duration = fc.integer({ min: 1, max: 600_000_000 });
const at = fc.integer({ min: 0, max: DEFAULT_DURATION_US });
const optFor = fc.option(duration, { nil: undefined });
const withFor = <T extends object>(f: T, forUs: number | undefined): T => (forUs === undefined ? f : { ...f, forUs });
const partition: fc.Arbitrary<PartitionSpec> = fc.oneof(
  fc.array(fc.array(target, { maxLength: 3 }), { minLength: 2, maxLength: 3 }).map((sides): PartitionSpec => ({ type: 'groups', sides })),
  target.map((t): PartitionSpec => ({ type: 'isolate', target: t })),
  fc.record({ group: fc.constantFrom('etcd', 'masters' as const), leaderIn: fc.constantFrom('minority', 'majority' as const) }).map((r): PartitionSpec => ({ type: 'split', ...r })),
);

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.tuple(at, target, fc.option(duration, { nil: undefined })).map(([atUs, t, restartAfterUs]): Fault =>
    restartAfterUs === undefined ? { kind: 'crash', atUs, target: t } : { kind: 'crash', atUs, target: t, restartAfterUs },
  ),
  fc.tuple(at, partition, fc.boolean(), optFor).map(([atUs, p, oneWay, forUs]): Fault =>
    withFor({ kind: 'partition', atUs, partition: p, oneWay: p.type === 'split' ? false : oneWay }, forUs),
  ),
  fc.tuple(at, fc.integer({ min: 0, max: 1000 }), optFor).map(([atUs, permille, forUs]): Fault => withFor({ kind: 'loss', atUs, rate: permille / 1000 }, forUs)),
  fc.tuple(at, fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), optFor).map(([atUs, a, b, forUs]): Fault =>
    withFor({ kind: 'latency', atUs, latency: { medianUs: Math.min(a, b), p99Us: Math.max(a, b) } }, forUs),
  ),
  fc.tuple(at, target, fc.option(fc.integer({ min: -60_000_000, max: 60_000_000 }), { nil: undefined }), fc.option(fc.integer({ min: -900, max: 5000 }), { nil: undefined }), optFor)
    .filter(([, , o, d]) => o !== undefined || d !== undefined)
    .map(([atUs, t, offsetUs, driftPermille, forUs]): Fault =>
      withFor(
        {
          kind: 'clockSkew',
          atUs,
          target: t,
          ...(offsetUs === undefined ? {} : { offsetUs }),
          ...(driftPermille === undefined ? {} : { drift: driftPermille === 0 ? 0 : driftPermille / 1000 }),
        },
        forUs,
      ),
    ),
  fc.tuple(at, target, duration).map(([atUs, t, forUs]): Fault => ({ kind: 'pause', atUs, target: t, forUs })),
  fc.tuple(at, target, fc.integer({ min: 1, max: 1000 }), optFor).map(([atUs, t, factor, forUs]): Fault => withFor({ kind: 'slowDisk', atUs, target: t, factor }, forUs)),
);

function scenarioWith(faults: readonly Fault[]): Scenario {
  return { name: 'rt', description: 'round trip', seed: 7, durationUs: DEFAULT_DURATION_US, cluster, workload: [], faults, invariants: ['store.durability'], expect: {} };
}

describe(`fault schedule YAML round trip (fast-check seed ${SEED})`, () => {
  it('parse(serialise(schedule)) = schedule', () => {
    fc.assert(
      fc.property(fc.array(fault, { maxLength: 8 }), (faults) => {
        const sc = scenarioWith(faults);
        const r = parseScenario(scenarioToYaml(sc), 'rt.yaml');
        if (!r.ok) throw new Error(r.errors.map(formatLoadError).join('\n'));
        assert.deepStrictEqual(r.scenario.faults, faults);
        assert.deepStrictEqual(r.scenario, sc);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('faultsToYaml is the spec.faults list', () => {
    const faults: Fault[] = [{ kind: 'crash', atUs: 30_000_000, target: { type: 'leader', component: 'etcd' }, restartAfterUs: 20_000_000 }];
    assert.equal(faultsToYaml(faults), '- at: 30s\n  crash: leader(etcd)\n  restartAfter: 20s\n');
  });

  it('every built-in scenario survives a round trip', () => {
    for (const name of builtinScenarioNames()) {
      const first = loadScenarioFile(resolveScenarioPath(name) ?? '');
      assert.ok(first.ok, name);
      if (!first.ok) continue;
      const again = parseScenario(scenarioToYaml(first.scenario), `${name}.yaml`);
      if (!again.ok) assert.fail(again.errors.map(formatLoadError).join('\n'));
      assert.deepStrictEqual(again.scenario, first.scenario);
    }
  });
});
