import type { Node, StringMap } from '../api/types.js';
import { assert } from '../util/assert.js';
import { NodeInfo, NodeTable } from './nodeInfo.js';
import { hasAffinityTerms, type PodInfo } from './podInfo.js';
import { matchesLabels, type CompiledLabelSelector } from './selector.js';

interface PodState {
  info: PodInfo;
  nodeName: string;
  /** Placed by this scheduler, binding not yet confirmed by the informer. */
  assumed: boolean;
}

/** Where a pod is placed in the cache. */
export interface Placement {
  readonly info: PodInfo;
  readonly nodeName: string;
  readonly assumed: boolean;
}

/**
 * A labels object's `key\0value` index keys, in Object.entries order, made once per labels object:
 * the pods of one template share theirs, and each pod is placed twice (assumed, then confirmed).
 */
const indexKeysByLabels = new WeakMap<StringMap, readonly string[]>();

function labelIndexKeys(labels: StringMap): readonly string[] {
  let keys = indexKeysByLabels.get(labels);
  if (keys === undefined) {
    keys = Object.entries(labels).map(([k, v]) => `${k}\0${v}`);
    indexKeysByLabels.set(labels, keys);
  }
  return keys;
}

interface NamespaceIndex {
  readonly all: Set<PodInfo>;
  /** `key\0value` → pods carrying that label. */
  readonly byLabel: Map<string, Set<PodInfo>>;
}

/**
 * The scheduler's cache (upstream's internal/cache): nodes with aggregated requests, the pods
 * placed on them, including pods this scheduler assumed but whose binding is not yet confirmed, so
 * consecutive cycles never overcommit a node. Pods are indexed by namespace and label so that
 * affinity and topology lookups touch only candidate pods, never every pod on every node.
 *
 * A simulated scheduler runs each cycle to completion in one event, so the cache itself serves
 * as the cycle's snapshot.
 */
export class SchedulerCache {
  private readonly byName = new Map<string, NodeInfo>();
  /** The listed nodes' Filter/Score figures, one row per NodeInfo.index. */
  private readonly table = new NodeTable();
  /** Nodes whose Node object is known, in arrival order; `NodeInfo.index` is the position here. */
  private readonly list: NodeInfo[] = [];
  private readonly pods = new Map<string, PodState>();
  private readonly namespaces = new Map<string, NamespaceIndex>();
  /** Placed pods that have any affinity term, and those with required anti-affinity. */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /**
   * Controlling owner UID → the nodes holding its pods that are not terminating, with how many:
   * default spreading reads the counts by walking this one map rather than looking the owner up on
   * every node.
   */
  private readonly ownerNodes = new Map<string, Map<NodeInfo, number>>();
  /** Label key → how many listed nodes carry it: spreading skips keys no node has without a scan. */
  private readonly labelKeyNodes = new Map<string, number>();

  get nodes(): readonly NodeInfo[] {
    return this.list;
  }

  get nodeCount(): number {
    return this.list.length;
  }

  get podCount(): number {
    return this.pods.size;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.byName.get(name);
    return n !== undefined && n.index >= 0 ? n : undefined;
  }

  private nodeInfo(name: string): NodeInfo {
    let n = this.byName.get(name);
    if (n === undefined) {
      n = new NodeInfo(name, this.table);
      this.byName.set(name, n);
    }
    return n;
  }

  /** How many nodes in the list carry label `key` (any value). */
  nodesWithLabel(key: string): number {
    return this.labelKeyNodes.get(key) ?? 0;
  }

  private countLabelKeys(labels: Readonly<Record<string, string>>, sign: 1 | -1): void {
    for (const k in labels) {
      const c = (this.labelKeyNodes.get(k) ?? 0) + sign;
      if (c === 0) this.labelKeyNodes.delete(k);
      else this.labelKeyNodes.set(k, c);
    }
  }

  /** Adds or updates a node (informer add/update). */
  upsertNode(node: Node): NodeInfo {
    const name = node.metadata.name ?? '';
    const n = this.nodeInfo(name);
    const before = n.index >= 0 ? n.labels : undefined;
    n.setNode(node);
    if (before !== n.labels) {
      if (before !== undefined) this.countLabelKeys(before, -1);
      this.countLabelKeys(n.labels, 1);
    }
    if (n.index < 0) {
      n.index = this.list.length;
      this.list.push(n);
    }
    return n;
  }

  removeNode(name: string): void {
    const n = this.byName.get(name);
    if (n === undefined || n.index < 0) return;
    this.list.splice(n.index, 1);
    for (let i = n.index; i < this.list.length; i++) {
      const m = this.list[i];
      if (m !== undefined) m.index = i;
    }
    n.index = -1;
    n.node = undefined;
    this.countLabelKeys(n.labels, -1);
    // Upstream keeps a node's entry while pods still reference it; they leave through removePod.
    if (n.pods.size === 0) this.byName.delete(name);
  }

  /** The pod's placement as the cache knows it, if any. */
  placement(key: string): Placement | undefined {
    return this.pods.get(key);
  }

  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed === true;
  }

  /** Reserve: the pod is taken to be on `nodeName` until its binding is confirmed or fails. */
  assumePod(info: PodInfo, nodeName: string): void {
    assert(!this.pods.has(info.key), `assumePod: ${info.key} is already in the cache`);
    this.place(info, nodeName);
    this.pods.set(info.key, { info, nodeName, assumed: true });
  }

  /** Unreserve / binding failed: drops an assumed pod; a confirmed pod is left alone. */
  forgetPod(key: string): void {
    const st = this.pods.get(key);
    if (st === undefined || !st.assumed) return;
    this.unplace(st.info, st.nodeName);
    this.pods.delete(key);
  }

  /** Informer: a pod bound to a node was added or updated (confirms an assumed pod). */
  addOrUpdatePod(info: PodInfo, nodeName: string): void {
    const st = this.pods.get(info.key);
    if (st !== undefined) this.unplace(st.info, st.nodeName);
    this.place(info, nodeName);
    this.pods.set(info.key, { info, nodeName, assumed: false });
  }

  /** Informer: a bound pod was deleted (or became terminal). */
  removePod(key: string): void {
    const st = this.pods.get(key);
    if (st === undefined) return;
    this.unplace(st.info, st.nodeName);
    this.pods.delete(key);
  }

  /** Takes a placed pod out (preemption dry runs); `attach` puts it back exactly. */
  detach(key: string): Placement | undefined {
    const st = this.pods.get(key);
    if (st === undefined) return undefined;
    this.unplace(st.info, st.nodeName);
    this.pods.delete(key);
    return { info: st.info, nodeName: st.nodeName, assumed: st.assumed };
  }

  attach(p: Placement): void {
    assert(!this.pods.has(p.info.key), `attach: ${p.info.key} is already placed`);
    this.place(p.info, p.nodeName);
    this.pods.set(p.info.key, { info: p.info, nodeName: p.nodeName, assumed: p.assumed });
  }

  /** The node a placed pod is on. */
  nodeOfPod(key: string): NodeInfo | undefined {
    const st = this.pods.get(key);
    return st === undefined ? undefined : this.byName.get(st.nodeName);
  }

  /** Nodes holding at least one non-terminating pod of the owner, with how many on each (unlisted nodes included). */
  nodesWithOwner(ownerUid: string): ReadonlyMap<NodeInfo, number> | undefined {
    return this.ownerNodes.get(ownerUid);
  }

  /** Pods of the owner on `node`. */
  ownerPodsOn(ownerUid: string, node: NodeInfo): number {
    return this.ownerNodes.get(ownerUid)?.get(node) ?? 0;
  }

  private place(info: PodInfo, nodeName: string): void {
    const node = this.nodeInfo(nodeName);
    node.addPod(info);
    // Terminating pods do not count toward spreading (upstream's countPodsMatchSelector skips them).
    if (info.ownerUid !== undefined && !info.terminating) {
      let counts = this.ownerNodes.get(info.ownerUid);
      if (counts === undefined) {
        counts = new Map();
        this.ownerNodes.set(info.ownerUid, counts);
      }
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    let ns = this.namespaces.get(info.namespace);
    if (ns === undefined) {
      ns = { all: new Set(), byLabel: new Map() };
      this.namespaces.set(info.namespace, ns);
    }
    ns.all.add(info);
    for (const lk of labelIndexKeys(info.labels)) {
      let set = ns.byLabel.get(lk);
      if (set === undefined) {
        set = new Set();
        ns.byLabel.set(lk, set);
      }
      set.add(info);
    }
    if (hasAffinityTerms(info)) this.podsWithAffinity.add(info);
    if (info.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity.add(info);
  }

  private unplace(info: PodInfo, nodeName: string): void {
    const n = this.byName.get(nodeName);
    if (n !== undefined) {
      const removed = n.removePod(info);
      const owner = removed === undefined || removed.terminating ? undefined : removed.ownerUid;
      const counts = owner === undefined ? undefined : this.ownerNodes.get(owner);
      if (owner !== undefined && counts !== undefined) {
        const left = (counts.get(n) ?? 0) - 1;
        if (left > 0) counts.set(n, left);
        else counts.delete(n);
        if (counts.size === 0) this.ownerNodes.delete(owner);
      }
      if (n.index < 0 && n.pods.size === 0) this.byName.delete(nodeName);
    }
    const ns = this.namespaces.get(info.namespace);
    if (ns !== undefined) {
      ns.all.delete(info);
      for (const lk of labelIndexKeys(info.labels)) ns.byLabel.get(lk)?.delete(info);
    }
    this.podsWithAffinity.delete(info);
    this.podsWithRequiredAntiAffinity.delete(info);
  }

  /**
   * Calls `fn` for every placed pod in `namespaces` (null: all) matching `selector`, with its node.
   * Uses the label index when the selector has an equality requirement, so the cost is the number
   * of candidate pods, not the number of pods in the cluster.
   */
  forEachMatchingPod(
    namespaces: ReadonlySet<string> | null,
    selector: CompiledLabelSelector,
    fn: (pod: PodInfo, node: NodeInfo) => void,
  ): void {
    if (selector.nothing) return;
    if (namespaces === null) {
      for (const ns of this.namespaces.values()) this.scanNamespace(ns, selector, fn);
    } else {
      for (const name of namespaces) {
        const ns = this.namespaces.get(name);
        if (ns !== undefined) this.scanNamespace(ns, selector, fn);
      }
    }
  }

  private scanNamespace(
    ns: NamespaceIndex,
    selector: CompiledLabelSelector,
    fn: (pod: PodInfo, node: NodeInfo) => void,
  ): void {
    const visit = (p: PodInfo): void => {
      if (!matchesLabels(selector, p.labels)) return;
      const st = this.pods.get(p.key);
      const node = st === undefined ? undefined : this.byName.get(st.nodeName);
      if (node !== undefined) fn(p, node);
    };
    if (selector.indexKey === undefined || selector.indexValues === undefined) {
      for (const p of ns.all) visit(p);
      return;
    }
    for (const v of selector.indexValues) {
      const set = ns.byLabel.get(`${selector.indexKey}\0${v}`);
      if (set !== undefined) for (const p of set) visit(p);
    }
  }
}
