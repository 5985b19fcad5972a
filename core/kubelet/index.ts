// Public face of the kubelet: the component, its runtime model and backoff arithmetic.
export type { KubeletConfig } from './kubelet.js';
export { Kubelet } from './kubelet.js';
export type { ImageBehaviour, ContainerState } from './podWorker.js';
export { buildPodStatus, podPhase, probeTiming } from './podWorker.js';
export type { NodeIdentity } from './nodeStatus.js';
export { nodeObject, nodeStatusConditions } from './nodeStatus.js';
export { BACKOFF_INITIAL_US, BACKOFF_MAX_US, crashLoopDelay, nextBackoffStep } from './crashLoopBackoff.js';
