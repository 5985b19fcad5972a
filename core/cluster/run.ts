import { Simulation } from '../../sim/kernel.js';
import { s, type Micros } from '../../sim/time.js';
import { COMPONENT_TABLE } from './components.js';
import { ConvergenceTracker } from './convergence.js';
import { convergenceOf, livenessResult } from './liveness.js';
import { FaultInjector, type FaultWindow } from './faults.js';
import { hostNames } from './hosts.js';
import type { ComponentKindEntry, Installation, InvariantResult, SharedServices } from './kinds.js';
import { takeMetricsRow, type MetricsRow } from './metrics.js';
import { ObservedState, type EventRow } from './observed.js';
import type { InvariantName, Scenario, WorkloadStep } from './scenario.js';
import { emptySummaryParts, round, type ConvergenceRecord, type RunSummary } from './summary.js';
import type { CustomPolicyModule } from '../scheduler/profiles.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Overrides the scenario's duration. */
  readonly untilUs?: Micros;
  /** Overrides the scheduler policy. */
  readonly policy?: string;
  /**
   * The exports of a custom scheduler policy module, imported by the caller (core/ reads no files):
   * required when the policy is a module path rather than a built-in name.
   */
  readonly customPolicy?: CustomPolicyModule;
  /** Hard bound on kernel events (a runaway run aborts rather than hangs). */
  readonly maxEvents?: number;
  /** Called once per simulated second with the current and final time (progress display). */
  readonly onProgress?: (nowUs: Micros, endUs: Micros) => void;
  /**
   * Called after each per-second metrics row with the kernel's event count. Returning a time moves
   * the end of the run earlier to it (never later): the macro benchmark ends a run an hour after the
   * rollout completed without knowing in advance when that is.
   */
  readonly onSample?: (row: MetricsRow, info: { readonly nowUs: Micros; readonly events: number }) => Micros | void;
  /** The component table to wire; tests substitute their own. Defaults to every kind of the build. */
  readonly components?: readonly ComponentKindEntry[];
}

export interface RunResult {
  readonly summary: RunSummary;
  readonly metrics: readonly MetricsRow[];
  readonly events: readonly EventRow[];
  readonly faults: readonly FaultWindow[];
  /** Things the run could not do in this build (e.g. workload steps without an API server). */
  readonly warnings: readonly string[];
  /** Split-brain intervals per component, simulated seconds (end null if still open at the end). */
  readonly splitBrain: ReadonlyArray<{ readonly component: string; readonly start: number; readonly end: number }>;
  /** True when every checked invariant held (exit code 0). */
  readonly allHeld: boolean;
}

/** The scenario with the CLI's overrides applied. */
export function withOverrides(scenario: Scenario, options: Pick<RunOptions, 'seed' | 'untilUs' | 'policy'>): Scenario {
  return {
    ...scenario,
    seed: options.seed ?? scenario.seed,
    durationUs: options.untilUs ?? scenario.durationUs,
    cluster:
      options.policy === undefined
        ? scenario.cluster
        : { ...scenario.cluster, scheduler: { ...scenario.cluster.scheduler, policy: options.policy } },
  };
}

/**
 * Builds the simulation a scenario describes, runs it to its end with the observers attached, and
 * returns every figure the outputs need. Synchronous and deterministic: the same scenario and seed
 * give the same result in any process.
 */
export function runScenario(input: Scenario, options: RunOptions = {}): RunResult {
  const scenario = withOverrides(input, options);
  let endUs = scenario.durationUs;
  const layout = hostNames(scenario.cluster);
  const sim = new Simulation({ seed: scenario.seed, maxEvents: options.maxEvents ?? 2e9 });
  const state = new ObservedState();
  const warnings: string[] = [];
  const cluster = scenario.cluster;

  sim.network.configure({ latency: { median: cluster.network.latency.medianUs, p99: cluster.network.latency.p99Us }, loss: cluster.network.loss });
  const fsync = { median: cluster.etcd.fsyncLatency.medianUs, p99: cluster.etcd.fsyncLatency.p99Us };
  for (const h of layout.masters) sim.addHost(h, { fsyncLatency: fsync });
  if (cluster.etcd.topology === 'external') for (const h of layout.etcdHosts) sim.addHost(h, { fsyncLatency: fsync });
  for (const h of layout.workers) sim.addHost(h);

  const table = options.components ?? COMPONENT_TABLE;
  const enabled = table.filter((entry) => entry.enabled(scenario));
  const kinds = enabled.map((entry) => entry.name);
  const services: SharedServices = { storeApplyListeners: [] };
  const installed = enabled.map((entry) => ({ entry, hooks: entry.install({ sim, scenario, layout, state, kinds, services, ...(options.customPolicy !== undefined ? { customPolicy: options.customPolicy } : {}) }) }));

  const convergence = new ConvergenceTracker();
  const convergenceParts = installed.flatMap(({ hooks }) => (hooks.converged === undefined ? [] : [hooks.converged.bind(hooks)]));
  // With nothing that can be unconverged the predicate is vacuously true.
  const isConverged = (): boolean => {
    for (const part of convergenceParts) if (!part()) return false;
    return true;
  };
  const observers = installed.flatMap(({ hooks }) => (hooks.observe === undefined ? [] : [hooks.observe.bind(hooks)]));
  sim.onObservation((timeUs, endpoint, obs) => {
    for (const observe of observers) observe(timeUs, endpoint, obs);
    convergence.update(timeUs, isConverged());
  });

  const faults = new FaultInjector(sim, layout, state);
  faults.schedule(scenario.faults);

  const driver = installed.find(({ hooks }) => hooks.workload !== undefined)?.hooks.workload;
  if (scenario.workload.length > 0 && driver === undefined) {
    warnings.push(`workload steps ignored: no component of this build applies them (needs kube-apiserver)`);
  }
  scenario.workload.forEach((step, i) => {
    if (driver === undefined) return;
    sim.at(step.atUs, `workload/${i}/${step.type}`, () => {
      state.event(sim.now, `workload.${step.type}`, stepSubject(step), '');
      driver.perform(step);
    });
  });

  const metrics: MetricsRow[] = [];
  const samplers = installed.flatMap(({ hooks }) => (hooks.sample === undefined ? [] : [hooks.sample.bind(hooks)]));
  const sample = (): void => {
    for (const fn of samplers) fn(sim.now);
    convergence.update(sim.now, isConverged());
    const row = takeMetricsRow(sim.now, state);
    metrics.push(row);
    const newEnd = options.onSample?.(row, { nowUs: sim.now, events: sim.eventsProcessed });
    if (typeof newEnd === 'number' && newEnd >= sim.now && newEnd < endUs) endUs = newEnd;
    options.onProgress?.(sim.now, endUs);
    const next = sim.now + s(1);
    if (next <= endUs) sim.at(next, 'metrics', sample);
  };
  sim.at(0, 'metrics', sample);

  // In one-second slices, so that an end moved earlier by onSample takes effect; events are ordered
  // by absolute time, so slicing the run changes neither their order nor the trace.
  while (sim.now < endUs) sim.run({ until: Math.min(endUs, sim.now + s(1)) });

  const convergenceRecords = convergenceOf(faults.windows, convergence, endUs, stepTimesUs(scenario));
  const invariants = collectInvariants(scenario, installed, convergenceRecords, endUs, convergence.isConverged());
  for (const inv of invariants) {
    if (!inv.held) state.event(s(inv.firstViolationAt ?? endUs / 1e6), 'invariant.violated', inv.name, inv.detail ?? '');
  }
  const parts = emptySummaryParts();
  for (const { hooks } of installed) hooks.summarise?.(parts, endUs);
  const summary: RunSummary = {
    scenario: scenario.name,
    seed: scenario.seed,
    simulatedSeconds: round(endUs / 1e6),
    events: sim.eventsProcessed,
    traceHash: sim.traceHash(),
    invariants,
    scheduling: parts.scheduling,
    podStartup: parts.podStartup,
    convergence: convergenceRecords,
    leaderElection: parts.leaderElection,
    store: parts.store,
    api: parts.api,
    availability: parts.availability,
    placement: parts.placement,
    components: installed.map(({ entry }) => entry.name),
  };
  // Stable by time: events at one instant keep the order in which they happened.
  const events = state.events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i).map(({ e }) => e);
  return {
    summary,
    metrics,
    events,
    faults: faults.windows,
    splitBrain: state.splitBrain.map((b) => ({ component: b.component, start: b.startUs / 1e6, end: (b.endUs ?? endUs) / 1e6 })),
    warnings,
    allHeld: invariants.every((i) => i.held),
  };
}

function collectInvariants(
  scenario: Scenario,
  installed: ReadonlyArray<{ entry: ComponentKindEntry; hooks: Installation }>,
  convergence: readonly ConvergenceRecord[],
  endUs: Micros,
  convergedAtEnd: boolean,
): InvariantResult[] {
  const results = new Map<InvariantName, InvariantResult>();
  for (const { hooks } of installed) {
    for (const r of hooks.invariants?.(endUs) ?? []) if (!results.has(r.name)) results.set(r.name, r);
  }
  return scenario.invariants.map((name): InvariantResult => {
    if (name === 'liveness.convergesWithin') return livenessResult(scenario.expect.convergeWithinUs, stepTimesUs(scenario), convergence, endUs, convergedAtEnd);
    const r = results.get(name);
    if (r !== undefined) return r;
    const owner = COMPONENT_OWNERS[name];
    return { name, held: true, checked: false, detail: `not checked: nothing in this run can violate it (${owner} not wired)` };
  });
}

/** Which component's absence makes an invariant vacuous (for the "not checked" detail). */
const COMPONENT_OWNERS: Readonly<Record<InvariantName, string>> = {
  'store.electionSafety': 'store',
  'store.logMatching': 'store',
  'store.durability': 'store',
  'store.linearizable': 'store',
  'api.optimisticConcurrency': 'kube-apiserver',
  'api.authorization': 'kube-apiserver',
  'scheduler.noDoubleBinding': 'kube-scheduler',
  'scheduler.capacity': 'kube-scheduler',
  'scheduler.constraints': 'kube-scheduler',
  'deployment.rollingBounds': 'kube-controller-manager',
  'election.noSplitBrain': 'leader election',
  'election.fencing': 'leader election',
  'liveness.convergesWithin': 'runner',
};

/** What a workload step acts on, for its events.csv row. */
function stepSubject(step: WorkloadStep): string {
  switch (step.type) {
    case 'apply':
      return step.manifests.map((m) => `${String(m['kind'])}/${String((m['metadata'] as { name?: unknown } | undefined)?.name ?? '')}`).join(' ');
    case 'arrivals':
      return `${step.namePrefix}-* at ${step.ratePerSec}/s`;
    case 'set':
    case 'delete':
    case 'scale':
      return `${step.kind}/${step.name}`;
    case 'rollback':
    case 'load':
      return `Deployment/${step.deployment}`;
  }
}

function stepTimesUs(scenario: Scenario): Micros[] {
  return scenario.workload.map((step) => step.atUs);
}
