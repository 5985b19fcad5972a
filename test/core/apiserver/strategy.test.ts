/**
 * The strategies build their objects key by key (strategy.ts, decorate.ts shallowCopy) rather than
 * with spreads; these properties pin that down against the spread forms they replaced: same keys,
 * same order, same values (compared serialised, so order counts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Condition, KubeObject, ObjectMeta, Pod, PodConditionType } from '../../../core/api/types.js';
import { resourceForPlural } from '../../../core/api/registry.js';
import type { ResourceInfo } from '../../../core/api/registry.js';
import { prepareBinding, prepareCreate } from '../../../core/apiserver/strategy.js';
import type { CreateContext } from '../../../core/apiserver/strategy.js';
import type { Binding } from '../../../core/apiserver/protocol.js';

const SEED = 4409;

function spreadCreate(r: ResourceInfo, body: KubeObject, c: CreateContext, name: string): KubeObject {
  const meta = body.metadata;
  const { resourceVersion: _rv, deletionTimestamp: _dt, deletionGracePeriodSeconds: _dg, ...rest } = meta;
  const namespace = r.namespaced ? (c.namespace ?? meta.namespace ?? 'default') : undefined;
  const metadata = { ...rest, name, ...(namespace === undefined ? {} : { namespace }), uid: c.uid, creationTimestamp: c.nowSeconds, generation: 1 };
  const { namespace: _ns, ...clusterMeta } = metadata as typeof metadata & { namespace?: string };
  return { ...body, metadata: r.namespaced ? metadata : clusterMeta } as KubeObject;
}

function spreadBinding(old: Pod, node: string, now: number): Pod {
  const scheduled: Condition<PodConditionType> = { type: 'PodScheduled', status: 'True', lastTransitionTime: now };
  const conditions = [...(old.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled'), scheduled];
  const { resourceVersion: _rv, ...meta } = old.metadata;
  return { ...old, metadata: meta, spec: { ...old.spec, nodeName: node }, status: { ...(old.status ?? {}), conditions } };
}

/** Metadata with any subset of these fields, in any order. */
const metaArb = fc.shuffledSubarray([
  ['name', 'web-1'], ['generateName', 'web-'], ['namespace', 'team-a'], ['resourceVersion', '7'], ['deletionTimestamp', 5],
  ['deletionGracePeriodSeconds', 30], ['labels', { app: 'web' }], ['uid', 'client-uid'], ['generation', 4], ['finalizers', ['x/y']],
] as [string, unknown][]).map((entries) => Object.fromEntries(entries) as ObjectMeta);

describe(`strategies build what the spreads built (fast-check seed ${SEED})`, () => {
  it('prepareCreate, namespaced and cluster-scoped, with or without a request namespace', () => {
    fc.assert(fc.property(metaArb, fc.constantFrom('pods', 'nodes'), fc.constantFrom(undefined, 'ns-req'), (metadata, plural, reqNs) => {
      const r = resourceForPlural(plural);
      assert.ok(r !== undefined);
      const body = (plural === 'pods'
        ? { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [] } }
        : { kind: 'Node', metadata, apiVersion: 'v1', spec: {} }) as KubeObject;
      const c: CreateContext = { namespace: reqNs, nowSeconds: 12, uid: 'server-uid', nameSuffix: 'abcde' };
      const got = prepareCreate(r, body, c);
      const name = metadata.name ?? '';
      const expectedName = name === '' && metadata.generateName !== undefined ? `${metadata.generateName}abcde` : name;
      if (!got.ok) return expectedName === '' || (r.namespaced && metadata.namespace !== undefined && reqNs !== undefined && metadata.namespace !== reqNs);
      return JSON.stringify(got.object) === JSON.stringify(spreadCreate(r, body, c, expectedName));
    }), { seed: SEED, numRuns: 500 });
  });
  it('prepareBinding', () => {
    const conds = fc.subarray([{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'False' }] as Condition<PodConditionType>[]);
    fc.assert(fc.property(metaArb, conds, fc.boolean(), fc.boolean(), (metadata, conditions, withStatus, withNodeKey) => {
      const old: Pod = {
        apiVersion: 'v1', kind: 'Pod', metadata,
        spec: withNodeKey ? { nodeName: '', containers: [] } : { containers: [] },
        ...(withStatus ? { status: { phase: 'Pending', conditions } } : {}),
      };
      const binding: Binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web-1' }, target: { name: 'n1' } } as Binding;
      const got = prepareBinding(old, binding, 9);
      if (metadata.deletionTimestamp !== undefined) return !got.ok;
      return got.ok && JSON.stringify(got.object) === JSON.stringify(spreadBinding(old, 'n1', 9));
    }), { seed: SEED, numRuns: 300 });
  });
});
