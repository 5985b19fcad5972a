/**
 * core/api — the Kubernetes object model and the pure policy the API server applies to it:
 * types and resource registry, quantities, label selectors, manifest decoding and validation,
 * defaulting and admission, authentication and authorization. Nothing here keeps state or does I/O.
 */
export type * from './types.js';
export * from './registry.js';
export * from './quantity.js';
export * from './labels.js';
export * from './names.js';
export * from './fieldError.js';
export * from './status.js';
export { decodeObject, decodeValue } from './decode.js';
export type { DecodeResult } from './decode.js';
export { validateObject, validateUpdate, validateObjectMeta, validatePodSpec, validateResourceList, HIGHEST_USER_DEFINABLE_PRIORITY } from './validation.js';
export * from './authn.js';
export { rbacAuthorize, ruleAllows, subjectMatches } from './rbac.js';
export type { RbacRequest, RbacPolicySource, AuthorizationDecision } from './rbac.js';
export { nodeAuthorize, NODE_LEASE_NAMESPACE } from './nodeAuthorizer.js';
export type { NodeRequest, NodeDecision, PodLookup } from './nodeAuthorizer.js';
export { authorize, rbacSource } from './authorizer.js';
export type { AuthorizationRequest, AuthorizationView } from './authorizer.js';
export { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_CLUSTER_ROLE_BINDINGS } from './bootstrapPolicy.js';
export { kubernetesPolicy } from './kubernetesPolicy.js';
export type { KubernetesPolicyOptions } from './kubernetesPolicy.js';
export * from './admission/index.js';
