/**
 * Field errors, shaped like apimachinery's field.Error: what the API server returns as the
 * causes of a 422 Invalid, and what the manifest loader prefixes with file:line:col.
 */

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotFound';

export interface FieldError {
  readonly type: FieldErrorType;
  /** Dotted path with indexes and map keys: `spec.template.spec.containers[0].image`, `metadata.labels[app]`. */
  readonly field: string;
  readonly detail: string;
  /** Only when the value is worth echoing; rendered as upstream does (strings quoted). */
  readonly badValue?: unknown;
}

/** Path builder: `child(p, 'spec')`, `index(p, 0)`, `key(p, 'app')`. An empty parent yields just the child. */
export function child(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

export function index(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

export function key(parent: string, k: string): string {
  return `${parent}[${k}]`;
}

export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail };
}

export function invalid(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, detail, badValue };
}

export function notSupported(field: string, badValue: unknown, valid: readonly string[]): FieldError {
  return { type: 'FieldValueNotSupported', field, detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}`, badValue };
}

export function forbidden(field: string, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field, detail };
}

export function duplicate(field: string, badValue: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, detail: '', badValue };
}

export function tooLong(field: string, maxLength: number): FieldError {
  return { type: 'FieldValueTooLong', field, detail: `must have at most ${maxLength} bytes` };
}

export function typeInvalid(field: string, badValue: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field, detail, badValue };
}

export function notFound(field: string, badValue: unknown): FieldError {
  return { type: 'FieldValueNotFound', field, detail: '', badValue };
}

const TYPE_TEXT: Readonly<Record<FieldErrorType, string>> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v) ?? String(v);
}

/** The message text without the field: `Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorMessage(e: FieldError): string {
  // Strict decoding's unknown-field errors carry their whole text in the detail.
  if (e.type === 'FieldValueNotFound' && !('badValue' in e)) return e.detail;
  const parts = [TYPE_TEXT[e.type]];
  if ('badValue' in e && e.type !== 'FieldValueRequired' && e.type !== 'FieldValueForbidden' && e.type !== 'FieldValueTooLong') {
    parts.push(renderValue(e.badValue));
  }
  if (e.detail !== '') parts.push(e.detail);
  return parts.join(': ');
}

/** As upstream's field.Error.Error(): `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function formatFieldError(e: FieldError): string {
  return e.field === '' ? fieldErrorMessage(e) : `${e.field}: ${fieldErrorMessage(e)}`;
}
