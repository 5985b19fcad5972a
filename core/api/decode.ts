/**
 * Decoding of plain JSON-like values (parsed YAML or JSON) into typed objects, strictly:
 * unknown fields and wrong JSON types are errors naming the field path, as the API server's strict
 * field validation reports them. Semantic checks (ranges, formats, required fields) are left to
 * validation.ts so that both run and report together with paths.
 */
import type { FieldError } from './fieldError.js';
import { child, index, key, typeInvalid, required, invalid } from './fieldError.js';
import type { Schema } from './schema.js';
import { KIND_SCHEMAS } from './schema.js';
import type { KubeObject } from './types.js';
import { resourceForKind } from './registry.js';
import { formatQuantity, parseQuantity } from './quantity.js';

export type DecodeResult =
  | { readonly ok: true; readonly object: KubeObject }
  | { readonly ok: false; readonly errors: readonly FieldError[] };

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes `v` against `schema`; pushes errors and returns the normalised value (quantities as
 * canonical-as-written strings, `null` fields dropped), or undefined when it cannot be used.
 */
export function decodeValue(v: unknown, schema: Schema, path: string, errs: FieldError[]): unknown {
  switch (schema.t) {
    case 'any':
      return v;
    case 'string':
      if (typeof v === 'string') return v;
      errs.push(typeInvalid(path, v, `expected string, got ${describe(v)}`));
      return undefined;
    case 'int':
      if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
      errs.push(typeInvalid(path, v, `expected integer, got ${typeof v === 'number' ? 'non-integer number' : describe(v)}`));
      return undefined;
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      errs.push(typeInvalid(path, v, `expected number, got ${describe(v)}`));
      return undefined;
    case 'bool':
      if (typeof v === 'boolean') return v;
      errs.push(typeInvalid(path, v, `expected boolean, got ${describe(v)}`));
      return undefined;
    case 'time':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      errs.push(typeInvalid(path, v, `expected simulated seconds (number), got ${describe(v)}`));
      return undefined;
    case 'intOrString':
      if (typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v))) return v;
      errs.push(typeInvalid(path, v, `expected integer or string, got ${describe(v)}`));
      return undefined;
    case 'quantity':
      return decodeQuantity(v, path, errs);
    case 'array': {
      if (!Array.isArray(v)) {
        errs.push(typeInvalid(path, v, `expected array, got ${describe(v)}`));
        return undefined;
      }
      return v.map((item, i) => decodeValue(item, schema.of, index(path, i), errs));
    }
    case 'map': {
      if (!isPlainObject(v)) {
        errs.push(typeInvalid(path, v, `expected object, got ${describe(v)}`));
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        if (item === null && schema.of.t !== 'any') continue;
        out[k] = decodeValue(item, schema.of, key(path, k), errs);
      }
      return out;
    }
    case 'object': {
      if (!isPlainObject(v)) {
        errs.push(typeInvalid(path, v, `expected object, got ${describe(v)}`));
        return undefined;
      }
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const p = child(path, k);
        const fieldSchema = Object.prototype.hasOwnProperty.call(schema.fields, k) ? schema.fields[k] : undefined;
        if (fieldSchema === undefined) {
          errs.push({ type: 'FieldValueNotFound', field: p, detail: `unknown field "${k}"` });
          continue;
        }
        if (item === null) continue; // `field: null` means unset, as in JSON decoding into Go structs
        const decoded = decodeValue(item, fieldSchema, p, errs);
        if (decoded !== undefined) out[k] = decoded;
      }
      for (const r of schema.required ?? []) {
        if (v[r] === undefined || v[r] === null) errs.push(required(child(path, r)));
      }
      return out;
    }
  }
}

/** YAML numbers become quantity strings (`cpu: 1` → `"1"`, `cpu: 0.5` → `"500m"` canonicalised). */
function decodeQuantity(v: unknown, path: string, errs: FieldError[]): string | undefined {
  let text: string;
  if (typeof v === 'string') text = v;
  else if (typeof v === 'number' && Number.isFinite(v)) text = String(v);
  else {
    errs.push(typeInvalid(path, v, `expected quantity (string or number), got ${describe(v)}`));
    return undefined;
  }
  const r = parseQuantity(text);
  if (!r.ok) {
    errs.push(invalid(path, v, r.error));
    return undefined;
  }
  // Numbers like 1e-7 print in exponent form in JS; keep a canonical spelling so it parses back.
  return typeof v === 'number' && !/^-?[0-9]+(\.[0-9]+)?$/.test(text) ? formatQuantity(r.quantity) : text;
}

/**
 * Decodes one manifest document into a KubeObject: `apiVersion`/`kind` must name a served
 * resource, then every field is checked against the kind's schema.
 */
export function decodeObject(raw: unknown): DecodeResult {
  if (!isPlainObject(raw)) return { ok: false, errors: [typeInvalid('', raw, `expected an object, got ${describe(raw)}`)] };
  const errs: FieldError[] = [];
  const kind = raw['kind'];
  const apiVersion = raw['apiVersion'];
  if (typeof kind !== 'string' || kind === '') errs.push(required('kind', "Object 'Kind' is missing"));
  if (typeof apiVersion !== 'string' || apiVersion === '') errs.push(required('apiVersion', "Object 'apiVersion' is missing"));
  if (typeof kind !== 'string' || typeof apiVersion !== 'string' || errs.length > 0) return { ok: false, errors: errs };
  const info = resourceForKind(kind);
  if (info === undefined) return { ok: false, errors: [invalid('kind', kind, `no matches for kind "${kind}" in version "${apiVersion}"`)] };
  if (info.apiVersion !== apiVersion) {
    return { ok: false, errors: [invalid('apiVersion', apiVersion, `no matches for kind "${kind}" in version "${apiVersion}" (served as ${info.apiVersion})`)] };
  }
  const decoded = decodeValue(raw, KIND_SCHEMAS[info.kind], '', errs);
  if (errs.length > 0 || decoded === undefined) return { ok: false, errors: errs };
  // The schema walk guarantees the shape; the cast is the one place structure becomes a type.
  return { ok: true, object: decoded as KubeObject };
}
