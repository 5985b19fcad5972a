import type { IntOrString } from '../../api/types.js';

/**
 * The arithmetic of the Deployment controller's RollingUpdate (pkg/controller/deployment/rolling.go
 * and util/deployment_util.go), kernel-free. Counts are RS spec.replicas and status.availableReplicas,
 * as upstream: the controller reasons about what it asked for, not about pods in flight.
 */

/** intstr.GetScaledValueFromIntOrPercent: `"25%"` of total, rounded up or down; a number as is. */
export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (m === null) {
    const n = Number(value);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid int-or-percent "${value}"`);
  }
  const raw = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

export interface Fenceposts {
  readonly maxSurge: number;
  readonly maxUnavailable: number;
}

/**
 * ResolveFenceposts: surge rounds up, unavailable rounds down (defaults 25% each); if both come to
 * 0, maxUnavailable becomes 1 so the rollout can make progress.
 */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): Fenceposts {
  const surge = scaledValue(maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge: surge, maxUnavailable: unavailable };
}

/** A ReplicaSet as the rollout arithmetic sees it. */
export interface RsCounts {
  /** spec.replicas */
  readonly replicas: number;
  /** status.availableReplicas */
  readonly available: number;
}

/** NewRSNewReplicas for RollingUpdate: how far the new RS may be scaled up now. */
export function newRsTargetReplicas(desired: number, fence: Fenceposts, newRs: RsCounts, all: readonly RsCounts[]): number {
  const current = sum(all, (r) => r.replicas);
  const maxTotal = desired + fence.maxSurge;
  if (current >= maxTotal) return newRs.replicas;
  const scaleUp = Math.min(maxTotal - current, Math.max(0, desired - newRs.replicas));
  return newRs.replicas + scaleUp;
}

/**
 * reconcileOldReplicaSets: scale old RSs (oldest first) down as far as keeping
 * desired − maxUnavailable available allows; unhealthy old replicas go first (cleanupUnhealthyReplicas).
 * Returns the new spec.replicas of each old RS, in the order given (which must be oldest first).
 */
export function oldRsTargetReplicas(desired: number, fence: Fenceposts, newRs: RsCounts, olds: readonly RsCounts[]): number[] {
  const result = olds.map((r) => r.replicas);
  const oldPods = sum(olds, (r) => r.replicas);
  if (oldPods === 0) return result;
  const allPods = oldPods + newRs.replicas;
  const minAvailable = desired - fence.maxUnavailable;
  const newRsUnavailable = newRs.replicas - newRs.available;
  const maxScaledDown = allPods - minAvailable - newRsUnavailable;
  if (maxScaledDown <= 0) return result;
  // cleanupUnhealthyReplicas: drop old replicas that are not available anyway.
  let cleaned = 0;
  for (let i = 0; i < olds.length && cleaned < maxScaledDown; i++) {
    const rs = olds[i];
    const current = result[i];
    if (rs === undefined || current === undefined || current === 0) continue;
    const unhealthy = Math.max(0, current - rs.available);
    if (unhealthy === 0) continue;
    const down = Math.min(maxScaledDown - cleaned, unhealthy);
    result[i] = current - down;
    cleaned += down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: available pods above minAvailable may go.
  const available = sum(olds, (r, i) => Math.min(r.available, result[i] ?? 0)) + newRs.available;
  if (available <= minAvailable) return result;
  let budget = available - minAvailable;
  for (let i = 0; i < olds.length && budget > 0; i++) {
    const current = result[i];
    if (current === undefined || current === 0) continue;
    const down = Math.min(current, budget);
    result[i] = current - down;
    budget -= down;
  }
  return result;
}

/** Recreate: old RSs go to 0 first; the new RS is scaled up only once no old pod is left running. */
export function recreateTargets(desired: number, oldRunningPods: number, olds: readonly RsCounts[]): { oldReplicas: number[]; newReplicas: number | undefined } {
  if (olds.some((r) => r.replicas > 0)) return { oldReplicas: olds.map(() => 0), newReplicas: undefined };
  if (oldRunningPods > 0) return { oldReplicas: olds.map(() => 0), newReplicas: undefined };
  return { oldReplicas: olds.map(() => 0), newReplicas: desired };
}

function sum<T>(xs: readonly T[], f: (x: T, i: number) => number): number {
  let total = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x !== undefined) total += f(x, i);
  }
  return total;
}
