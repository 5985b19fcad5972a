import type { Context } from '../../../sim/component.js';
import type { KubeObject } from '../../api/types.js';
import type { ControllerEnv } from '../controllerEnv.js';

/**
 * Garbage collector through ownerReferences (background propagation): when an owner disappears its
 * dependents are deleted, Deployment → ReplicaSets → Pods. Deletions seen through the informers drive
 * it; one sweep after the caches sync catches owners deleted while no instance was leading.
 */
export class GarbageCollector {
  private readonly env: ControllerEnv;
  private swept = false;
  deleted = 0;

  constructor(env: ControllerEnv) {
    this.env = env;
    env.informers.deployments.addEventHandler({ onDelete: (d) => this.ownerGone(d) });
    env.informers.replicasets.addEventHandler({ onDelete: (rs) => this.ownerGone(rs) });
  }

  /** Call periodically until the caches have synced; sweeps once. */
  trySweep(ctx: Context): boolean {
    if (this.swept) return true;
    const i = this.env.informers;
    if (!i.deployments.hasSynced() || !i.replicasets.hasSynced() || !i.pods.hasSynced()) return false;
    this.swept = true;
    const deploymentUids = new Set<string>();
    for (const d of i.deployments.list()) if (d.metadata.uid !== undefined) deploymentUids.add(d.metadata.uid);
    const rsUids = new Set<string>();
    for (const rs of i.replicasets.list()) {
      const owner = rs.metadata.ownerReferences?.find((o) => o.kind === 'Deployment');
      if (owner !== undefined && !deploymentUids.has(owner.uid)) this.delete(ctx, 'replicasets', rs);
      else if (rs.metadata.uid !== undefined) rsUids.add(rs.metadata.uid);
    }
    // One pass over pods per leadership term, not per event.
    for (const pod of i.pods.list()) {
      const owner = pod.metadata.ownerReferences?.find((o) => o.kind === 'ReplicaSet');
      if (owner !== undefined && !rsUids.has(owner.uid) && pod.metadata.deletionTimestamp === undefined) this.delete(ctx, 'pods', pod);
    }
    return true;
  }

  private ownerGone(owner: KubeObject): void {
    const uid = owner.metadata.uid;
    if (uid === undefined || !this.env.alive()) return;
    const ctx = this.env.ctx;
    if (owner.kind === 'Deployment') for (const rs of this.env.informers.replicasets.byOwnerUid(uid)) this.delete(ctx, 'replicasets', rs);
    if (owner.kind === 'ReplicaSet') for (const pod of this.env.informers.pods.byOwnerUid(uid)) if (pod.metadata.deletionTimestamp === undefined) this.delete(ctx, 'pods', pod);
  }

  private delete(ctx: Context, resource: 'replicasets' | 'pods', obj: KubeObject): void {
    this.deleted++;
    this.env.writer.delete(ctx, resource, obj.metadata.namespace, obj.metadata.name ?? '', () => undefined);
  }
}
