import type { Context } from '../../../sim/component.js';
import { s } from '../../../sim/time.js';
import type { Condition, Deployment, DeploymentConditionType, DeploymentStatus, KubeObject, ReplicaSet } from '../../api/types.js';
import type { ApiResult } from '../../apiserver/protocol.js';
import type { ControllerEnv, QueueLike } from '../controllerEnv.js';
import { keyOf } from '../ports.js';
import { controllerRef } from '../podUtil.js';
import type { Fenceposts, RsCounts } from './rolloutMath.js';
import { newRsTargetReplicas, oldRsTargetReplicas, recreateTargets, resolveFenceposts } from './rolloutMath.js';
import { POD_TEMPLATE_HASH_LABEL, REVISION_ANNOTATION, templateHash } from './templateHash.js';

/** --concurrent-deployment-syncs default. */
const WORKERS = 5;
const DEFAULT_REVISION_HISTORY_LIMIT = 10;
const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/**
 * Deployment controller (pkg/controller/deployment): owns ReplicaSets by template hash, rolls
 * RollingUpdate (maxSurge/maxUnavailable) or Recreate, keeps revisionHistoryLimit old ReplicaSets,
 * and reports Available/Progressing (with progressDeadlineSeconds). Level-triggered: each sync
 * makes one step from the current informer state and waits for the resulting events.
 */
export class DeploymentController {
  private readonly env: ControllerEnv;
  private readonly queue: QueueLike;

  constructor(env: ControllerEnv) {
    this.env = env;
    this.queue = env.makeQueue('deployment', WORKERS, (ctx, key) => this.sync(ctx, key));
    const { ctx } = env;
    env.informers.deployments.addEventHandler({
      onAdd: (d) => this.queue.add(ctx, keyOf(d)),
      onUpdate: (_o, d) => this.queue.add(ctx, keyOf(d)),
      onDelete: (d) => this.queue.add(ctx, keyOf(d)),
    });
    const rsEvent = (rs: ReplicaSet): void => {
      const ref = controllerRef(rs);
      if (ref?.kind === 'Deployment') this.queue.add(ctx, `${rs.metadata.namespace ?? 'default'}/${ref.name}`);
    };
    env.informers.replicasets.addEventHandler({ onAdd: rsEvent, onUpdate: (_o, rs) => rsEvent(rs), onDelete: rsEvent });
    // Recreate waits for old pods to be gone: their deletion must wake the Deployment.
    env.informers.pods.addEventHandler({
      onDelete: (pod) => {
        const ref = controllerRef(pod);
        if (ref?.kind !== 'ReplicaSet') return;
        const rs = env.informers.replicasets.get(`${pod.metadata.namespace ?? 'default'}/${ref.name}`);
        if (rs !== undefined) rsEvent(rs);
      },
    });
  }

  private sync(ctx: Context, key: string): void {
    if (!this.env.alive()) return;
    const d = this.env.informers.deployments.get(key);
    if (d === undefined || d.metadata.uid === undefined || d.metadata.deletionTimestamp !== undefined) {
      this.queue.done(ctx, key, true);
      return;
    }
    const owned: ReplicaSet[] = [];
    for (const rs of this.env.informers.replicasets.byOwnerUid(d.metadata.uid)) if (controllerRef(rs)?.uid === d.metadata.uid) owned.push(rs);
    owned.sort(byAge);
    const hash = templateHash(d.spec.template);
    const newRs = owned.find((rs) => rs.metadata.labels?.[POD_TEMPLATE_HASH_LABEL] === hash);
    const olds = owned.filter((rs) => rs !== newRs);
    const maxRevision = owned.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const desired = d.spec.replicas ?? 1;
    const fence = resolveFenceposts(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, desired);
    const writes = new WriteBatch(() => {
      if (this.env.alive()) this.queue.done(ctx, key, writes.allOk);
    });

    if (newRs === undefined) {
      if (d.spec.paused !== true) {
        const all = olds.map(counts);
        const replicas = d.spec.strategy?.type === 'Recreate' ? 0 : newRsTargetReplicas(desired, fence, { replicas: 0, available: 0 }, all);
        writes.run((cb) => this.env.writer.create(ctx, 'replicasets', this.newReplicaSet(d, hash, maxRevision + 1, replicas), cb));
      }
      this.syncStatus(ctx, d, owned, undefined, fence, writes, true);
      writes.close();
      return;
    }
    if (revisionOf(newRs) < maxRevision) {
      // A rollback to an old template: that ReplicaSet becomes the newest revision again.
      const annotations = { ...newRs.metadata.annotations, [REVISION_ANNOTATION]: String(maxRevision + 1) };
      writes.run((cb) => this.env.writer.update(ctx, 'replicasets', { ...newRs, metadata: { ...newRs.metadata, annotations } }, cb));
    } else if (d.spec.paused !== true) {
      if (d.spec.strategy?.type === 'Recreate') this.recreate(ctx, desired, newRs, olds, writes);
      else this.rolling(ctx, desired, fence, newRs, olds, writes);
      this.cleanup(ctx, d, olds, writes);
    }
    this.syncStatus(ctx, d, owned, newRs, fence, writes, false);
    writes.close();
  }

  private rolling(ctx: Context, desired: number, fence: Fenceposts, newRs: ReplicaSet, olds: readonly ReplicaSet[], writes: WriteBatch): void {
    const n = counts(newRs);
    const all = [n, ...olds.map(counts)];
    // reconcileNewReplicaSet: scale down an oversized new RS, else surge up.
    const target = n.replicas > desired ? desired : newRsTargetReplicas(desired, fence, n, all);
    if (target !== n.replicas) {
      writes.run((cb) => this.scale(ctx, newRs, target, cb));
      return;
    }
    const oldTargets = oldRsTargetReplicas(desired, fence, n, olds.map(counts));
    olds.forEach((rs, i) => {
      const t = oldTargets[i];
      if (t !== undefined && t !== (rs.spec.replicas ?? 1)) writes.run((cb) => this.scale(ctx, rs, t, cb));
    });
  }

  private recreate(ctx: Context, desired: number, newRs: ReplicaSet, olds: readonly ReplicaSet[], writes: WriteBatch): void {
    let oldPods = 0;
    for (const rs of olds) for (const p of this.env.informers.pods.byOwnerUid(rs.metadata.uid ?? '')) if (p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded') oldPods++;
    const plan = recreateTargets(desired, oldPods, olds.map(counts));
    olds.forEach((rs, i) => {
      const t = plan.oldReplicas[i];
      if (t !== undefined && t !== (rs.spec.replicas ?? 1)) writes.run((cb) => this.scale(ctx, rs, t, cb));
    });
    if (plan.newReplicas !== undefined && plan.newReplicas !== (newRs.spec.replicas ?? 1)) {
      const t = plan.newReplicas;
      writes.run((cb) => this.scale(ctx, newRs, t, cb));
    }
  }

  /** cleanupDeployment: delete the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private cleanup(ctx: Context, d: Deployment, olds: readonly ReplicaSet[], writes: WriteBatch): void {
    const limit = d.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
    const idle = olds.filter((rs) => (rs.spec.replicas ?? 1) === 0 && (rs.status?.replicas ?? 0) === 0 && rs.metadata.deletionTimestamp === undefined);
    const excess = idle.length - limit;
    for (let i = 0; i < excess; i++) {
      const rs = idle[i];
      if (rs !== undefined) writes.run((cb) => this.env.writer.delete(ctx, 'replicasets', rs.metadata.namespace, rs.metadata.name ?? '', cb));
    }
  }

  private scale(ctx: Context, rs: ReplicaSet, replicas: number, cb: (r: ApiResult<KubeObject>) => void): void {
    this.env.writer.update(ctx, 'replicasets', { ...rs, spec: { ...rs.spec, replicas } }, cb);
  }

  private newReplicaSet(d: Deployment, hash: string, revision: number, replicas: number): ReplicaSet {
    const labels = { ...d.spec.template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const matchLabels = { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name ?? 'deploy'}-${hash}`,
        namespace: d.metadata.namespace ?? 'default',
        labels,
        annotations: { [REVISION_ANNOTATION]: String(revision) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        replicas,
        ...(d.spec.minReadySeconds !== undefined ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        selector: { ...d.spec.selector, matchLabels },
        template: { ...d.spec.template, metadata: { ...d.spec.template.metadata, labels } },
      },
    };
  }

  private syncStatus(ctx: Context, d: Deployment, owned: readonly ReplicaSet[], newRs: ReplicaSet | undefined, fence: Fenceposts, writes: WriteBatch, creating: boolean): void {
    const now = this.env.nowSeconds();
    const desired = d.spec.replicas ?? 1;
    const sum = (f: (rs: ReplicaSet) => number): number => owned.reduce((a, rs) => a + f(rs), 0);
    const replicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRs?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const old = d.status;
    const complete = updated === desired && replicas === desired && available === desired && (newRs?.spec.replicas ?? -1) === desired;
    const progressed = creating || old === undefined || updated > (old.updatedReplicas ?? 0) || available > (old.availableReplicas ?? 0) || ready > (old.readyReplicas ?? 0) || (old.observedGeneration ?? -1) !== (d.metadata.generation ?? 0);
    const deadline = d.spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
    const prev = old?.conditions?.find((c) => c.type === 'Progressing');
    let progressing: Condition<DeploymentConditionType>;
    if (complete) progressing = cond('Progressing', 'True', 'NewReplicaSetAvailable', prev, now, true);
    else if (progressed) progressing = cond('Progressing', 'True', creating ? 'NewReplicaSetCreated' : 'ReplicaSetUpdated', prev, now, true);
    else if (prev !== undefined && prev.status === 'True' && (prev.lastUpdateTime ?? now) + deadline <= now) progressing = cond('Progressing', 'False', 'ProgressDeadlineExceeded', prev, now, true);
    else progressing = prev ?? cond('Progressing', 'True', 'ReplicaSetUpdated', undefined, now, true);
    if (!complete && progressing.status === 'True') {
      // Nothing else wakes us when the deadline passes.
      const left = (progressing.lastUpdateTime ?? now) + deadline - now;
      this.queue.addAfter(ctx, keyOf(d), s(Math.max(0, left)) + 1);
    }
    const minAvailable = desired - fence.maxUnavailable;
    const prevAvail = old?.conditions?.find((c) => c.type === 'Available');
    const availableCond = available >= minAvailable
      ? cond('Available', 'True', 'MinimumReplicasAvailable', prevAvail, now, false)
      : cond('Available', 'False', 'MinimumReplicasUnavailable', prevAvail, now, false);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 0,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
      conditions: [availableCond, progressing],
    };
    if (old !== undefined && sameStatus(old, status)) return;
    writes.run((cb) => this.env.writer.updateStatus(ctx, 'deployments', { ...d, status }, cb));
  }
}

function cond(
  type: DeploymentConditionType,
  status: 'True' | 'False',
  reason: string,
  prev: Condition<DeploymentConditionType> | undefined,
  now: number,
  touch: boolean,
): Condition<DeploymentConditionType> {
  const same = prev !== undefined && prev.status === status && prev.reason === reason;
  const lastTransitionTime = prev !== undefined && prev.status === status ? (prev.lastTransitionTime ?? now) : now;
  const lastUpdateTime = same && !touch ? (prev.lastUpdateTime ?? now) : now;
  return { type, status, reason, lastTransitionTime, lastUpdateTime };
}

function sameStatus(a: DeploymentStatus, b: DeploymentStatus): boolean {
  if (a.observedGeneration !== b.observedGeneration || a.replicas !== b.replicas || a.updatedReplicas !== b.updatedReplicas) return false;
  if (a.readyReplicas !== b.readyReplicas || a.availableReplicas !== b.availableReplicas || a.unavailableReplicas !== b.unavailableReplicas) return false;
  const ca = a.conditions ?? [];
  const cb = b.conditions ?? [];
  if (ca.length !== cb.length) return false;
  // Only status/reason changes warrant a write; a bare lastUpdateTime refresh of an unchanged
  // complete rollout would write every sync.
  return ca.every((c, i) => c.type === cb[i]?.type && c.status === cb[i]?.status && c.reason === cb[i]?.reason && (c.reason !== 'ReplicaSetUpdated' || c.lastUpdateTime === cb[i]?.lastUpdateTime));
}

function counts(rs: ReplicaSet): RsCounts {
  return { replicas: rs.spec.replicas ?? 1, available: rs.status?.availableReplicas ?? 0 };
}

function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '0') || 0;
}

function byAge(a: ReplicaSet, b: ReplicaSet): number {
  const d = (a.metadata.creationTimestamp ?? 0) - (b.metadata.creationTimestamp ?? 0);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

/** Runs API writes and calls `onAllDone` once when every one has answered (and close() was called). */
class WriteBatch {
  private outstanding = 0;
  private closed = false;
  private finished = false;
  allOk = true;
  private readonly onAllDone: () => void;

  constructor(onAllDone: () => void) {
    this.onAllDone = onAllDone;
  }

  run(issue: (cb: (r: ApiResult<KubeObject>) => void) => void): void {
    this.outstanding++;
    issue((r) => {
      if (!r.ok) this.allOk = false;
      this.outstanding--;
      this.maybeFinish();
    });
  }

  close(): void {
    this.closed = true;
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.closed && this.outstanding === 0 && !this.finished) {
      this.finished = true;
      this.onAllDone();
    }
  }
}
