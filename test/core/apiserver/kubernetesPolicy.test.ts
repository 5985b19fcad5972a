import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ms, s } from '../../../sim/index.js';
import type { Pod } from '../../../core/api/types.js';
import { defaultTokenTable } from '../../../core/api/authn.js';
import { kubernetesPolicy } from '../../../core/api/kubernetesPolicy.js';
import type { ApiResult } from '../../../core/apiserver/protocol.js';
import { buildWorld } from './harness.js';
import { pod } from './fixtures.js';

const code = (r: ApiResult<unknown> | undefined): number => (r === undefined ? -1 : r.ok ? 200 : r.status.code);

describe('the pipeline with core/api’s Kubernetes policy (RBAC + node authorizer + admission)', () => {
  it('defaults tolerations, rejects invalid pods with field paths, confines kubelets to their pods and lets the scheduler bind', () => {
    const policy = kubernetesPolicy({ tokens: defaultTokenTable(['worker-1', 'worker-2']), admission: { namespaceLifecycle: false } });
    const w = buildWorld({ seed: 31, policy });
    const admin = w.addDriver('admin', 'token-admin');
    const sched = w.addDriver('sched', 'token-kube-scheduler');
    const kubelet1 = w.addDriver('kubelet-1', 'token-kubelet-worker-1');
    const r: Record<string, ApiResult<Pod>> = {};
    w.sim.at(ms(10), 'create', () =>
      admin.run((ctx) => {
        admin.client.create(ctx, 'pods', pod('a'), (x) => (r['create'] = x));
        admin.client.create(ctx, 'pods', { ...pod('bad'), spec: { containers: [] } }, (x) => (r['invalid'] = x));
      }),
    );
    w.sim.at(ms(50), 'bind', () =>
      sched.run((ctx) => {
        sched.client.bind(ctx, 'default', 'a', 'worker-2', (x) => (r['bind'] = x));
      }),
    );
    w.sim.at(ms(100), 'kubelet-1 touches worker-2’s pod', () =>
      kubelet1.run((ctx) => {
        kubelet1.client.get(ctx, 'pods', 'default', 'a', (g) => (r['kubeletGet'] = g));
        const bound = r['bind'];
        if (bound?.ok) kubelet1.client.updateStatus(ctx, 'pods', { ...bound.object, status: { phase: 'Running' } }, (x) => (r['kubeletStatus'] = x));
      }),
    );
    w.sim.at(ms(150), 'scheduler creates a pod', () => sched.run((ctx) => sched.client.create(ctx, 'pods', pod('nope'), (x) => (r['schedCreate'] = x))));
    w.sim.run({ until: s(1) });

    const created = r['create'];
    assert.ok(created?.ok, JSON.stringify(created));
    const tol = created.object.spec.tolerations ?? [];
    assert.ok(tol.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.tolerationSeconds === 300), 'DefaultTolerationSeconds added the not-ready toleration');
    assert.ok(tol.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.tolerationSeconds === 300));
    const bad = r['invalid'];
    assert.equal(code(bad), 422);
    assert.ok(bad !== undefined && !bad.ok && /spec\.containers/.test(bad.status.message), bad !== undefined && !bad.ok ? bad.status.message : '');
    assert.equal(code(r['bind']), 200);
    assert.equal(code(r['kubeletGet']), 403, 'a kubelet may not read pods bound elsewhere');
    assert.equal(code(r['kubeletStatus']), 403, 'the node authorizer confines a kubelet to pods bound to its node');
    assert.equal(code(r['schedCreate']), 403, 'RBAC: the scheduler may not create pods');
    const stages = w.observations.filter((o) => o.obs['code'] !== 200).map((o) => `${String(o.obs['code'])}:${String(o.obs['stage'])}`);
    assert.ok(stages.includes('422:schema'));
    assert.ok(stages.includes('403:authorization'));
  });
});
