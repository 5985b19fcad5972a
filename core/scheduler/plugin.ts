import type { ClusterEvent } from './clusterEvent.js';
import type { CycleState } from './cycleState.js';
import type { NodeInfo } from './nodeInfo.js';
import type { PodInfo } from './podInfo.js';
import type { SchedulerCache } from './cache.js';
import type { Status } from './status.js';

/** Runs a profile's PreFilter and Filter plugins; PostFilter plugins (preemption) dry-run with it. */
export interface FilterRunner {
  /** Runs every PreFilter plugin into `state`; a rejection or error is returned as is. */
  runPreFilters(state: CycleState, pod: PodInfo): Status;
  /** Runs the Filter plugins not skipped by PreFilter in `state`; the first rejection wins. */
  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** True when the last runPreFilters succeeded and all its plugins have PreFilter extensions. */
  canUpdatePreFilterState(): boolean;
  updatePreFilterState(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void;
}

/** What plugins may use besides the pod and node they are handed. */
export interface FrameworkHandle {
  readonly cache: SchedulerCache;
  /** The scheduler's seeded stream: a number in [0, 1). */
  readonly random: () => number;
  /** Set by the Framework once its plugins are built. */
  framework: FilterRunner | undefined;
}

/** Outcome of PostFilter: a node nominated for the pod after evicting `victims`, or nothing. */
export interface PostFilterResult {
  readonly status: Status;
  readonly nominatedNodeName?: string;
  readonly victims?: readonly PodInfo[];
  /** Nodes dry-run for preemption (the cost model charges them). */
  readonly nodesExamined?: number;
}

/** Per-node filter results of a failed cycle, handed to PostFilter. */
export interface Diagnosis {
  /** The code each evaluated node was rejected with, by NodeInfo.index (0 = not evaluated). */
  readonly nodeCodes: Uint8Array;
  /** Plugins that rejected at least one node: the queue wakes the pod on their events. */
  readonly unschedulablePlugins: ReadonlySet<string>;
  /** Rejection reason → number of nodes, for the "0/N nodes are available: …" message. */
  readonly reasonCounts: ReadonlyMap<string, number>;
  /** Set when PreFilter rejected the pod for every node. */
  readonly preFilterMessage?: string;
}

/**
 * A scheduling plugin: an object with a name and any subset of the extension points, as upstream's
 * framework. Users write plugins in TypeScript with this shape and register them by name
 * (registry.ts). Hot-path rules: Filter and Score run once per node and must not allocate; put
 * per-pod work in PreFilter/PreScore and keep it in the CycleState.
 */
export interface Plugin {
  readonly name: string;
  /** Cluster events that can turn this plugin's rejections into success; default: all. */
  readonly events?: readonly ClusterEvent[];

  /** Once per cycle before filtering. Skip disables this plugin's Filter for the cycle. */
  preFilter?(state: CycleState, pod: PodInfo): Status;
  /**
   * PreFilter extensions: update this plugin's PreFilter state in `state` as if `other` were added
   * to / removed from `node`, so preemption can try victims without recomputing PreFilter. A plugin
   * with PreFilter state but without these makes preemption fall back to re-running PreFilter.
   */
  addPod?(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void;
  removePod?(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): void;
  /** Once per node; return SUCCESS or a (preallocated) rejection. */
  filter?(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** After no node passed Filter; may evict lower-priority pods to make room (preemption). */
  postFilter?(state: CycleState, pod: PodInfo, diagnosis: Diagnosis): PostFilterResult;
  /** Once per cycle over the feasible nodes. Skip disables this plugin's Score for the cycle. */
  preScore?(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status;
  /** Once per feasible node; the raw score, normalised to 0..MaxNodeScore by normalizeScore if needed. */
  score?(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /**
   * Optional batch form of `score` (same results): the raw scores of `nodes[0..count)` into
   * `scores[0..count)`. The framework calls it, when present, instead of `score` per node: one call
   * per cycle rather than one dispatch and CycleState read per node. `score` is still required.
   */
  scoreAll?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: Float64Array, count: number): void;
  /** Rescales `scores[0..count)` in place (same order as `nodes`) to 0..MaxNodeScore. */
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: Float64Array, count: number): void;
  /** After a node is chosen, before binding; failing aborts the cycle (unreserve runs). */
  reserve?(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve?(state: CycleState, pod: PodInfo, nodeName: string): void;
  /** Binding hook; return Skip to leave binding to the default binder (pods/binding through the API). */
  bind?(state: CycleState, pod: PodInfo, nodeName: string): Status;
}

/** Builds a plugin instance for a profile; `args` are the plugin's configuration. */
export type PluginFactory = (handle: FrameworkHandle, args: Readonly<Record<string, unknown>> | undefined) => Plugin;
