import type { Observation } from '../../sim/component.js';
import type { Simulation } from '../../sim/kernel.js';
import type { Micros } from '../../sim/time.js';
import type { HostLayout } from './hosts.js';
import type { ObservedState } from './observed.js';
import type { InvariantName, Scenario, WorkloadStep } from './scenario.js';
import type { SummaryBuilder } from './summary.js';
import type { History } from '../store/history.js';
import type { StoreRecorder } from '../store/recorder.js';
import type { CustomPolicyModule } from '../scheduler/profiles.js';
import type { CommittedWrites } from './checkers/committedWrites.js';

/** The result of one invariant, as summary.json reports it. */
export interface InvariantResult {
  readonly name: InvariantName;
  readonly held: boolean;
  /** False when nothing in this run could violate it (its component is absent): held vacuously. */
  readonly checked: boolean;
  /** Simulated seconds of the first violation. */
  readonly firstViolationAt?: number;
  readonly detail?: string;
}

/** What the wiring of one component kind hands the runner. */
export interface InstallContext {
  readonly sim: Simulation;
  readonly scenario: Scenario;
  readonly layout: HostLayout;
  readonly state: ObservedState;
  /** Names of every kind wired into this run (a kind can step aside for another, e.g. synthetic store load). */
  readonly kinds: readonly string[];
  /** What installed kinds share with later ones (filled in table order). */
  readonly services: SharedServices;
  /** A custom scheduler policy's module exports, when the policy is a module path. */
  readonly customPolicy?: CustomPolicyModule;
}

/** Hooks one kind hands to the kinds after it, e.g. the store's checker feeds to the API servers' store clients. */
export interface SharedServices {
  /** Client history and recorder of the store checkers; store clients must report to them. */
  storeHistory?: History;
  storeRecorder?: StoreRecorder;
  /** Called for every log entry a store member applies (global time, index, entry data). */
  readonly storeApplyListeners: Array<(timeUs: Micros, index: number, data: unknown) => void>;
  /** The store's committed changes replayed once for every observer that reads them (see sharedCommittedWrites). */
  committedWrites?: CommittedWrites;
}

/** Carries out workload steps through the API (provided by the kind that owns the API client). */
export interface WorkloadDriver {
  perform(step: WorkloadStep): void;
}

/** The hooks an installed component kind offers; all optional. */
export interface Installation {
  /** Translates this kind's observations into the shared ObservedState (and feeds its checkers). */
  observe?(timeUs: Micros, endpointName: string, observation: Observation): void;
  /** Called once per simulated second, before the metrics row is taken (counters that are read from outside). */
  sample?(timeUs: Micros): void;
  /** This kind's part of "the cluster is converged"; all installed parts must agree. */
  converged?(): boolean;
  /** The invariants this kind checks, evaluated at the end of the run. */
  invariants?(endUs: Micros): readonly InvariantResult[];
  /** Adds this kind's figures to summary.json. */
  summarise?(summary: SummaryBuilder, endUs: Micros): void;
  /** Present on the kind that can apply workload steps. */
  readonly workload?: WorkloadDriver;
}

/**
 * One entry per component kind: adding a component to the product is adding one entry here
 * (see components.ts). `enabled` says whether the scenario runs it; `install` adds its hosts'
 * components to the simulation and returns its observers.
 */
export interface ComponentKindEntry {
  readonly name: string;
  /** Invariants this kind checks (so the runner can say which ones are vacuous in this build). */
  readonly checks: readonly InvariantName[];
  enabled(scenario: Scenario): boolean;
  install(ctx: InstallContext): Installation;
}
