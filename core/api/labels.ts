/**
 * Label selectors with metav1.LabelSelector semantics.
 *
 * - Requirements (each matchLabels entry and each matchExpressions item) are ANDed.
 * - `In`: the key is present and its value is listed. `NotIn`: the key is absent OR its value is
 *   not listed (so `NotIn` matches objects without the label, as upstream). `Exists` /
 *   `DoesNotExist`: presence only.
 * - An empty selector `{}` matches everything; an absent selector (`undefined`) matches nothing,
 *   as metav1.LabelSelectorAsSelector(nil) returns labels.Nothing().
 */
import type { LabelSelector, LabelSelectorRequirement, StringMap } from './types.js';
import type { FieldError } from './fieldError.js';
import { child, index, invalid, key as keyPath, required, notSupported, forbidden } from './fieldError.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** A compiled selector: cheap to call repeatedly (the scheduler matches many pods per cycle). */
export type LabelMatcher = (labels: StringMap | undefined) => boolean;

const EMPTY: StringMap = Object.freeze({});

const matchNothing: LabelMatcher = () => false;
const matchEverything: LabelMatcher = () => true;

function has(labels: StringMap, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, k);
}

function compileRequirement(r: LabelSelectorRequirement): (labels: StringMap) => boolean {
  const k = r.key;
  switch (r.operator) {
    case 'In': {
      const values = new Set(r.values ?? []);
      return (l) => has(l, k) && values.has(l[k] ?? '');
    }
    case 'NotIn': {
      const values = new Set(r.values ?? []);
      return (l) => !has(l, k) || !values.has(l[k] ?? '');
    }
    case 'Exists':
      return (l) => has(l, k);
    case 'DoesNotExist':
      return (l) => !has(l, k);
  }
}

/** Compiles a selector once for repeated matching. Assumes the selector passed validation. */
export function compileSelector(selector: LabelSelector | undefined): LabelMatcher {
  if (selector === undefined) return matchNothing;
  const checks: ((labels: StringMap) => boolean)[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) checks.push((l) => has(l, k) && l[k] === v);
  for (const r of selector.matchExpressions ?? []) checks.push(compileRequirement(r));
  if (checks.length === 0) return matchEverything;
  return (labels) => {
    const l = labels ?? EMPTY;
    for (const c of checks) if (!c(l)) return false;
    return true;
  };
}

/** Whether `labels` satisfy `selector` (absent selector: false; empty selector: true). */
export function matches(selector: LabelSelector | undefined, labels: StringMap | undefined): boolean {
  return compileSelector(selector)(labels);
}

/** Whether the selector selects everything (`{}`), which controllers must refuse as too broad. */
export function isEmptySelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

/** The selector that matches exactly the given labels (labels.SelectorFromSet). */
export function selectorFromSet(labels: StringMap): LabelSelector {
  return { matchLabels: { ...labels } };
}

/** Validates label keys and values; errors are keyed like upstream (`metadata.labels`). */
export function validateLabels(labels: StringMap | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (labels === undefined) return errs;
  // Keys rather than entries: one array per call, not one per label.
  for (const k of Object.keys(labels)) {
    const v = labels[k] as string;
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of isValidLabelValue(v)) errs.push(invalid(keyPath(path, k), v, m));
  }
  return errs;
}

const OPERATORS = ['DoesNotExist', 'Exists', 'In', 'NotIn'] as const;

/** Validates a LabelSelector as metav1validation.ValidateLabelSelector does. */
export function validateLabelSelector(selector: LabelSelector | undefined, path: string): FieldError[] {
  if (selector === undefined) return [];
  const errs = validateLabels(selector.matchLabels, child(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((r, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), 'must be specified when `operator` is \'In\' or \'NotIn\''));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        break;
      default:
        errs.push(notSupported(child(p, 'operator'), r.operator, OPERATORS));
    }
    for (const m of isQualifiedName(r.key)) errs.push(invalid(child(p, 'key'), r.key, m));
    values.forEach((v, j) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(index(child(p, 'values'), j), v, m));
    });
  });
  return errs;
}

// ───────────────────────────── string form ─────────────────────────────

export type SelectorParseResult =
  | { readonly ok: true; readonly selector: LabelSelector }
  | { readonly ok: false; readonly error: string };

type Token =
  | { readonly t: 'id'; readonly v: string }
  | { readonly t: 'op'; readonly v: '=' | '==' | '!=' | '!' | ',' | '(' | ')' };

const ID_CHAR = /[A-Za-z0-9_./-]/;

function tokenize(input: string): Token[] | string {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (c === '=' || c === '!') {
      const next = input[i + 1];
      if (next === '=') {
        out.push({ t: 'op', v: c === '=' ? '==' : '!=' });
        i += 2;
      } else {
        out.push({ t: 'op', v: c });
        i++;
      }
    } else if (c === ',' || c === '(' || c === ')') {
      out.push({ t: 'op', v: c });
      i++;
    } else if (ID_CHAR.test(c)) {
      let j = i;
      while (j < input.length && ID_CHAR.test(input[j] ?? '')) j++;
      out.push({ t: 'id', v: input.slice(i, j) });
      i = j;
    } else {
      return `unexpected character ${JSON.stringify(c)} at position ${i}`;
    }
  }
  return out;
}

/**
 * Parses the string form used by `kubectl -l` and field `selector` strings:
 * `app=web,tier!=db,env in (prod,staging),release notin (canary),gpu,!legacy`.
 * `=`/`==` become `In [v]`, `!=` becomes `NotIn [v]` (both upstream semantics). The result is a
 * LabelSelector of matchExpressions in the written order, validated like any selector.
 */
export function parseSelector(input: string): SelectorParseResult {
  const tokens = tokenize(input);
  if (typeof tokens === 'string') return { ok: false, error: tokens };
  const reqs: LabelSelectorRequirement[] = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const fail = (msg: string): SelectorParseResult => ({ ok: false, error: `unable to parse requirement: ${msg}` });
  while (i < tokens.length) {
    let negated = false;
    if (peek()?.v === '!' && peek()?.t === 'op') {
      negated = true;
      i++;
    }
    const k = peek();
    if (k === undefined || k.t !== 'id') return fail(`expected a key at token ${i}`);
    i++;
    const op = peek();
    if (negated) {
      reqs.push({ key: k.v, operator: 'DoesNotExist' });
    } else if (op === undefined || (op.t === 'op' && op.v === ',')) {
      reqs.push({ key: k.v, operator: 'Exists' });
    } else if (op.t === 'op' && (op.v === '=' || op.v === '==' || op.v === '!=')) {
      i++;
      const v = peek();
      let value = '';
      if (v !== undefined && v.t === 'id') {
        value = v.v;
        i++;
      }
      reqs.push({ key: k.v, operator: op.v === '!=' ? 'NotIn' : 'In', values: [value] });
    } else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin')) {
      i++;
      if (peek()?.v !== '(') return fail(`expected '(' after '${op.v}'`);
      i++;
      // Empty slots between commas are empty-string values, as upstream's lexer reads `(a,,b)`.
      const values: string[] = [];
      let expectValue = true;
      let sawComma = false;
      for (;;) {
        const v = peek();
        if (v === undefined) return fail('unterminated value set');
        i++;
        if (v.t === 'op' && v.v === ')') {
          if (expectValue && sawComma) values.push('');
          break;
        }
        if (v.t === 'id' && expectValue) {
          values.push(v.v);
          expectValue = false;
        } else if (v.t === 'op' && v.v === ',') {
          if (expectValue) values.push('');
          expectValue = true;
          sawComma = true;
        } else {
          return fail(`unexpected '${v.v}' in value set`);
        }
      }
      if (values.length === 0) return fail(`for 'in', 'notin' operators, values set can't be empty`);
      reqs.push({ key: k.v, operator: op.v === 'in' ? 'In' : 'NotIn', values });
    } else {
      return fail(`unexpected '${op.v}' after key '${k.v}'`);
    }
    const sep = peek();
    if (sep !== undefined) {
      if (sep.t !== 'op' || sep.v !== ',') return fail(`expected ',' but found '${sep.v}'`);
      i++;
      if (i >= tokens.length) return fail('trailing comma');
    }
  }
  const selector: LabelSelector = reqs.length === 0 ? {} : { matchExpressions: reqs };
  const errs = validateLabelSelector(selector, '');
  const first = errs[0];
  if (first !== undefined) return { ok: false, error: `${first.field}: ${first.detail}` };
  return { ok: true, selector };
}

/** The string form, requirements sorted by key as upstream's Selector.String() prints them. */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '';
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push({ key: k, text: `${k}=${v}` });
  for (const r of selector.matchExpressions ?? []) {
    const values = [...(r.values ?? [])].sort();
    let text: string;
    switch (r.operator) {
      case 'In':
        text = values.length === 1 ? `${r.key}=${values[0] ?? ''}` : `${r.key} in (${values.join(',')})`;
        break;
      case 'NotIn':
        text = values.length === 1 ? `${r.key}!=${values[0] ?? ''}` : `${r.key} notin (${values.join(',')})`;
        break;
      case 'Exists':
        text = r.key;
        break;
      case 'DoesNotExist':
        text = `!${r.key}`;
        break;
    }
    parts.push({ key: r.key, text });
  }
  parts.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  return parts.map((p) => p.text).join(',');
}
