import { MaxNodeScore } from './status.js';

/**
 * Upstream's helper.DefaultNormalizeScore: scales scores to 0..MaxNodeScore by the maximum, with
 * integer division; `reverse` turns "more is worse" counts into scores. All zero: 0, or Max if reversed.
 */
export function defaultNormalizeScore(scores: Float64Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, scores[i] ?? 0);
  if (max === 0) {
    if (reverse) scores.fill(MaxNodeScore, 0, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    let s = Math.trunc((MaxNodeScore * (scores[i] ?? 0)) / max);
    if (reverse) s = MaxNodeScore - s;
    scores[i] = s;
  }
}
