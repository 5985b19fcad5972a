/**
 * Structural equality of JSON-like values, as upstream's apiequality.Semantic.DeepEqual judges API
 * objects: key order does not matter, and a key holding undefined counts as absent (it would not be
 * serialised). Equal references short-circuit, the common case: objects are immutable and an update
 * mostly keeps the stored sub-objects.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Readonly<Record<string, unknown>>;
  const rb = b as Readonly<Record<string, unknown>>;
  // Counting keys rather than listing them: no arrays per comparison on the update path.
  let keysA = 0;
  for (const k in ra) {
    if (ra[k] === undefined) continue;
    keysA++;
    if (!deepEqual(ra[k], rb[k])) return false;
  }
  let keysB = 0;
  for (const k in rb) if (rb[k] !== undefined) keysB++;
  return keysA === keysB;
}
