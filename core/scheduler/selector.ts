import type { LabelSelector, NodeSelectorRequirement, NodeSelectorTerm, StringMap } from '../api/types.js';
import { assertNever } from '../util/assert.js';

/**
 * Label and node selectors compiled once per pod (in PodInfo) so that Filter and Score only walk
 * small arrays: the selector is evaluated for every node or every candidate pod of a cycle.
 */

type LabelOp = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOp;
  readonly values: ReadonlySet<string>;
}

/** A compiled `metav1.LabelSelector`. `nothing` is the nil selector of an affinity term (matches no pod). */
export interface CompiledLabelSelector {
  readonly nothing: boolean;
  readonly requirements: readonly LabelRequirement[];
  /** An equality pair usable for an index lookup (the first matchLabels entry or single-valued In), if any. */
  readonly indexKey: string | undefined;
  readonly indexValues: readonly string[] | undefined;
}

const EMPTY_SET: ReadonlySet<string> = new Set();

export const MATCH_NOTHING: CompiledLabelSelector = Object.freeze({
  nothing: true,
  requirements: [],
  indexKey: undefined,
  indexValues: undefined,
});
export const MATCH_EVERYTHING: CompiledLabelSelector = Object.freeze({
  nothing: false,
  requirements: [],
  indexKey: undefined,
  indexValues: undefined,
});

/** Compiles a label selector; `undefined` compiles to MATCH_NOTHING (upstream: a nil selector selects no pods). */
export function compileLabelSelector(selector: LabelSelector | undefined): CompiledLabelSelector {
  if (selector === undefined) return MATCH_NOTHING;
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, op: 'In', values: new Set([value]) });
  }
  for (const e of selector.matchExpressions ?? []) {
    requirements.push({ key: e.key, op: e.operator, values: e.values === undefined ? EMPTY_SET : new Set(e.values) });
  }
  // Sorted by key so that compiled selectors of equal meaning behave identically.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const first = requirements.find((r) => r.op === 'In');
  return {
    nothing: false,
    requirements,
    indexKey: first?.key,
    indexValues: first === undefined ? undefined : [...first.values].sort(),
  };
}

/** A selector matching exactly the given labels (used for the system default spread constraints). */
export function selectorFromLabels(labels: StringMap): CompiledLabelSelector {
  return compileLabelSelector({ matchLabels: labels });
}

export function matchesLabels(selector: CompiledLabelSelector, labels: StringMap): boolean {
  if (selector.nothing) return false;
  for (const r of selector.requirements) {
    const v = labels[r.key];
    switch (r.op) {
      case 'In':
        if (v === undefined || !r.values.has(v)) return false;
        break;
      case 'NotIn':
        if (v !== undefined && r.values.has(v)) return false;
        break;
      case 'Exists':
        if (v === undefined) return false;
        break;
      case 'DoesNotExist':
        if (v !== undefined) return false;
        break;
      default:
        assertNever(r.op, 'label selector operator');
    }
  }
  return true;
}

type NodeOp = NodeSelectorRequirement['operator'];

interface NodeRequirement {
  readonly key: string;
  readonly op: NodeOp;
  readonly values: ReadonlySet<string>;
  /** For Gt/Lt: the single integer value; NaN when unparsable (then the requirement never matches). */
  readonly bound: number;
}

/** A compiled NodeSelectorTerm: expressions on labels and fields (only metadata.name), ANDed. */
export interface CompiledNodeSelectorTerm {
  readonly expressions: readonly NodeRequirement[];
  readonly fields: readonly NodeRequirement[];
}

function compileRequirement(r: NodeSelectorRequirement): NodeRequirement {
  const values = r.values ?? [];
  const bound = values.length === 1 && /^-?\d+$/.test(values[0] ?? '') ? Number(values[0]) : NaN;
  return { key: r.key, op: r.operator, values: new Set(values), bound };
}

export function compileNodeSelectorTerm(term: NodeSelectorTerm): CompiledNodeSelectorTerm {
  return {
    expressions: (term.matchExpressions ?? []).map(compileRequirement),
    fields: (term.matchFields ?? []).map(compileRequirement),
  };
}

function requirementMatches(r: NodeRequirement, value: string | undefined): boolean {
  switch (r.op) {
    case 'In':
      return value !== undefined && r.values.has(value);
    case 'NotIn':
      return value === undefined || !r.values.has(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || Number.isNaN(r.bound)) return false;
      const n = Number(value);
      return r.op === 'Gt' ? n > r.bound : n < r.bound;
    }
    default:
      return assertNever(r.op, 'node selector operator');
  }
}

/** Upstream: a term with neither expressions nor fields matches no node. */
export function nodeTermMatches(term: CompiledNodeSelectorTerm, nodeName: string, labels: StringMap): boolean {
  if (term.expressions.length === 0 && term.fields.length === 0) return false;
  for (const r of term.expressions) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of term.fields) {
    // metadata.name is the only field selector upstream supports here.
    if (!requirementMatches(r, r.key === 'metadata.name' ? nodeName : undefined)) return false;
  }
  return true;
}

/** Terms are ORed; an empty term list matches nothing. */
export function nodeTermsMatch(terms: readonly CompiledNodeSelectorTerm[], nodeName: string, labels: StringMap): boolean {
  for (const t of terms) if (nodeTermMatches(t, nodeName, labels)) return true;
  return false;
}
