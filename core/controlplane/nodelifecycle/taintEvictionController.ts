import type { Context } from '../../../sim/component.js';
import type { Micros } from '../../../sim/time.js';
import { s } from '../../../sim/time.js';
import type { Node, Pod } from '../../api/types.js';
import type { ControllerEnv } from '../controllerEnv.js';
import { keyOf } from '../ports.js';
import { minTolerationSeconds, noExecuteTaints } from './taints.js';

interface Scheduled {
  /** Local time this eviction was first scheduled (kept when taints change, as upstream). */
  createdAtUs: Micros;
  triggerUs: Micros;
  handle: number;
}

/**
 * Taint-based eviction (pkg/controller/tainteviction): a pod on a node with NoExecute taints is
 * deleted at once if it does not tolerate them, else after the smallest matching tolerationSeconds
 * (300s by default, added by admission for not-ready/unreachable), counted from when THIS process
 * first saw the taint. A new leader starts counting afresh.
 */
export class TaintEvictionController {
  private readonly env: ControllerEnv;
  private readonly scheduled = new Map<string, Scheduled>();
  evictions = 0;

  constructor(env: ControllerEnv) {
    this.env = env;
    env.informers.nodes.addEventHandler({
      onAdd: (n) => this.nodeChanged(n),
      onUpdate: (o, n) => {
        if (taintKey(o) !== taintKey(n)) this.nodeChanged(n);
      },
    });
    env.informers.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (o, p) => {
        if (o.spec.nodeName !== p.spec.nodeName || o.metadata.deletionTimestamp !== p.metadata.deletionTimestamp) this.podChanged(p);
      },
      onDelete: (p) => this.cancel(keyOf(p)),
    });
  }

  private nodeChanged(node: Node): void {
    for (const pod of this.env.informers.pods.byNodeName(node.metadata.name ?? '')) this.process(pod, node);
  }

  private podChanged(pod: Pod): void {
    const nodeName = pod.spec.nodeName;
    if (nodeName === undefined || nodeName === '') return;
    this.process(pod, this.env.informers.nodes.get(nodeName));
  }

  private process(pod: Pod, node: Node | undefined): void {
    const key = keyOf(pod);
    const taints = noExecuteTaints(node);
    if (taints.length === 0 || pod.metadata.deletionTimestamp !== undefined) {
      this.cancel(key);
      return;
    }
    const ctx = this.env.ctx;
    const min = minTolerationSeconds(pod.spec.tolerations ?? [], taints);
    if (min === Number.POSITIVE_INFINITY) {
      this.cancel(key);
      return;
    }
    const now = ctx.now();
    const existing = this.scheduled.get(key);
    const startUs = existing?.createdAtUs ?? now;
    const triggerUs = startUs + (min === undefined ? 0 : s(min));
    if (existing !== undefined) {
      if (existing.triggerUs <= triggerUs) return;
      this.env.timers.cancel(ctx, existing.handle);
    }
    const handle = this.env.timers.set(ctx, Math.max(0, triggerUs - now), (c) => this.evict(c, key));
    this.scheduled.set(key, { createdAtUs: startUs, triggerUs, handle });
  }

  private cancel(key: string): void {
    const e = this.scheduled.get(key);
    if (e === undefined) return;
    this.env.timers.cancel(this.env.ctx, e.handle);
    this.scheduled.delete(key);
  }

  private evict(ctx: Context, key: string): void {
    this.scheduled.delete(key);
    if (!this.env.alive()) return;
    const pod = this.env.informers.pods.get(key);
    if (pod === undefined || pod.metadata.deletionTimestamp !== undefined) return;
    this.evictions++;
    ctx.observe({ type: 'pod.evicted', subject: key, detail: `taint-based eviction from ${pod.spec.nodeName ?? ''}` });
    this.env.writer.delete(ctx, 'pods', pod.metadata.namespace, pod.metadata.name ?? '', () => undefined);
  }
}

function taintKey(n: Node): string {
  return noExecuteTaints(n)
    .map((t) => `${t.key}=${t.value ?? ''}`)
    .join(',');
}
