import type { Micros } from '../../../sim/time.js';
import type { InvariantResult } from '../kinds.js';
import { round } from '../summary.js';
import type { ApiRequestRecord } from './apiRequest.js';
import { isMutating } from './apiRequest.js';
import type { CommittedWrite } from './committedWrites.js';

/**
 * api.optimisticConcurrency, judged from outside: each write an API server acknowledged (2xx with a
 * revision) is joined with what the store committed at that revision, and must
 *   - be the change the server says it made (the same object; otherwise an acknowledged write is lost),
 *   - have been computed from the object's then-current version: its base resourceVersion equals the
 *     key's modRevision just before the commit (0 = absent for a create). Two acknowledged updates of
 *     one key from the same base fail this for the later one: the lost update;
 *   - have been conditioned on it in the store: the committed txn compared the key's modRevision
 *     (an unconditioned write can overwrite a concurrent one, whatever luck this run had);
 *   - for a client precondition (resourceVersion in the body or delete options), match it: a stale
 *     resourceVersion must be refused (409), never accepted.
 * A refusal is always safe, so only acceptances can violate it; conflicts are counted for the detail.
 */
export class OptimisticConcurrencyChecker {
  private first: { readonly timeUs: Micros; readonly detail: string } | undefined;
  private judged = 0;
  private conditional = 0;
  private conflicts = 0;
  private unmatched = 0;

  /** One request's outcome; `writes` are the store's changes at its revision (undefined if unknown). */
  onRequest(timeUs: Micros, req: ApiRequestRecord, writes: readonly CommittedWrite[] | undefined): void {
    if (!isMutating(req.verb)) return;
    if (req.code === 409 && req.precondition !== undefined) this.conflicts++;
    if (req.code < 200 || req.code >= 300 || req.revision === undefined) return;
    if (writes === undefined) {
      // Its record was pruned or claimed already: nothing to judge it against (counted, not guessed).
      this.unmatched++;
      return;
    }
    this.judged++;
    const w = writes.find((x) => req.name === undefined || lastSegment(x.key) === req.name);
    if (w === undefined) {
      return this.violation(timeUs, `${describe(req)}: acknowledged at revision ${req.revision}, but the store committed ${writes.map((x) => x.key).join(', ')} there (an acknowledged write is lost)`);
    }
    if (req.baseRevision !== undefined && req.baseRevision !== w.prevModRevision) {
      return this.violation(timeUs, `${describe(req)}: lost update — computed from resourceVersion ${req.baseRevision}, but ${w.key} was at ${w.prevModRevision} when it committed at ${w.revision}`);
    }
    if (w.compared === undefined) {
      return this.violation(timeUs, `${describe(req)}: committed at ${w.revision} without a compare on ${w.key}'s resourceVersion (unconditioned write)`);
    }
    if (w.compared !== w.prevModRevision) {
      return this.violation(timeUs, `${describe(req)}: the store applied it at ${w.revision} although its compare (${w.compared}) did not hold (${w.prevModRevision})`);
    }
    if (req.precondition !== undefined) {
      this.conditional++;
      if (Number(req.precondition) !== w.prevModRevision) {
        return this.violation(timeUs, `${describe(req)}: stale resourceVersion ${req.precondition} accepted (the object was at ${w.prevModRevision}); it must get 409 Conflict`);
      }
    }
  }

  private violation(timeUs: Micros, detail: string): void {
    this.first ??= { timeUs, detail };
  }

  result(): InvariantResult {
    const name = 'api.optimisticConcurrency';
    if (this.first !== undefined) return { name, held: false, checked: true, firstViolationAt: round(this.first.timeUs / 1e6), detail: this.first.detail };
    const unmatched = this.unmatched === 0 ? '' : `; ${this.unmatched} acknowledged write(s) not judged (no committed record left)`;
    if (this.judged === 0) return { name, held: true, checked: false, detail: `no acknowledged write in this run${unmatched}` };
    return {
      name,
      held: true,
      checked: true,
      detail: `${this.judged} acknowledged writes matched the store's history (${this.conditional} with a client precondition; ${this.conflicts} conditional writes refused with 409)${unmatched}`,
    };
  }
}

function lastSegment(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/** The request as a violation names it (built only then: the checker runs for every write). */
function describe(req: ApiRequestRecord): string {
  return `${req.verb} ${req.resource} ${req.namespace === undefined ? '' : `${req.namespace}/`}${req.name ?? '?'} by ${req.user}`;
}
