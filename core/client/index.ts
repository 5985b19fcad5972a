/** Public face of the client machinery (client-go's shapes); see README.md for the wiring. */
export { ApiClient, isApiMessage } from './apiClient.js';
export type { ApiCallback, ApiClientConfig, ListOptions, WatchHandle, WatchHandler, WatchOptions, WriteOptions } from './apiClient.js';
export { Informer } from './informer.js';
export type { EventHandler, InformerOptions } from './informer.js';
export { Indexer } from './indexer.js';
export type { IndexName } from './indexer.js';
export { WorkQueue } from './workQueue.js';
export type { WorkQueueOptions } from './workQueue.js';
export { TokenBucket } from './tokenBucket.js';
export { BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './rateLimiter.js';
export type { ItemRateLimiter } from './rateLimiter.js';
export { TimerRouter } from './timerRouter.js';
export { LoadBalancer } from './loadBalancer.js';
