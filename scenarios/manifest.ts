/**
 * Multi-document Kubernetes YAML manifests → typed objects, with `file:line:col: field.path:
 * message` in every error. Decoding is strict (unknown fields are errors) and each object is then
 * validated as the API server would (validation.ts), so `kubesim validate` reports what a real
 * `kubectl apply --dry-run=server` would, pointing at the line.
 *
 * The text arrives as a string: reading files is the caller's business (DESIGN: core/ knows no
 * files). The `yaml` package parses YAML 1.2; Kubernetes' go-yaml reads `yes`/`on` as booleans,
 * which manifests in the wild rarely rely on.
 */
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { FieldError } from '../core/api/fieldError.js';
import { fieldErrorMessage } from '../core/api/fieldError.js';
import { decodeObject } from '../core/api/decode.js';
import { validateObject } from '../core/api/validation.js';
import type { KubeObject } from '../core/api/types.js';

export interface ManifestError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** Field path inside the document, `''` for syntax errors and whole-document problems. */
  readonly field: string;
  readonly message: string;
}

export interface LoadedObject {
  readonly object: KubeObject;
  /** 0-based index of the YAML document in the file. */
  readonly document: number;
  readonly line: number;
  readonly col: number;
}

export type ManifestResult =
  | { readonly ok: true; readonly objects: readonly LoadedObject[] }
  | { readonly ok: false; readonly errors: readonly ManifestError[] };

export interface ManifestOptions {
  /** Run semantic validation after decoding (default true); structural errors are always reported. */
  readonly validate?: boolean;
}

/** `file:line:col: field.path: message`, or `file:line:col: message` without a field. */
export function formatManifestError(e: ManifestError): string {
  return e.field === '' ? `${e.file}:${e.line}:${e.col}: ${e.message}` : `${e.file}:${e.line}:${e.col}: ${e.field}: ${e.message}`;
}

/** Splits `spec.containers[0].image` / `metadata.labels[app.kubernetes.io/name]` into segments. */
export function fieldPathSegments(field: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < field.length) {
    const c = field[i];
    if (c === '.') {
      i++;
    } else if (c === '[') {
      const end = field.indexOf(']', i);
      const stop = end < 0 ? field.length : end;
      out.push(field.slice(i + 1, stop));
      i = stop + 1;
    } else {
      let j = i;
      while (j < field.length && field[j] !== '.' && field[j] !== '[') j++;
      out.push(field.slice(i, j));
      i = j;
    }
  }
  return out;
}

interface Located {
  readonly offset: number;
}

/**
 * The source offset of the deepest YAML node on `field`'s path: the value when the path
 * resolves fully, else the key of the last segment found (an unknown field points at its key).
 */
export function locateField(root: unknown, field: string): Located | undefined {
  let node: unknown = root;
  let at: Located | undefined = rangeStart(root);
  for (const seg of fieldPathSegments(field)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (pair === undefined) return at;
      const keyStart = rangeStart(pair.key);
      const valueStart = rangeStart(pair.value);
      at = valueStart ?? keyStart ?? at;
      // Point unknown/invalid leaf keys at the key itself when the value is a collection.
      node = pair.value;
      if (node === null || node === undefined) return keyStart ?? at;
    } else if (isSeq(node)) {
      const idx = Number(seg);
      const item: unknown = Number.isInteger(idx) ? node.items[idx] : undefined;
      if (item === undefined) return at;
      at = rangeStart(item) ?? at;
      node = item;
    } else {
      return at;
    }
  }
  return at;
}

/** For errors about a field that should not be there, the key is the clearest place to point. */
function locateKey(root: unknown, field: string): Located | undefined {
  const segs = fieldPathSegments(field);
  const last = segs.pop();
  if (last === undefined) return rangeStart(root);
  let node: unknown = root;
  for (const seg of segs) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg)?.value;
    else if (isSeq(node)) node = node.items[Number(seg)];
    else return locateField(root, field);
  }
  if (isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
    if (pair !== undefined) return rangeStart(pair.key);
  }
  return locateField(root, field);
}

function rangeStart(node: unknown): Located | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range: unknown = node.range;
  if (!Array.isArray(range) || typeof range[0] !== 'number') return undefined;
  return { offset: range[0] };
}

function listItems(raw: unknown, report: (fe: FieldError) => void): readonly unknown[] {
  const items = (raw as Record<string, unknown>)['items'];
  if (items === undefined || items === null) return [];
  if (!Array.isArray(items)) {
    report({ type: 'FieldValueTypeInvalid', field: 'items', detail: 'expected array', badValue: items });
    return [];
  }
  return items;
}

/** Parses and loads every document of a manifest file; errors from all documents are reported. */
export function loadManifests(text: string, file: string, options: ManifestOptions = {}): ManifestResult {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors: ManifestError[] = [];
  const objects: LoadedObject[] = [];
  const pos = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  if (!Array.isArray(docs)) return { ok: true, objects: [] }; // empty stream

  docs.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const lp = e.linePos?.[0] ?? pos(e.pos[0]);
        errors.push({ file, line: lp.line, col: lp.col, field: '', message: e.message.split('\n')[0] ?? e.message });
      }
      return;
    }
    if (doc.contents === null) return; // an empty document, e.g. after a trailing `---`
    const docStart = pos(rangeStart(doc.contents)?.offset ?? 0);
    const raw: unknown = doc.toJS({ maxAliasCount: 100 });
    if (raw === null || raw === undefined) return; // `---` with nothing (or only comments) after it
    const report = (fe: FieldError): void => {
      const notHere = fe.type === 'FieldValueNotFound' || fe.type === 'FieldValueForbidden';
      const at = notHere ? locateKey(doc.contents, fe.field) : locateField(doc.contents, fe.field);
      const p = at === undefined ? docStart : pos(at.offset);
      errors.push({ file, line: p.line, col: p.col, field: fe.field, message: fieldErrorMessage(fe) });
    };
    // `kind: List` (what `kubectl get -o yaml` prints) carries objects under `items`.
    const isList = typeof raw === 'object' && !Array.isArray(raw) && (raw as Record<string, unknown>)['kind'] === 'List';
    const items: readonly unknown[] = isList ? listItems(raw, report) : [raw];
    items.forEach((item, j) => {
      const prefix = isList ? `items[${j}]` : '';
      const reportItem = (fe: FieldError): void => report(prefix === '' ? fe : { ...fe, field: fe.field === '' ? prefix : `${prefix}.${fe.field}` });
      const decoded = decodeObject(item);
      if (!decoded.ok) {
        decoded.errors.forEach(reportItem);
        return;
      }
      if (options.validate !== false) {
        const fieldErrors = validateObject(decoded.object);
        if (fieldErrors.length > 0) {
          fieldErrors.forEach(reportItem);
          return;
        }
      }
      const at = isList ? locateField(doc.contents, prefix) : undefined;
      const p = at === undefined ? docStart : pos(at.offset);
      objects.push({ object: decoded.object, document: i, line: p.line, col: p.col });
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, objects };
}
