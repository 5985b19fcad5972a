import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SortedKeys } from '../../../core/store/sortedKeys.js';

describe('SortedKeys (fast-check seed 3)', () => {
  it('behaves like a sorted set under random inserts, removes and prefix scans', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ add: fc.boolean(), key: fc.stringMatching(/^[ab]{0,12}$/) }), { maxLength: 3000 }),
        fc.stringMatching(/^[ab]{0,3}$/),
        (ops, prefix) => {
          const keys = new SortedKeys();
          const model = new Set<string>();
          for (const op of ops) {
            if (op.add) assert.equal(keys.insert(op.key), !model.has(op.key));
            else assert.equal(keys.remove(op.key), model.has(op.key));
            if (op.add) model.add(op.key);
            else model.delete(op.key);
          }
          const got: string[] = [];
          keys.forEachWithPrefix(prefix, (k) => void got.push(k));
          assert.deepEqual(got, [...model].filter((k) => k.startsWith(prefix)).sort());
          assert.equal(keys.size, model.size);
        },
      ),
      { seed: 3, numRuns: 60 },
    );
  });
});

describe('SortedKeys at scale', () => {
  it('keeps order across chunk splits and empties (20,000 keys)', () => {
    const keys = new SortedKeys();
    const all: string[] = [];
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const k = `/registry/pods/ns${x % 7}/p${x}`;
      if (keys.insert(k)) all.push(k);
    }
    for (const k of all.filter((_, i) => i % 3 === 0)) assert.ok(keys.remove(k));
    const left = all.filter((_, i) => i % 3 !== 0).sort();
    const got: string[] = [];
    keys.forEachWithPrefix('/registry/pods/', (k) => void got.push(k));
    assert.deepEqual(got, left);
    const ns3: string[] = [];
    keys.forEachWithPrefix('/registry/pods/ns3/', (k) => void ns3.push(k));
    assert.deepEqual(ns3, left.filter((k) => k.startsWith('/registry/pods/ns3/')));
  });

  it('fromSorted builds the same set as inserting one by one', () => {
    const sorted = Array.from({ length: 5_000 }, (_, i) => `/k/${String(i).padStart(5, '0')}`);
    const bulk = SortedKeys.fromSorted(sorted);
    assert.equal(bulk.size, sorted.length);
    const got: string[] = [];
    bulk.forEachWithPrefix('/k/01', (k) => void got.push(k));
    assert.deepEqual(got, sorted.filter((k) => k.startsWith('/k/01')));
    assert.ok(bulk.insert('/k/00000x'));
    assert.ok(bulk.remove('/k/04999'));
    assert.equal(bulk.size, sorted.length);
  });
});
