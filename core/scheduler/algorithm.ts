import type { SchedulerCache } from './cache.js';
import { CycleState } from './cycleState.js';
import type { Framework } from './framework.js';
import type { NodeInfo } from './nodeInfo.js';
import { numFeasibleNodesToFind } from './numFeasibleNodes.js';
import type { Diagnosis, PostFilterResult } from './plugin.js';
import type { PodInfo } from './podInfo.js';
import { Code, type Status } from './status.js';

/** How one cycle went, with the work it did (the cost model charges simulated CPU by it). */
export interface CycleWork {
  /** Nodes run through the Filter plugins. */
  readonly nodesFiltered: number;
  /** Feasible nodes run through the Score plugins (0 when one or no node was feasible). */
  readonly nodesScored: number;
}

export type ScheduleResult =
  | ({ readonly type: 'scheduled'; readonly node: NodeInfo; readonly state: CycleState; readonly feasibleNodes: number } & CycleWork)
  | ({
      readonly type: 'unschedulable';
      readonly diagnosis: Diagnosis;
      readonly message: string;
      readonly postFilter: PostFilterResult | undefined;
    } & CycleWork)
  | ({ readonly type: 'error'; readonly status: Status } & CycleWork);

export interface AlgorithmOptions {
  /** 0 = adaptive (upstream default); 1..100 = fixed percentage. */
  readonly percentageOfNodesToScore: number;
  /** `roundRobin` (upstream): each cycle starts after where the last stopped. `fromStart`: first-fit order. */
  readonly nodeOrder: 'roundRobin' | 'fromStart';
  /** first-fit: stop filtering at the first feasible node. */
  readonly stopAtFirstFeasible?: boolean;
}

/**
 * One scheduling cycle over the cache (upstream's schedulePod): PreFilter, Filter until enough
 * feasible nodes are found starting at the round-robin index, then PreScore, Score,
 * NormalizeScore, weights, and the highest total with ties broken by reservoir sampling on the
 * injected seeded stream. With no feasible node, PostFilter (preemption) runs.
 *
 * Buffers are kept across cycles so that the per-node loops allocate nothing.
 */
export class SchedulingAlgorithm {
  private nextStartNodeIndex = 0;
  private feasible: NodeInfo[] = [];
  private scoreBuffers: Float64Array[] = [];
  private totals = new Float64Array(0);
  private nodeCodes = new Uint8Array(0);

  constructor(
    private readonly cache: SchedulerCache,
    readonly framework: Framework,
    private readonly random: () => number,
    private readonly options: AlgorithmOptions,
  ) {}

  schedule(pod: PodInfo): ScheduleResult {
    const nodes = this.cache.nodes;
    const n = nodes.length;
    const state = new CycleState();
    if (n === 0) return this.unschedulable(pod, state, 'no nodes available to schedule pods', 0, undefined, undefined);
    const pre = this.framework.runPreFilters(state, pod);
    if (pre.code === Code.Error) return { type: 'error', status: pre, nodesFiltered: 0, nodesScored: 0 };
    if (pre.code !== Code.Success) {
      this.resetCodes(n).fill(pre.code);
      return this.unschedulable(pod, state, pre.reasons.join(', '), 0, pre.plugin, pre);
    }
    // Overwritten in place and truncated once at the end: `length = 0` would drop the backing
    // store and the pushes of every cycle would grow it again (kilobytes of garbage per cycle).
    const feasible = this.feasible;
    let found = 0;
    let codesReset = false;
    let reasonCounts: Map<string, number> | undefined;
    let plugins: Set<string> | undefined;
    let filtered = 0;

    // A pod that preempted before retries its nominated node first (upstream evaluateNominatedNode).
    const nominated = pod.pod.status?.nominatedNodeName;
    const nominatedNode = nominated === undefined ? undefined : this.cache.node(nominated);
    if (nominatedNode !== undefined) {
      filtered++;
      if (this.framework.runFilters(state, pod, nominatedNode).code === Code.Success) {
        return { type: 'scheduled', node: nominatedNode, state, feasibleNodes: 1, nodesFiltered: 1, nodesScored: 0 };
      }
    }

    const toFind = this.options.stopAtFirstFeasible === true ? 1 : numFeasibleNodesToFind(n, this.options.percentageOfNodesToScore);
    const start = this.options.nodeOrder === 'roundRobin' ? this.nextStartNodeIndex % n : 0;
    let processed = 0;
    for (; processed < n && found < toFind; processed++) {
      const node = nodes[(start + processed) % n];
      if (node === undefined) continue;
      const s = this.framework.runFilters(state, pod, node);
      if (s.code === Code.Success) {
        feasible[found++] = node;
        continue;
      }
      if (s.code === Code.Error) return { type: 'error', status: s, nodesFiltered: filtered + processed + 1, nodesScored: 0 };
      if (!codesReset) {
        this.resetCodes(n);
        codesReset = true;
      }
      this.nodeCodes[node.index] = s.code;
      (plugins ??= new Set()).add(this.framework.lastRejectingPlugin);
      reasonCounts ??= new Map();
      for (const r of s.reasons) reasonCounts.set(r, (reasonCounts.get(r) ?? 0) + 1);
    }
    if (feasible.length !== found) feasible.length = found;
    filtered += processed;
    this.nextStartNodeIndex = (start + processed) % n;

    if (feasible.length === 0) {
      const diagnosis: Diagnosis = { nodeCodes: this.nodeCodes, unschedulablePlugins: plugins ?? new Set(), reasonCounts: reasonCounts ?? new Map() };
      const message = formatFitError(n, diagnosis.reasonCounts);
      return this.finishUnschedulable(pod, state, diagnosis, message, filtered);
    }
    const first = feasible[0];
    if (feasible.length === 1 && first !== undefined) {
      return { type: 'scheduled', node: first, state, feasibleNodes: 1, nodesFiltered: filtered, nodesScored: 0 };
    }
    const pre2 = this.framework.runPreScores(state, pod, feasible);
    if (pre2.code !== Code.Success) return { type: 'error', status: pre2, nodesFiltered: filtered, nodesScored: 0 };
    const chosen = this.selectHost(pod, state, feasible);
    return { type: 'scheduled', node: chosen, state, feasibleNodes: feasible.length, nodesFiltered: filtered, nodesScored: feasible.length };
  }

  private resetCodes(n: number): Uint8Array {
    if (this.nodeCodes.length < n) this.nodeCodes = new Uint8Array(Math.max(n, this.nodeCodes.length * 2));
    else this.nodeCodes.fill(0);
    return this.nodeCodes;
  }

  private unschedulable(
    pod: PodInfo,
    state: CycleState,
    message: string,
    filtered: number,
    plugin: string | undefined,
    pre: Status | undefined,
  ): ScheduleResult {
    const diagnosis: Diagnosis = {
      nodeCodes: this.nodeCodes,
      unschedulablePlugins: new Set(plugin === undefined ? [] : [plugin]),
      reasonCounts: new Map(),
      ...(pre === undefined ? {} : { preFilterMessage: message }),
    };
    return this.finishUnschedulable(pod, state, diagnosis, `0/${this.cache.nodeCount} nodes are available: ${message}.`, filtered);
  }

  private finishUnschedulable(pod: PodInfo, state: CycleState, diagnosis: Diagnosis, message: string, filtered: number): ScheduleResult {
    let postFilter: PostFilterResult | undefined;
    for (const p of this.framework.postFilterPlugins) {
      const r = p.postFilter?.(state, pod, diagnosis);
      if (r === undefined) continue;
      postFilter = r;
      if (r.status.code === Code.Success) break;
    }
    return { type: 'unschedulable', diagnosis, message, postFilter, nodesFiltered: filtered, nodesScored: 0 };
  }

  private selectHost(pod: PodInfo, state: CycleState, feasible: readonly NodeInfo[]): NodeInfo {
    const count = feasible.length;
    if (this.totals.length < count) this.totals = new Float64Array(Math.max(count, this.totals.length * 2));
    const totals = this.totals;
    totals.fill(0, 0, count);
    const fw = this.framework;
    for (let i = 0; i < fw.scorePlugins.length; i++) {
      if (fw.scoreSkipped[i] === 1) continue;
      const p = fw.scorePlugins[i];
      if (p === undefined || p.score === undefined) continue;
      let buf = this.scoreBuffers[i];
      if (buf === undefined || buf.length < count) {
        buf = new Float64Array(Math.max(count, (buf?.length ?? 0) * 2));
        this.scoreBuffers[i] = buf;
      }
      if (p.scoreAll !== undefined) {
        p.scoreAll(state, pod, feasible, buf, count);
      } else {
        for (let j = 0; j < count; j++) {
          const node = feasible[j];
          buf[j] = node === undefined ? 0 : p.score(state, pod, node);
        }
      }
      p.normalizeScore?.(state, pod, feasible, buf, count);
      const w = fw.scoreWeights[i] ?? 1;
      for (let j = 0; j < count; j++) totals[j] = (totals[j] ?? 0) + (buf[j] ?? 0) * w;
    }
    // Reservoir sampling among the maxima: each tied node is kept with probability 1/ties.
    let best = 0;
    let bestScore = totals[0] ?? 0;
    let ties = 1;
    for (let j = 1; j < count; j++) {
      const s = totals[j] ?? 0;
      if (s > bestScore) {
        best = j;
        bestScore = s;
        ties = 1;
      } else if (s === bestScore) {
        ties++;
        if (Math.floor(this.random() * ties) === 0) best = j;
      }
    }
    const node = feasible[best];
    if (node === undefined) throw new Error('selectHost: no feasible node');
    return node;
  }

  /** Last scores computed, for tests and diagnostics: total per feasible node of the last scored cycle. */
  lastTotals(count: number): number[] {
    return Array.from(this.totals.subarray(0, count));
  }
}

/** Upstream's FitError message: "0/N nodes are available: 3 Insufficient cpu, 2 node(s) …." (reasons sorted). */
export function formatFitError(numNodes: number, reasons: ReadonlyMap<string, number>): string {
  const parts = [...reasons].map(([r, c]) => `${c} ${r}`).sort();
  return `0/${numNodes} nodes are available: ${parts.join(', ')}.`;
}
