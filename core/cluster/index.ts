// Public face of core/cluster: the typed scenario, and building and running a simulation from it.
export * from './scenario.js';
export { DEFAULT_CLUSTER, DEFAULT_DURATION_US, DEFAULT_NODE_CAPACITY, DEFAULT_SEED, LEADER_ELECTION_JITTER } from './defaults.js';
export { hostNames, groupHosts } from './hosts.js';
export type { HostLayout } from './hosts.js';
export { runScenario, withOverrides } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export { METRICS_COLUMNS } from './metrics.js';
export type { MetricsRow, MetricsColumn } from './metrics.js';
export type { EventRow } from './observed.js';
export type { FaultWindow } from './faults.js';
export { describeFault, describeTarget } from './faults.js';
export type { InvariantResult, ComponentKindEntry, Installation, InstallContext, WorkloadDriver } from './kinds.js';
export { COMPONENT_TABLE } from './components.js';
export type { RunSummary, ConvergenceRecord, ElectionFigures, Percentiles } from './summary.js';
export { percentile } from './summary.js';
