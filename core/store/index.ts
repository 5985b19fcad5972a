/** The replicated store (etcd): Raft members, MVCC, the client API servers embed, and its checkers. */
export { StoreMember } from './storeMember.js';
export type { StoreMemberOptions } from './storeMember.js';
export { StoreClient } from './storeClient.js';
export type {
  StoreClientOptions,
  PutOptions,
  DeleteOptions,
  RangeOptions,
  PutResult,
  DeleteResult,
  TxnResult,
  ReadResult,
  WatchUpdate,
  Unavailable,
  TimedOut,
  Conflict,
} from './storeClient.js';
export { Mvcc } from './mvcc.js';
export type { MvccOptions } from './mvcc.js';
export type { KeyValue, WatchEvent, TxnOp, Compare, StoreCommand, ApplyResult, OpResult, RangeResult, EventsResult } from './mvccTypes.js';
export { History } from './history.js';
export type { HistoryOp, HistoryInput, HistoryOutput } from './history.js';
export type { StoreRecorder } from './recorder.js';
export { isStoreRequest, isStoreResponse } from './protocol.js';
export type { StoreRequest, StoreResponse, LogCommand } from './protocol.js';
export { RaftNode } from './raft/raftNode.js';
export type { RaftConfig, RaftMessage, Ready, Entry, HardState, SoftState, RaftRole } from './raft/types.js';
export { StoreCheckers } from './checkers/storeCheckers.js';
export { ElectionSafetyChecker } from './checkers/electionSafety.js';
export { LogMatchingChecker } from './checkers/logMatching.js';
export { DurabilityChecker } from './checkers/durability.js';
export { checkLinearizable } from './checkers/linearizable.js';
export type { CheckResult } from './checkers/checkResult.js';
export { LoadClient } from './loadClient.js';
export type { LoadClientOptions } from './loadClient.js';
export { StoreCluster } from './storeCluster.js';
export type { StoreClusterOptions } from './storeCluster.js';
export { runFigure16, figure16Trial, FIGURE16_ROWS } from './figure16.js';
export type { Figure16Config, Figure16Result } from './figure16.js';
