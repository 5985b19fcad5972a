import type { Micros } from '../../sim/time.js';
import type { ClusterEvent } from './clusterEvent.js';
import { Heap } from './heap.js';
import type { PodInfo } from './podInfo.js';

/** A pod waiting in the scheduling queue, with its attempt history (upstream's QueuedPodInfo). */
export interface QueuedPod {
  info: PodInfo;
  /** Arrival order: breaks priority ties and keeps the heap order total. */
  readonly seq: number;
  /** When it (re-)entered the queue; activeQ orders equal priorities by it. */
  timestampUs: Micros;
  readonly initialAttemptUs: Micros;
  attempts: number;
  /** Plugins that rejected it last time: only events they care about move it back. */
  unschedulablePlugins: ReadonlySet<string>;
  where: 'active' | 'backoff' | 'unschedulable' | 'inFlight';
  /** Changes on each move so stale heap entries are recognised and skipped. */
  generation: number;
  /** Scheduling cycle in which it was popped. */
  cycle: number;
}

/** A heap entry with its sort keys frozen at push time, so later changes to the pod never break the heap. */
interface Entry {
  readonly q: QueuedPod;
  readonly generation: number;
  /** activeQ: −priority; backoffQ: expiry time. */
  readonly k1: number;
  /** activeQ: queue time; backoffQ: unused (0). */
  readonly k2: number;
}

export interface QueueOptions {
  /** First backoff after a failed attempt; doubles per attempt. Upstream default 1s. */
  readonly initialBackoffUs: Micros;
  /** Cap on the backoff. Upstream default 10s. */
  readonly maxBackoffUs: Micros;
  /** Unschedulable pods are retried at least this often even without events. Upstream default 5m. */
  readonly maxInUnschedulableUs: Micros;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = Object.freeze({
  initialBackoffUs: 1_000_000,
  maxBackoffUs: 10_000_000,
  maxInUnschedulableUs: 300_000_000,
});

function entryLess(a: Entry, b: Entry): boolean {
  if (a.k1 !== b.k1) return a.k1 < b.k1;
  if (a.k2 !== b.k2) return a.k2 < b.k2;
  return a.q.seq < b.q.seq;
}

/**
 * kube-scheduler's scheduling queue: activeQ ordered by priority then queue time (PrioritySort),
 * backoffQ ordered by backoff expiry (1s doubling to 10s per attempt), and the unschedulable pods,
 * which go back on a cluster event one of their rejecting plugins cares about or after 5 minutes.
 * A pod that failed while an event arrived during its cycle goes to backoff, not unschedulable,
 * so the event is not missed (upstream's moveRequestCycle).
 */
export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPod>();
  private readonly active = new Heap<Entry>(entryLess);
  private readonly backoff = new Heap<Entry>(entryLess);
  private readonly unschedulable = new Map<string, QueuedPod>();
  private seq = 0;
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private activeCount = 0;
  private backoffCount = 0;

  constructor(
    private readonly options: QueueOptions = DEFAULT_QUEUE_OPTIONS,
    /** Whether `event` can help a pod that `plugin` rejected (the profile's event registrations). */
    private readonly caresAbout: (plugin: string, event: ClusterEvent) => boolean = () => true,
  ) {}

  get activeLength(): number {
    return this.activeCount;
  }
  get backoffLength(): number {
    return this.backoffCount;
  }
  get unschedulableLength(): number {
    return this.unschedulable.size;
  }
  /** Pods the queue knows: waiting anywhere or being scheduled. */
  get size(): number {
    return this.pods.size;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  get(key: string): QueuedPod | undefined {
    return this.pods.get(key);
  }

  /** Backoff for the attempts made so far: initial × 2^(attempts−1), capped. */
  backoffDuration(attempts: number): Micros {
    let d = this.options.initialBackoffUs;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d >= this.options.maxBackoffUs) return this.options.maxBackoffUs;
    }
    return Math.min(d, this.options.maxBackoffUs);
  }

  private backoffExpiry(q: QueuedPod): Micros {
    return q.timestampUs + this.backoffDuration(q.attempts);
  }

  /** A new pending pod: straight to activeQ. */
  add(info: PodInfo, nowUs: Micros): void {
    const existing = this.pods.get(info.key);
    if (existing !== undefined) {
      this.update(info, nowUs);
      return;
    }
    const q: QueuedPod = {
      info,
      seq: this.seq++,
      timestampUs: nowUs,
      initialAttemptUs: nowUs,
      attempts: 0,
      unschedulablePlugins: new Set(),
      where: 'active',
      generation: 0,
      cycle: -1,
    };
    this.pods.set(info.key, q);
    this.pushActive(q);
  }

  /**
   * The pod object changed: keep its place, but an unschedulable pod gets another chance unless
   * `retry` is false (upstream's isPodUpdated: a status-only change, such as the scheduler's own
   * PodScheduled condition, cannot make it schedulable).
   */
  update(info: PodInfo, nowUs: Micros, retry = true): void {
    const q = this.pods.get(info.key);
    if (q === undefined) {
      this.add(info, nowUs);
      return;
    }
    q.info = info;
    if (retry && q.where === 'unschedulable') {
      this.unschedulable.delete(info.key);
      this.requeue(q, nowUs);
    }
  }

  /** The pod was deleted or bound by someone else. */
  delete(key: string): void {
    const q = this.pods.get(key);
    if (q === undefined) return;
    this.leave(q);
    this.pods.delete(key);
  }

  /** The next pod to schedule, highest priority first; it stays known to the queue while in flight. */
  pop(): QueuedPod | undefined {
    for (;;) {
      const e = this.active.pop();
      if (e === undefined) return undefined;
      const q = e.q;
      if (q.where !== 'active' || q.generation !== e.generation || this.pods.get(q.info.key) !== q) continue;
      this.activeCount--;
      q.where = 'inFlight';
      q.generation++;
      q.attempts++;
      q.cycle = ++this.schedulingCycle;
      return q;
    }
  }

  /** Scheduling succeeded (the pod is assumed): the queue forgets it. */
  done(key: string): void {
    const q = this.pods.get(key);
    if (q !== undefined && q.where === 'inFlight') this.pods.delete(key);
  }

  /** The cycle found no node: park the pod until a relevant event (or backoff if one came meanwhile). */
  addUnschedulable(q: QueuedPod, plugins: ReadonlySet<string>, nowUs: Micros): void {
    if (this.pods.get(q.info.key) !== q) return; // deleted while in flight
    q.unschedulablePlugins = plugins;
    q.timestampUs = nowUs;
    if (this.moveRequestCycle >= q.cycle) {
      this.pushBackoff(q);
    } else {
      q.where = 'unschedulable';
      q.generation++;
      this.unschedulable.set(q.info.key, q);
    }
  }

  /** An error or a failed binding: retry after backoff. */
  addBackoff(q: QueuedPod, nowUs: Micros): void {
    if (this.pods.get(q.info.key) !== q) {
      if (this.pods.has(q.info.key)) return;
      this.pods.set(q.info.key, q);
    }
    q.timestampUs = nowUs;
    this.pushBackoff(q);
  }

  /** A pod whose binding failed after it left the queue comes back with its history. */
  requeueAfterBindFailure(q: QueuedPod, nowUs: Micros): void {
    if (this.pods.has(q.info.key)) return;
    this.pods.set(q.info.key, q);
    q.timestampUs = nowUs;
    this.pushBackoff(q);
  }

  /** A cluster event: unschedulable pods rejected by a plugin that cares move to backoff or active. */
  onClusterEvent(event: ClusterEvent, nowUs: Micros): number {
    this.moveRequestCycle = this.schedulingCycle;
    let moved = 0;
    for (const [key, q] of this.unschedulable) {
      if (!this.relevant(q, event)) continue;
      this.unschedulable.delete(key);
      this.requeue(q, nowUs);
      moved++;
    }
    return moved;
  }

  private relevant(q: QueuedPod, event: ClusterEvent): boolean {
    if (q.unschedulablePlugins.size === 0) return true;
    for (const p of q.unschedulablePlugins) if (this.caresAbout(p, event)) return true;
    return false;
  }

  /** Moves finished backoffs to activeQ and flushes pods unschedulable for too long. */
  flush(nowUs: Micros): void {
    for (;;) {
      const e = this.backoff.peek();
      if (e === undefined) break;
      const q = e.q;
      if (q.where !== 'backoff' || q.generation !== e.generation || this.pods.get(q.info.key) !== q) {
        this.backoff.pop();
        continue;
      }
      if (e.k1 > nowUs) break;
      this.backoff.pop();
      this.pushActive(q);
    }
    // Insertion order is parking-time order (a pod is re-inserted whenever it is parked again), so
    // the scan stops at the first pod not yet due: the cost per cycle is the number flushed.
    for (const [key, q] of this.unschedulable) {
      if (nowUs - q.timestampUs < this.options.maxInUnschedulableUs) break;
      this.unschedulable.delete(key);
      this.requeue(q, nowUs);
    }
  }

  /** The earliest time `flush` has work to do, if any. */
  nextFlushUs(): Micros | undefined {
    let t: Micros | undefined;
    for (;;) {
      const e = this.backoff.peek();
      if (e === undefined) break;
      if (e.q.where !== 'backoff' || e.q.generation !== e.generation || this.pods.get(e.q.info.key) !== e.q) {
        this.backoff.pop();
        continue;
      }
      t = e.k1;
      break;
    }
    for (const q of this.unschedulable.values()) {
      const due = q.timestampUs + this.options.maxInUnschedulableUs;
      if (t === undefined || due < t) t = due;
      break; // insertion order is time order: the first is the earliest
    }
    return t;
  }

  private requeue(q: QueuedPod, nowUs: Micros): void {
    if (this.backoffExpiry(q) > nowUs) this.pushBackoff(q);
    else this.pushActive(q);
  }

  private leave(q: QueuedPod): void {
    if (q.where === 'active') this.activeCount--;
    else if (q.where === 'backoff') this.backoffCount--;
    else if (q.where === 'unschedulable') this.unschedulable.delete(q.info.key);
    q.generation++;
  }

  private pushActive(q: QueuedPod): void {
    if (q.where === 'backoff') this.backoffCount--;
    q.where = 'active';
    q.generation++;
    this.activeCount++;
    this.active.push({ q, generation: q.generation, k1: -q.info.priority, k2: q.timestampUs });
  }

  private pushBackoff(q: QueuedPod): void {
    if (q.where === 'active') this.activeCount--;
    if (q.where !== 'backoff') this.backoffCount++;
    q.where = 'backoff';
    q.generation++;
    this.backoff.push({ q, generation: q.generation, k1: this.backoffExpiry(q), k2: 0 });
  }
}
