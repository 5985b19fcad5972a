import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { s } from '../../../sim/time.js';
import type { Pod } from '../../../core/api/types.js';
import { KubeScheduler } from '../../../core/scheduler/kubeScheduler.js';
import { SchedulerCheckers } from '../../../core/scheduler/checkers/schedulerCheckers.js';
import { buildWorld } from '../apiserver/harness.js';
import { node, pod } from './fixtures.js';

interface Bound {
  readonly t: number;
  readonly pod: string;
  readonly node: string;
  readonly object: Pod;
}

interface Setup {
  readonly bound: Bound[];
  readonly checkers: SchedulerCheckers;
  readonly run: (untilUs: number) => void;
  readonly leaders: string[];
  readonly world: ReturnType<typeof buildWorld>;
  readonly createPods: (atUs: number, from: number, count: number) => void;
}

function setUp(opts: { nodes: number; pods: number; qps?: number; burst?: number; seed?: number }): Setup {
  const world = buildWorld({ seed: opts.seed ?? 1, apiServers: 1 });
  const user = world.addDriver('user', 'admin-token');
  const checkers = new SchedulerCheckers();
  for (let i = 1; i <= 2; i++) {
    world.sim.addHost(`sched-${i}`);
    world.sim.addComponent(`sched-${i}`, `kube-scheduler@sched-${i}`, () =>
      new KubeScheduler({ apiServers: world.apiServerNames, token: 'admin-token', qps: opts.qps ?? 50, burst: opts.burst ?? 100 }),
    );
  }
  const bound: Bound[] = [];
  const leaders: string[] = [];
  world.sim.onObservation((t, from, obs) => {
    if (obs.type === 'scheduler.bound') {
      const object = obs['object'] as Pod;
      bound.push({ t, pod: String(obs['pod']), node: String(obs['node']), object });
      checkers.onBinding(t, object, String(obs['node']));
    }
    if (obs.type === 'election.leader' || obs.type === 'leader.acquired' || obs.type.startsWith('election.')) {
      if (obs.type !== 'election.write') leaders.push(`${obs.type}:${from}`);
    }
  });
  world.sim.at(s(1), 'create nodes', () =>
    user.run((ctx) => {
      for (let i = 0; i < opts.nodes; i++) {
        const n = node(`w${i}`, { cpu: '4', memory: '16Gi', labels: { 'topology.kubernetes.io/zone': `z${i % 3}` } });
        checkers.onNode(0, n);
        user.client.create(ctx, 'nodes', n, (r) => assert.ok(r.ok, JSON.stringify(r)));
      }
    }),
  );
  const createPods = (atUs: number, from: number, count: number): void => {
    world.sim.at(atUs, 'create pods', () =>
      user.run((ctx) => {
        for (let i = from; i < from + count; i++) {
        const { metadata, ...rest } = pod(`p${i}`, { cpu: '100m', memory: '128Mi', owner: 'rs-1', labels: { app: 'x' } });
        const { uid: _uid, creationTimestamp: _c, ...meta } = metadata;
          user.client.create(ctx, 'pods', { ...rest, metadata: meta }, (r) => assert.ok(r.ok, JSON.stringify(r)));
        }
      }),
    );
  };
  createPods(s(2), 0, opts.pods);
  return { bound, checkers, run: (untilUs) => world.sim.run({ until: untilUs }), leaders, world, createPods };
}

describe('KubeScheduler component', () => {
  it('elects one leader, binds every pending pod through the API, and the checkers hold', () => {
    const w = setUp({ nodes: 6, pods: 30 });
    w.run(s(40));
    assert.equal(w.bound.length, 30, `bound ${w.bound.length}`);
    assert.equal(new Set(w.bound.map((b) => b.pod)).size, 30);
    // Default spreading: 30 pods of one owner over 6 nodes land 5 per node.
    const perNode = new Map<string, number>();
    for (const b of w.bound) perNode.set(b.node, (perNode.get(b.node) ?? 0) + 1);
    assert.deepEqual([...perNode.values()].sort(), [5, 5, 5, 5, 5, 5]);
    for (const r of w.checkers.results()) assert.ok(r.held, `${r.name}: ${r.detail ?? ''}`);
  });
  it('with default client limits, bindings are capped by the scheduler\'s 50 QPS (after the burst of 100)', () => {
    const w = setUp({ nodes: 20, pods: 400 });
    w.run(s(60));
    assert.equal(w.bound.length, 400);
    const first = w.bound[0]?.t ?? 0;
    const last = w.bound[w.bound.length - 1]?.t ?? 0;
    // 300 bindings beyond the burst at 50/s take at least ~6 s.
    assert.ok(last - first >= s(5.5), `spread over ${(last - first) / 1e6}s`);
    const w2 = setUp({ nodes: 20, pods: 400, qps: 100_000, burst: 100_000 });
    w2.run(s(60));
    const span2 = (w2.bound[w2.bound.length - 1]?.t ?? 0) - (w2.bound[0]?.t ?? 0);
    assert.ok(span2 < s(2), `raised limits: ${span2 / 1e6}s`);
  });
  it('after the leader crashes, the standby acquires the lease and schedules new pods', () => {
    const w = setUp({ nodes: 4, pods: 10 });
    const leaderHost = (): string | undefined => {
      for (const h of ['sched-1', 'sched-2']) {
        const id = w.world.sim.endpointId(`kube-scheduler@${h}`);
        const c = id === undefined ? undefined : w.world.sim.component(id);
        if (c instanceof KubeScheduler && c.isLeading()) return h;
      }
      return undefined;
    };
    let crashed = '';
    w.world.sim.at(s(10), 'crash leader', () => {
      crashed = leaderHost() ?? '';
      w.world.sim.crash(crashed);
    });
    w.createPods(s(12), 10, 10);
    w.run(s(60));
    assert.notEqual(crashed, '');
    assert.equal(w.bound.length, 20);
    const after = leaderHost();
    assert.ok(after !== undefined && after !== crashed, `leader after crash: ${after}`);
    // Failover waits for the lease to expire (15 s), so the new pods bind after ~25 s.
    const late = w.bound.filter((b) => b.t > s(12));
    assert.equal(late.length, 10);
    assert.ok((late[0]?.t ?? 0) >= s(24) && (late[0]?.t ?? 0) < s(30), `first late binding at ${(late[0]?.t ?? 0) / 1e6}s`);
    for (const r of w.checkers.results()) assert.ok(r.held, `${r.name}: ${r.detail ?? ''}`);
  });
  it('parks pods that do not fit and binds them when a node arrives; preempts for a high-priority pod', () => {
    const w = setUp({ nodes: 0, pods: 0 });
    const user = w.world.addDriver('user2', 'admin-token');
    const mk = (name: string, cpu: string, priority: number): Pod => {
      const p = pod(name, { cpu, priority });
      const { uid: _u, creationTimestamp: _c, ...meta } = p.metadata;
      return { ...p, metadata: meta, spec: { ...p.spec, terminationGracePeriodSeconds: 0 } };
    };
    w.world.sim.at(s(2), 'big pod', () => user.run((ctx) => user.client.create(ctx, 'pods', mk('big', '3', 0), () => {})));
    w.world.sim.at(s(5), 'node', () =>
      user.run((ctx) => {
        const n = node('late', { cpu: '4' });
        w.checkers.onNode(0, n);
        user.client.create(ctx, 'nodes', n, () => {});
      }),
    );
    w.world.sim.at(s(8), 'vip', () => user.run((ctx) => user.client.create(ctx, 'pods', mk('vip', '2', 1000), () => {})));
    const preempted: string[] = [];
    w.world.sim.onObservation((_t, _f, obs) => {
      if (obs.type === 'scheduler.preempted') preempted.push(String(obs['pod']));
    });
    w.run(s(40));
    const bigAt = w.bound.find((b) => b.pod === 'default/big');
    assert.ok(bigAt !== undefined && bigAt.t >= s(5) && bigAt.t < s(7), `big bound at ${(bigAt?.t ?? 0) / 1e6}`);
    assert.deepEqual(preempted, ['default/vip']);
    assert.ok(w.bound.some((b) => b.pod === 'default/vip' && b.node === 'late'), JSON.stringify(w.bound.map((b) => b.pod)));
  });
  it('marks a pod it cannot place PodScheduled=False/Unschedulable once per distinct message, as a leader write; binding sets it True', () => {
    const w = setUp({ nodes: 1, pods: 0 });
    const user = w.world.addDriver('user2', 'admin-token');
    const big = pod('big', { cpu: '8' });
    const { uid: _u, creationTimestamp: _c, ...meta } = big.metadata;
    w.world.sim.at(s(2), 'big pod', () => user.run((ctx) => user.client.create(ctx, 'pods', { ...big, metadata: meta }, () => {})));
    const addNode = (at: number, name: string, cpu: string): void => {
      w.world.sim.at(at, `node ${name}`, () =>
        user.run((ctx) => {
          const n = node(name, { cpu });
          w.checkers.onNode(0, n);
          user.client.create(ctx, 'nodes', n, () => {});
        }),
      );
    };
    // The 5-minute flush retries it with the same message (no write); a second small node changes
    // the message (one more write); a node that fits binds it.
    addNode(s(330), 'second', '4');
    addNode(s(360), 'large', '16');
    const conditions: { t: number; condition: unknown }[] = [];
    for (const at of [s(10), s(340), s(380)]) {
      w.world.sim.at(at, 'read big', () =>
        user.run((ctx) =>
          user.client.get(ctx, 'pods', 'default', 'big', (r) => {
            if (r.ok) conditions.push({ t: at, condition: r.object.status?.conditions?.find((c) => c.type === 'PodScheduled') });
          }),
        ),
      );
    }
    const attempts: string[] = [];
    const writes: { t: number; verb: string; accepted: boolean; identity: string }[] = [];
    w.world.sim.onObservation((t, _f, obs) => {
      if (obs.type === 'scheduler.unschedulable' && obs['pod'] === 'default/big') attempts.push(String(obs['message']));
      if (obs.type === 'election.write' && obs['name'] === 'big') writes.push({ t, verb: String(obs['verb']), accepted: obs['accepted'] === true, identity: String(obs['identity']) });
    });
    w.run(s(400));
    const one = '0/1 nodes are available: 1 Insufficient cpu.';
    const two = '0/2 nodes are available: 2 Insufficient cpu.';
    assert.ok(attempts.filter((m) => m === one).length >= 2, `attempts: ${JSON.stringify(attempts)}`);
    assert.ok(attempts.includes(two), `attempts: ${JSON.stringify(attempts)}`);
    assert.deepEqual(writes.map((x) => `${x.verb}:${x.accepted}`), ['updateStatus:true', 'updateStatus:true', 'create:true'], JSON.stringify(writes));
    assert.ok(writes.every((x) => x.identity.endsWith('_kube-scheduler')));
    assert.deepEqual(
      conditions.map((c) => c.condition as { status: string; reason?: string; message?: string }).map((c) => [c.status, c.reason, c.message]),
      [
        ['False', 'Unschedulable', one],
        ['False', 'Unschedulable', two],
        ['True', undefined, undefined],
      ],
    );
    assert.ok(w.bound.some((b) => b.pod === 'default/big' && b.node === 'large'));
  });
});
