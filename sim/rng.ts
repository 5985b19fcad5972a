import seedrandom from 'seedrandom';

/** The 99th percentile of the standard normal distribution (z such that Φ(z) = 0.99). */
const Z_99 = 2.3263478740408408;
const TWO_32 = 4294967296;
const INVERSE_TWO_32 = 2.3283064365386963e-10;

/** Right edge of the ziggurat's base layer for the standard exponential, 256 layers (Marsaglia & Tsang 2000). */
const ZIGGURAT_R = 7.697117470131487;
/** Area of each layer. */
const ZIGGURAT_AREA = 3.949659822581572e-3;
const POSITIONS = 2 ** 24;

/**
 * Per layer: the scale from a 24-bit position to x, the position below which the point is inside the
 * density for sure, and the density at the layer's right edge (its floor).
 */
const ZIGGURAT_X = new Float64Array(256);
const ZIGGURAT_INSIDE = new Float64Array(256);
const ZIGGURAT_Y = new Float64Array(256);
{
  let edge = ZIGGURAT_R;
  let outer = edge;
  const baseWidth = ZIGGURAT_AREA / Math.exp(-edge);
  ZIGGURAT_INSIDE[0] = Math.floor((edge / baseWidth) * POSITIONS);
  ZIGGURAT_INSIDE[1] = 0;
  ZIGGURAT_X[0] = baseWidth / POSITIONS;
  ZIGGURAT_X[255] = edge / POSITIONS;
  ZIGGURAT_Y[0] = 1;
  ZIGGURAT_Y[255] = Math.exp(-edge);
  for (let layer = 254; layer >= 1; layer--) {
    edge = -Math.log(ZIGGURAT_AREA / edge + Math.exp(-edge));
    ZIGGURAT_INSIDE[layer + 1] = Math.floor((edge / outer) * POSITIONS);
    outer = edge;
    ZIGGURAT_Y[layer] = Math.exp(-edge);
    ZIGGURAT_X[layer] = edge / POSITIONS;
  }
}

interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

/**
 * A seeded random stream. Every component gets its own, forked from the run's root by a stable name,
 * so adding a component never shifts the draws of another (as TigerBeetle's VOPR does).
 *
 * The generator is seedrandom's Alea (several times faster per draw than its default ARC4): seedrandom
 * seeds it, and the step runs here as a method so that thousands of streams share one monomorphic
 * call site instead of thousands of closures (a 7× difference on the kernel benchmark). A test checks
 * the draws equal seedrandom's own.
 */
export class Rng {
  // Alea's state as integers: c, and s0..s2 scaled by 2^32 and kept as int32, so that every field is
  // a small integer stored in the object itself. As doubles each would be a separate heap box, i.e.
  // up to four cache misses per draw when thousands of streams are live. The arithmetic below is
  // exact (every intermediate is an integer below 2^53), so draws equal seedrandom's bit for bit.
  private c = 0;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private seedName = '';

  /** Without a seed text, the stream stays unseeded until `seed` (the kernel's endpoint pool does that). */
  constructor(seedText?: string) {
    if (seedText !== undefined) this.seed(seedText);
  }

  /** (Re)starts the stream from a seed text. */
  protected seed(seedText: string): void {
    const seeded = (seedrandom.alea(seedText, { state: true }) as unknown as { state(): AleaState }).state();
    this.c = seeded.c;
    this.s0 = (seeded.s0 * TWO_32) | 0;
    this.s1 = (seeded.s1 * TWO_32) | 0;
    this.s2 = (seeded.s2 * TWO_32) | 0;
    this.seedName = seedText;
  }

  get seedText(): string {
    return this.seedName;
  }

  /** Uniform in [0, 1): one step of Alea, exactly as seedrandom computes it. */
  private draw(): number {
    return this.drawBits() * INVERSE_TWO_32;
  }

  /** One step of Alea, as a 32-bit unsigned integer (its output is a multiple of 2^-32). */
  private drawBits(): number {
    const t = 2091639 * (this.s0 >>> 0) + this.c;
    const c = (t * INVERSE_TWO_32) | 0;
    const next = t - c * TWO_32;
    this.c = c;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.s2 = next | 0;
    return next;
  }

  static fromSeed(seed: number | string): Rng {
    return new Rng(`kubesim:${seed}`);
  }

  /** A child stream named relative to this one; the same name always yields the same stream. */
  fork(name: string): Rng {
    return new Rng(`${this.seedText}/${name}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.draw();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.draw() * n);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.draw();
  }

  chance(p: number): boolean {
    return p > 0 && this.draw() < p;
  }

  /**
   * Exponential with the given mean, by Marsaglia and Tsang's ziggurat: about 99% of draws cost one
   * uniform, a table lookup and a multiply, where inverting the CDF costs a logarithm every time.
   * The low 8 bits of the 32-bit draw pick the layer, the high 24 place the point within it.
   */
  exponential(mean: number): number {
    const bits = this.drawBits();
    const layer = bits & 255;
    const position = bits >>> 8;
    if (position < (ZIGGURAT_INSIDE[layer] as number)) return position * (ZIGGURAT_X[layer] as number) * mean;
    return this.exponentialOutside(layer, position) * mean;
  }

  /** The ziggurat's rare case: the point fell in a layer's wedge or in the base layer's tail. */
  private exponentialOutside(layer: number, position: number): number {
    for (;;) {
      // The base layer's overhang is the tail beyond R: R plus a fresh exponential (memorylessness).
      if (layer === 0) return ZIGGURAT_R - Math.log(1 - this.draw());
      const x = position * (ZIGGURAT_X[layer] as number);
      const below = ZIGGURAT_Y[layer] as number;
      if (below + this.draw() * ((ZIGGURAT_Y[layer - 1] as number) - below) < Math.exp(-x)) return x;
      const bits = this.drawBits();
      layer = bits & 255;
      position = bits >>> 8;
      if (position < (ZIGGURAT_INSIDE[layer] as number)) return position * (ZIGGURAT_X[layer] as number);
    }
  }

  /** Standard normal by Box–Muller (no cached spare, so the stream position depends only on call count). */
  normal(): number {
    const u = 1 - this.draw();
    const v = this.draw();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal fitted to a median and a 99th percentile, the way latency is usually specified. */
  lognormal(median: number, p99: number): number {
    if (median <= 0) return 0;
    if (p99 <= median) return median;
    const mu = Math.log(median);
    const sigma = (Math.log(p99) - mu) / Z_99;
    return Math.exp(mu + sigma * this.normal());
  }

  /** client-go's wait.Jitter: duration + rand × maxFactor × duration; maxFactor ≤ 0 means 1. */
  jitter(duration: number, maxFactor: number): number {
    const factor = maxFactor <= 0 ? 1 : maxFactor;
    return duration + this.draw() * factor * duration;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }
}
