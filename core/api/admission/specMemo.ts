import type { PodSpec } from '../types.js';

interface Derived {
  readonly a: unknown;
  readonly b: unknown;
  readonly c: unknown;
  readonly spec: PodSpec;
}

/**
 * The last spec a mutating admission plugin derived from each input spec, with the parameters it
 * was derived for. The pods of one ReplicaSet arrive with their template's spec object, so they
 * all share one derived spec (and one validation, see validation.ts) instead of a copy each; a
 * derivation is a pure function of the spec and the parameters, and specs are immutable.
 */
export class SpecMemo {
  private readonly last = new WeakMap<PodSpec, Derived>();

  /** `make(input, a, b, c)`, reused while `input` and the parameters stay the same (a plain function: no closure per call). */
  derive<A, B, C>(input: PodSpec, a: A, b: B, c: C, make: (input: PodSpec, a: A, b: B, c: C) => PodSpec): PodSpec {
    const hit = this.last.get(input);
    if (hit !== undefined && hit.a === a && hit.b === b && hit.c === c) return hit.spec;
    const spec = make(input, a, b, c);
    this.last.set(input, { a, b, c, spec });
    return spec;
  }
}
