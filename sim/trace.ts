/**
 * The run's fingerprint: every processed event folds (time, kind, target, payload digest) into two
 * 32-bit multiply–rotate lanes. Same seed and version ⇒ same hash; any divergence shows at once.
 */
export class TraceHash {
  private h1 = 0x9e3779b9 | 0;
  private h2 = 0x85ebca6b | 0;
  private readonly stringHashes = new Map<string, number>();

  /**
   * Folds one processed event in one step: the time's low word into one lane, its high word with
   * (kind, target) and the payload digest into the other. The kernel's hot path calls this per event.
   */
  foldEvent(time: number, kindAndTarget: number, digest: number): void {
    const high = (time * 2.3283064365386963e-10) | 0;
    let h1 = Math.imul(this.h1 ^ time, 0xcc9e2d51);
    h1 = (h1 << 15) | (h1 >>> 17);
    let h2 = Math.imul(this.h2 ^ high ^ kindAndTarget ^ Math.imul(digest, 0x9e3779b1) ^ h1, 0x1b873593);
    h2 = (h2 << 13) | (h2 >>> 19);
    this.h1 = (h1 + h2) | 0;
    this.h2 = (Math.imul(h2, 5) + 0xe6546b64) | 0;
  }

  /** FNV-1a of a string, cached because message types repeat millions of times. */
  stringDigest(text: string): number {
    let digest = this.stringHashes.get(text);
    if (digest === undefined) {
      digest = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) digest = Math.imul(digest ^ text.charCodeAt(i), 0x01000193) >>> 0;
      this.stringHashes.set(text, digest);
    }
    return digest;
  }

  /** A compact digest of an event payload: numbers as is, strings and `type` fields hashed. */
  payloadDigest(payload: unknown): number {
    if (typeof payload === 'number') return payload;
    if (typeof payload === 'string') return this.stringDigest(payload);
    if (typeof payload === 'object' && payload !== null) {
      const type = (payload as { type?: unknown }).type;
      if (typeof type === 'string') return this.stringDigest(type);
    }
    return 0;
  }

  hex(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}
