import type { Context } from '../../../sim/component.js';
import { s } from '../../../sim/time.js';
import type { Deployment, HorizontalPodAutoscaler, HorizontalPodAutoscalerStatus } from '../../api/types.js';
import type { ControllerEnv } from '../controllerEnv.js';
import { keyOf } from '../ports.js';
import type { HpaHistory } from './hpaMath.js';
import { SYNC_PERIOD_SECONDS, desiredReplicasForUtilisation, normalizeWithBehavior } from './hpaMath.js';

/**
 * The load model's input, standing in for metrics-server: the total CPU demand of a Deployment's
 * pods as a quantity (`"1800m"`, `"2"`), set on the Deployment by the scenario's `load` steps
 * through the API server. It is spread evenly over the Deployment's ready pods, so each ready pod
 * uses demand / ready and its utilisation is that over the pod's CPU request.
 */
export const CPU_DEMAND_ANNOTATION = 'kubesim.io/cpu-demand';

/** CPU quantity → millicores (`"250m"` → 250, `"1.5"` → 1500). */
export function cpuMillis(q: string | undefined): number {
  if (q === undefined) return 0;
  const t = q.trim();
  if (t.endsWith('m')) return Number(t.slice(0, -1)) || 0;
  return Math.round((Number(t) || 0) * 1000);
}

/** Sum of the CPU requests of a Deployment's pod template, millicores. */
export function podCpuRequestMillis(d: Deployment): number {
  let total = 0;
  for (const c of d.spec.template.spec.containers) total += cpuMillis(c.resources?.requests?.['cpu']);
  return total;
}

/**
 * HorizontalPodAutoscaler controller (autoscaling/v2, CPU Utilization targets on Deployments):
 * every 15s, desired = ceil(ready × mean utilisation / target) outside a 0.1 tolerance, then the
 * behavior's stabilisation (scale-down 300s) and rate limits (scale-up max(4 pods, 100%) / 15s).
 */
export class HpaController {
  private readonly env: ControllerEnv;
  private readonly history = new Map<string, HpaHistory>();

  constructor(env: ControllerEnv) {
    this.env = env;
  }

  start(ctx: Context): void {
    this.env.timers.set(ctx, s(SYNC_PERIOD_SECONDS), (c) => this.syncAll(c));
  }

  private syncAll(ctx: Context): void {
    if (!this.env.alive()) return;
    this.env.timers.set(ctx, s(SYNC_PERIOD_SECONDS), (c) => this.syncAll(c));
    for (const hpa of this.env.informers.hpas.list()) this.sync(ctx, hpa);
  }

  private sync(ctx: Context, hpa: HorizontalPodAutoscaler): void {
    const ref = hpa.spec.scaleTargetRef;
    if (ref.kind !== 'Deployment') return;
    const ns = hpa.metadata.namespace ?? 'default';
    const d = this.env.informers.deployments.get(`${ns}/${ref.name}`);
    if (d === undefined) return;
    const metric = hpa.spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    const target = metric?.resource?.target.averageUtilization;
    const current = d.spec.replicas ?? 1;
    const ready = d.status?.readyReplicas ?? 0;
    const request = podCpuRequestMillis(d);
    if (target === undefined || ready === 0 || request === 0) return;
    const demand = cpuMillis(d.metadata.annotations?.[CPU_DEMAND_ANNOTATION]);
    const utilisation = (100 * demand) / ready / request;
    const recommended = desiredReplicasForUtilisation(ready, new Array<number>(ready).fill(utilisation), target);
    const key = keyOf(hpa);
    const h = this.history.get(key) ?? { recommendations: [], scaleEvents: [] };
    this.history.set(key, h);
    const nowS = ctx.now() / 1e6;
    const desired = normalizeWithBehavior(h, nowS, current, recommended, hpa.spec.minReplicas ?? 1, hpa.spec.maxReplicas, hpa.spec.behavior);
    if (desired !== current) {
      ctx.observe({ type: 'hpa.scaled', subject: key, detail: `${ref.name}: ${current} → ${desired} (cpu ${utilisation.toFixed(0)}% of ${target}%)`, from: current, to: desired });
      this.env.writer.update(ctx, 'deployments', { ...d, spec: { ...d.spec, replicas: desired } }, () => undefined);
    }
    const status: HorizontalPodAutoscalerStatus = {
      currentReplicas: current,
      desiredReplicas: desired,
      ...(desired !== current ? { lastScaleTime: this.env.nowSeconds() } : hpa.status?.lastScaleTime !== undefined ? { lastScaleTime: hpa.status.lastScaleTime } : {}),
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: Math.round(utilisation) } } }],
    };
    const old = hpa.status;
    if (old !== undefined && old.currentReplicas === status.currentReplicas && old.desiredReplicas === status.desiredReplicas && old.currentMetrics?.[0]?.resource?.current.averageUtilization === Math.round(utilisation)) return;
    this.env.writer.updateStatus(ctx, 'horizontalpodautoscalers', { ...hpa, status }, () => undefined);
  }
}
