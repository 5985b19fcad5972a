/**
 * Per-cycle scratch space shared by the plugins of one scheduling attempt (upstream's CycleState):
 * PreFilter and PreScore compute per-pod data once and Filter/Score read it for every node.
 * Keys are plugin names by convention.
 */
export class CycleState {
  private readonly data = new Map<string, unknown>();

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  /** The value stored under `key`; the caller knows its type because it wrote it. */
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  delete(key: string): void {
    this.data.delete(key);
  }

  /**
   * A copy for a what-if evaluation (preemption dry runs): values with a `clone()` method are
   * cloned, the rest shared (they must then be read-only after PreFilter).
   */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) {
      const cloneable = v as { clone?: unknown } | null;
      c.data.set(k, cloneable !== null && typeof cloneable === 'object' && typeof cloneable.clone === 'function' ? (cloneable.clone as () => unknown).call(v) : v);
    }
    return c;
  }
}
