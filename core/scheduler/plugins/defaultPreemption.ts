import type { FrameworkHandle, Plugin, PostFilterResult } from '../plugin.js';
import type { NodeInfo } from '../nodeInfo.js';
import type { PodInfo } from '../podInfo.js';
import type { Placement } from '../cache.js';
import { CycleState } from '../cycleState.js';
import { Code, status, SUCCESS } from '../status.js';

export const DEFAULT_PREEMPTION = 'DefaultPreemption';

const NOT_ELIGIBLE = status(Code.Unschedulable, 'preemption: not eligible');
const NO_CANDIDATE = status(Code.Unschedulable, 'preemption: no preemption victims found for incoming pod');

/** Upstream's defaults: examine at least 10% of potential nodes and at least 100 of them. */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
/** Offset making priorities non-negative in the priority sum (upstream adds MaxInt32 + 1). */
const PRIORITY_OFFSET = 2 ** 31;

export interface Candidate {
  readonly node: NodeInfo;
  /** Victims, most important first (higher priority, then earlier start). */
  readonly victims: readonly PodInfo[];
}

/** Upstream's MoreImportantPod: higher priority, then the pod that started earlier. */
export function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.startTime !== b.startTime) return a.startTime - b.startTime;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * PostFilter preemption with upstream's shape: on nodes rejected as Unschedulable (not
 * Unresolvable), remove every lower-priority pod, check the pod fits, then reprieve victims from
 * the most important down while it still fits; among candidates pick by, in order: lowest
 * highest-victim priority, lowest priority sum, fewest victims, latest start among the
 * highest-priority victims, first found. PodDisruptionBudgets are not modelled.
 */
export function defaultPreemption(handle: FrameworkHandle): Plugin {
  const cache = handle.cache;
  return {
    name: DEFAULT_PREEMPTION,
    postFilter(state, pod, diagnosis): PostFilterResult {
      if (pod.preemptionPolicy === 'Never') return { status: NOT_ELIGIBLE };
      const fw = handle.framework;
      if (fw === undefined) return { status: NOT_ELIGIBLE };
      // A pod whose earlier preemption is still evicting lower-priority pods waits for them.
      const nominated = pod.pod.status?.nominatedNodeName;
      if (nominated !== undefined) {
        const nn = cache.node(nominated);
        if (nn !== undefined) for (const p of nn.pods.values()) if (p.terminating && p.priority < pod.priority) return { status: NOT_ELIGIBLE };
      }
      const potential: NodeInfo[] = [];
      for (const node of cache.nodes) if (diagnosis.nodeCodes[node.index] === Code.Unschedulable) potential.push(node);
      if (potential.length === 0) return { status: NO_CANDIDATE };
      const want = Math.min(
        potential.length,
        Math.max(Math.trunc((potential.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE),
      );
      const offset = Math.floor(handle.random() * potential.length);
      // With PreFilter extensions, each dry run clones the cycle's state and updates it per victim
      // (upstream); otherwise PreFilter is re-run on the modified cache.
      const base = fw.canUpdatePreFilterState() ? state : undefined;
      const candidates: Candidate[] = [];
      let examined = 0;
      for (let i = 0; i < potential.length && candidates.length < want; i++) {
        examined++;
        const node = potential[(offset + i) % potential.length];
        if (node === undefined) continue;
        const victims = selectVictimsOnNode(handle, pod, node, base);
        if (victims !== undefined && victims.length > 0) candidates.push({ node, victims });
      }
      const best = pickOneNodeForPreemption(candidates);
      if (best === undefined) return { status: NO_CANDIDATE, nodesExamined: examined };
      return { status: SUCCESS, nominatedNodeName: best.node.name, victims: best.victims, nodesExamined: examined };
    },
  };
}

/** Whether the pod fits `node` as the cache now is; `state` is an incrementally updated PreFilter state. */
function fits(handle: FrameworkHandle, pod: PodInfo, node: NodeInfo, state: CycleState | undefined): boolean {
  const fw = handle.framework;
  if (fw === undefined) return false;
  if (state !== undefined) return fw.runFilters(state, pod, node).code === Code.Success;
  // PreFilter state depends on the pods present, so it is recomputed on the modified cache.
  const fresh = new CycleState();
  if (fw.runPreFilters(fresh, pod).code !== Code.Success) return false;
  return fw.runFilters(fresh, pod, node).code === Code.Success;
}

/**
 * The minimal victims on `node` (undefined: the pod does not fit even with every lower-priority pod
 * gone). `base`: the cycle's PreFilter state when the profile's plugins can update it incrementally.
 */
export function selectVictimsOnNode(handle: FrameworkHandle, pod: PodInfo, node: NodeInfo, base?: CycleState): PodInfo[] | undefined {
  const cache = handle.cache;
  const fw = handle.framework;
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority).sort(moreImportant);
  if (lower.length === 0 || fw === undefined) return undefined;
  const state = base?.clone();
  const removed: Placement[] = [];
  for (const p of lower) {
    const d = cache.detach(p.key);
    if (d === undefined) continue;
    removed.push(d);
    if (state !== undefined) fw.updatePreFilterState(state, pod, d.info, node, -1);
  }
  const victims: PodInfo[] = [];
  try {
    if (!fits(handle, pod, node, state)) return undefined;
    for (const placement of removed) {
      cache.attach(placement);
      if (state !== undefined) fw.updatePreFilterState(state, pod, placement.info, node, 1);
      if (fits(handle, pod, node, state)) continue; // reprieved
      cache.detach(placement.info.key);
      if (state !== undefined) fw.updatePreFilterState(state, pod, placement.info, node, -1);
      victims.push(placement.info);
    }
    return victims;
  } finally {
    // Put back everything still detached, whatever happened.
    for (const placement of removed) if (cache.placement(placement.info.key) === undefined) cache.attach(placement);
  }
}

function earliestStartOfHighest(victims: readonly PodInfo[]): number {
  const top = victims[0]?.priority ?? 0;
  let earliest = Infinity;
  for (const v of victims) if (v.priority === top) earliest = Math.min(earliest, v.startTime);
  return earliest;
}

/** Upstream's pickOneNodeForPreemption criteria, in order; ties fall through to the next. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) {
    if (best === undefined || better(c, best)) best = c;
  }
  return best;
}

function better(a: Candidate, b: Candidate): boolean {
  const ha = a.victims[0]?.priority ?? 0;
  const hb = b.victims[0]?.priority ?? 0;
  if (ha !== hb) return ha < hb;
  const sa = a.victims.reduce((s, v) => s + v.priority + PRIORITY_OFFSET, 0);
  const sb = b.victims.reduce((s, v) => s + v.priority + PRIORITY_OFFSET, 0);
  if (sa !== sb) return sa < sb;
  if (a.victims.length !== b.victims.length) return a.victims.length < b.victims.length;
  const ea = earliestStartOfHighest(a.victims);
  const eb = earliestStartOfHighest(b.victims);
  if (ea !== eb) return ea > eb;
  return false;
}
