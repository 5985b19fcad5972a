/**
 * LimitRanger admission, for pods on create (as upstream: containers cannot change afterwards).
 * Mutating: fills missing container requests/limits from each Container-type LimitRange's
 * `defaultRequest`/`default`, and records what it set in the `kubernetes.io/limit-ranger`
 * annotation. Validating: enforces min, max and maxLimitRequestRatio per Container and per Pod.
 * Denials are 403 Forbidden with upstream's wording.
 */
import type { Container, KubeObject, LimitRange, LimitRangeItem, Pod, ResourceList } from '../types.js';
import type { Quantity } from '../quantity.js';
import { addQuantity, compareQuantity, formatQuantity, parseQuantity } from '../quantity.js';
import { admissionForbidden } from '../status.js';
import type { AdmissionAttributes, AdmissionView, MutateResult, ValidateResult } from './types.js';
import { ALLOW, nameForMessage } from './types.js';
import { aggregateMessage } from './aggregate.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

function appliesTo(attrs: AdmissionAttributes, obj: KubeObject): obj is Pod {
  return obj.kind === 'Pod' && attrs.verb === 'create' && (attrs.subresource ?? '') === '';
}

function limitRanges(view: AdmissionView, namespace: string): LimitRange[] {
  return view.list('limitranges', namespace).filter((o): o is LimitRange => o.kind === 'LimitRange');
}

function q(list: ResourceList | undefined, name: string): Quantity | undefined {
  const text = list?.[name];
  if (text === undefined) return undefined;
  const r = parseQuantity(text);
  return r.ok ? r.quantity : undefined;
}

function withDefaults(c: Container, item: LimitRangeItem, notes: string[]): Container {
  const requests: Record<string, string> = { ...(c.resources?.requests ?? {}) };
  const limits: Record<string, string> = { ...(c.resources?.limits ?? {}) };
  const set: string[] = [];
  for (const [name, value] of Object.entries(item.defaultRequest ?? {})) {
    if (requests[name] === undefined) {
      requests[name] = value;
      set.push(`${name} request`);
    }
  }
  for (const [name, value] of Object.entries(item.default ?? {})) {
    if (limits[name] === undefined) {
      limits[name] = value;
      set.push(`${name} limit`);
    }
  }
  // A container given a default limit but no request gets the limit as request, as the API would default it.
  for (const [name, value] of Object.entries(limits)) {
    if (requests[name] === undefined) {
      requests[name] = value;
      set.push(`${name} request`);
    }
  }
  if (set.length === 0) return c;
  notes.push(`${set.join(', ')} for container ${c.name}`);
  return { ...c, resources: { ...c.resources, requests, limits } };
}

/** Mutating half: default requests and limits. */
export function admitLimitRangerDefaults(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView): MutateResult {
  if (!appliesTo(attrs, obj)) return { ok: true, object: obj };
  const items = limitRanges(view, obj.metadata.namespace ?? '').flatMap((lr) => lr.spec.limits.filter((i) => i.type === 'Container'));
  if (items.length === 0) return { ok: true, object: obj };
  const notes: string[] = [];
  let containers = obj.spec.containers;
  let initContainers = obj.spec.initContainers;
  for (const item of items) {
    containers = containers.map((c) => withDefaults(c, item, notes));
    if (initContainers !== undefined) initContainers = initContainers.map((c) => withDefaults(c, item, notes));
  }
  if (notes.length === 0) return { ok: true, object: obj };
  const spec = initContainers === undefined ? { ...obj.spec, containers } : { ...obj.spec, containers, initContainers };
  const annotations = { ...(obj.metadata.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  return { ok: true, object: { ...obj, metadata: { ...obj.metadata, annotations }, spec } };
}

function checkBounds(
  item: LimitRangeItem, scope: 'Container' | 'Pod', requests: ResourceList, limits: ResourceList, errors: string[],
): void {
  for (const name of Object.keys(item.min ?? {})) {
    const min = q(item.min, name);
    const req = q(requests, name);
    if (min === undefined) continue;
    if (req === undefined) errors.push(`minimum ${name} usage per ${scope} is ${item.min?.[name] ?? ''}.  No request is specified`);
    else if (compareQuantity(req, min) < 0) errors.push(`minimum ${name} usage per ${scope} is ${item.min?.[name] ?? ''}, but request is ${formatQuantity(req)}`);
  }
  for (const name of Object.keys(item.max ?? {})) {
    const max = q(item.max, name);
    const lim = q(limits, name);
    if (max === undefined) continue;
    if (lim === undefined) errors.push(`maximum ${name} usage per ${scope} is ${item.max?.[name] ?? ''}.  No limit is specified`);
    else if (compareQuantity(lim, max) > 0) errors.push(`maximum ${name} usage per ${scope} is ${item.max?.[name] ?? ''}, but limit is ${formatQuantity(lim)}`);
  }
  for (const name of Object.keys(item.maxLimitRequestRatio ?? {})) {
    const ratio = q(item.maxLimitRequestRatio, name);
    const req = q(requests, name);
    const lim = q(limits, name);
    if (ratio === undefined) continue;
    if (lim === undefined) {
      errors.push(`${name} max limit to request ratio per ${scope} is ${item.maxLimitRequestRatio?.[name] ?? ''}, but no limit is specified`);
    } else if (req === undefined || req.nanos === 0n) {
      errors.push(`${name} max limit to request ratio per ${scope} is ${item.maxLimitRequestRatio?.[name] ?? ''}, but no request is specified or request is 0`);
    } else if (lim.nanos * 1_000_000_000n > ratio.nanos * req.nanos) {
      const actual = Number(lim.nanos) / Number(req.nanos);
      errors.push(`${name} max limit to request ratio per ${scope} is ${item.maxLimitRequestRatio?.[name] ?? ''}, but provided ratio is ${actual.toFixed(6)}`);
    }
  }
}

function sum(containers: readonly Container[], pick: 'requests' | 'limits'): ResourceList {
  const total = new Map<string, Quantity>();
  for (const c of containers) {
    for (const name of Object.keys(c.resources?.[pick] ?? {})) {
      const v = q(c.resources?.[pick], name);
      if (v === undefined) continue;
      const prev = total.get(name);
      total.set(name, prev === undefined ? v : addQuantity(prev, v));
    }
  }
  return Object.fromEntries([...total].map(([k, v]) => [k, formatQuantity(v)]));
}

/** Validating half: min/max/ratio per Container and per Pod. */
export function validateLimitRanger(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView): ValidateResult {
  if (!appliesTo(attrs, obj)) return ALLOW;
  const errors: string[] = [];
  for (const lr of limitRanges(view, obj.metadata.namespace ?? '')) {
    for (const item of lr.spec.limits) {
      if (item.type === 'Container') {
        for (const c of obj.spec.containers) checkBounds(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}, errors);
      } else if (item.type === 'Pod') {
        checkBounds(item, 'Pod', sum(obj.spec.containers, 'requests'), sum(obj.spec.containers, 'limits'), errors);
      }
    }
  }
  if (errors.length === 0) return ALLOW;
  return { ok: false, status: admissionForbidden('pods', '', nameForMessage(obj), aggregateMessage(errors)) };
}
