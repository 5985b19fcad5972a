import type { Node, Pod } from '../../api/types.js';
import { buildPodInfo, termMatchesPod, type AffinityTerm, type PodInfo } from '../podInfo.js';
import { matchesLabels, nodeTermsMatch } from '../selector.js';
import { toleratesAny } from '../toleration.js';
import { ViolationLog, type BindingObserver, type InvariantResult } from './invariantResult.js';

export const CONSTRAINTS = 'scheduler.constraints';

interface Live {
  readonly pod: Pod;
  /**
   * buildPodInfo(pod), kept only once a scan needed it or the pod has required anti-affinity (the
   * scans are for pods with affinity or spread constraints; without any in a run, 150,000 PodInfos
   * would be held for nothing).
   */
  info: PodInfo | undefined;
  readonly node: string;
  terminating: boolean;
}

function infoOf(l: Live): PodInfo {
  let info = l.info;
  if (info === undefined) {
    info = buildPodInfo(l.pod);
    l.info = info;
  }
  return info;
}

/** The uid buildPodInfo gives the pod (its namespace/name when it has none), without building a PodInfo. */
function uidOf(pod: Pod): string {
  const meta = pod.metadata;
  return meta.uid ?? `${meta.namespace ?? 'default'}/${meta.name ?? ''}`;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * At each committed binding, the pod's placement satisfies its hard constraints against the
 * bindings observed so far: NoSchedule/NoExecute taints tolerated, nodeSelector and required node
 * affinity, required inter-pod affinity and anti-affinity (its own and existing pods'), and
 * DoNotSchedule topology spread. Written as plain scans, independent of the scheduler's indexed
 * plugins, so a bug there is caught here.
 */
export class ConstraintsChecker implements BindingObserver {
  private readonly nodes = new Map<string, Node>();
  private readonly live = new Map<string, Live>();
  /**
   * The live pods that carry required anti-affinity terms, in the same order as `live`: an incoming
   * pod without anti-affinity of its own need only be checked against these, not against every
   * bound pod (which made the checker O(pods²) over a rollout).
   */
  private readonly liveWithAntiAffinity = new Map<string, Live>();
  private readonly log = new ViolationLog();

  onNode(_t: number, node: Node): void {
    this.nodes.set(node.metadata.name ?? '', node);
  }

  onNodeDelete(_t: number, name: string): void {
    this.nodes.delete(name);
  }

  onPodGone(_t: number, uid: string): void {
    this.live.delete(uid);
    this.liveWithAntiAffinity.delete(uid);
  }

  onPodTerminating(_t: number, uid: string): void {
    const l = this.live.get(uid);
    if (l !== undefined) l.terminating = true;
  }

  private labelsOf(nodeName: string): Readonly<Record<string, string>> {
    return this.nodes.get(nodeName)?.metadata.labels ?? {};
  }

  onBinding(timeUs: number, pod: Pod, nodeName: string, info: PodInfo = buildPodInfo(pod)): void {
    const problem = this.check(info, nodeName);
    if (problem !== undefined) this.log.record(timeUs, `pod ${info.key} on ${nodeName}: ${problem}`);
    const live: Live = { pod, info: info.requiredAntiAffinity.length > 0 ? info : undefined, node: nodeName, terminating: info.terminating };
    this.live.set(info.uid, live);
    if (info.requiredAntiAffinity.length > 0) this.liveWithAntiAffinity.set(info.uid, live);
    else this.liveWithAntiAffinity.delete(info.uid);
  }

  private check(p: PodInfo, nodeName: string): string | undefined {
    const node = this.nodes.get(nodeName);
    if (node === undefined) return 'bound to an unknown node';
    const labels = node.metadata.labels ?? {};
    for (const taint of node.spec?.taints ?? []) {
      if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !toleratesAny(p.tolerations, taint)) {
        return `untolerated taint ${taint.key}=${taint.value ?? ''}:${taint.effect}`;
      }
    }
    for (const [k, v] of Object.entries(p.nodeSelector ?? {})) if (labels[k] !== v) return `nodeSelector ${k}=${v} not matched`;
    if (p.requiredNodeTerms !== undefined && !nodeTermsMatch(p.requiredNodeTerms, nodeName, labels)) return 'required node affinity not matched';
    return this.checkAffinity(p, labels) ?? this.checkAntiAffinity(p, labels) ?? this.checkSpread(p, nodeName);
  }

  private sameDomain(term: AffinityTerm, labels: Readonly<Record<string, string>>, other: Live): boolean {
    const v = labels[term.topologyKey];
    return v !== undefined && this.labelsOf(other.node)[term.topologyKey] === v;
  }

  private checkAffinity(p: PodInfo, labels: Readonly<Record<string, string>>): string | undefined {
    const terms = p.requiredAffinity;
    if (terms.length === 0) return undefined;
    const matchesAll = (x: PodInfo): boolean => terms.every((t) => termMatchesPod(t, x));
    let anyMatching = false;
    for (const l of this.live.values()) {
      const info = infoOf(l);
      if (info.uid !== p.uid && matchesAll(info)) anyMatching = true;
    }
    for (const term of terms) {
      if (labels[term.topologyKey] === undefined) return `required pod affinity: node lacks ${term.topologyKey}`;
      let found = false;
      for (const l of this.live.values()) {
        const info = infoOf(l);
        if (info.uid !== p.uid && matchesAll(info) && this.sameDomain(term, labels, l)) found = true;
      }
      if (!found && (anyMatching || !matchesAll(p))) return `required pod affinity (${term.topologyKey}) not satisfied`;
    }
    return undefined;
  }

  private checkAntiAffinity(p: PodInfo, labels: Readonly<Record<string, string>>): string | undefined {
    // Without terms of its own, only pods with anti-affinity can object (same order, same message).
    const candidates = p.requiredAntiAffinity.length > 0 ? this.live : this.liveWithAntiAffinity;
    for (const l of candidates.values()) {
      const info = infoOf(l);
      if (info.uid === p.uid) continue;
      for (const term of p.requiredAntiAffinity) {
        if (termMatchesPod(term, info) && this.sameDomain(term, labels, l)) {
          return `required pod anti-affinity (${term.topologyKey}) violated by ${info.key}`;
        }
      }
      for (const term of info.requiredAntiAffinity) {
        if (termMatchesPod(term, p) && this.sameDomain(term, labels, l)) {
          return `existing pod ${info.key}'s anti-affinity (${term.topologyKey}) violated`;
        }
      }
    }
    return undefined;
  }

  private checkSpread(p: PodInfo, nodeName: string): string | undefined {
    const hard = p.spreadConstraints.filter((c) => c.hard);
    if (hard.length === 0) return undefined;
    for (const c of hard) {
      const counts = new Map<string, number>();
      const eligible = new Set<string>();
      for (const [name, node] of this.nodes) {
        const labels = node.metadata.labels ?? {};
        if (hard.some((h) => labels[h.topologyKey] === undefined)) continue;
        if (c.honorNodeAffinity) {
          if (Object.entries(p.nodeSelector ?? {}).some(([k, v]) => labels[k] !== v)) continue;
          if (p.requiredNodeTerms !== undefined && !nodeTermsMatch(p.requiredNodeTerms, name, labels)) continue;
        }
        if (c.honorNodeTaints && (node.spec?.taints ?? []).some((t) => t.effect !== 'PreferNoSchedule' && !toleratesAny(p.tolerations, t))) continue;
        eligible.add(name);
        const v = labels[c.topologyKey];
        if (v !== undefined && !counts.has(v)) counts.set(v, 0);
      }
      for (const l of this.live.values()) {
        // Read from the pod itself: building (and keeping) a PodInfo per live pod only for these three is not worth it.
        const meta = l.pod.metadata;
        if (l.terminating || (meta.namespace ?? 'default') !== p.namespace || uidOf(l.pod) === p.uid) continue;
        if (!eligible.has(l.node) || !matchesLabels(c.selector, meta.labels ?? NO_LABELS)) continue;
        const v = this.labelsOf(l.node)[c.topologyKey];
        if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      const mine = this.labelsOf(nodeName)[c.topologyKey];
      if (mine === undefined) return `topology spread: node lacks ${c.topologyKey}`;
      let min = Infinity;
      for (const n of counts.values()) min = Math.min(min, n);
      if (min === Infinity || counts.size < c.minDomains) min = 0;
      const self = matchesLabels(c.selector, p.labels) ? 1 : 0;
      const skew = (counts.get(mine) ?? 0) + self - min;
      if (skew > c.maxSkew) return `topology spread on ${c.topologyKey}: skew ${skew} > maxSkew ${c.maxSkew}`;
    }
    return undefined;
  }

  result(): InvariantResult {
    return this.log.result(CONSTRAINTS);
  }
}
