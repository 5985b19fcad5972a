/** Defaulting and admission plugins, and the chain that runs them in kube-apiserver's order. */
export type * from './types.js';
export { ALLOW, isMainResourceWrite, nameForMessage } from './types.js';
export * from './defaults.js';
export * from './defaultTolerationSeconds.js';
export * from './namespaceLifecycle.js';
export * from './limitRanger.js';
export * from './priority.js';
export * from './imagePolicy.js';
export * from './resourceQuota.js';
export * from './chain.js';
