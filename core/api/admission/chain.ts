/**
 * The admission chain in kube-apiserver's order. The API server calls, for a write:
 *
 *   mutatingAdmission  — defaulting, then NamespaceLifecycle, LimitRanger (defaults),
 *                        Priority, DefaultTolerationSeconds (upstream's recommended plugin order)
 *   schemaValidation   — validation.ts on the mutated object (422 Invalid with field paths)
 *   validatingAdmission — LimitRanger (min/max/ratio), image policy, ResourceQuota (last, so
 *                        only requests that passed everything else consume quota)
 *
 * Every stage returns a value; expected denials never throw.
 */
import type { KubeObject } from '../types.js';
import type { FieldError } from '../fieldError.js';
import type { Status } from '../status.js';
import { invalidStatus } from '../status.js';
import { validateObject, validateUpdate } from '../validation.js';
import { resourceForKind } from '../registry.js';
import { applyDefaults } from './defaults.js';
import { admitNamespaceLifecycle } from './namespaceLifecycle.js';
import { admitLimitRangerDefaults, validateLimitRanger } from './limitRanger.js';
import { admitPriority } from './priority.js';
import { admitDefaultTolerationSeconds, DEFAULT_TOLERATION_SECONDS } from './defaultTolerationSeconds.js';
import type { ImagePolicyConfig } from './imagePolicy.js';
import { validateImagePolicy } from './imagePolicy.js';
import { admitResourceQuota } from './resourceQuota.js';
import type { AdmissionAttributes, AdmissionView, MutateResult } from './types.js';
import type { ResourceQuota } from '../types.js';

export interface AdmissionConfig {
  /** DefaultTolerationSeconds for not-ready; seconds; default 300 (kube-apiserver flag). */
  readonly notReadyTolerationSeconds?: number;
  /** DefaultTolerationSeconds for unreachable; seconds; default 300. */
  readonly unreachableTolerationSeconds?: number;
  /** Registry allow-lists per namespace; default none (every image allowed). */
  readonly imagePolicy?: ImagePolicyConfig;
  /** NamespaceLifecycle on (default) or off, for harnesses that never create Namespace objects. */
  readonly namespaceLifecycle?: boolean;
}

export type ValidatingResult =
  | { readonly ok: true; readonly quotaUpdates: readonly ResourceQuota[] }
  | { readonly ok: false; readonly status: Status };

/** Mutating admission, defaulting first. Status writes skip plugins (upstream admits the main resource only). */
export function mutatingAdmission(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView, config: AdmissionConfig = {}): MutateResult {
  if (attrs.verb !== 'create' && attrs.verb !== 'update') return { ok: true, object: obj };
  const defaulted = applyDefaults(obj);
  if ((attrs.subresource ?? '') !== '') return { ok: true, object: defaulted };
  // The plugins in order, written out: no list of steps and closure per request.
  let r: MutateResult = { ok: true, object: defaulted };
  if (config.namespaceLifecycle !== false) {
    r = admitNamespaceLifecycle(attrs, r.object, view);
    if (!r.ok) return r;
  }
  r = admitLimitRangerDefaults(attrs, r.object, view);
  if (!r.ok) return r;
  r = admitPriority(attrs, r.object, view);
  if (!r.ok) return r;
  return admitDefaultTolerationSeconds(attrs, r.object, config.notReadyTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS, config.unreachableTolerationSeconds ?? DEFAULT_TOLERATION_SECONDS);
}

/** Schema validation: field errors for a create (no old object) or an update. */
export function schemaValidation(obj: KubeObject, oldObj?: KubeObject): FieldError[] {
  return oldObj === undefined ? validateObject(obj) : validateUpdate(obj, oldObj);
}

/** Schema validation as a Status: 422 Invalid naming every field, or undefined when valid. */
export function schemaValidationStatus(obj: KubeObject, oldObj?: KubeObject): Status | undefined {
  const errs = schemaValidation(obj, oldObj);
  if (errs.length === 0) return undefined;
  const info = resourceForKind(obj.kind);
  return invalidStatus(obj.kind, info?.group ?? '', obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
}

/** Validating admission; on success, the ResourceQuota objects whose usage the API server should persist. */
export function validatingAdmission(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView, config: AdmissionConfig = {}): ValidatingResult {
  if ((attrs.verb !== 'create' && attrs.verb !== 'update') || (attrs.subresource ?? '') !== '') return { ok: true, quotaUpdates: [] };
  const limits = validateLimitRanger(attrs, obj, view);
  if (!limits.ok) return limits;
  if (config.imagePolicy !== undefined) {
    const images = validateImagePolicy(attrs, obj, view, config.imagePolicy);
    if (!images.ok) return images;
  }
  return admitResourceQuota(attrs, obj, view);
}
