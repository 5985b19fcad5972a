import type { Context } from '../../../sim/component.js';
import { s } from '../../../sim/time.js';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '../../api/types.js';
import type { ControllerEnv, QueueLike } from '../controllerEnv.js';
import { keyOf } from '../ports.js';
import { controllerRef, isPodActive, isPodAvailable, isPodReady, randomSuffix, secondsUntilAvailable } from '../podUtil.js';
import { Expectations } from './expectations.js';

/** --concurrent-replicaset-syncs default. */
const WORKERS = 5;
/** BurstReplicas: at most this many creations or deletions per sync. */
const BURST_REPLICAS = 500;
/** SlowStartInitialBatchSize: creations go 1, 2, 4, … and stop at the first failure. */
const SLOW_START_INITIAL_BATCH = 1;

/**
 * ReplicaSet controller (pkg/controller/replicaset): level-triggered; reads only its informers;
 * creates or deletes pods to match spec.replicas; ignores terminating pods; uses expectations so a
 * lagging cache does not make it create twice.
 */
export class ReplicaSetController {
  private readonly env: ControllerEnv;
  private readonly queue: QueueLike;
  readonly expectations = new Expectations();
  /**
   * Per controlling owner UID: its active pods (not terminating, not finished) and how many are
   * ready — what a sync counts from the informer's cache — kept from the pod events, so a sync of a
   * 500-replica ReplicaSet reads two numbers instead of walking its pods on every pod event. The
   * pods themselves are read only to choose deletions, or for availability with minReadySeconds.
   */
  private readonly tallies = new Map<string, { active: number; ready: number }>();
  /** What each cached pod (by key) contributes to `tallies`. */
  private readonly counted = new Map<string, { readonly uid: string; readonly ready: boolean }>();

  constructor(env: ControllerEnv) {
    this.env = env;
    this.queue = env.makeQueue('replicaset', WORKERS, (ctx, key) => this.sync(ctx, key));
    const { ctx } = env;
    env.informers.replicasets.addEventHandler({
      onAdd: (rs) => this.queue.add(ctx, keyOf(rs)),
      onUpdate: (_o, rs) => this.queue.add(ctx, keyOf(rs)),
      onDelete: (rs) => {
        this.expectations.forget(keyOf(rs));
        this.queue.add(ctx, keyOf(rs));
      },
    });
    env.informers.pods.addEventHandler({
      onAdd: (pod) => {
        this.tally(keyOf(pod), pod);
        this.podEvent(pod, 'add');
      },
      onUpdate: (old, pod) => {
        this.tally(keyOf(pod), pod);
        if (old.metadata.deletionTimestamp === undefined && pod.metadata.deletionTimestamp !== undefined) this.podEvent(pod, 'delete');
        else this.podEvent(pod, 'update');
      },
      onDelete: (pod) => {
        this.tally(keyOf(pod), undefined);
        if (pod.metadata.deletionTimestamp === undefined) this.podEvent(pod, 'delete');
        else this.podEvent(pod, 'update');
      },
    });
  }

  /** Moves the pod's contribution to its owner's tally from what it was to what `pod` (undefined: gone) is. */
  private tally(key: string, pod: Pod | undefined): void {
    const before = this.counted.get(key);
    const uid = pod !== undefined && isPodActive(pod) ? controllerRef(pod)?.uid : undefined;
    const ready = uid !== undefined && pod !== undefined && isPodReady(pod);
    if (before !== undefined && before.uid === uid && before.ready === ready) return;
    if (before !== undefined) {
      const t = this.tallies.get(before.uid);
      if (t !== undefined) {
        t.active--;
        if (before.ready) t.ready--;
        if (t.active === 0) this.tallies.delete(before.uid);
      }
      this.counted.delete(key);
    }
    if (uid === undefined) return;
    let t = this.tallies.get(uid);
    if (t === undefined) {
      t = { active: 0, ready: 0 };
      this.tallies.set(uid, t);
    }
    t.active++;
    if (ready) t.ready++;
    this.counted.set(key, { uid, ready });
  }

  /** The owner's active pods, as sync counts them: pods it controls, not terminating, not finished. */
  private activePods(uid: string): Pod[] {
    const pods: Pod[] = [];
    for (const p of this.env.informers.pods.byOwnerUid(uid)) if (isPodActive(p) && controllerRef(p)?.uid === uid) pods.push(p);
    return pods;
  }

  private podEvent(pod: Pod, kind: 'add' | 'update' | 'delete'): void {
    const ref = controllerRef(pod);
    if (ref === undefined || ref.kind !== 'ReplicaSet') return;
    const key = `${pod.metadata.namespace ?? 'default'}/${ref.name}`;
    if (kind === 'add') this.expectations.creationObserved(key);
    if (kind === 'delete') this.expectations.deletionObserved(key);
    this.queue.add(this.env.ctx, key);
  }

  private sync(ctx: Context, key: string): void {
    if (!this.env.alive()) return;
    const rs = this.env.informers.replicasets.get(key);
    if (rs === undefined || rs.metadata.uid === undefined) {
      this.expectations.forget(key);
      this.queue.done(ctx, key, true);
      return;
    }
    const uid = rs.metadata.uid;
    const tally = this.tallies.get(uid) ?? { active: 0, ready: 0 };
    const active = tally.active;
    const ready = tally.ready;
    const needsSync = this.expectations.satisfied(key, ctx.now()) && rs.metadata.deletionTimestamp === undefined;
    const diff = active - (rs.spec.replicas ?? 1);
    const finish = (ok: boolean): void => {
      if (!this.env.alive()) return;
      this.updateStatus(ctx, rs, active, ready, () => this.queue.done(ctx, key, ok));
    };
    if (!needsSync || diff === 0) {
      finish(true);
      return;
    }
    if (diff < 0) this.createPods(ctx, key, rs, Math.min(-diff, BURST_REPLICAS), finish);
    else this.deletePods(ctx, key, rs, this.activePods(uid), Math.min(diff, BURST_REPLICAS), finish);
  }

  private createPods(ctx: Context, key: string, rs: ReplicaSet, count: number, finish: (ok: boolean) => void): void {
    this.expectations.expect(key, count, 0, ctx.now());
    let remaining = count;
    let batch = SLOW_START_INITIAL_BATCH;
    const nextBatch = (): void => {
      if (!this.env.alive()) return;
      const size = Math.min(batch, remaining);
      if (size === 0) {
        finish(true);
        return;
      }
      let outstanding = size;
      let failed = false;
      for (let i = 0; i < size; i++) {
        this.env.writer.create(ctx, 'pods', this.podFor(ctx, rs), (r) => {
          if (!r.ok) {
            // The informer will never see this pod: lower the expectation.
            this.expectations.creationObserved(key);
            failed = true;
          }
          if (--outstanding > 0) return;
          remaining -= size;
          if (failed) {
            // Skipped creations will not be observed either.
            for (let j = 0; j < remaining; j++) this.expectations.creationObserved(key);
            finish(false);
            return;
          }
          batch = Math.min(2 * batch, remaining);
          nextBatch();
        });
      }
    };
    nextBatch();
  }

  private deletePods(ctx: Context, key: string, rs: ReplicaSet, pods: Pod[], count: number, finish: (ok: boolean) => void): void {
    const victims = rankForDeletion(pods).slice(0, count);
    this.expectations.expect(key, 0, victims.length, ctx.now());
    let outstanding = victims.length;
    let failed = false;
    for (const pod of victims) {
      this.env.writer.delete(ctx, 'pods', pod.metadata.namespace, pod.metadata.name ?? '', (r) => {
        if (!r.ok) {
          this.expectations.deletionObserved(key);
          if (r.status.code !== 404) failed = true;
        }
        if (--outstanding === 0) finish(!failed);
      });
    }
    void rs;
  }

  private podFor(ctx: Context, rs: ReplicaSet): Pod {
    const name = `${rs.metadata.name ?? 'rs'}-${randomSuffix(() => ctx.rng.next())}`;
    const tmpl = rs.spec.template;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: rs.metadata.namespace ?? 'default',
        labels: tmpl.metadata?.labels ?? {},
        ...(tmpl.metadata?.annotations !== undefined ? { annotations: tmpl.metadata.annotations } : {}),
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name ?? '', uid: rs.metadata.uid ?? '', controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: tmpl.spec,
    };
  }

  private updateStatus(ctx: Context, rs: ReplicaSet, active: number, ready: number, then: () => void): void {
    const minReady = rs.spec.minReadySeconds ?? 0;
    // Without minReadySeconds a ready pod is available at once (IsPodAvailable).
    let available = ready;
    if (minReady > 0) {
      const now = this.env.nowSeconds();
      available = 0;
      let soonest: number | undefined;
      for (const p of this.activePods(rs.metadata.uid ?? '')) {
        if (isPodAvailable(p, minReady, now)) available++;
        const left = secondsUntilAvailable(p, minReady, now);
        if (left !== undefined) soonest = soonest === undefined ? left : Math.min(soonest, left);
      }
      // A pod turns available with no event: look again when the first one will have.
      if (soonest !== undefined) this.queue.addAfter(ctx, keyOf(rs), s(soonest) + 1);
    }
    const status: ReplicaSetStatus = {
      replicas: active,
      fullyLabeledReplicas: active,
      readyReplicas: ready,
      availableReplicas: available,
      ...(rs.metadata.generation !== undefined ? { observedGeneration: rs.metadata.generation } : {}),
    };
    const cur = rs.status;
    if (
      cur !== undefined &&
      cur.replicas === status.replicas &&
      cur.readyReplicas === status.readyReplicas &&
      cur.availableReplicas === status.availableReplicas &&
      cur.observedGeneration === status.observedGeneration
    ) {
      then();
      return;
    }
    this.env.writer.updateStatus(ctx, 'replicasets', { ...rs, status }, () => then());
  }
}

/**
 * getPodsToDelete ranking (ActivePodsWithRanks, simplified): unscheduled before scheduled, pending
 * before running, not ready before ready, then the most recently created first.
 */
export function rankForDeletion(pods: readonly Pod[]): Pod[] {
  const score = (p: Pod): number[] => [
    p.spec.nodeName === undefined || p.spec.nodeName === '' ? 0 : 1,
    p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Running' ? 2 : 1,
    isPodReady(p) ? 1 : 0,
    -(p.metadata.creationTimestamp ?? 0),
  ];
  return [...pods].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < sa.length; i++) {
      const d = (sa[i] ?? 0) - (sb[i] ?? 0);
      if (d !== 0) return d;
    }
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
}
