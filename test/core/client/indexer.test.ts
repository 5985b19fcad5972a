import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../core/api/types.js';
import { Indexer } from '../../../core/client/indexer.js';
import { pod } from '../apiserver/fixtures.js';

function owned(name: string, nodeName: string | undefined, ownerUid: string): Pod {
  const p = pod(name);
  return {
    ...p,
    metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: ownerUid }] },
    spec: nodeName === undefined ? p.spec : { ...p.spec, nodeName },
  };
}

describe('Indexer', () => {
  it('keeps only the indexes asked for, and the same answers from them as with all', () => {
    const all = new Indexer<Pod>();
    const some = new Indexer<Pod>(['owner']);
    const none = new Indexer<Pod>([]);
    for (const ix of [all, some, none]) {
      ix.upsert(owned('a', undefined, 'rs-1'));
      ix.upsert(owned('b', 'worker-1', 'rs-1'));
      ix.upsert(owned('a', 'worker-2', 'rs-1'));
      ix.remove('default/b');
    }
    for (const ix of [all, some]) assert.deepEqual(ix.byOwnerUid('rs-1').map((p) => p.metadata.name), ['a']);
    assert.deepEqual(all.byNodeName('worker-2').map((p) => p.metadata.name), ['a']);
    assert.equal(all.countByNodeName('worker-1'), 0);
    assert.deepEqual(all.byNamespace('default').map((p) => p.metadata.name), ['a']);
    for (const ix of [all, some, none]) {
      assert.equal(ix.size(), 1);
      assert.equal(ix.get('default/a')?.spec.nodeName, 'worker-2');
    }
    // Asking a cache for an index it does not keep is a bug in the caller, not an empty answer.
    assert.throws(() => some.byNodeName('worker-2'), /nodeName index was not asked for/);
    assert.throws(() => none.byOwnerUid('rs-1'), /owner index was not asked for/);
    assert.throws(() => none.byNamespace('default'), /namespace index was not asked for/);
  });
});
