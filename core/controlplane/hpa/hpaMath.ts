import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from '../../api/types.js';

/**
 * The HorizontalPodAutoscaler's arithmetic (pkg/controller/podautoscaler), kernel-free.
 * Times are seconds of the controller's local clock.
 */

/** Default --horizontal-pod-autoscaler-tolerance. */
export const DEFAULT_TOLERANCE = 0.1;
/** Default --horizontal-pod-autoscaler-sync-period, seconds. */
export const SYNC_PERIOD_SECONDS = 15;

/**
 * Replica recommendation from CPU utilisation (replica_calculator GetResourceReplicas, all pods
 * ready and reporting): ratio = mean utilisation / target; inside the tolerance band nothing changes,
 * otherwise ceil(ratio × pods with metrics).
 */
export function desiredReplicasForUtilisation(currentReplicas: number, podUtilisationsPercent: readonly number[], targetPercent: number, tolerance = DEFAULT_TOLERANCE): number {
  if (podUtilisationsPercent.length === 0 || targetPercent <= 0) return currentReplicas;
  let total = 0;
  for (const u of podUtilisationsPercent) total += u;
  const mean = total / podUtilisationsPercent.length;
  const ratio = mean / targetPercent;
  if (Math.abs(1 - ratio) <= tolerance) return currentReplicas;
  // ceil of a ratio computed in floating point: guard against 5.0000000001 becoming 6.
  return Math.ceil(ratio * podUtilisationsPercent.length - 1e-9);
}

/** autoscaling/v2 defaults (HPAScalingRules when behavior is absent). */
export const DEFAULT_SCALE_UP: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: Required<Pick<HPAScalingRules, 'stabilizationWindowSeconds' | 'selectPolicy' | 'policies'>> = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

export interface Recommendation {
  readonly atSeconds: number;
  readonly replicas: number;
}
export interface ScaleEvent {
  readonly atSeconds: number;
  /** Positive for scale-up, negative for scale-down. */
  readonly change: number;
}

/** Per-HPA memory the controller keeps between syncs (upstream keeps it in process memory too). */
export interface HpaHistory {
  recommendations: Recommendation[];
  scaleEvents: ScaleEvent[];
}

/**
 * normalizeDesiredReplicasWithBehaviors: stabilisation (scale-up: min over the up window; scale-down:
 * max over the down window, default 300s), then rate limits from the policies over past scale
 * events, then [minReplicas, maxReplicas]. Mutates `history` (records the recommendation).
 */
export function normalizeWithBehavior(
  history: HpaHistory,
  nowSeconds: number,
  currentReplicas: number,
  recommended: number,
  minReplicas: number,
  maxReplicas: number,
  behavior: HorizontalPodAutoscalerBehavior | undefined,
): number {
  const up = { ...DEFAULT_SCALE_UP, ...stripUndefined(behavior?.scaleUp) };
  const down = { ...DEFAULT_SCALE_DOWN, ...stripUndefined(behavior?.scaleDown) };
  // Stabilisation window.
  let upRec = recommended;
  let downRec = recommended;
  const upCutoff = nowSeconds - up.stabilizationWindowSeconds;
  const downCutoff = nowSeconds - down.stabilizationWindowSeconds;
  for (const r of history.recommendations) {
    if (r.atSeconds > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.atSeconds > downCutoff) downRec = Math.max(downRec, r.replicas);
  }
  let stabilised = currentReplicas;
  if (stabilised < upRec) stabilised = upRec;
  if (stabilised > downRec) stabilised = downRec;
  const keepFor = Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds);
  history.recommendations = history.recommendations.filter((r) => r.atSeconds > nowSeconds - keepFor);
  history.recommendations.push({ atSeconds: nowSeconds, replicas: recommended });
  // Rate limits.
  let limited = stabilised;
  if (stabilised > currentReplicas) {
    if (up.selectPolicy === 'Disabled') limited = currentReplicas;
    else limited = Math.min(stabilised, scaleUpLimit(history, nowSeconds, currentReplicas, up.policies, up.selectPolicy));
  } else if (stabilised < currentReplicas) {
    if (down.selectPolicy === 'Disabled') limited = currentReplicas;
    else limited = Math.max(stabilised, scaleDownLimit(history, nowSeconds, currentReplicas, down.policies, down.selectPolicy));
  }
  const bounded = Math.max(minReplicas, Math.min(maxReplicas, limited));
  if (bounded !== currentReplicas) history.scaleEvents.push({ atSeconds: nowSeconds, change: bounded - currentReplicas });
  const longest = Math.max(0, ...up.policies.map((p) => p.periodSeconds), ...down.policies.map((p) => p.periodSeconds));
  history.scaleEvents = history.scaleEvents.filter((e) => e.atSeconds > nowSeconds - longest);
  return bounded;
}

function changeInPeriod(history: HpaHistory, nowSeconds: number, periodSeconds: number, sign: 1 | -1): number {
  let total = 0;
  for (const e of history.scaleEvents) {
    if (e.atSeconds > nowSeconds - periodSeconds && Math.sign(e.change) === sign) total += Math.abs(e.change);
  }
  return total;
}

function scaleUpLimit(history: HpaHistory, now: number, current: number, policies: HPAScalingRules['policies'], select: HPAScalingRules['selectPolicy']): number {
  let result = select === 'Min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  for (const p of policies ?? []) {
    const periodStart = current - changeInPeriod(history, now, p.periodSeconds, 1) + changeInPeriod(history, now, p.periodSeconds, -1);
    const limit = p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, limit) : Math.max(result, limit);
  }
  return Number.isFinite(result) ? result : current;
}

function scaleDownLimit(history: HpaHistory, now: number, current: number, policies: HPAScalingRules['policies'], select: HPAScalingRules['selectPolicy']): number {
  let result = select === 'Min' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (const p of policies ?? []) {
    const periodStart = current + changeInPeriod(history, now, p.periodSeconds, -1) - changeInPeriod(history, now, p.periodSeconds, 1);
    const limit = p.type === 'Pods' ? periodStart - p.value : Math.floor(periodStart * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, limit) : Math.min(result, limit);
  }
  return Number.isFinite(result) ? result : current;
}

function stripUndefined(rules: HPAScalingRules | undefined): Partial<HPAScalingRules> {
  if (rules === undefined) return {};
  const out: { -readonly [K in keyof HPAScalingRules]?: HPAScalingRules[K] } = {};
  if (rules.stabilizationWindowSeconds !== undefined) out.stabilizationWindowSeconds = rules.stabilizationWindowSeconds;
  if (rules.selectPolicy !== undefined) out.selectPolicy = rules.selectPolicy;
  if (rules.policies !== undefined) out.policies = rules.policies;
  return out;
}
