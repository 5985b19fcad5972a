/**
 * etcd's data model as values: key-values with their revisions, the commands that go through the
 * Raft log, and the results of applying and reading them. Values are opaque, immutable and shared
 * by reference (the API server stores its objects as they are); `sizeBytes` models their wire size.
 */

export interface KeyValue {
  readonly key: string;
  readonly value: unknown;
  /** Revision of the put that created the key (since its last delete). */
  readonly createRevision: number;
  /** Revision of the last change; the API server's resourceVersion. */
  readonly modRevision: number;
  /** Number of puts since creation, 1 for a new key. */
  readonly version: number;
  readonly sizeBytes: number;
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /** For a delete: the key with modRevision = the delete's revision and value null. */
  readonly kv: KeyValue;
  readonly prevKv: KeyValue | null;
  readonly revision: number;
}

export type TxnOp =
  | { readonly type: 'put'; readonly key: string; readonly value: unknown; readonly sizeBytes?: number }
  | { readonly type: 'delete'; readonly key: string };

/** Compare on mod revision; modRevision 0 means "the key does not exist" (as in etcd). */
export interface Compare {
  readonly key: string;
  readonly modRevision: number;
}

export type StoreCommand =
  | TxnOp
  | { readonly type: 'txn'; readonly compares: readonly Compare[]; readonly success: readonly TxnOp[]; readonly failure: readonly TxnOp[] }
  | { readonly type: 'compact'; readonly revision: number };

export type OpResult =
  | { readonly type: 'put'; readonly revision: number; readonly prevKv: KeyValue | null }
  | { readonly type: 'delete'; readonly revision: number; readonly deleted: number; readonly prevKv: KeyValue | null };

export type ApplyResult =
  | OpResult
  | { readonly type: 'txn'; readonly succeeded: boolean; readonly revision: number; readonly results: readonly OpResult[] }
  | { readonly type: 'compact'; readonly revision: number; readonly compacted: boolean };

export type RangeResult =
  | { readonly type: 'ok'; readonly kvs: readonly KeyValue[]; readonly count: number; readonly revision: number }
  | { readonly type: 'compacted'; readonly compactRevision: number }
  | { readonly type: 'future'; readonly currentRevision: number };

export type EventsResult =
  | { readonly type: 'ok'; readonly events: readonly WatchEvent[]; readonly revision: number }
  | { readonly type: 'compacted'; readonly compactRevision: number };
