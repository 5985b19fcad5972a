import type { Context } from '../../sim/component.js';
import type { Micros } from '../../sim/time.js';
import type { KubeObject } from '../api/types.js';
import type { ApiResult, DeleteOptions, FencingToken, ResourceName } from '../apiserver/protocol.js';

/**
 * The slices of core/client the controllers use, declared structurally (method syntax on purpose)
 * so controllers can be driven by the real ApiClient/Informer or by a fake in tests.
 */
export interface InformerHandlerLike<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerLike<T> {
  addEventHandler(handler: InformerHandlerLike<T>): void;
  start(ctx: Context): void;
  hasSynced(): boolean;
  /** `namespace/name` (or `name` for cluster-scoped kinds). */
  get(key: string): T | undefined;
  list(): Iterable<T>;
  byOwnerUid(uid: string): Iterable<T>;
  byNodeName(nodeName: string): Iterable<T>;
}

export interface WriteOptions {
  readonly fencing?: FencingToken;
}

export interface ClientLike {
  create(ctx: Context, resource: ResourceName, obj: KubeObject, done: (r: ApiResult<KubeObject>) => void, opts?: WriteOptions): void;
  update(ctx: Context, resource: ResourceName, obj: KubeObject, done: (r: ApiResult<KubeObject>) => void, opts?: WriteOptions): void;
  updateStatus(ctx: Context, resource: ResourceName, obj: KubeObject, done: (r: ApiResult<KubeObject>) => void, opts?: WriteOptions): void;
  delete(
    ctx: Context,
    resource: ResourceName,
    namespace: string | undefined,
    name: string,
    done: (r: ApiResult<KubeObject>) => void,
    opts?: DeleteOptions & WriteOptions,
  ): void;
}

/** Timer callbacks (core/client TimerRouter). */
export interface TimersLike {
  set(ctx: Context, delayUs: Micros, fn: (ctx: Context) => void): number;
  cancel(ctx: Context, handle: number): void;
}

/** `namespace/name` as the informers key objects. */
export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? '';
  return ns === undefined || ns === '' ? name : `${ns}/${name}`;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
