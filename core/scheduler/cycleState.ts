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
}
