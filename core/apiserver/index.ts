/** Public face of the API server: the component, its wire protocol, Status, policy seam and store ports. */
export { ApiServer, DEFAULT_STAGE_COSTS } from './apiServer.js';
export type { ApiRequestObservation, ApiServerConfig, RejectionStage, StageCosts } from './apiServer.js';
export * from './protocol.js';
export * from './status.js';
export type { ApiPolicy, ClusterView, Decision, Admitted, Verdict, RequestAttributes, UserInfo } from './policy.js';
export { allowAllPolicy } from './policy.js';
export type { StoreOutcome, StorePort, StoreWatchHandle, StoreWatchHandler } from './storePort.js';
export { StoreClientPort } from './storeClientPort.js';
export { MemoryStore } from './memoryStore.js';
export { WatchCache } from './watchCache.js';
export type { CacheWatcher, CachedEvent, WatchCacheOptions } from './watchCache.js';
export { planDelete, prepareBinding, prepareCreate, prepareStatusUpdate, prepareUpdate } from './strategy.js';
export { deepEqual } from '../api/equality.js';
