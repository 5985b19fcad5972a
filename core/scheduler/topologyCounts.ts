import type { StringMap } from '../api/types.js';

/**
 * Counts (or weighted sums) per topology pair, as nested maps key → value → number. Lookups by a
 * node walk only the few keys present, not the node's labels.
 */
export class TopologyCounts {
  readonly byKey = new Map<string, Map<string, number>>();

  /** Adds `delta`; a pair reaching 0 is removed, as upstream's topologyToMatchedTermCount does. */
  add(key: string, value: string, delta: number): void {
    let m = this.byKey.get(key);
    if (m === undefined) {
      m = new Map();
      this.byKey.set(key, m);
    }
    const n = (m.get(value) ?? 0) + delta;
    if (n !== 0) {
      m.set(value, n);
      return;
    }
    m.delete(value);
    if (m.size === 0) this.byKey.delete(key);
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.byKey) c.byKey.set(k, new Map(m));
    return c;
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  get isEmpty(): boolean {
    return this.byKey.size === 0;
  }

  /** True if any pair present in `labels` has a count > 0. */
  anyPositiveOn(labels: StringMap): boolean {
    for (const [key, values] of this.byKey) {
      const v = labels[key];
      if (v !== undefined && (values.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  /** Sum of the values of every pair present in `labels`. */
  sumOn(labels: StringMap): number {
    let sum = 0;
    for (const [key, values] of this.byKey) {
      const v = labels[key];
      if (v !== undefined) sum += values.get(v) ?? 0;
    }
    return sum;
  }
}
