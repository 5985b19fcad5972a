/**
 * ResourceQuota admission (validating, last in the chain as upstream). For each quota in the
 * request's namespace whose scopes match the object, checks `used + requested <= hard` for every
 * resource the quota constrains, and answers 403 Forbidden with upstream's
 * `exceeded quota: <name>, requested: …, used: …, limited: …` otherwise.
 *
 * `used` comes from the quota's status (kept by a quota controller) when present; without one
 * it is counted from the cluster view, so quotas work even when no controller maintains them.
 * On success the updated quotas are returned, so the API server can persist the new usage as
 * upstream's admission does (with compare-and-swap on the quota).
 */
import type { KubeObject, Pod, ResourceList, ResourceQuota, ResourceQuotaScope } from '../types.js';
import type { Quantity } from '../quantity.js';
import { addQuantity, compareQuantity, formatQuantity, parseQuantity } from '../quantity.js';
import { admissionForbidden } from '../status.js';
import type { Status } from '../status.js';
import { resourceForKind } from '../registry.js';
import type { AdmissionAttributes, AdmissionView } from './types.js';
import { nameForMessage } from './types.js';

export type QuotaResult =
  | { readonly ok: true; readonly quotaUpdates: readonly ResourceQuota[] }
  | { readonly ok: false; readonly status: Status };

const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };

function qty(text: string | undefined): Quantity | undefined {
  if (text === undefined) return undefined;
  const r = parseQuantity(text);
  return r.ok ? r.quantity : undefined;
}

function countKey(obj: KubeObject): string | undefined {
  const info = resourceForKind(obj.kind);
  if (info === undefined) return undefined;
  return info.group === '' ? `count/${info.resource}` : `count/${info.resource}.${info.group}`;
}

function isBestEffort(pod: Pod): boolean {
  return pod.spec.containers.every((c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0);
}

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function matchesScope(scope: ResourceQuotaScope, obj: KubeObject): boolean {
  if (obj.kind !== 'Pod') return false; // scopes only select pods
  switch (scope) {
    case 'Terminating': return obj.spec.activeDeadlineSeconds !== undefined;
    case 'NotTerminating': return obj.spec.activeDeadlineSeconds === undefined;
    case 'BestEffort': return isBestEffort(obj);
    case 'NotBestEffort': return !isBestEffort(obj);
    case 'PriorityClass': return obj.spec.priorityClassName !== undefined && obj.spec.priorityClassName !== '';
  }
}

/** What one object counts against a quota: `pods`, `requests.cpu`, `limits.memory`, `count/…`. */
export function usageOf(obj: KubeObject): Map<string, Quantity> {
  const usage = new Map<string, Quantity>();
  const add = (k: string, v: Quantity): void => {
    const prev = usage.get(k);
    usage.set(k, prev === undefined ? v : addQuantity(prev, v));
  };
  const ck = countKey(obj);
  if (ck !== undefined) add(ck, { nanos: 1_000_000_000n, format: 'DecimalSI' });
  if (obj.kind !== 'Pod') return usage;
  add('pods', { nanos: 1_000_000_000n, format: 'DecimalSI' });
  for (const c of obj.spec.containers) {
    for (const [name, text] of Object.entries(c.resources?.requests ?? {})) {
      const v = qty(text);
      if (v === undefined) continue;
      add(`requests.${name}`, v);
      if (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage') add(name, v); // bare names mean requests
    }
    for (const [name, text] of Object.entries(c.resources?.limits ?? {})) {
      const v = qty(text);
      if (v !== undefined) add(`limits.${name}`, v);
    }
  }
  return usage;
}

function quotaApplies(quota: ResourceQuota, obj: KubeObject): boolean {
  return (quota.spec.scopes ?? []).every((s) => matchesScope(s, obj));
}

/** Usage of a quota counted from the objects in its namespace (when its status has none). */
function countedUsage(quota: ResourceQuota, view: AdmissionView, namespace: string): Map<string, Quantity> {
  const used = new Map<string, Quantity>();
  const hard = Object.keys(quota.spec.hard ?? {});
  const needsPods = hard.some((k) => !k.startsWith('count/') || k === 'count/pods');
  const kinds = new Set(hard.filter((k) => k.startsWith('count/')).map((k) => k.slice('count/'.length).split('.')[0] ?? ''));
  if (needsPods) kinds.add('pods');
  for (const resource of kinds) {
    for (const o of view.list(resource, namespace)) {
      if (o.kind === 'Pod' && isTerminal(o)) continue;
      if (o.metadata.deletionTimestamp !== undefined && o.kind === 'Pod') continue;
      if (!quotaApplies(quota, o)) continue;
      for (const [k, v] of usageOf(o)) {
        const prev = used.get(k);
        used.set(k, prev === undefined ? v : addQuantity(prev, v));
      }
    }
  }
  return used;
}

function prettyList(entries: readonly [string, Quantity][]): string {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${formatQuantity(v)}`).join(',');
}

/** Checks every quota of the namespace against a create (updates of pods do not change usage here). */
export function admitResourceQuota(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView): QuotaResult {
  if (attrs.verb !== 'create' || (attrs.subresource ?? '') !== '') return { ok: true, quotaUpdates: [] };
  const namespace = obj.metadata.namespace ?? attrs.namespace ?? '';
  if (namespace === '') return { ok: true, quotaUpdates: [] };
  const quotas = view.list('resourcequotas', namespace).filter((o): o is ResourceQuota => o.kind === 'ResourceQuota');
  if (quotas.length === 0) return { ok: true, quotaUpdates: [] }; // nothing to count against
  const delta = usageOf(obj);
  const updates: ResourceQuota[] = [];
  for (const quota of quotas) {
    if (!quotaApplies(quota, obj)) continue;
    const hard = quota.spec.hard ?? {};
    const constrained = Object.keys(hard);
    // A pod must declare what a quota constrains, or the quota could not account for it.
    if (obj.kind === 'Pod') {
      const missing = constrained.filter((k) => (k.startsWith('requests.') || k.startsWith('limits.') || k === 'cpu' || k === 'memory') && !delta.has(k));
      if (missing.length > 0) {
        return { ok: false, status: admissionForbidden('pods', '', nameForMessage(obj), `failed quota: ${quota.metadata.name ?? ''}: must specify ${missing.sort().join(',')}`) };
      }
    }
    const statusUsed = quota.status?.used;
    const used = statusUsed !== undefined ? new Map(Object.entries(statusUsed).flatMap(([k, v]) => {
      const p = qty(v);
      return p === undefined ? [] : [[k, p] as const];
    })) : countedUsage(quota, view, namespace);
    const requested: [string, Quantity][] = [];
    const usedShown: [string, Quantity][] = [];
    const limited: [string, Quantity][] = [];
    const newUsed: Record<string, string> = { ...(quota.status?.used ?? {}) };
    let exceeded = false;
    for (const k of constrained) {
      const d = delta.get(k);
      const h = qty(hard[k]);
      if (d === undefined || h === undefined) continue;
      const u = used.get(k) ?? ZERO;
      const total = addQuantity(u, d);
      newUsed[k] = formatQuantity(total);
      if (compareQuantity(total, h) > 0) {
        exceeded = true;
        requested.push([k, d]);
        usedShown.push([k, u]);
        limited.push([k, h]);
      }
    }
    if (exceeded) {
      const message = `exceeded quota: ${quota.metadata.name ?? ''}, requested: ${prettyList(requested)}, used: ${prettyList(usedShown)}, limited: ${prettyList(limited)}`;
      const info = resourceForKind(obj.kind);
      return { ok: false, status: admissionForbidden(info?.resource ?? obj.kind, info?.group ?? '', nameForMessage(obj), message) };
    }
    updates.push({ ...quota, status: { hard: { ...hard }, used: newUsed } });
  }
  return { ok: true, quotaUpdates: updates };
}

/** The pod-relevant totals as a ResourceList, for reports and tests. */
export function usageList(obj: KubeObject): ResourceList {
  return Object.fromEntries([...usageOf(obj)].map(([k, v]) => [k, formatQuantity(v)]));
}
