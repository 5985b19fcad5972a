/**
 * A sorted set of strings for prefix ranges, as chunks of at most CHUNK keys: insert and delete cost
 * O(log n + CHUNK) instead of a plain sorted array's O(n) shift, which matters at 150,000 pods ×
 * every member. Iteration is in key order.
 */
const CHUNK = 512;

export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Index of the chunk that holds or would hold `key`. */
  private chunkFor(key: string): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    // The last chunk whose first key is ≤ key (or chunk 0).
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const first = chunks[mid]?.[0] ?? '';
      if (first <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private static lowerBound(sorted: readonly string[], key: string): number {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] ?? '') < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A set holding `sorted` (strictly ascending), built in O(n): a snapshot being loaded. */
  static fromSorted(sorted: readonly string[]): SortedKeys {
    const set = new SortedKeys();
    for (let i = 0; i < sorted.length; i += CHUNK) set.chunks.push(sorted.slice(i, i + CHUNK));
    set.count = sorted.length;
    return set;
  }

  /** Adds `key`; returns false if it was already present. */
  insert(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return true;
    }
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (chunk === undefined) return false;
    const i = SortedKeys.lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.count++;
    if (chunk.length > 2 * CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(CHUNK));
    return true;
  }

  /** Removes `key`; returns false if it was absent. */
  remove(key: string): boolean {
    if (this.chunks.length === 0) return false;
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (chunk === undefined) return false;
    const i = SortedKeys.lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** Keys starting with `prefix`, in order; stops early when `visit` returns false. */
  forEachWithPrefix(prefix: string, visit: (key: string) => boolean | void): void {
    if (this.chunks.length === 0) return;
    let c = this.chunkFor(prefix);
    let chunk = this.chunks[c];
    if (chunk === undefined) return;
    let i = SortedKeys.lowerBound(chunk, prefix);
    for (;;) {
      if (i >= chunk.length) {
        c++;
        const next = this.chunks[c];
        if (next === undefined) return;
        chunk = next;
        i = 0;
        continue;
      }
      const key = chunk[i] ?? '';
      if (!key.startsWith(prefix)) return;
      if (visit(key) === false) return;
      i++;
    }
  }
}
