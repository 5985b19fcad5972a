import type { Node, Pod } from '../../api/types.js';
import { ViolationLog, type BindingObserver, type InvariantResult } from './invariantResult.js';

export const NO_DOUBLE_BINDING = 'scheduler.noDoubleBinding';

/** A pod (by UID) is bound at most once: a second committed binding is a violation. */
export class NoDoubleBindingChecker implements BindingObserver {
  private readonly boundTo = new Map<string, string>();
  private readonly log = new ViolationLog();

  onNode(_t: number, _node: Node): void {}
  onNodeDelete(_t: number, _name: string): void {}

  onBinding(timeUs: number, pod: Pod, nodeName: string): void {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''}`;
    const prev = this.boundTo.get(uid);
    if (prev !== undefined) {
      this.log.record(timeUs, `pod ${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? ''} bound to ${prev} and again to ${nodeName}`);
    }
    this.boundTo.set(uid, nodeName);
  }

  onPodGone(_t: number, _uid: string): void {
    // A UID never returns, so a bound pod stays bound for this checker even after deletion.
  }

  result(): InvariantResult {
    return this.log.result(NO_DOUBLE_BINDING);
  }
}
