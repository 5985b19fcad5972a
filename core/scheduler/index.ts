// Public face of the scheduler (issue 6).
export { Code, MaxNodeScore, SUCCESS, SKIP, status, isSuccess, isRejected, type Status } from './status.js';
export type { Plugin, PluginFactory, FrameworkHandle, FilterRunner, Diagnosis, PostFilterResult } from './plugin.js';
export { CycleState } from './cycleState.js';
export { ALL_CLUSTER_EVENTS, type ClusterEvent } from './clusterEvent.js';
export { Framework, type WeightedPlugin } from './framework.js';
export { SchedulingAlgorithm, formatFitError, type ScheduleResult, type AlgorithmOptions, type CycleWork } from './algorithm.js';
export { numFeasibleNodesToFind } from './numFeasibleNodes.js';
export { SchedulerCache, type Placement } from './cache.js';
export { NodeInfo } from './nodeInfo.js';
export { buildPodInfo, termMatchesPod, type PodInfo, type AffinityTerm, type SpreadConstraint } from './podInfo.js';
export { SchedulingQueue, DEFAULT_QUEUE_OPTIONS, type QueuedPod, type QueueOptions } from './schedulingQueue.js';
export { PluginRegistry, builtinRegistry } from './registry.js';
export {
  POLICIES,
  POLICY_NAMES,
  isPolicyName,
  registerCustomPolicy,
  buildFramework,
  type PolicyName,
  type ProfileSpec,
  type PluginEntry,
  type CustomPolicyModule,
} from './profiles.js';
export { DEFAULT_COST_MODEL, cycleCostUs, type SchedulerCostModel } from './costModel.js';
export { SchedulerCore, DEFAULT_SCHEDULER_NAME, nodeChangeEvents, type CycleOutcome, type SchedulerCoreOptions } from './schedulerCore.js';
export { defaultNormalizeScore } from './normalize.js';
export * as resourceScoring from './resourceAllocation.js';
export { SchedulerCheckers, feedBindingObservation } from './checkers/schedulerCheckers.js';
export { NoDoubleBindingChecker, NO_DOUBLE_BINDING } from './checkers/noDoubleBinding.js';
export { CapacityChecker, CAPACITY } from './checkers/capacity.js';
export { ConstraintsChecker, CONSTRAINTS } from './checkers/constraints.js';
export type { InvariantResult, BindingObserver } from './checkers/invariantResult.js';
export { KubeScheduler, SCHEDULER_COMPONENT, type KubeSchedulerConfig } from './kubeScheduler.js';
