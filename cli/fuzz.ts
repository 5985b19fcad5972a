import { join } from 'node:path';
import fc from 'fast-check';
import { hostNames, runScenario, FAULT_KINDS, type Fault, type FaultKind, type FaultTarget, type InvariantResult, type LeaderKind, type PartitionSpec, type Scenario } from '../core/cluster/index.js';
import { scenarioToYaml } from '../scenarios/index.js';
import { writeFilesAtomically } from '../reports/index.js';
import type { Micros } from '../sim/time.js';
import { s } from '../sim/time.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATION, UsageError, shellQuote, type LoadedScenario } from './common.js';

export interface FuzzOptions {
  readonly runs: number;
  readonly seed: number;
  readonly kinds: readonly FaultKind[];
  readonly out: string;
  readonly quiet: boolean;
}

/** One generated case: the simulation seed and the fault schedule. */
export interface FuzzCase {
  readonly seed: number;
  readonly faults: readonly Fault[];
}

export interface FuzzOutcome {
  readonly found: boolean;
  readonly runs: number;
  readonly shrinks?: number;
  readonly counterexample?: FuzzCase;
  readonly violated?: readonly InvariantResult[];
  readonly traceHash?: string;
  readonly path?: string;
}

export function parseFaultKinds(text: string | undefined): FaultKind[] {
  if (text === undefined) return ['crash', 'partition', 'pause', 'clockSkew', 'loss', 'slowDisk'];
  const kinds = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const bad = kinds.filter((k) => !FAULT_KINDS.includes(k as FaultKind));
  if (bad.length > 0 || kinds.length === 0) throw new UsageError(`--faults takes a comma-separated list of ${FAULT_KINDS.join(', ')}; got "${text}"`);
  return kinds as FaultKind[];
}

/**
 * The two phases of a fuzz run: faults are injected and healed inside the safety phase (the first
 * 60% of the run); the rest is the liveness phase, in which the cluster must converge again.
 */
function phases(durationUs: Micros): { faultEndUs: Micros; livenessUs: Micros } {
  const faultEndUs = Math.floor(durationUs * 0.6);
  return { faultEndUs, livenessUs: durationUs - faultEndUs };
}

/** Fault schedules over the scenario's own hosts, groups and leaders; every fault heals in the safety phase. */
export function faultScheduleArb(scenario: Scenario, kinds: readonly FaultKind[], maxFaults = 4): fc.Arbitrary<Fault[]> {
  const layout = hostNames(scenario.cluster);
  const { faultEndUs } = phases(scenario.durationUs);
  const hosts = [...layout.masters, ...(scenario.cluster.etcd.topology === 'external' ? layout.etcdHosts : []), ...layout.workers.slice(0, 4)];
  const leaders: LeaderKind[] = scenario.cluster.masters > 0 ? ['etcd', 'kube-scheduler', 'kube-controller-manager'] : ['etcd'];
  const target: fc.Arbitrary<FaultTarget> = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...hosts).map((host): FaultTarget => ({ type: 'host', host })) },
    { weight: 2, arbitrary: fc.constantFrom(...leaders).map((component): FaultTarget => ({ type: 'leader', component })) },
  );
  // Whole seconds keep shrunk schedules readable; a fault starts and ends inside the safety phase.
  const window = fc
    .tuple(fc.integer({ min: 1, max: Math.max(1, Math.floor(faultEndUs / 1e6) - 2) }), fc.integer({ min: 1, max: 30 }))
    .map(([at, len]) => ({ atUs: s(at), forUs: s(Math.max(1, Math.min(len, Math.floor(faultEndUs / 1e6) - at))) }));
  const partition: fc.Arbitrary<PartitionSpec> = fc.oneof(
    target.map((t): PartitionSpec => ({ type: 'isolate', target: t })),
    fc.constantFrom('minority' as const, 'majority' as const).map((leaderIn): PartitionSpec => ({ type: 'split', group: 'etcd', leaderIn })),
  );
  const byKind: Record<FaultKind, fc.Arbitrary<Fault>> = {
    crash: fc.tuple(window, target).map(([w, t]): Fault => ({ kind: 'crash', atUs: w.atUs, target: t, restartAfterUs: w.forUs })),
    partition: fc.tuple(window, partition).map(([w, p]): Fault => ({ kind: 'partition', atUs: w.atUs, partition: p, oneWay: false, forUs: w.forUs })),
    loss: fc.tuple(window, fc.integer({ min: 1, max: 50 })).map(([w, pct]): Fault => ({ kind: 'loss', atUs: w.atUs, rate: pct / 100, forUs: w.forUs })),
    latency: fc.tuple(window, fc.integer({ min: 1, max: 200 })).map(([w, msMedian]): Fault => ({
      kind: 'latency',
      atUs: w.atUs,
      latency: { medianUs: msMedian * 1000, p99Us: msMedian * 4000 },
      forUs: w.forUs,
    })),
    clockSkew: fc.tuple(window, target, fc.integer({ min: -30, max: 30 })).map(([w, t, off]): Fault => ({ kind: 'clockSkew', atUs: w.atUs, target: t, offsetUs: s(off), forUs: w.forUs })),
    pause: fc.tuple(window, target).map(([w, t]): Fault => ({ kind: 'pause', atUs: w.atUs, target: t, forUs: w.forUs })),
    slowDisk: fc.tuple(window, target, fc.integer({ min: 2, max: 50 })).map(([w, t, f]): Fault => ({ kind: 'slowDisk', atUs: w.atUs, target: t, factor: f, forUs: w.forUs })),
  };
  const faultArb = fc.oneof(...kinds.map((k) => byKind[k]));
  return fc.array(faultArb, { minLength: 1, maxLength: maxFaults }).map((faults) => [...faults].sort((a, b) => a.atUs - b.atUs));
}

/** The scenario a case runs: its faults replace the scenario's, and liveness is checked after them. */
export function caseScenario(base: Scenario, c: FuzzCase): Scenario {
  const { livenessUs } = phases(base.durationUs);
  const convergeWithinUs = base.expect.convergeWithinUs ?? livenessUs - s(1);
  const invariants = base.invariants.includes('liveness.convergesWithin') ? base.invariants : [...base.invariants, 'liveness.convergesWithin' as const];
  return { ...base, seed: c.seed, faults: c.faults, expect: { convergeWithinUs }, invariants };
}

function violations(scenario: Scenario): { violated: InvariantResult[]; traceHash: string } {
  const result = runScenario(scenario);
  return { violated: result.summary.invariants.filter((i) => !i.held), traceHash: result.summary.traceHash };
}

/**
 * Random fault schedules over a scenario (fast-check). A failing case is shrunk to a minimal
 * schedule and written as `counterexample.yaml`, a complete scenario that `kubesim run` replays to
 * the same violation and trace hash.
 */
export function fuzz(loaded: LoadedScenario, options: FuzzOptions, log: (line: string) => void = () => undefined): FuzzOutcome {
  const base = loaded.scenario;
  const arb = fc.record({ seed: fc.integer({ min: 1, max: 1_000_000 }), faults: faultScheduleArb(base, options.kinds) });
  let runs = 0;
  const details = fc.check(
    fc.property(arb, (c) => {
      runs++;
      if (!options.quiet) log(`run ${runs}: seed ${c.seed}, ${c.faults.length} fault(s)`);
      return violations(caseScenario(base, c)).violated.length === 0;
    }),
    { numRuns: options.runs, seed: options.seed, endOnFailure: false },
  );
  if (!details.failed) return { found: false, runs: details.numRuns };
  // A case that threw is replayed below and throws again there: an internal error with its replay command.
  if (details.counterexample === null) throw new Error('the fuzzer failed without a counterexample');
  const [shrunk] = details.counterexample;
  const scenario = caseScenario(base, shrunk);
  const { violated, traceHash } = violations(scenario);
  if (violated.length === 0) throw new Error('the shrunk counterexample no longer fails when replayed: the run is not deterministic');
  const path = join(options.out, 'counterexample.yaml');
  const header = [
    `counterexample found by: kubesim fuzz ${shellQuote(loaded.arg)} --runs ${options.runs} --seed ${options.seed} --faults ${options.kinds.join(',')}`,
    `violated: ${violated.map((v) => `${v.name} at ${v.firstViolationAt ?? '?'}s (${v.detail ?? ''})`).join('; ')}`,
    `traceHash: ${traceHash}`,
    `replay: kubesim run ${path}`,
  ].join('\n');
  writeFilesAtomically(options.out, [{ name: 'counterexample.yaml', content: scenarioToYaml({ ...scenario, name: `${base.name}-counterexample` }, header) }]);
  return { found: true, runs: details.numRuns, shrinks: details.numShrinks, counterexample: shrunk, violated, traceHash, path };
}

export function fuzzCommand(loaded: LoadedScenario, options: FuzzOptions): number {
  try {
    const log = (line: string): void => {
      if (process.stderr.isTTY === true) process.stderr.write(`\r\x1b[K${line}`);
    };
    const outcome = fuzz(loaded, options, log);
    if (process.stderr.isTTY === true && !options.quiet) process.stderr.write('\r\x1b[K');
    if (!outcome.found) {
      process.stdout.write(`${outcome.runs} random fault schedules over ${loaded.scenario.name}: every invariant held (fuzz seed ${options.seed})\n`);
      return EXIT_OK;
    }
    process.stdout.write(
      [
        `invariant violated in run ${outcome.runs}; after ${outcome.shrinks ?? 0} shrink steps, ${outcome.counterexample?.faults.length ?? 0} fault(s), seed ${outcome.counterexample?.seed ?? '?'}:`,
        ...(outcome.violated ?? []).map((v) => `  ${v.name} at ${v.firstViolationAt ?? '?'}s: ${v.detail ?? ''}`),
        `traceHash ${outcome.traceHash ?? ''}`,
        `counterexample: ${outcome.path ?? ''}`,
        `replay: kubesim run ${outcome.path ?? ''}`,
      ].join('\n') + '\n',
    );
    return EXIT_VIOLATION;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    process.stderr.write(`kubesim: internal error during fuzzing\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.stderr.write(`seed: ${options.seed}\nreplay: kubesim fuzz ${shellQuote(loaded.arg)} --runs ${options.runs} --seed ${options.seed} --faults ${options.kinds.join(',')}\n`);
    return EXIT_INTERNAL;
  }
}
