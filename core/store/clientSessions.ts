import type { ApplyResult } from './mvccTypes.js';

/** The answer to an applied write, kept so a retry of it is answered without applying it twice. */
export interface AppliedRequest {
  readonly result: ApplyResult;
  readonly index: number;
  readonly term: number;
}

/**
 * The client settled this request (it had its answer or gave up on it) and said so: it will never
 * retry it, so a copy of it still in the network or the log is stale and must not be applied.
 */
export const SETTLED: unique symbol = Symbol('settled');

interface Session {
  /** Every request of this session below this sequence number is settled (the client said so). */
  floor: number;
  /** Results of applied requests at or above `floor`, by sequence number. */
  readonly results: Map<number, AppliedRequest>;
}

/** A session as a snapshot holds it: its id, floor and remembered results. */
export type SessionRecord = readonly [session: string, floor: number, results: ReadonlyArray<readonly [number, AppliedRequest]>];

/**
 * The store's at-most-once table, kept per client session (the Raft dissertation's §6.3): a write
 * carries its session, its sequence number and the session's floor, the lowest sequence number
 * whose outcome the client is still waiting for. Applying the write raises the floor and forgets every
 * result below it. The table is replicated state, changed only by applying log entries, so every
 * member forgets the same results at the same index. It holds what clients are still waiting for rather
 * than a fixed window of the last N writes, which kept ~100,000 results (and the old objects they
 * point at) alive on every member.
 */
export class ClientSessions {
  private readonly sessions = new Map<string, Session>();
  private remembered = 0;

  /** Results held over all sessions. */
  get size(): number {
    return this.remembered;
  }

  /** The result of an applied request, SETTLED if the client has settled it, undefined if not applied. */
  lookup(session: string, seq: number): AppliedRequest | typeof SETTLED | undefined {
    const s = this.sessions.get(session);
    if (s === undefined) return undefined;
    if (seq < s.floor) return SETTLED;
    return s.results.get(seq);
  }

  /**
   * Applies an entry's session bookkeeping: raises the session's floor to `floor` (never lowers it:
   * an old retry carries an old floor) and forgets the results below it; then answers as lookup.
   */
  admit(session: string, seq: number, floor: number): AppliedRequest | typeof SETTLED | undefined {
    let s = this.sessions.get(session);
    if (s === undefined) {
      s = { floor, results: new Map() };
      this.sessions.set(session, s);
    } else if (floor > s.floor) {
      s.floor = floor;
      this.forgetBelow(s, floor);
    }
    if (seq < s.floor) return SETTLED;
    return s.results.get(seq);
  }

  /** Remembers the result of applying `seq` (which admit just answered undefined for). */
  remember(session: string, seq: number, done: AppliedRequest): void {
    const s = this.sessions.get(session);
    if (s === undefined) throw new Error(`remember: session ${session} was not admitted`);
    s.results.set(seq, done);
    this.remembered++;
  }

  snapshot(): SessionRecord[] {
    const out: SessionRecord[] = [];
    for (const [id, s] of this.sessions) out.push(Object.freeze([id, s.floor, Object.freeze([...s.results])] as const));
    return out;
  }

  static fromSnapshot(records: readonly SessionRecord[]): ClientSessions {
    const table = new ClientSessions();
    for (const [id, floor, results] of records) {
      table.sessions.set(id, { floor, results: new Map(results) });
      table.remembered += results.length;
    }
    return table;
  }

  private forgetBelow(s: Session, floor: number): void {
    // Results arrive in about sequence order, so the ones to forget are at the front: stop at the
    // first one that stays. One applied out of order stays until the floor passes the one before it.
    for (const seq of s.results.keys()) {
      if (seq >= floor) break;
      s.results.delete(seq);
      this.remembered--;
    }
  }
}
