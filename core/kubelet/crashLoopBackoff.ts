import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';

/** kubelet's container restart backoff: 10s initial, doubling, capped at 5 min (MaxContainerBackOff). */
export const BACKOFF_INITIAL_US: Micros = s(10);
export const BACKOFF_MAX_US: Micros = s(300);
/** A container that ran this long without failing gets its backoff reset (2 × MaxContainerBackOff upstream). */
export const BACKOFF_RESET_US: Micros = s(600);

/** Delay before restart number `restartCount` (1 = first restart) of a container that keeps crashing. */
export function crashLoopDelay(restartCount: number): Micros {
  if (restartCount <= 0) return 0;
  const exponent = Math.min(restartCount - 1, 30);
  return Math.min(BACKOFF_MAX_US, BACKOFF_INITIAL_US * 2 ** exponent);
}

/** Backoff to use given how long the container ran before this failure; a long run resets it. */
export function nextBackoffStep(previousStep: number, ranForUs: Micros): number {
  return ranForUs >= BACKOFF_RESET_US ? 1 : previousStep + 1;
}
