import type { Micros } from '../../sim/time.js';
import type { Deployment, IntOrString, Pod, ReplicaSet } from '../api/types.js';
import type { InvariantResult } from './kinds.js';
import { round } from './summary.js';

/** maxSurge rounds up, maxUnavailable down (defaults 25%); both 0 → maxUnavailable 1 (Kubernetes' rule). */
export function fenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const desired = d.spec.replicas ?? 1;
  const ru = d.spec.strategy?.rollingUpdate;
  const scale = (v: IntOrString | undefined, up: boolean): number => {
    const value = v ?? '25%';
    if (typeof value === 'number') return value;
    const pct = /^(\d+)%$/.exec(value);
    if (pct === null) return Number(value) || 0;
    const exact = (Number(pct[1]) * desired) / 100;
    return up ? Math.ceil(exact) : Math.floor(exact);
  };
  const maxSurge = scale(ru?.maxSurge, true);
  const maxUnavailable = scale(ru?.maxUnavailable, false);
  return maxSurge === 0 && maxUnavailable === 0 ? { maxSurge: 0, maxUnavailable: 1 } : { maxSurge, maxUnavailable };
}

interface Rollout {
  readonly desired: number;
  /** False when the rollout started below the availability bound (e.g. while the Deployment was still coming up). */
  readonly checkAvailability: boolean;
}

/**
 * deployment.rollingBounds, judged from the committed objects: while a RollingUpdate rollout is in
 * progress (two or more of a Deployment's ReplicaSets have replicas) and no fault is active,
 * Σ ReplicaSet spec.replicas ≤ desired + maxSurge and the Deployment's ready, non-terminating pods
 * ≥ desired − maxUnavailable. A rollout during which the Deployment is rescaled or a fault strikes
 * is not judged (the bounds are only promised for a rollout on its own).
 */
export class RollingBoundsChecker {
  private readonly deployments = new Map<string, Deployment>();
  private readonly replicaSets = new Map<string, ReplicaSet>();
  private readonly rsByDeployment = new Map<string, Set<string>>();
  private readonly readyByRs = new Map<string, number>();
  private readonly rollouts = new Map<string, Rollout | 'skip'>();
  private first: InvariantResult | undefined;
  private rolloutsJudged = 0;
  /** Deployments touched since the last check (only they can have changed). */
  private readonly dirty = new Set<string>();
  private readonly ownerOfRs = new Map<string, string>();

  constructor(private readonly faultActive: () => boolean) {}

  onDeployment(d: Deployment | undefined, uid: string): void {
    if (d === undefined) {
      this.deployments.delete(uid);
      this.rollouts.delete(uid);
      return;
    }
    const before = this.deployments.get(uid);
    this.deployments.set(uid, d);
    this.dirty.add(uid);
    const r = this.rollouts.get(uid);
    if (r !== undefined && r !== 'skip' && before !== undefined && (d.spec.replicas ?? 1) !== r.desired) this.rollouts.set(uid, 'skip');
  }

  onReplicaSet(rs: ReplicaSet | undefined, rsUid: string, previous: ReplicaSet | undefined): void {
    const owner = (rs ?? previous)?.metadata.ownerReferences?.find((o) => o.kind === 'Deployment')?.uid;
    if (owner === undefined) return;
    this.ownerOfRs.set(rsUid, owner);
    this.dirty.add(owner);
    const set = this.rsByDeployment.get(owner) ?? new Set<string>();
    this.rsByDeployment.set(owner, set);
    if (rs === undefined) {
      set.delete(rsUid);
      this.replicaSets.delete(rsUid);
    } else {
      set.add(rsUid);
      this.replicaSets.set(rsUid, rs);
    }
  }

  /** A pod's readiness as counted for availability changed by `delta` for its owning ReplicaSet. */
  onReadyChange(pod: Pod, delta: number): void {
    const rsUid = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.uid;
    if (rsUid === undefined || delta === 0) return;
    this.readyByRs.set(rsUid, (this.readyByRs.get(rsUid) ?? 0) + delta);
    const owner = this.ownerOfRs.get(rsUid);
    if (owner !== undefined) this.dirty.add(owner);
  }

  /** After each committed change: judge every Deployment with a rollout in progress. */
  check(timeUs: Micros): void {
    if (this.first !== undefined || this.dirty.size === 0) return;
    const touched = [...this.dirty];
    this.dirty.clear();
    for (const uid of touched) {
      const d = this.deployments.get(uid);
      if (d === undefined) continue;
      if (d.spec.strategy?.type === 'Recreate') continue;
      const rsUids = this.rsByDeployment.get(uid);
      let rollout = this.rollouts.get(uid);
      // No rollout in progress (fewer than two ReplicaSets with replicas), as on nearly every
      // change: settled before the figures below, which only a rollout needs.
      if (rsUids === undefined || activeCount(rsUids, this.replicaSets) < 2) {
        if (rollout !== undefined) this.rollouts.delete(uid);
        continue;
      }
      const active = [...rsUids].filter((r) => (this.replicaSets.get(r)?.spec.replicas ?? 0) > 0);
      const desired = d.spec.replicas ?? 1;
      const { maxSurge, maxUnavailable } = fenceposts(d);
      let ready = 0;
      for (const r of rsUids) ready += this.readyByRs.get(r) ?? 0;
      if (rollout === undefined) {
        rollout = this.faultActive() ? 'skip' : { desired, checkAvailability: ready >= desired - maxUnavailable };
        this.rollouts.set(uid, rollout);
        if (rollout !== 'skip') this.rolloutsJudged++;
      }
      if (rollout === 'skip') continue;
      if (this.faultActive()) {
        this.rollouts.set(uid, 'skip');
        continue;
      }
      const total = active.reduce((n, r) => n + (this.replicaSets.get(r)?.spec.replicas ?? 0), 0);
      const name = `${d.metadata.namespace ?? 'default'}/${d.metadata.name ?? ''}`;
      if (total > desired + maxSurge) {
        this.first = this.violation(timeUs, `${name}: ReplicaSets want ${total} replicas, above desired ${desired} + maxSurge ${maxSurge}`);
      } else if (rollout.checkAvailability && ready < desired - maxUnavailable) {
        this.first = this.violation(timeUs, `${name}: ${ready} ready pods, below desired ${desired} − maxUnavailable ${maxUnavailable}`);
      }
    }
  }

  private violation(timeUs: Micros, detail: string): InvariantResult {
    return { name: 'deployment.rollingBounds', held: false, checked: true, firstViolationAt: round(timeUs / 1e6), detail };
  }

  result(): InvariantResult {
    if (this.first !== undefined) return this.first;
    return this.rolloutsJudged === 0
      ? { name: 'deployment.rollingBounds', held: true, checked: false, detail: 'no rollout without faults in this run' }
      : { name: 'deployment.rollingBounds', held: true, checked: true };
  }
}

/** How many of the ReplicaSets want replicas, counting only up to two. */
function activeCount(rsUids: ReadonlySet<string>, replicaSets: ReadonlyMap<string, ReplicaSet>): number {
  let n = 0;
  for (const r of rsUids) if ((replicaSets.get(r)?.spec.replicas ?? 0) > 0 && ++n >= 2) break;
  return n;
}
