import type { FrameworkHandle, Plugin } from '../plugin.js';
import type { NodeInfo } from '../nodeInfo.js';
import type { PodInfo, SpreadConstraint } from '../podInfo.js';
import type { SchedulerCache } from '../cache.js';
import type { CompiledLabelSelector } from '../selector.js';
import { matchesLabels } from '../selector.js';
import { matchesRequiredNodeAffinity } from '../requiredNodeAffinity.js';
import { firstUntoleratedTaint } from '../toleration.js';
import { Code, MaxNodeScore, SKIP, status, SUCCESS } from '../status.js';

export const POD_TOPOLOGY_SPREAD = 'PodTopologySpread';
const SCORE_KEY = `${POD_TOPOLOGY_SPREAD}/score`;

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

const MISSING_LABEL = status(
  Code.UnschedulableAndUnresolvable,
  "node(s) didn't match pod topology spread constraints (missing required label)",
);
const SKEW = status(Code.Unschedulable, "node(s) didn't match pod topology spread constraints");

/** A default (soft) constraint: upstream's system defaults spread pods of one workload. */
export interface DefaultConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
}

/** Upstream's system default constraints (hostname skew 3, zone skew 5, both ScheduleAnyway). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly DefaultConstraint[] = Object.freeze([
  { maxSkew: 3, topologyKey: LABEL_HOSTNAME },
  { maxSkew: 5, topologyKey: LABEL_ZONE },
]);

interface FilterState {
  readonly constraints: readonly SpreadConstraint[];
  /** Per constraint: domain value → matching pods (domains of eligible nodes only). */
  readonly counts: readonly Map<string, number>[];
  /** Per constraint: global minimum over domains (0 while fewer than minDomains domains). */
  readonly minMatch: number[];
  readonly selfMatch: readonly number[];
  clone(): FilterState;
}

function minOf(c: SpreadConstraint, m: Map<string, number> | undefined): number {
  if (m === undefined || m.size < c.minDomains) return 0;
  let min = Infinity;
  for (const n of m.values()) min = Math.min(min, n);
  return min === Infinity ? 0 : min;
}

function makeFilterState(
  constraints: readonly SpreadConstraint[],
  counts: readonly Map<string, number>[],
  selfMatch: readonly number[],
): FilterState {
  const s: FilterState = {
    constraints,
    counts,
    minMatch: constraints.map((c, i) => minOf(c, counts[i])),
    selfMatch,
    clone: () => makeFilterState(constraints, counts.map((m) => new Map(m)), selfMatch),
  };
  return s;
}

/** Upstream's updateWithPod: counts change as if `other` appeared on (1) or left (−1) `node`. */
function updateWithPod(s: FilterState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
  if (other.namespace !== pod.namespace || other.terminating) return;
  if (!hasAllKeys(node, s.constraints)) return;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const m = s.counts[i];
    if (c === undefined || m === undefined) continue;
    if (!nodeIncluded(pod, node, c.honorNodeAffinity, c.honorNodeTaints) || !matchesLabels(c.selector, other.labels)) continue;
    const v = node.labels[c.topologyKey];
    if (v === undefined || !m.has(v)) continue;
    m.set(v, (m.get(v) ?? 0) + sign);
    s.minMatch[i] = minOf(c, m);
  }
}

/** A scoring constraint; `selector === null` counts pods of the same controlling owner (defaults). */
interface ScoreConstraint {
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly selector: CompiledLabelSelector | null;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

/**
 * PreScore's result, by NodeInfo.index, valid for the feasible nodes of the cycle that wrote it: the
 * raw score and whether the node lacks a required topology key (then it scores 0). The arrays are the
 * plugin's scratch space, reused by the next cycle.
 */
interface ScoreState {
  readonly raw: Float64Array;
  readonly ignored: Uint8Array;
}

/** PreScore's per-node arrays, by NodeInfo.index, reused from cycle to cycle. */
interface Scratch extends ScoreState {
  readonly ownerCount: Int32Array;
  /** The generation that wrote ownerCount[i]; older entries read as 0. */
  readonly stamp: Uint32Array;
}

function makeScratch(size: number): Scratch {
  return { raw: new Float64Array(size), ignored: new Uint8Array(size), ownerCount: new Int32Array(size), stamp: new Uint32Array(size) };
}

/** PreScore's per-constraint scratch, reused from cycle to cycle (k is small: a few constraints). */
interface PerConstraint {
  /** Domain value → matching pods; undefined for the owner's per-node counts (read from the cache). */
  readonly counts: (Map<string, number> | undefined)[];
  readonly topoSize: Int32Array;
  /** 1 when the constraint's domain is the node itself (hostname). */
  readonly perNode: Uint8Array;
  /** 1 when it counts the owner's pods on the node itself (default hostname spreading). */
  readonly ownerOnNode: Uint8Array;
  readonly weights: Float64Array;
  readonly skew: Float64Array;
  /** 1 when every listed node carries the key. */
  readonly allCarry: Uint8Array;
}

function makePerConstraint(k: number): PerConstraint {
  const n = Math.max(k, 4);
  return {
    counts: [],
    topoSize: new Int32Array(n),
    perNode: new Uint8Array(n),
    ownerOnNode: new Uint8Array(n),
    weights: new Float64Array(n),
    skew: new Float64Array(n),
    allCarry: new Uint8Array(n),
  };
}

function nodeIncluded(pod: PodInfo, node: NodeInfo, honorAffinity: boolean, honorTaints: boolean): boolean {
  if (honorAffinity && !matchesRequiredNodeAffinity(pod, node)) return false;
  if (honorTaints && firstUntoleratedTaint(node.taints, pod.tolerations, ['NoSchedule', 'NoExecute']) !== undefined) return false;
  return true;
}

function hasAllKeys(node: NodeInfo, constraints: readonly { readonly topologyKey: string }[]): boolean {
  for (const c of constraints) if (node.labels[c.topologyKey] === undefined) return false;
  return true;
}

/**
 * Counts pods matching `selector` in the pod's namespace per domain of `key`, over nodes passing
 * `eligible`; terminating pods do not count, as upstream. Uses the cache's label index.
 */
function countByDomain(
  cache: SchedulerCache,
  pod: PodInfo,
  key: string,
  selector: CompiledLabelSelector,
  eligible: (node: NodeInfo) => boolean,
  into: Map<string, number>,
  requireDomain = true,
): void {
  cache.forEachMatchingPod(new Set([pod.namespace]), selector, (p, node) => {
    if (p.terminating || node.index < 0) return;
    const v = node.labels[key];
    if (v === undefined || (requireDomain && !into.has(v)) || !eligible(node)) return;
    into.set(v, (into.get(v) ?? 0) + 1);
  });
}

function buildFilterState(cache: SchedulerCache, pod: PodInfo, constraints: readonly SpreadConstraint[]): FilterState {
  const counts = constraints.map(() => new Map<string, number>());
  // Per-node eligibility, memoised for the cycle: 0 unknown, 1 eligible, 2 not.
  const memo = constraints.map(() => new Uint8Array(cache.nodeCount));
  const eligible = (i: number, node: NodeInfo): boolean => {
    const c = constraints[i];
    const m = memo[i];
    if (c === undefined || m === undefined) return false;
    let e = m[node.index] ?? 0;
    if (e === 0) {
      e = hasAllKeys(node, constraints) && nodeIncluded(pod, node, c.honorNodeAffinity, c.honorNodeTaints) ? 1 : 2;
      m[node.index] = e;
    }
    return e === 1;
  };
  for (const node of cache.nodes) {
    constraints.forEach((c, i) => {
      if (!eligible(i, node)) return;
      const v = node.labels[c.topologyKey];
      const m = counts[i];
      if (v !== undefined && m !== undefined && !m.has(v)) m.set(v, 0);
    });
  }
  constraints.forEach((c, i) => {
    const m = counts[i];
    if (m !== undefined) countByDomain(cache, pod, c.topologyKey, c.selector, (n) => eligible(i, n), m);
  });
  const selfMatch = constraints.map((c) => (matchesLabels(c.selector, pod.labels) ? 1 : 0));
  return makeFilterState(constraints, counts, selfMatch);
}

/**
 * Topology spread: hard constraints (DoNotSchedule) filter by skew = matching pods in the node's
 * domain + self − global minimum ≤ maxSkew (minimum 0 while fewer than minDomains domains exist);
 * soft constraints (and, for pods without constraints, the system defaults) score by
 * count × log(domains + 2) + maxSkew − 1, reversed into 0..100 (upstream's scoring.go).
 */
export function podTopologySpread(
  handle: FrameworkHandle,
  args?: { readonly defaultConstraints?: readonly DefaultConstraint[] },
): Plugin {
  const cache = handle.cache;
  const defaults = args?.defaultConstraints ?? SYSTEM_DEFAULT_CONSTRAINTS;
  const systemDefaulted = args?.defaultConstraints === undefined;
  const defaultScoreConstraints: readonly ScoreConstraint[] = defaults.map((d) => ({
    topologyKey: d.topologyKey,
    maxSkew: d.maxSkew,
    selector: null,
    honorNodeAffinity: true,
    honorNodeTaints: false,
  }));
  let scratch = makeScratch(0);
  const ensureScratch = (nodes: number): Scratch => {
    if (scratch.raw.length < nodes) scratch = makeScratch(Math.max(nodes, scratch.raw.length * 2));
    return scratch;
  };
  let generation = 0;
  const nextGeneration = (): number => {
    if (generation === 0xffffffff) {
      scratch.stamp.fill(0);
      generation = 0;
    }
    return ++generation;
  };
  let per = makePerConstraint(defaults.length);
  const ensurePerConstraint = (k: number): PerConstraint => {
    if (per.weights.length < k) per = makePerConstraint(k);
    return per;
  };
  // The system defaults whose key some node carries, recomputed only when that set changes. Asked
  // only when the system defaults apply (two of them), so one integer holds the set as a bit mask.
  let carriedMask = -1;
  let carried: readonly ScoreConstraint[] = defaultScoreConstraints;
  const defaultsCarried = (): readonly ScoreConstraint[] => {
    let mask = 0;
    for (let i = 0; i < defaultScoreConstraints.length; i++) {
      if (cache.nodesWithLabel((defaultScoreConstraints[i] as ScoreConstraint).topologyKey) > 0) mask |= 1 << i;
    }
    if (mask !== carriedMask) {
      carriedMask = mask;
      carried = defaultScoreConstraints.filter((_c, i) => (mask & (1 << i)) !== 0);
    }
    return carried;
  };
  return {
    name: POD_TOPOLOGY_SPREAD,
    events: ['NodeAdd', 'NodeLabelChange', 'NodeTaintChange', 'AssignedPodAdd', 'AssignedPodUpdate', 'AssignedPodDelete'],
    preFilter(state, pod) {
      const hard = pod.spreadConstraints.filter((c) => c.hard);
      if (hard.length === 0) return SKIP;
      state.write(POD_TOPOLOGY_SPREAD, buildFilterState(cache, pod, hard));
      return SUCCESS;
    },
    addPod(state, pod, other, node) {
      const s = state.read<FilterState>(POD_TOPOLOGY_SPREAD);
      if (s !== undefined) updateWithPod(s, pod, other, node, 1);
    },
    removePod(state, pod, other, node) {
      const s = state.read<FilterState>(POD_TOPOLOGY_SPREAD);
      if (s !== undefined) updateWithPod(s, pod, other, node, -1);
    },
    filter(state, _pod, node) {
      const s = state.read<FilterState>(POD_TOPOLOGY_SPREAD);
      if (s === undefined) return SUCCESS;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i];
        if (c === undefined) continue;
        const v = node.labels[c.topologyKey];
        if (v === undefined) return MISSING_LABEL;
        const matchNum = s.counts[i]?.get(v) ?? 0;
        const skew = matchNum + (s.selfMatch[i] ?? 0) - (s.minMatch[i] ?? 0);
        if (skew > c.maxSkew) return SKEW;
      }
      return SUCCESS;
    },
    preScore(state, pod, feasible) {
      let constraints: readonly ScoreConstraint[];
      if (pod.spreadConstraints.length > 0) {
        constraints = pod.spreadConstraints
          .filter((c) => !c.hard)
          .map((c) => ({
            topologyKey: c.topologyKey,
            maxSkew: c.maxSkew,
            selector: c.selector,
            honorNodeAffinity: c.honorNodeAffinity,
            honorNodeTaints: c.honorNodeTaints,
          }));
      } else if (pod.ownerUid !== undefined) {
        constraints = defaultScoreConstraints;
      } else {
        constraints = [];
      }
      if (constraints.length === 0 || cache.nodeCount === 0) return SKIP;
      // Nodes lacking a zone label still get hostname spreading under the system defaults.
      const requireAll = pod.spreadConstraints.length > 0 || !systemDefaulted;
      if (requireAll) {
        // Every feasible node lacks a key no node carries: all are ignored and score 0.
        for (const c of constraints) if (cache.nodesWithLabel(c.topologyKey) === 0) return SKIP;
      } else {
        // A key no node carries adds nothing to any node's score (nor to another constraint's weight);
        // with none left every node scores 0, normalised to 100, as upstream.
        constraints = defaultsCarried();
      }
      const scratch = ensureScratch(cache.nodeCount);
      const ignored = scratch.ignored;
      const k = constraints.length;
      const per = ensurePerConstraint(k);
      // Domain → matching pods, for the constraints counted by domain value; the owner's pods per
      // node (default hostname spreading) are read from the cache's owner index instead.
      const counts = per.counts;
      const topoSize = per.topoSize;
      const perNode = per.perNode;
      const ownerOnNode = per.ownerOnNode;
      let domainKeys = false;
      let ownerPerNode = false;
      for (let i = 0; i < k; i++) {
        const c = constraints[i] as ScoreConstraint;
        const hostname = c.topologyKey === LABEL_HOSTNAME;
        perNode[i] = hostname ? 1 : 0;
        ownerOnNode[i] = hostname && c.selector === null ? 1 : 0;
        if (hostname && c.selector === null) ownerPerNode = true;
        if (!hostname) domainKeys = true;
        topoSize[i] = 0;
        counts[i] = ownerOnNode[i] === 1 ? undefined : new Map();
      }
      let ignoredCount = 0;
      if (requireAll || domainKeys) {
        for (let j = 0; j < feasible.length; j++) {
          const node = feasible[j] as NodeInfo;
          if (requireAll && !hasAllKeys(node, constraints)) {
            ignored[node.index] = 1;
            ignoredCount++;
            continue;
          }
          ignored[node.index] = 0;
          for (let i = 0; i < k; i++) {
            const m = counts[i];
            if (m === undefined || perNode[i] === 1) continue;
            const v = node.labels[(constraints[i] as ScoreConstraint).topologyKey];
            if (v === undefined || m.has(v)) continue;
            m.set(v, 0);
            topoSize[i] = (topoSize[i] as number) + 1;
          }
        }
      }
      // Without required keys nothing is ignored; the raw-score loop below clears the flags.
      const noneIgnored = !(requireAll || domainKeys);
      const owner = pod.ownerUid;
      const ownerNodes = owner === undefined ? undefined : cache.nodesWithOwner(owner);
      for (let i = 0; i < k; i++) {
        const c = constraints[i] as ScoreConstraint;
        const m = counts[i];
        if (m === undefined) continue;
        const eligible = (node: NodeInfo): boolean =>
          node.index >= 0 && (!requireAll || hasAllKeys(node, constraints)) && nodeIncluded(pod, node, c.honorNodeAffinity, c.honorNodeTaints);
        if (c.selector !== null) {
          countByDomain(cache, pod, c.topologyKey, c.selector, eligible, m, perNode[i] !== 1);
          continue;
        }
        if (ownerNodes === undefined || m.size === 0) continue;
        // forEach, not for-of over entries: each [node, n] pair would be an allocation.
        ownerNodes.forEach((n, node) => {
          const v = node.labels[c.topologyKey];
          if (v === undefined || !m.has(v) || !eligible(node)) return;
          m.set(v, (m.get(v) ?? 0) + n);
        });
      }
      // The owner's pods per node, by NodeInfo.index (entries stamped with this cycle's generation;
      // others read as 0), from one walk over the owner's nodes instead of a lookup per node.
      const ownerCount = scratch.ownerCount;
      const stamp = scratch.stamp;
      const gen = nextGeneration();
      if (ownerNodes !== undefined && ownerPerNode) {
        ownerNodes.forEach((n, node) => {
          if (node.index < 0) return;
          ownerCount[node.index] = n;
          stamp[node.index] = gen;
        });
      }
      // Per constraint as typed numbers, so that the per-node loop below works on unboxed doubles
      // (read from JS arrays of mixed values, every node's score was boxed: kilobytes per cycle).
      const weights = per.weights;
      const skew = per.skew;
      const allCarry = per.allCarry;
      for (let i = 0; i < k; i++) {
        const c = constraints[i] as ScoreConstraint;
        weights[i] = Math.log((perNode[i] === 1 ? feasible.length - ignoredCount : (topoSize[i] as number)) + 2);
        skew[i] = c.maxSkew - 1;
        allCarry[i] = cache.nodesWithLabel(c.topologyKey) === cache.nodeCount ? 1 : 0;
      }
      // Raw scores of every feasible node, computed here once so that Score only reads them.
      const raw = scratch.raw;
      for (let j = 0; j < feasible.length; j++) {
        const node = feasible[j] as NodeInfo;
        const ni = node.index;
        if (noneIgnored) ignored[ni] = 0;
        else if (ignored[ni] === 1) {
          raw[ni] = 0;
          continue;
        }
        let score = 0;
        for (let i = 0; i < k; i++) {
          let n: number;
          if (ownerOnNode[i] === 1) {
            // The node's own domain: needs only that the node carries the key (known for all at once).
            if (allCarry[i] === 0 && node.labels[(constraints[i] as ScoreConstraint).topologyKey] === undefined) continue;
            n = stamp[ni] === gen ? (ownerCount[ni] as number) : 0;
          } else {
            const v = node.labels[(constraints[i] as ScoreConstraint).topologyKey];
            if (v === undefined) continue;
            n = (counts[i] as Map<string, number>).get(v) ?? 0;
          }
          score += n * (weights[i] as number) + (skew[i] as number);
        }
        raw[ni] = Math.round(score);
      }
      // The scratch arrays are the state: the next cycle overwrites them, after this one is over.
      state.write(SCORE_KEY, scratch);
      return SUCCESS;
    },
    score(state, _pod, node) {
      const s = state.read<ScoreState>(SCORE_KEY);
      if (s === undefined || s.ignored[node.index] === 1) return 0;
      return s.raw[node.index] ?? 0;
    },
    scoreAll(state, _pod, nodes, scores, count) {
      const s = state.read<ScoreState>(SCORE_KEY);
      for (let j = 0; j < count; j++) {
        const i = nodes[j]?.index ?? -1;
        scores[j] = s === undefined || i < 0 || s.ignored[i] === 1 ? 0 : (s.raw[i] ?? 0);
      }
    },
    normalizeScore(state, _pod, nodes, scores, count) {
      const s = state.read<ScoreState>(SCORE_KEY);
      if (s === undefined) return;
      let min = Infinity;
      let max = 0;
      for (let i = 0; i < count; i++) {
        const node = nodes[i];
        if (node === undefined || s.ignored[node.index] === 1) continue;
        const v = scores[i] ?? 0;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      for (let i = 0; i < count; i++) {
        const node = nodes[i];
        if (node === undefined || s.ignored[node.index] === 1) {
          scores[i] = 0;
        } else if (max === 0) {
          scores[i] = MaxNodeScore;
        } else {
          scores[i] = Math.trunc((MaxNodeScore * (max + min - (scores[i] ?? 0))) / max);
        }
      }
    },
  };
}
