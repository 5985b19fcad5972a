// Public face of the control plane: leader election, its checker, and (later) kube-controller-manager.
export type { LeaderElectionTimings } from './leaderElectionConfig.js';
export { DEFAULT_TIMINGS, JITTER_FACTOR, validateTimings } from './leaderElectionConfig.js';
export type { ObservedLease, SlowPathDecision } from './leaseDecision.js';
export { decideAfterGet, fastPathRecord, freshRecord, isLeader, isLeaseValid } from './leaseDecision.js';
export type { LeaseLock, LockFailure, LockRecord, LockResult } from './leaseLock.js';
export type { ElectorTimerTag, LeaderCallbacks, LeaderElectorConfig } from './leaderElector.js';
export { LeaderElector } from './leaderElector.js';
export type { ComponentElectionStats } from './electionChecker.js';
export { ElectionChecker } from './electionChecker.js';
export type { LeaseApi } from './apiLeaseLock.js';
export { apiLeaseLock } from './apiLeaseLock.js';
