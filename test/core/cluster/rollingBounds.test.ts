// deployment.rollingBounds judged from committed objects (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RollingBoundsChecker, fenceposts } from '../../../core/cluster/rollingBounds.js';
import type { Deployment, Pod, ReplicaSet } from '../../../core/api/types.js';

const dep = (replicas: number, extra: Partial<Deployment['spec']> = {}): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', uid: 'd1' },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }, ...extra },
});
const rs = (uid: string, replicas: number): ReplicaSet =>
  ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: uid, namespace: 'default', uid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
  }) as unknown as ReplicaSet;
const pod = (rsUid: string): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsUid, uid: rsUid }] }, spec: { containers: [] } }) as unknown as Pod;

describe('deployment.rollingBounds', () => {
  it('fenceposts: surge rounds up, unavailable rounds down, never both 0', () => {
    assert.deepEqual(fenceposts(dep(6)), { maxSurge: 2, maxUnavailable: 1 });
    assert.deepEqual(fenceposts(dep(1, { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } } })), { maxSurge: 0, maxUnavailable: 1 });
  });

  function setup(faulty = false): RollingBoundsChecker {
    const c = new RollingBoundsChecker(() => faulty);
    c.onDeployment(dep(4), 'd1');
    c.onReplicaSet(rs('old', 4), 'old', undefined);
    for (let i = 0; i < 4; i++) c.onReadyChange(pod('old'), 1);
    c.check(1_000_000);
    return c;
  }

  it('a rollout within maxSurge and maxUnavailable holds', () => {
    const c = setup();
    c.onReplicaSet(rs('new', 1), 'new', undefined); // 4 + 1 ≤ 4 + 1
    c.check(2_000_000);
    c.onReplicaSet(rs('old', 3), 'old', rs('old', 4));
    c.onReadyChange(pod('old'), -1); // 3 ready ≥ 4 − 1
    c.check(3_000_000);
    assert.deepEqual(c.result(), { name: 'deployment.rollingBounds', held: true, checked: true });
  });

  it('surging past maxSurge is a violation', () => {
    const c = setup();
    c.onReplicaSet(rs('new', 2), 'new', undefined); // 6 > 4 + 1
    c.check(2_000_000);
    const r = c.result();
    assert.equal(r.held, false);
    assert.equal(r.firstViolationAt, 2);
  });

  it('dropping below desired − maxUnavailable is a violation, unless a fault is active', () => {
    const c = setup();
    c.onReplicaSet(rs('new', 1), 'new', undefined);
    c.check(1_500_000);
    c.onReadyChange(pod('old'), -1);
    c.onReadyChange(pod('old'), -1); // 2 < 3
    c.check(2_000_000);
    assert.equal(c.result().held, false);
    const f = setup(true);
    f.onReplicaSet(rs('new', 2), 'new', undefined);
    f.check(2_000_000);
    assert.equal(f.result().held, true);
    assert.equal(f.result().checked, false);
  });
});
