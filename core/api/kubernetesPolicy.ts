/**
 * The Kubernetes implementation of the API server's policy port (core/apiserver/policy.ts
 * ApiPolicy): static bearer tokens → Node,RBAC authorization → mutating admission (defaulting,
 * NamespaceLifecycle, LimitRanger, Priority, DefaultTolerationSeconds) → schema validation →
 * validating admission (LimitRanger, image policy, ResourceQuota). The import from the layer above
 * is type-only: this file adapts core/api's pure functions to the port the API server defines.
 */
import type { ApiPolicy } from '../apiserver/policy.js';
import type { TokenTable } from './authn.js';
import { authenticateToken } from './authn.js';
import { authorize } from './authorizer.js';
import type { AdmissionConfig } from './admission/chain.js';
import { mutatingAdmission, schemaValidation, validatingAdmission } from './admission/chain.js';
import { fieldErrorsToCauses } from './status.js';

export interface KubernetesPolicyOptions {
  /** Bearer token → user (see authn.defaultTokenTable). */
  readonly tokens: TokenTable;
  /** Admission plugin settings (toleration seconds, image policy…). */
  readonly admission?: AdmissionConfig;
  /** Merge the bootstrap RBAC policy under stored RBAC objects (default true). */
  readonly bootstrapRbac?: boolean;
}

export function kubernetesPolicy(options: KubernetesPolicyOptions): ApiPolicy {
  const admission = options.admission ?? {};
  const bootstrap = options.bootstrapRbac ?? true;
  return {
    authenticate: (token) => authenticateToken(options.tokens, token),
    authorize: (attrs, view) => authorize(attrs, view, bootstrap),
    mutate: (attrs, object, view) => mutatingAdmission(attrs, object, view, admission),
    validateSchema: (object, oldObject) => fieldErrorsToCauses(schemaValidation(object, oldObject)),
    validate: (attrs, object, view) => {
      const r = validatingAdmission(attrs, object, view, admission);
      return r.ok ? { ok: true } : { ok: false, status: r.status };
    },
  };
}
