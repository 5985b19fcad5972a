import type { Micros } from './time.js';

/** Slot states. A cancelled slot stays in the heap and is skipped when popped (cancel is O(1), no scan). */
const FREE = 0;
const PENDING = 1;
const CANCELLED = 2;
/** Popped but kept by its owner (a paused host holds events until it resumes). */
const HELD = 3;

const SLOT_BITS = 2 ** 24;

/**
 * The event queue: a binary min-heap on (time, sequence) kept in parallel typed arrays, so pushing and
 * popping allocate nothing. Each entry points at a slot that carries the event's kind, target, an
 * auxiliary integer and a payload reference. Sequence numbers are assigned at push time and never
 * repeat, so the order is total and the run deterministic.
 */
export class EventQueue {
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private heapSize = 0;

  private slotKind: Uint8Array;
  private slotTarget: Int32Array;
  private slotAux: Int32Array;
  private slotGeneration: Uint32Array;
  private slotSeq: Float64Array;
  private slotState: Uint8Array;
  private slotPayload: unknown[];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotsUsed = 0;
  private nextSeq = 0;
  private live = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.heapTime = new Float64Array(capacity);
    this.heapSlot = new Int32Array(capacity);
    this.slotKind = new Uint8Array(capacity);
    this.slotTarget = new Int32Array(capacity);
    this.slotAux = new Int32Array(capacity);
    this.slotGeneration = new Uint32Array(capacity);
    this.slotSeq = new Float64Array(capacity);
    this.slotState = new Uint8Array(capacity);
    this.slotPayload = new Array<unknown>(capacity).fill(undefined);
    this.freeSlots = new Int32Array(capacity);
  }

  /** Events pending and not cancelled. */
  get size(): number {
    return this.live;
  }

  /** Sequence numbers handed out so far (a cheap measure of total work scheduled). */
  get scheduled(): number {
    return this.nextSeq;
  }

  /**
   * Schedules an event; returns an id that `cancel` accepts. The id encodes the slot and its
   * generation, so cancelling a stale id (slot since reused) is a harmless no-op.
   */
  push(time: Micros, kind: number, target: number, aux: number, payload: unknown): number {
    const slot = this.allocateSlot();
    this.slotKind[slot] = kind;
    this.slotTarget[slot] = target;
    this.slotAux[slot] = aux;
    this.slotPayload[slot] = payload;
    this.slotState[slot] = PENDING;
    this.insert(time, slot);
    this.live++;
    return (this.slotGeneration[slot] as number) * SLOT_BITS + slot;
  }

  /** Re-inserts a held event (by the id `hold` returned) at a new time with a fresh sequence number. */
  reschedule(id: number, time: Micros): void {
    const slot = id % SLOT_BITS;
    if (this.slotGeneration[slot] !== Math.floor(id / SLOT_BITS) || this.slotState[slot] !== HELD) return;
    this.slotState[slot] = PENDING;
    this.insert(time, slot);
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
      // Held slots are outside the heap; freeing them here is safe because resume checks the state.
      this.release(slot);
    }
  }

  /** Time of the earliest pending event, or Infinity. Drops cancelled entries at the top. */
  peekTime(): Micros {
    this.dropCancelledTop();
    return this.heapSize === 0 ? Infinity : (this.heapTime[0] as number);
  }

  /**
   * Removes the earliest pending event and returns its slot (or -1 when empty); `poppedTime` is its
   * time. The caller reads the slot with the accessors below and then calls `release` or `hold`.
   */
  pop(): number {
    this.dropCancelledTop();
    if (this.heapSize === 0) return -1;
    const slot = this.heapSlot[0] as number;
    this.poppedTime = this.heapTime[0] as number;
    this.removeTop();
    this.live--;
    return slot;
  }
  poppedTime: Micros = 0;

  kindOf(slot: number): number {
    return this.slotKind[slot] as number;
  }
  targetOf(slot: number): number {
    return this.slotTarget[slot] as number;
  }
  auxOf(slot: number): number {
    return this.slotAux[slot] as number;
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
    this.slotGeneration[slot] = ((this.slotGeneration[slot] as number) + 1) % 2 ** 29;
    this.freeSlots[this.freeCount++] = slot;
  }

  private dropCancelledTop(): void {
    while (this.heapSize > 0) {
      const slot = this.heapSlot[0] as number;
      if (this.slotState[slot] !== CANCELLED) return;
      this.removeTop();
      this.release(slot);
    }
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount] as number;
    if (this.slotsUsed === this.slotKind.length) this.growSlots();
    if (this.slotsUsed >= SLOT_BITS) throw new Error('event queue: more than 16M events pending at once');
    return this.slotsUsed++;
  }

  private growSlots(): void {
    const capacity = this.slotKind.length * 2;
    this.slotKind = grow(this.slotKind, new Uint8Array(capacity));
    this.slotTarget = grow(this.slotTarget, new Int32Array(capacity));
    this.slotAux = grow(this.slotAux, new Int32Array(capacity));
    this.slotGeneration = grow(this.slotGeneration, new Uint32Array(capacity));
    this.slotSeq = grow(this.slotSeq, new Float64Array(capacity));
    this.slotState = grow(this.slotState, new Uint8Array(capacity));
    this.freeSlots = grow(this.freeSlots, new Int32Array(capacity));
    for (let i = this.slotPayload.length; i < capacity; i++) this.slotPayload.push(undefined);
  }

  private insert(time: Micros, slot: number): void {
    if (this.heapSize === this.heapTime.length) {
      const capacity = this.heapTime.length * 2;
      this.heapTime = grow(this.heapTime, new Float64Array(capacity));
      this.heapSlot = grow(this.heapSlot, new Int32Array(capacity));
    }
    const seq = this.nextSeq++;
    this.slotSeq[slot] = seq;
    this.siftUp(this.heapSize++, time, slot, seq);
  }

  private siftUp(start: number, time: Micros, slot: number, seq: number): void {
    const times = this.heapTime;
    const slots = this.heapSlot;
    const seqs = this.slotSeq;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (seqs[slots[parent] as number] as number) < seq)) break;
      times[i] = parentTime;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  private removeTop(): void {
    const size = --this.heapSize;
    if (size === 0) return;
    const times = this.heapTime;
    const slots = this.heapSlot;
    const seqs = this.slotSeq;
    const time = times[size] as number;
    const slot = slots[size] as number;
    const seq = seqs[slot] as number;
    // Binary heap; the sequence number (kept per slot, read only on equal times) breaks ties.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let childTime = times[child] as number;
      if (child + 1 < size) {
        const rightTime = times[child + 1] as number;
        if (
          rightTime < childTime ||
          (rightTime === childTime && (seqs[slots[child + 1] as number] as number) < (seqs[slots[child] as number] as number))
        ) {
          child++;
          childTime = rightTime;
        }
      }
      if (time < childTime || (time === childTime && seq < (seqs[slots[child] as number] as number))) break;
      times[i] = childTime;
      slots[i] = slots[child] as number;
      i = child;
    }
    times[i] = time;
    slots[i] = slot;
  }
}

function grow<T extends Float64Array | Int32Array | Uint32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
