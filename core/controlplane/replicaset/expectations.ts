import type { Micros } from '../../../sim/time.js';
import { s } from '../../../sim/time.js';

/** ExpectationsTimeout: after this long unmet expectations are ignored (a lost watch event must not wedge a RS). */
export const EXPECTATIONS_TIMEOUT_US: Micros = s(300);

interface Expectation {
  adds: number;
  dels: number;
  setAtUs: Micros;
}

/**
 * ControllerExpectations: how many creations/deletions a controller has asked for and not yet seen in
 * its informer. While any are outstanding the controller does not act on its (lagging) cache, which is
 * what keeps it from creating the same pods twice.
 */
export class Expectations {
  private readonly map = new Map<string, Expectation>();

  satisfied(key: string, nowUs: Micros): boolean {
    const e = this.map.get(key);
    if (e === undefined) return true;
    if (e.adds <= 0 && e.dels <= 0) return true;
    return nowUs - e.setAtUs > EXPECTATIONS_TIMEOUT_US;
  }

  expect(key: string, adds: number, dels: number, nowUs: Micros): void {
    this.map.set(key, { adds, dels, setAtUs: nowUs });
  }

  creationObserved(key: string): void {
    const e = this.map.get(key);
    if (e !== undefined) e.adds--;
  }

  deletionObserved(key: string): void {
    const e = this.map.get(key);
    if (e !== undefined) e.dels--;
  }

  forget(key: string): void {
    this.map.delete(key);
  }

  pending(key: string): { adds: number; dels: number } {
    const e = this.map.get(key);
    return { adds: e?.adds ?? 0, dels: e?.dels ?? 0 };
  }
}
