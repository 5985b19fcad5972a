import { conditionOf } from '../api/conditions.js';
import type { Condition, OwnerReference, Pod, PodConditionType } from '../api/types.js';

/**
 * Pod helpers shared by the controllers (upstream pkg/api/v1/pod, controller_utils). Loops rather
 * than find with a closure: the controllers call them on every pod event.
 */

export function controllerRef(obj: { readonly metadata: { readonly ownerReferences?: readonly OwnerReference[] } }): OwnerReference | undefined {
  const refs = obj.metadata.ownerReferences;
  if (refs !== undefined) for (const o of refs) if (o.controller === true) return o;
  return undefined;
}

/** Counted by the ReplicaSet controller: not terminating, not finished. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

export function podCondition(pod: Pod, type: PodConditionType): Condition<PodConditionType> | undefined {
  return conditionOf(pod.status?.conditions, type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** IsPodAvailable: ready for at least minReadySeconds by the caller's clock (seconds). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowSeconds: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime;
  return since !== undefined && since + minReadySeconds <= nowSeconds;
}

/** Seconds until a ready pod becomes available, or undefined when it is not ready or already available. */
export function secondsUntilAvailable(pod: Pod, minReadySeconds: number, nowSeconds: number): number | undefined {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True' || minReadySeconds <= 0 || ready.lastTransitionTime === undefined) return undefined;
  const left = ready.lastTransitionTime + minReadySeconds - nowSeconds;
  return left > 0 ? left : undefined;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A name suffix like the API server's generateName (5 chars from the same alphabet), from the caller's RNG. */
export function randomSuffix(draw: () => number, length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[Math.floor(draw() * ALPHABET.length)] ?? 'x';
  return s;
}
