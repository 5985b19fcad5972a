import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matches, compileSelector, parseSelector, formatSelector, validateLabels, validateLabelSelector, selectorFromSet } from '../../../core/api/labels.js';
import type { LabelSelector, LabelSelectorRequirement } from '../../../core/api/types.js';

const SEED = 4243;

describe('label selector matching', () => {
  const labels = { app: 'web', tier: 'frontend', env: 'prod' };
  it('matchLabels and each operator', () => {
    assert.equal(matches({ matchLabels: { app: 'web' } }, labels), true);
    assert.equal(matches({ matchLabels: { app: 'db' } }, labels), false);
    assert.equal(matches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] }, labels), true);
    assert.equal(matches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels), false);
    assert.equal(matches({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, labels), true);
    assert.equal(matches({ matchExpressions: [{ key: 'missing', operator: 'In', values: ['x'] }] }, labels), false);
    assert.equal(matches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels), true);
    assert.equal(matches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, labels), false);
    assert.equal(matches({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, labels), false);
  });
  it('empty selector matches everything, absent selector nothing', () => {
    assert.equal(matches({}, labels), true);
    assert.equal(matches({}, undefined), true);
    assert.equal(matches(undefined, labels), false);
  });
  it('does not match inherited properties', () => {
    assert.equal(matches({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {}), false);
  });
});

describe('selector strings', () => {
  it('parses the kubectl form', () => {
    const r = parseSelector('app=web, tier!=db,env in (prod, staging),release notin (canary),gpu,!legacy');
    assert.ok(r.ok);
    assert.deepEqual(r.selector.matchExpressions, [
      { key: 'app', operator: 'In', values: ['web'] },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'env', operator: 'In', values: ['prod', 'staging'] },
      { key: 'release', operator: 'NotIn', values: ['canary'] },
      { key: 'gpu', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ]);
    assert.equal(formatSelector(r.selector), 'app=web,env in (prod,staging),gpu,!legacy,release!=canary,tier!=db');
  });
  it('rejects malformed strings', () => {
    for (const bad of ['app=', 'a in ()', 'a in (b', ',', 'a,', 'a b', 'a=b=c', '-bad=x', 'a=b$']) {
      if (bad === 'app=') continue; // empty value is valid upstream
      assert.equal(parseSelector(bad).ok, false, bad);
    }
    assert.ok(parseSelector('app=').ok);
    assert.ok(parseSelector('').ok);
  });
});

describe('label validation', () => {
  it('accepts valid keys and values', () => {
    assert.deepEqual(validateLabels({ 'app.kubernetes.io/name': 'web', 'topology.kubernetes.io/zone': 'us-east-1a', a: '' }, 'metadata.labels'), []);
  });
  it('rejects bad keys and values with field paths', () => {
    const errs = validateLabels({ 'bad key': 'v', ok: '-bad', ['x'.repeat(64)]: 'v' }, 'metadata.labels');
    assert.equal(errs.length, 3);
    assert.equal(errs[1]?.field, 'metadata.labels[ok]');
  });
  it('validates selector operators and values', () => {
    const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }] }, 'spec.selector');
    assert.deepEqual(errs.map((e) => `${e.type} ${e.field}`), [
      'FieldValueRequired spec.selector.matchExpressions[0].values',
      'FieldValueForbidden spec.selector.matchExpressions[1].values',
    ]);
  });
});

const keyArb = fc.constantFrom('app', 'tier', 'env', 'zone', 'x');
const valueArb = fc.constantFrom('a', 'b', 'c', '');
const labelsArb = fc.dictionary(keyArb, valueArb);
const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key: keyArb, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(valueArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ key: keyArb, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selectorArb: fc.Arbitrary<LabelSelector> = fc.record({ matchLabels: labelsArb, matchExpressions: fc.array(requirementArb, { maxLength: 4 }) }, { requiredKeys: [] });

/** A reference semantics written independently from the compiled matcher. */
function reference(sel: LabelSelector, labels: Record<string, string>): boolean {
  const ml = Object.entries(sel.matchLabels ?? {}).every(([k, v]) => k in labels && labels[k] === v);
  const me = (sel.matchExpressions ?? []).every((r) => {
    const present = Object.keys(labels).includes(r.key);
    const v = labels[r.key];
    if (r.operator === 'In') return present && (r.values ?? []).includes(v ?? '');
    if (r.operator === 'NotIn') return !present || !(r.values ?? []).includes(v ?? '');
    if (r.operator === 'Exists') return present;
    return !present;
  });
  return ml && me;
}

describe(`selector properties (fast-check seed ${SEED})`, () => {
  it('compiled matcher agrees with the reference semantics', () => {
    fc.assert(fc.property(selectorArb, labelsArb, (sel, labels) => compileSelector(sel)(labels) === reference(sel, labels)), { seed: SEED, numRuns: 3000 });
  });
  it('string form round-trips selector semantics', () => {
    fc.assert(fc.property(selectorArb, labelsArb, (sel, labels) => {
      const text = formatSelector(sel);
      const r = parseSelector(text);
      if (!r.ok) return false;
      return matches(r.selector, labels) === matches(sel, labels);
    }), { seed: SEED, numRuns: 3000 });
  });
  it('a set selects the labels it was built from and any superset', () => {
    fc.assert(fc.property(labelsArb, labelsArb, (a, extra) => matches(selectorFromSet(a), { ...extra, ...a })), { seed: SEED });
  });
  it('matchLabels is equivalent to In with one value', () => {
    fc.assert(fc.property(labelsArb, labelsArb, (ml, labels) => {
      const asIn: LabelSelector = { matchExpressions: Object.entries(ml).map(([key, v]) => ({ key, operator: 'In' as const, values: [v] })) };
      return matches({ matchLabels: ml }, labels) === matches(asIn, labels);
    }), { seed: SEED });
  });
});
