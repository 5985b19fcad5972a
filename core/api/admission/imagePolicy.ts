/**
 * Image policy (validating): per-namespace allow-lists of registries, in the spirit of the
 * ImagePolicyWebhook backend that clusters use to keep public images out of production. A rule
 * selects namespaces by their labels (e.g. `env=production`) and lists the registries or
 * repository prefixes allowed there (e.g. `registry.internal/`). A pod whose image matches no
 * entry of every rule selecting its namespace is denied with 403 Forbidden. Pods only, as the
 * webhook: a Deployment is accepted, and its ReplicaSet then fails to create pods.
 */
import type { KubeObject, LabelSelector } from '../types.js';
import { compileSelector } from '../labels.js';
import { admissionForbidden } from '../status.js';
import type { AdmissionAttributes, AdmissionView, ValidateResult } from './types.js';
import { ALLOW, nameForMessage } from './types.js';

export interface ImagePolicyRule {
  /** Namespaces the rule governs, by their labels. */
  readonly namespaceSelector: LabelSelector;
  /** Registries (`registry.internal`) or repository prefixes (`registry.internal/team/`). */
  readonly allowedRegistries: readonly string[];
}

export interface ImagePolicyConfig {
  readonly rules: readonly ImagePolicyRule[];
}

/** Registry host of an image reference, as Docker normalises it (`nginx` → `docker.io`). */
export function imageRegistry(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'docker.io';
}

/** Fully qualified reference: `nginx:1.14` → `docker.io/library/nginx:1.14`. */
export function normalizeImage(image: string): string {
  const registry = imageRegistry(image);
  if (image.startsWith(`${registry}/`)) return image;
  return image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
}

function allowedBy(image: string, entry: string): boolean {
  const full = normalizeImage(image);
  if (entry.includes('/')) return full.startsWith(entry) || image.startsWith(entry);
  return imageRegistry(image) === entry;
}

/** Checks every container image of a created or updated pod against the namespace's rules. */
export function validateImagePolicy(attrs: AdmissionAttributes, obj: KubeObject, view: AdmissionView, config: ImagePolicyConfig): ValidateResult {
  if (obj.kind !== 'Pod' || (attrs.verb !== 'create' && attrs.verb !== 'update') || (attrs.subresource ?? '') !== '') return ALLOW;
  if (config.rules.length === 0) return ALLOW;
  const namespace = obj.metadata.namespace ?? attrs.namespace ?? '';
  const ns = view.get('namespaces', undefined, namespace);
  const labels = ns?.kind === 'Namespace' ? ns.metadata.labels : undefined;
  const rules = config.rules.filter((r) => compileSelector(r.namespaceSelector)(labels));
  if (rules.length === 0) return ALLOW;
  const images = [...obj.spec.containers, ...(obj.spec.initContainers ?? [])].map((c) => c.image ?? '');
  const denied: string[] = [];
  for (const image of images) {
    for (const rule of rules) {
      if (!rule.allowedRegistries.some((e) => allowedBy(image, e))) {
        denied.push(`image "${image}" (registry ${imageRegistry(image)}) is not allowed in namespace "${namespace}"; allowed: ${rule.allowedRegistries.join(', ')}`);
        break;
      }
    }
  }
  if (denied.length === 0) return ALLOW;
  return { ok: false, status: admissionForbidden('pods', '', nameForMessage(obj), `image policy webhook backend denied one or more images: ${denied.join('; ')}`) };
}
