import type { Micros } from './time.js';

/** Slot states. A cancelled slot stays in its bucket and is dropped when reached (cancel is O(1), no scan). */
const FREE = 0;
const PENDING = 1;
const CANCELLED = 2;
/** Popped but kept by its owner (a paused host holds events until it resumes). */
const HELD = 3;

const SLOT_BITS = 2 ** 24;
/** Layout of a slot's integer fields in `slotInts`: 16 bytes, four slots to a cache line. */
const STRIDE = 4;
const NEXT = 0;
const KIND = 1;
const TARGET = 2;
const AUX = 3;
const GENERATIONS = 2 ** 29;
const GENERATION_MASK = GENERATIONS - 1;
const NONE = -1;
/** `popNotAfter`: the earliest event is due after the limit. */
export const LATER = -2;
const MIN_BUCKETS = 16;
/** Pops per check of how well the bucket width fits the events pending. */
const FIT_WINDOW = 1024;
/**
 * Re-estimate the width when, over a window, pops walk more than this many buckets on average (too
 * narrow) or pushes walk more than this many list entries on average (too wide).
 */
const FIT_LIMIT = 6;
/** Buckets the inlined pop looks at before it calls the general scan. */
const NEAR_BUCKETS = 4;
/** Pending events sampled to estimate the bucket width. */
const WIDTH_SAMPLE = 1024;
/** Bucket width in mean gaps between the earliest pending events. */
const WIDTH_GAPS = 1;
/** Fewest pending events a sample of the slot arrays must find to be trusted for a width estimate. */
const MIN_SLOT_SAMPLE = 64;
/** How far (in powers of two) a sampled width must be from the current one to rebuild for it. */
const REFIT_MARGIN = 0.75;

/**
 * WIDTH_GAPS times the mean gap between the earliest quarter of `represented` pending events, of
 * which `sample` (sorted here, in place) is an evenly spaced sample.
 */
function rawWidth(sample: Float64Array, represented: number): number {
  const size = sample.length;
  sample.sort();
  const quarter = Math.max(2, size >> 2);
  // `quarter` sampled events stand for quarter × represented / size pending ones.
  return (WIDTH_GAPS * ((sample[quarter - 1] as number) - (sample[0] as number))) / (((quarter - 1) * represented) / size);
}

/** The nearest power of two (at least 1): within a factor of √2, and exact to divide by. */
function nearestPowerOfTwo(width: number): number {
  return 2 ** Math.max(0, Math.round(Math.log2(Math.max(1, width))));
}

/**
 * The event queue: a calendar queue (R. Brown, CACM 1988) with its bucket width re-estimated as the
 * event mix changes. Events live in slots (parallel typed arrays: no allocation per event); each
 * bucket is a list sorted by time, and an event goes after every event with the same time, so equal
 * times leave in the order they were pushed — the (time, sequence) total order without storing the
 * sequence. Push and pop are O(1) on average where a binary heap pays O(log n); on the kernel
 * benchmark that is the difference between ~9 and ~14 million events per second.
 */
export class EventQueue {
  private bucketHead: Int32Array;
  /** Last entry of each bucket's list, so the common case (a time not before the tail's) appends in O(1). */
  private bucketTail: Int32Array;
  private bucketMask: number;
  /**
   * Resize bounds on the entries stored: between 1/8 and 1/2 of the bucket count. Sparse buckets
   * (one event per width near the front) mean a push nearly always appends at its list's tail, and
   * a year of buckets spans several times the bulk of pending events, so few lists hold next year's
   * events; the empty buckets a pop steps over are read in order and cost little.
   */
  private growAbove = MIN_BUCKETS / 2;
  private shrinkBelow = 0;
  /** Bucket width, a power of two so that `time * inverseWidth` is exact and cheaper than a division. */
  private width: number;
  private inverseWidth: number;
  /** Index (time / width, not wrapped) of the bucket the next pop starts from. */
  private cursor = 0;
  /** End of the cursor bucket's window, `(cursor + 1) × width`. */
  private cursorEnd: Micros;

  private slotTime: Float64Array;
  /**
   * The integer fields of each slot, interleaved (STRIDE per slot) so that one event's fields share a
   * cache line: with thousands of pending events, separate arrays cost a cache miss per field.
   */
  private slotInts: Int32Array;
  /** FREE, PENDING, CANCELLED or HELD per slot, apart from the fields a pop reads with it. */
  private slotState: Uint8Array;
  /** Bumped on each reuse of a slot, so that a stale id cancels nothing. */
  private slotGeneration: Int32Array;
  private slotPayload: unknown[];
  private capacity: number;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  /** Entries in buckets, cancelled ones included (what resizing is about). */
  private stored = 0;
  private live = 0;
  private rebuildCount = 0;
  private windowPops = 0;
  private windowScanned = 0;
  private windowWalked = 0;

  /** Time of the event last returned by `pop`. */
  poppedTime: Micros = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.bucketHead = new Int32Array(MIN_BUCKETS).fill(NONE);
    this.bucketTail = new Int32Array(MIN_BUCKETS).fill(NONE);
    this.bucketMask = MIN_BUCKETS - 1;
    this.width = 1_024;
    this.inverseWidth = 1 / 1_024;
    this.cursorEnd = this.width;
    this.capacity = capacity;
    this.slotTime = new Float64Array(capacity);
    this.slotInts = new Int32Array(capacity * STRIDE);
    this.slotState = new Uint8Array(capacity);
    this.slotGeneration = new Int32Array(capacity);
    this.slotPayload = new Array<unknown>(capacity).fill(undefined);
    this.freeSlots = new Int32Array(capacity);
  }

  /** Events pending and not cancelled. */
  get size(): number {
    return this.live;
  }

  /**
   * Schedules an event at an integer time; returns an id that `cancel` accepts. The id encodes the
   * slot and its generation, so cancelling a stale id (slot since reused) is a harmless no-op.
   */
  push(time: Micros, kind: number, target: number, aux: number, payload: unknown): number {
    return this.idOf(this.schedule(time, kind, target, aux, payload));
  }

  /**
   * `push` returning the slot instead of the id. The id exceeds the small-integer range once a slot
   * has been reused 128 times, so returning it from a call allocates a heap number; the kernel's hot
   * path schedules by slot and computes the id only where the caller keeps it.
   */
  schedule(time: Micros, kind: number, target: number, aux: number, payload: unknown): number {
    const slot = this.freeCount > 0 ? (this.freeSlots[--this.freeCount] as number) : this.newSlot();
    const ints = this.slotInts;
    const base = slot * STRIDE;
    ints[base + KIND] = kind;
    ints[base + TARGET] = target;
    ints[base + AUX] = aux;
    this.slotState[slot] = PENDING;
    this.slotPayload[slot] = payload;
    this.slotTime[slot] = time;
    this.insert(slot, time);
    this.live++;
    return slot;
  }

  /** The id of the event now in `slot`. */
  idOf(slot: number): number {
    return (this.slotGeneration[slot] as number) * SLOT_BITS + slot;
  }

  /** Re-inserts a held event (by the id `hold` returned) at a new time, behind events already due then. */
  reschedule(id: number, time: Micros): void {
    const slot = id % SLOT_BITS;
    if (this.slotGeneration[slot] !== Math.floor(id / SLOT_BITS) || this.slotState[slot] !== HELD) return;
    this.slotState[slot] = PENDING;
    this.slotTime[slot] = time;
    this.insert(slot, time);
    this.live++;
  }

  cancel(id: number): void {
    const slot = id % SLOT_BITS;
    const generation = Math.floor(id / SLOT_BITS);
    if (slot >= this.slotsUsed || this.slotGeneration[slot] !== generation) return;
    const state = this.slotState[slot];
    if (state === PENDING) {
      this.slotState[slot] = CANCELLED;
      this.slotPayload[slot] = undefined;
      this.live--;
    } else if (state === HELD) {
      this.release(slot);
    }
  }

  /** Time of the earliest pending event, or Infinity. */
  peekTime(): Micros {
    const slot = this.findEarliest();
    return slot === NONE ? Infinity : (this.slotTime[slot] as number);
  }

  /**
   * Removes the earliest pending event and returns its slot (or -1 when empty); `poppedTime` is its
   * time. The caller reads the slot with the accessors below and then calls `release` or `hold`.
   */
  pop(): number {
    return this.popNotAfter(Infinity);
  }

  /**
   * Like `pop`, but leaves the earliest event in place and returns LATER (-2) when it is due after
   * `limit`: the run loop's one call per event.
   */
  popNotAfter(limit: Micros): number {
    // The common case, kept small enough for the optimiser to inline into the run loop: within a few
    // buckets of the cursor, a bucket's head is pending and due within that bucket's window.
    const heads = this.bucketHead;
    const mask = this.bucketMask;
    let cursor = this.cursor;
    let end = this.cursorEnd;
    for (let step = 0; step < NEAR_BUCKETS; step++) {
      const head = heads[cursor & mask] as number;
      if (head !== NONE) {
        const time = this.slotTime[head] as number;
        if (time >= end || this.slotState[head] !== PENDING || time > limit) break;
        const next = this.slotInts[head * STRIDE + NEXT] as number;
        heads[cursor & mask] = next;
        if (next === NONE) this.bucketTail[cursor & mask] = NONE;
        this.cursor = cursor;
        this.cursorEnd = end;
        this.windowScanned += step;
        this.stored--;
        this.live--;
        this.poppedTime = time;
        if (++this.windowPops >= FIT_WINDOW || this.stored < this.shrinkBelow) this.checkFit();
        return head;
      }
      cursor++;
      end += this.width;
    }
    return this.popScanning(limit);
  }

  private popScanning(limit: Micros): number {
    const slot = this.findEarliest();
    if (slot === NONE) return NONE;
    if ((this.slotTime[slot] as number) > limit) return LATER;
    const bucket = this.cursor & this.bucketMask;
    const next = this.slotInts[slot * STRIDE + NEXT] as number;
    this.bucketHead[bucket] = next;
    if (next === NONE) this.bucketTail[bucket] = NONE;
    this.stored--;
    this.live--;
    this.poppedTime = this.slotTime[slot] as number;
    if (++this.windowPops >= FIT_WINDOW || this.stored < this.shrinkBelow) this.checkFit();
    return slot;
  }

  kindOf(slot: number): number {
    return this.slotInts[slot * STRIDE + KIND] as number;
  }
  targetOf(slot: number): number {
    return this.slotInts[slot * STRIDE + TARGET] as number;
  }
  auxOf(slot: number): number {
    return this.slotInts[slot * STRIDE + AUX] as number;
  }
  payloadOf(slot: number): unknown {
    return this.slotPayload[slot];
  }

  /** Keeps a popped slot aside until `reschedule` or `cancel`; returns its id (still valid for both). */
  hold(slot: number): number {
    this.slotState[slot] = HELD;
    return (this.slotGeneration[slot] as number) * SLOT_BITS + slot;
  }

  release(slot: number): void {
    this.slotState[slot] = FREE;
    this.slotPayload[slot] = undefined;
    this.slotGeneration[slot] = ((this.slotGeneration[slot] as number) + 1) & GENERATION_MASK;
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Moves the cursor to the bucket holding the earliest pending event and returns that event's slot
   * (the head of the bucket), dropping cancelled entries on the way; NONE when nothing is pending.
   */
  private findEarliest(): number {
    if (this.live === 0) {
      if (this.stored > 0) this.clearCancelled();
      return NONE;
    }
    const heads = this.bucketHead;
    const mask = this.bucketMask;
    const times = this.slotTime;
    const width = this.width;
    let cursor = this.cursor;
    let top = (cursor + 1) * width;
    for (let scanned = 0; scanned <= mask; scanned++) {
      const bucket = cursor & mask;
      let head = heads[bucket] as number;
      while (head !== NONE && this.slotState[head] === CANCELLED) {
        heads[bucket] = this.slotInts[head * STRIDE + NEXT] as number;
        this.stored--;
        this.release(head);
        head = heads[bucket] as number;
        if (head === NONE) this.bucketTail[bucket] = NONE;
      }
      if (head !== NONE && (times[head] as number) < top) {
        this.cursor = cursor;
        this.cursorEnd = top;
        this.windowScanned += scanned;
        return head;
      }
      cursor++;
      top += width;
    }
    // A whole year of buckets without a due event: the calendar is too sparse for what is pending.
    // Re-estimating the width also moves the cursor to the earliest event.
    this.resize(this.bucketMask + 1);
    return this.findEarliest();
  }

  /**
   * Every FIT_WINDOW pops: when pops walked too many buckets or pushes too many list entries on
   * average, re-estimates the width. Also shrinks the calendar when it has become too sparse.
   */
  private checkFit(): void {
    if (this.stored < this.shrinkBelow) {
      this.resize((this.bucketMask + 1) >> 1);
      return;
    }
    if (this.windowPops < FIT_WINDOW) return;
    const misfit = this.windowScanned > FIT_LIMIT * FIT_WINDOW || this.windowWalked > FIT_LIMIT * FIT_WINDOW;
    this.windowPops = 0;
    this.windowScanned = 0;
    this.windowWalked = 0;
    if (!misfit) return;
    // Rebuild only for a clearly different width (the margin keeps sampling noise near a rounding
    // point from flipping it). A mix no width fits (bursts of near-equal times among a bulk spread
    // over seconds) otherwise rebuilt the whole calendar to the same width every window: 1,374 of
    // 1,447 rebuilds at 2,000 nodes, 5.5% of a 5,000-node rollout's CPU.
    const width = this.sampledWidth();
    if (width === undefined) this.resize(this.bucketMask + 1);
    else if (Math.abs(Math.log2(Math.max(1, width)) - Math.log2(this.width)) > REFIT_MARGIN) this.resize(this.bucketMask + 1, nearestPowerOfTwo(width));
  }

  /**
   * The width (before rounding) `estimateWidth` would give, judged in O(WIDTH_SAMPLE) from evenly
   * spaced slots rather than from every entry; undefined when too few of them hold a pending event.
   */
  private sampledWidth(): number | undefined {
    const used = this.slotsUsed;
    const size = Math.min(used, WIDTH_SAMPLE);
    const sample = new Float64Array(size);
    let found = 0;
    for (let i = 0; i < size; i++) {
      const slot = Math.floor((i * used) / size);
      if (this.slotState[slot] === PENDING) sample[found++] = this.slotTime[slot] as number;
    }
    if (found < MIN_SLOT_SAMPLE) return undefined;
    return rawWidth(sample.subarray(0, found), this.live);
  }

  /** Times the calendar was rebuilt (resized or refitted), each O(pending): for tests and diagnosis. */
  get rebuilds(): number {
    return this.rebuildCount;
  }

  private insert(slot: number, time: Micros): void {
    const virtualBucket = Math.floor(time * this.inverseWidth);
    // Only a harness call between runs can push before the cursor; every other event is at or after it.
    if (virtualBucket < this.cursor) this.moveCursorBack(virtualBucket);
    this.link(slot, time, virtualBucket & this.bucketMask);
    if (++this.stored > this.growAbove) this.resize(2 * (this.bucketMask + 1));
  }

  private moveCursorBack(virtualBucket: number): void {
    this.cursor = virtualBucket;
    this.cursorEnd = (virtualBucket + 1) * this.width;
  }

  /**
   * Links a slot into a bucket's sorted list, after every entry with a time not later than its own.
   * Appending to an empty bucket, behind the tail or before the head is the common case (buckets hold
   * about one event each) and stays small enough to inline; the rest is `linkWithin`.
   */
  private link(slot: number, time: Micros, bucket: number): void {
    const tail = this.bucketTail[bucket] as number;
    if (tail === NONE) {
      this.slotInts[slot * STRIDE + NEXT] = NONE;
      this.bucketHead[bucket] = slot;
      this.bucketTail[bucket] = slot;
    } else if ((this.slotTime[tail] as number) <= time) {
      this.slotInts[slot * STRIDE + NEXT] = NONE;
      this.slotInts[tail * STRIDE + NEXT] = slot;
      this.bucketTail[bucket] = slot;
    } else {
      const head = this.bucketHead[bucket] as number;
      if ((this.slotTime[head] as number) > time) {
        this.slotInts[slot * STRIDE + NEXT] = head;
        this.bucketHead[bucket] = slot;
      } else {
        this.linkWithin(slot, time, bucket);
      }
    }
  }

  /** Links a slot between a bucket's head and tail (neither goes after it nor before). */
  private linkWithin(slot: number, time: Micros, bucket: number): void {
    const times = this.slotTime;
    const ints = this.slotInts;
    let prev = this.bucketHead[bucket] as number;
    let after = ints[prev * STRIDE + NEXT] as number;
    while (after !== NONE && (times[after] as number) <= time) {
      prev = after;
      after = ints[after * STRIDE + NEXT] as number;
      this.windowWalked++;
    }
    // `after` cannot be NONE here: the tail's time is later than `time`.
    ints[slot * STRIDE + NEXT] = after;
    ints[prev * STRIDE + NEXT] = slot;
  }

  /**
   * Rebuilds the calendar with `buckets` buckets and the width `estimateWidth` gives (about one
   * event per bucket near the front). Entries are relinked bucket by
   * bucket in list order, which keeps equal times in their original order.
   */
  private resize(buckets: number, knownWidth?: number): void {
    this.rebuildCount++;
    const old = this.bucketHead;
    const entries = new Int32Array(this.stored);
    let count = 0;
    for (let bucket = 0; bucket < old.length; bucket++) {
      for (let slot = old[bucket] as number; slot !== NONE; slot = this.slotInts[slot * STRIDE + NEXT] as number) {
        if (this.slotState[slot] === CANCELLED) continue;
        entries[count++] = slot;
      }
    }
    for (let bucket = 0; bucket < old.length; bucket++) {
      for (let slot = old[bucket] as number; slot !== NONE; ) {
        const next = this.slotInts[slot * STRIDE + NEXT] as number;
        if (this.slotState[slot] === CANCELLED) this.release(slot);
        slot = next;
      }
    }
    this.width = knownWidth ?? this.estimateWidth(entries.subarray(0, count));
    this.inverseWidth = 1 / this.width;
    this.bucketHead = new Int32Array(buckets).fill(NONE);
    this.bucketTail = new Int32Array(buckets).fill(NONE);
    this.bucketMask = buckets - 1;
    this.growAbove = buckets >> 1;
    this.shrinkBelow = buckets > MIN_BUCKETS ? buckets >> 3 : 0;
    this.stored = count;
    let earliest = Infinity;
    // Collection order keeps equal times in push order (they shared a bucket), and `link` places an
    // entry after equal times, so relinking in collection order preserves the total order.
    const times = this.slotTime;
    for (let i = 0; i < count; i++) {
      const slot = entries[i] as number;
      const time = times[slot] as number;
      if (time < earliest) earliest = time;
      this.link(slot, time, Math.floor(time * this.inverseWidth) & this.bucketMask);
    }
    this.cursor = earliest === Infinity ? 0 : Math.floor(earliest * this.inverseWidth);
    this.cursorEnd = (this.cursor + 1) * this.width;
  }

  /**
   * WIDTH_GAPS times the mean gap between the earliest quarter of the pending events, judged from an
   * evenly spaced sample of at most WIDTH_SAMPLE of them (so a resize costs O(n), not O(n log n)).
   * Brown's rule looks at the first few events only, which misjudges a queue whose front is sparser
   * than its bulk (a burst of pushes spread over a long span): lists then grow long.
   */
  private estimateWidth(entries: Int32Array): number {
    const n = entries.length;
    if (n < 2) return this.width;
    const size = Math.min(n, WIDTH_SAMPLE);
    const sample = new Float64Array(size);
    for (let i = 0; i < size; i++) sample[i] = this.slotTime[entries[Math.floor((i * n) / size)] as number] as number;
    return nearestPowerOfTwo(rawWidth(sample, n));
  }

  private clearCancelled(): void {
    this.resize(this.bucketMask + 1);
  }

  private newSlot(): number {
    if (this.slotsUsed === this.capacity) this.growSlots();
    if (this.slotsUsed >= SLOT_BITS) throw new Error('event queue: more than 16M events pending at once');
    return this.slotsUsed++;
  }

  private growSlots(): void {
    const capacity = this.capacity * 2;
    this.slotTime = grow(this.slotTime, new Float64Array(capacity));
    this.slotInts = grow(this.slotInts, new Int32Array(capacity * STRIDE));
    this.slotState = grow(this.slotState, new Uint8Array(capacity));
    this.slotGeneration = grow(this.slotGeneration, new Int32Array(capacity));
    this.freeSlots = grow(this.freeSlots, new Int32Array(capacity));
    for (let i = this.slotPayload.length; i < capacity; i++) this.slotPayload.push(undefined);
    this.capacity = capacity;
  }

}

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
