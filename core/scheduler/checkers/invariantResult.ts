/** The outcome of one invariant over a run, as summary.json reports it. */
export interface InvariantResult {
  readonly name: string;
  readonly held: boolean;
  /** Simulated seconds of the first violation. */
  readonly firstViolationAt?: number;
  readonly detail?: string;
}

/**
 * What scheduler checkers observe from outside the scheduler: committed bindings and the pods and
 * nodes they concern, as read from the API (never from the scheduler's own cache).
 */
export interface BindingObserver {
  onNode(timeUs: number, node: import('../../api/types.js').Node): void;
  onNodeDelete(timeUs: number, name: string): void;
  /**
   * A binding committed: `pod` is the pod as bound (spec.nodeName = nodeName); `info` is
   * buildPodInfo(pod), when the caller has it (SchedulerCheckers builds it once for all three).
   */
  onBinding(timeUs: number, pod: import('../../api/types.js').Pod, nodeName: string, info?: import('../podInfo.js').PodInfo): void;
  /** The pod was deleted or finished: it no longer holds resources. */
  onPodGone(timeUs: number, uid: string): void;
  /** Graceful deletion started: the pod still holds resources but no longer counts for spreading. */
  onPodTerminating?(timeUs: number, uid: string): void;
  result(): InvariantResult;
}

/** Tracks the first violation of an invariant. */
export class ViolationLog {
  private first: { atUs: number; detail: string } | undefined;
  count = 0;

  record(timeUs: number, detail: string): void {
    this.count++;
    this.first ??= { atUs: timeUs, detail };
  }

  result(name: string): InvariantResult {
    if (this.first === undefined) return { name, held: true };
    const more = this.count > 1 ? ` (${this.count} violations in all)` : '';
    return { name, held: false, firstViolationAt: this.first.atUs / 1e6, detail: this.first.detail + more };
  }
}
