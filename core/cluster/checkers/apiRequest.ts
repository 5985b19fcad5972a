import type { Observation } from '../../../sim/component.js';

/** Verbs of the API servers' requests, as `api.request` observations name them. */
export type ApiVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'updateStatus' | 'bind' | 'delete';

/** What the API checkers read from one `api.request` observation (see core/apiserver ApiRequestObservation). */
export interface ApiRequestRecord {
  readonly verb: ApiVerb;
  readonly resource: string;
  readonly user: string;
  readonly code: number;
  readonly namespace?: string;
  readonly name?: string;
  /** Store revision a successful write committed at. */
  readonly revision?: number;
  /** resourceVersion of the object the write was computed from and conditioned on (0: create). */
  readonly baseRevision?: number;
  /** The client's resourceVersion precondition, if it sent one. */
  readonly precondition?: string;
}

const VERBS: readonly ApiVerb[] = ['get', 'list', 'watch', 'create', 'update', 'updateStatus', 'bind', 'delete'];
const MUTATING: ReadonlySet<ApiVerb> = new Set<ApiVerb>(['create', 'update', 'updateStatus', 'bind', 'delete']);

/** The verb named by `v`, if it is one (a loop: a find with a closure would allocate per request). */
function verbOf(v: unknown): ApiVerb | undefined {
  for (const verb of VERBS) if (verb === v) return verb;
  return undefined;
}

export function isMutating(verb: ApiVerb): boolean {
  return MUTATING.has(verb);
}

/** Parses an observation as an API request record; undefined for anything else or a malformed one. */
export function apiRequestRecord(obs: Observation): ApiRequestRecord | undefined {
  if (obs.type !== 'api.request') return undefined;
  const verb = verbOf(obs['verb']);
  const { resource, user, code, namespace, name, revision, baseRevision, precondition } = obs;
  if (verb === undefined || typeof resource !== 'string' || typeof user !== 'string' || typeof code !== 'number') return undefined;
  // Field by field: one per API request, and a spread of optional parts costs a fresh hidden class each.
  const record: { -readonly [K in keyof ApiRequestRecord]: ApiRequestRecord[K] } = { verb, resource, user, code };
  if (typeof namespace === 'string') record.namespace = namespace;
  if (typeof name === 'string') record.name = name;
  if (typeof revision === 'number') record.revision = revision;
  if (typeof baseRevision === 'number') record.baseRevision = baseRevision;
  if (typeof precondition === 'string') record.precondition = precondition;
  return record;
}
