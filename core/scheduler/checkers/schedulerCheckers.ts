import type { Node, Pod } from '../../api/types.js';
import { CapacityChecker } from './capacity.js';
import { ConstraintsChecker } from './constraints.js';
import type { BindingObserver, InvariantResult } from './invariantResult.js';
import { NoDoubleBindingChecker } from './noDoubleBinding.js';
import { buildPodInfo } from '../podInfo.js';

/** The three scheduler invariants fed from one stream of observations (the CLI and tests use this). */
export class SchedulerCheckers {
  readonly noDoubleBinding = new NoDoubleBindingChecker();
  readonly capacity = new CapacityChecker();
  readonly constraints = new ConstraintsChecker();
  private readonly all: readonly BindingObserver[] = [this.noDoubleBinding, this.capacity, this.constraints];

  onNode(timeUs: number, node: Node): void {
    for (const c of this.all) c.onNode(timeUs, node);
  }
  onNodeDelete(timeUs: number, name: string): void {
    for (const c of this.all) c.onNodeDelete(timeUs, name);
  }
  onBinding(timeUs: number, pod: Pod, nodeName: string): void {
    const info = buildPodInfo(pod);
    for (const c of this.all) c.onBinding(timeUs, pod, nodeName, info);
  }
  onPodTerminating(timeUs: number, uid: string): void {
    for (const c of this.all) c.onPodTerminating?.(timeUs, uid);
  }
  onPodGone(timeUs: number, uid: string): void {
    for (const c of this.all) c.onPodGone(timeUs, uid);
  }
  results(): InvariantResult[] {
    return this.all.map((c) => c.result());
  }
}

/**
 * Feeds a `scheduler.bound` observation (emitted by KubeScheduler once the API server accepted the
 * binding; it carries the bound pod as `object`) to the checkers. Nodes (`onNode`), terminations
 * and deletions (`onPodTerminating`, `onPodGone`) come from the harness's own view of the API.
 * Returns whether the observation was one of ours.
 */
export function feedBindingObservation(checkers: SchedulerCheckers, timeUs: number, obs: { readonly type: string; readonly [k: string]: unknown }): boolean {
  if (obs.type !== 'scheduler.bound') return false;
  const object = obs['object'] as Pod | undefined;
  const node = obs['node'];
  if (object === undefined || typeof node !== 'string') return false;
  checkers.onBinding(timeUs, object, node);
  return true;
}
