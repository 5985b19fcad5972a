import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseQuantity, mustParseQuantity, milliValue, value, formatQuantity, parseMilli, parseValue,
  canonicalQuantity, formatMilli, formatBytes, QuantityError, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR,
  compareQuantity, addQuantity,
} from '../../../core/api/quantity.js';
import type { Quantity, QuantityFormat } from '../../../core/api/quantity.js';

const SEED = 4242;

describe('quantity parsing (apimachinery resource.ParseQuantity)', () => {
  it('parses cpu-like values to exact milli-units', () => {
    assert.equal(parseMilli('100m'), 100);
    assert.equal(parseMilli('1.5'), 1500);
    assert.equal(parseMilli('1'), 1000);
    assert.equal(parseMilli('0.1'), 100);
    assert.equal(parseMilli('.5'), 500);
    assert.equal(parseMilli('5.'), 5000);
    assert.equal(parseMilli('1e3'), 1_000_000);
    assert.equal(parseMilli('1E3'), 1_000_000);
    assert.equal(parseMilli('1e-3'), 1);
    assert.equal(parseMilli('+2'), 2000);
    assert.equal(parseMilli('-2'), -2000);
    assert.equal(parseMilli('2k'), 2_000_000);
    assert.equal(parseMilli('500u'), 1); // rounds up to 1m
    assert.equal(parseMilli('0'), 0);
  });

  it('parses memory to exact bytes, decimal and binary SI', () => {
    assert.equal(parseValue('16Gi'), 16 * 2 ** 30);
    assert.equal(parseValue('500Mi'), 500 * 2 ** 20);
    assert.equal(parseValue('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(parseValue('2k'), 2000);
    assert.equal(parseValue('1M'), 1e6);
    assert.equal(parseValue('1G'), 1e9);
    assert.equal(parseValue('1T'), 1e12);
    assert.equal(parseValue('1P'), 1e15);
    assert.equal(parseValue('1Ki'), 1024);
    assert.equal(parseValue('1e3'), 1000);
    assert.equal(parseValue('128974848'), 128974848);
    assert.equal(parseValue('129e6'), 129e6);
    assert.equal(parseValue('123Mi'), 128974848);
    assert.equal(parseValue('100m'), 1); // Value() rounds up
    assert.equal(mustParseQuantity('1E').nanos, 10n ** 27n); // E alone is exa
  });

  it('rounds amounts finer than 1n up, away from zero', () => {
    assert.equal(mustParseQuantity('0.1n').nanos, 1n);
    assert.equal(mustParseQuantity('-0.1n').nanos, -1n);
    assert.equal(mustParseQuantity('1e-100').nanos, 1n);
    assert.equal(mustParseQuantity('0e-100').nanos, 0n);
  });

  it('rejects bad input with upstream messages and never throws', () => {
    for (const bad of ['', ' 1', '1 ', 'abc', '1.2.3', '--1', '1K', '1Kib', '1e', '1e3.5', '1iB', 'Mi', '.', '1,000']) {
      const r = parseQuantity(bad);
      assert.equal(r.ok, false, bad);
    }
    const r = parseQuantity('');
    assert.ok(!r.ok && r.error === QUANTITY_FORMAT_ERROR);
    const s = parseQuantity('1K');
    assert.ok(!s.ok && s.error === QUANTITY_SUFFIX_ERROR);
    assert.throws(() => parseMilli('zz'), QuantityError);
  });

  it('formats canonically like Quantity.String()', () => {
    const cases: [string, string][] = [
      ['100m', '100m'], ['1.5', '1500m'], ['0.5', '500m'], ['1000', '1k'], ['1500', '1500'], ['1e3', '1e3'],
      ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'], ['512Ki', '512Ki'], ['0.5Ki', '512'], ['1000Mi', '1000Mi'],
      ['12e6', '12e6'], ['0.0015', '1500u'], ['1', '1'], ['0', '0'], ['-1.5', '-1500m'], ['16Gi', '16Gi'],
      ['0.1Ki', '102400m'], ['1E', '1E'], ['100e-3', '100e-3'],
    ];
    for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
    assert.equal(formatMilli(1500), '1500m');
    assert.equal(formatMilli(2000), '2');
    assert.equal(formatBytes(16 * 2 ** 30), '16Gi');
    assert.equal(formatBytes(100), '100');
  });

  it('compares and adds exactly', () => {
    assert.equal(compareQuantity(mustParseQuantity('1Gi'), mustParseQuantity('1G')), 1);
    assert.equal(compareQuantity(mustParseQuantity('1000m'), mustParseQuantity('1')), 0);
    assert.equal(milliValue(addQuantity(mustParseQuantity('100m'), mustParseQuantity('0.9'))), 1000);
    assert.equal(value(addQuantity(mustParseQuantity('0'), mustParseQuantity('1Ki'))), 1024);
  });
});

const suffixes = ['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'e3', 'e-2', 'E6'];
const quantityString = fc.tuple(
  fc.constantFrom('', '+', '-'),
  fc.stringMatching(/^[0-9]{1,8}$/),
  fc.option(fc.stringMatching(/^[0-9]{0,6}$/), { nil: undefined }),
  fc.constantFrom(...suffixes),
).map(([sign, whole, frac, suffix]) => `${sign}${whole}${frac === undefined ? '' : `.${frac}`}${suffix}`);

const quantity: fc.Arbitrary<Quantity> = fc.record({
  nanos: fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
  format: fc.constantFrom<QuantityFormat>('DecimalSI', 'BinarySI', 'DecimalExponent'),
});

describe(`quantity properties (fast-check seed ${SEED})`, () => {
  it('every well-formed string parses', () => {
    fc.assert(fc.property(quantityString, (s) => parseQuantity(s).ok), { seed: SEED, numRuns: 2000 });
  });

  it('format then parse round-trips the exact amount', () => {
    fc.assert(fc.property(quantity, (q) => {
      const back = mustParseQuantity(formatQuantity(q));
      return back.nanos === q.nanos;
    }), { seed: SEED, numRuns: 3000 });
  });

  it('canonical form is a fixed point', () => {
    fc.assert(fc.property(quantityString, (s) => {
      const once = canonicalQuantity(s);
      return canonicalQuantity(once) === once;
    }), { seed: SEED, numRuns: 2000 });
  });

  it('milli-values of decimal integers with m suffix are the integer itself', () => {
    fc.assert(fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => parseMilli(`${n}m`) === n && parseMilli(formatMilli(n)) === n), { seed: SEED });
  });

  it('binary suffixes scale by powers of 1024', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 3 }), (n, p) => {
      const suffix = ['Ki', 'Mi', 'Gi', 'Ti'][p] ?? '';
      return mustParseQuantity(`${n}${suffix}`).nanos === BigInt(n) * 1024n ** BigInt(p + 1) * 1_000_000_000n;
    }), { seed: SEED });
  });
});
