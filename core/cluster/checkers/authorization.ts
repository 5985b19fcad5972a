import type { Micros } from '../../../sim/time.js';
import { authorize } from '../../api/authorizer.js';
import type { AuthorizationRequest, AuthorizationView } from '../../api/authorizer.js';
import type { TokenTable, UserInfo } from '../../api/authn.js';
import { authenticateToken } from '../../api/authn.js';
import { resourceForPlural, storageKey } from '../../api/registry.js';
import type { KubeObject } from '../../api/types.js';
import type { InvariantResult } from '../kinds.js';
import { round } from '../summary.js';
import type { ApiRequestRecord } from './apiRequest.js';
import { isMutating } from './apiRequest.js';
import type { CommittedWrite } from './committedWrites.js';

const RBAC_PREFIX = '/registry/rbac.authorization.k8s.io/';
const RBAC_RESOURCES = ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'] as const;
type RbacResource = (typeof RBAC_RESOURCES)[number];
const EMPTY: readonly KubeObject[] = Object.freeze([]);

/** The RBAC objects in the store from one revision on (immutable: the authorizer caches by list identity). */
interface RbacSnapshot {
  readonly revision: number;
  readonly timeUs: Micros;
  readonly objects: ReadonlyMap<string, KubeObject>;
  readonly lists: ReadonlyMap<RbacResource, readonly KubeObject[]>;
  /** Per-namespace lists, filled on first use (stable identities keep the authorizer's caches warm). */
  readonly byNamespace: Map<string, readonly KubeObject[]>;
  /** The authorizer's view of this snapshot, made once. */
  view?: AuthorizationView;
}

export interface AuthorizationCheckerOptions {
  /**
   * An API server authorizes when a request arrives, against its watch cache; RBAC may change before
   * the write commits. A mutation is also accepted if RBAC as it stood at any point this long before
   * its commit allowed it (default 60 s, beyond any request's life), so a race is not called a breach.
   */
  readonly raceWindowUs?: Micros;
  /** The key's current committed value, for the node authorizer's "pods bound to me" lookups. */
  readonly current?: (key: string) => unknown;
}

/** User name → identity (with the groups authentication adds), for every principal of a token table. */
export function principalsOf(tokens: TokenTable): ReadonlyMap<string, UserInfo> {
  const principals = new Map<string, UserInfo>();
  for (const token of [...tokens.keys()].sort()) {
    const user = authenticateToken(tokens, token);
    if (user !== undefined) principals.set(user.name, user);
  }
  return principals;
}

/**
 * api.authorization, judged from outside: every mutation an API server served with a 2xx is
 * re-authorized with core/api's authorizer (node authorizer, then RBAC with the bootstrap policy under
 * the RBAC objects the store held) for the principal the request authenticated as, against the object
 * that actually reached the store (its namespace, its stored predecessor, its new state). A mutation
 * the checker denies is a violation: RBAC denied it, and it reached the store anyway.
 */
export class AuthorizationChecker {
  private readonly snapshots: RbacSnapshot[] = [emptySnapshot()];
  private readonly raceWindowUs: Micros;
  private first: { readonly timeUs: Micros; readonly detail: string } | undefined;
  private judged = 0;
  private raced = 0;

  /** `principals`: user name → identity, as the cluster's authenticator knows them (token table). */
  constructor(
    private readonly principals: ReadonlyMap<string, UserInfo>,
    private readonly options: AuthorizationCheckerOptions = {},
  ) {
    this.raceWindowUs = options.raceWindowUs ?? 60_000_000;
  }

  /** Every committed change, in order: RBAC objects are kept per revision. */
  onCommitted(write: CommittedWrite): void {
    if (!write.key.startsWith(RBAC_PREFIX)) return;
    const resource = RBAC_RESOURCES.find((r) => write.key.startsWith(`${RBAC_PREFIX}${r}/`));
    if (resource === undefined) return;
    const last = this.latest();
    const objects = new Map(last.objects);
    if (write.deleted) objects.delete(write.key);
    else objects.set(write.key, write.value as KubeObject);
    const lists = new Map<RbacResource, readonly KubeObject[]>();
    for (const r of RBAC_RESOURCES) {
      const prefix = `${RBAC_PREFIX}${r}/`;
      // Sorted by key, so the lists (and the authorizer's verdicts) do not depend on commit order.
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      lists.set(r, Object.freeze(keys.flatMap((k) => { const o = objects.get(k); return o === undefined ? [] : [o]; })));
    }
    this.snapshots.push({ revision: write.revision, timeUs: write.timeUs, objects, lists, byNamespace: new Map() });
  }

  /** One request's outcome; `writes` are the store's changes at its revision (undefined if none or unknown). */
  onRequest(timeUs: Micros, req: ApiRequestRecord, writes: readonly CommittedWrite[] | undefined): void {
    if (!isMutating(req.verb) || req.code < 200 || req.code >= 300) return;
    const info = resourceForPlural(req.resource);
    const user = this.principals.get(req.user) ?? { name: req.user, groups: [] };
    if (info === undefined) return this.violation(timeUs, `${describe(req)}: served for a resource the API does not know`);
    const write = writes === undefined ? undefined : writeOf(writes, req.name);
    const stored = (write?.value ?? write?.prevValue) as KubeObject | undefined;
    const namespace = info.namespaced ? (stored?.metadata.namespace ?? req.namespace) : undefined;
    // Upstream authorizes a create without a name unless the body named it (generateName).
    const name = req.name ?? (req.verb === 'create' ? undefined : stored?.metadata.name);
    // The storage key is built only when the committed write does not already give the old object.
    const old =
      write !== undefined
        ? (write.prevValue as KubeObject | undefined)
        : name === undefined
          ? undefined
          : (this.options.current?.(storageKey(info, namespace, name)) as KubeObject | undefined);
    const verb = req.verb === 'updateStatus' ? 'update' : req.verb === 'bind' ? 'create' : req.verb;
    const subresource = req.verb === 'updateStatus' ? 'status' : req.verb === 'bind' ? 'binding' : undefined;
    // Built field by field (a spread of optional parts costs a fresh hidden class per request).
    const request: { -readonly [K in keyof AuthorizationRequest]: AuthorizationRequest[K] } = { user, verb, apiGroup: info.group, resource: req.resource };
    if (subresource !== undefined) request.subresource = subresource;
    if (namespace !== undefined) request.namespace = namespace;
    if (name !== undefined) request.name = name;
    if (write?.value !== undefined) request.object = write.value;
    if (old !== undefined) request.oldObject = old;
    this.judged++;
    const commitRevision = write?.revision ?? Number.MAX_SAFE_INTEGER;
    const commitUs = write?.timeUs ?? timeUs;
    const before = this.inForceBefore(commitRevision);
    const verdict = authorize(request, this.view(before));
    if (verdict.allowed) return;
    // RBAC changed while the request was in flight: allowed under a policy in force shortly before?
    for (const snap of this.snapshots) {
      if (snap === before || snap.revision >= commitRevision || !this.inForceDuring(snap, commitUs - this.raceWindowUs)) continue;
      if (authorize(request, this.view(snap)).allowed) {
        this.raced++;
        return;
      }
    }
    const reason = verdict.reason === '' ? 'no RBAC rule allows it' : verdict.reason;
    this.violation(timeUs, `${describe(req)}: served with ${req.code}${write === undefined ? '' : ` and committed at revision ${write.revision}`}, but authorization denies it (${reason})`);
  }

  private latest(): RbacSnapshot {
    return this.snapshots[this.snapshots.length - 1] ?? emptySnapshot();
  }

  /** The snapshot in force just before `revision` (RBAC as it stood when that write was applied). */
  private inForceBefore(revision: number): RbacSnapshot {
    let found = this.snapshots[0];
    for (const s of this.snapshots) if (s.revision < revision) found = s;
    return found ?? this.latest();
  }

  /** Whether `snap` was still in force at some time ≥ `fromUs` (i.e. its successor came later). */
  private inForceDuring(snap: RbacSnapshot, fromUs: Micros): boolean {
    const i = this.snapshots.indexOf(snap);
    const next = this.snapshots[i + 1];
    return next === undefined || next.timeUs >= fromUs;
  }

  private view(snap: RbacSnapshot): AuthorizationView {
    if (snap.view !== undefined) return snap.view;
    const current = this.options.current;
    snap.view = {
      get: (resource, namespace, name) => {
        const info = resourceForPlural(resource);
        if (info === undefined || current === undefined) return undefined;
        return current(storageKey(info, namespace, name)) as KubeObject | undefined;
      },
      list: (resource, namespace) => {
        const all = RBAC_RESOURCES.find((r) => r === resource) === undefined ? EMPTY : (snap.lists.get(resource as RbacResource) ?? EMPTY);
        if (namespace === undefined || all.length === 0) return all;
        const cacheKey = `${resource}/${namespace}`;
        let list = snap.byNamespace.get(cacheKey);
        if (list === undefined) {
          list = Object.freeze(all.filter((o) => o.metadata.namespace === namespace));
          snap.byNamespace.set(cacheKey, list);
        }
        return list;
      },
    };
    return snap.view;
  }

  private violation(timeUs: Micros, detail: string): void {
    this.first ??= { timeUs, detail };
  }

  result(): InvariantResult {
    const name = 'api.authorization';
    if (this.first !== undefined) return { name, held: false, checked: true, firstViolationAt: round(this.first.timeUs / 1e6), detail: this.first.detail };
    if (this.judged === 0) return { name, held: true, checked: false, detail: 'no mutation was served in this run' };
    const raced = this.raced === 0 ? '' : ` (${this.raced} allowed only by RBAC as it stood shortly before: a change raced the request)`;
    return { name, held: true, checked: true, detail: `${this.judged} served mutations re-authorized${raced}` };
  }
}

const SLASH = 0x2f;

/** The change a request made: the first for an unnamed create, else the one whose key ends in `/name`. */
function writeOf(writes: readonly CommittedWrite[], name: string | undefined): CommittedWrite | undefined {
  if (name === undefined) return writes[0];
  for (const w of writes) {
    const k = w.key;
    // k.endsWith(`/${name}`) without building that string for every served mutation.
    if (k.length > name.length && k.endsWith(name) && k.charCodeAt(k.length - name.length - 1) === SLASH) return w;
  }
  return undefined;
}

function emptySnapshot(): RbacSnapshot {
  return { revision: 0, timeUs: 0, objects: new Map(), lists: new Map(), byNamespace: new Map() };
}

/** The request as a violation names it (built only then: the checker runs for every mutation). */
function describe(req: ApiRequestRecord): string {
  return `${req.verb} ${req.resource} ${req.namespace === undefined ? '' : `${req.namespace}/`}${req.name ?? ''} by ${req.user}`;
}
