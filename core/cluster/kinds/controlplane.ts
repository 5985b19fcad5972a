import type { Observation } from '../../../sim/component.js';
import type { Micros } from '../../../sim/time.js';
import { KubeScheduler } from '../../scheduler/kubeScheduler.js';
import { POLICIES, isPolicyName, registerCustomPolicy, type ProfileSpec } from '../../scheduler/profiles.js';
import { builtinRegistry } from '../../scheduler/registry.js';
import { KubeControllerManager } from '../../controlplane/controllerManager.js';
import { ElectionChecker } from '../../controlplane/electionChecker.js';
import { Kubelet } from '../../kubelet/kubelet.js';
import type { ComponentKindEntry, InstallContext, Installation, InvariantResult } from '../kinds.js';
import type { InvariantName, Scenario } from '../scenario.js';
import type { SummaryBuilder } from '../summary.js';
import { round } from '../summary.js';
import { ClusterObserver } from '../clusterObserver.js';
import { apiServerEndpoints, sharedCommittedWrites } from './apiserver.js';
import { WorkloadDriverComponent, WORKLOAD_ENDPOINT } from './workload.js';

function electionTimings(scenario: Scenario): { leaseDurationUs: Micros; renewDeadlineUs: Micros; retryPeriodUs: Micros; fencing: boolean } {
  const le = scenario.cluster.leaderElection;
  return { leaseDurationUs: le.leaseDurationUs, renewDeadlineUs: le.renewDeadlineUs, retryPeriodUs: le.retryPeriodUs, fencing: le.fencing };
}

function rate(scenario: Scenario, component: string, fallback: { qps: number; burst: number }): { qps: number; burst: number } {
  return scenario.cluster.clientRateLimits[component] ?? fallback;
}

/** Component observations that are events.csv rows, by the row kind they become. */
const EVENT_KINDS: Readonly<Record<string, string | undefined>> = {
  'scheduler.bound': 'pod.scheduled',
  'scheduler.preempted': 'pod.preempted',
  'pod.evicted': 'pod.evicted',
  'node.notReady': 'node.notReady',
  'node.tainted': 'node.tainted',
  'hpa.scaled': 'hpa.scaled',
  'kubelet.containerRestart': 'container.restarted',
};

const hasApi = (sc: Scenario): boolean => sc.cluster.masters > 0 && sc.cluster.etcd.members > 0;

/**
 * Cluster state as the store commits it (pods, nodes, Deployments): pod columns, scheduling and
 * startup figures, the scheduler invariants, Deployment convergence; plus the workload driver that
 * carries out the scenario's workload steps through the API.
 */
class ClusterStateInstallation implements Installation {
  private readonly observer: ClusterObserver;
  readonly workload;

  constructor(private readonly ctx: InstallContext) {
    this.observer = new ClusterObserver(ctx.state);
    sharedCommittedWrites(ctx.services).onEntry((t, writes) => this.observer.onEntry(t, writes));
    ctx.sim.addHost('kubectl');
    const driver = new WorkloadDriverComponent(apiServerEndpoints(ctx.layout.masters), ctx.state);
    // The driver keeps its state across host restarts because its host is never faulted.
    ctx.sim.addComponent('kubectl', WORKLOAD_ENDPOINT, () => driver);
    this.workload = driver;
  }

  converged(): boolean {
    return this.observer.converged(this.ctx.sim.now);
  }

  private preemptions = 0;
  private reschedules = 0;

  sample(): void {
    this.observer.sample();
  }

  /** Notable happenings reported by the components become events.csv rows. */
  observe(timeUs: Micros, _endpoint: string, obs: Observation): void {
    if (obs.type === 'scheduler.preempted') {
      this.preemptions++;
      this.reschedules += Array.isArray(obs['victims']) ? obs['victims'].length : 0;
    } else if (obs.type === 'pod.evicted') this.reschedules++;
    const kind = EVENT_KINDS[obs.type];
    if (kind === undefined) return;
    const detail = typeof obs.detail === 'string' ? obs.detail : typeof obs['node'] === 'string' ? obs['node'] : '';
    this.ctx.state.event(timeUs, kind, obs.subject ?? '', detail);
  }

  invariants(): readonly InvariantResult[] {
    return [...this.observer.checkers.results().map((r): InvariantResult => ({
      name: r.name as InvariantName,
      held: r.held,
      checked: true,
      ...(r.firstViolationAt !== undefined ? { firstViolationAt: round(r.firstViolationAt) } : {}),
      ...(r.detail !== undefined ? { detail: r.detail } : {}),
    })), this.observer.rolling.result()];
  }

  summarise(summary: SummaryBuilder, endUs: Micros): void {
    const f = this.observer.figures(endUs);
    summary.scheduling = { podsBound: f.podsBound, throughputPerSec: f.throughputPerSec, latencyMs: f.latencyMs };
    summary.podStartup = { latencyMs: f.startupMs };
    summary.placement = { ...this.observer.placement(), preemptions: this.preemptions, reschedules: this.reschedules };
  }
}

/**
 * Leader election of kube-scheduler and kube-controller-manager, judged from outside by the
 * ElectionChecker (beliefs, renews, writes), which also drives the leader columns and `leader(X)`.
 */
class ElectionInstallation implements Installation {
  private readonly checker = new ElectionChecker();
  private readonly believers = new Map<string, Map<string, string>>();

  constructor(private readonly ctx: InstallContext) {}

  observe(timeUs: Micros, endpoint: string, obs: Observation): void {
    switch (obs.type) {
      case 'election.belief': {
        this.checker.observe(timeUs, endpoint, obs);
        const component = String(obs['component'] ?? obs.subject ?? '');
        const identity = String(obs['identity'] ?? endpoint);
        const leading = obs['leading'] === true;
        const beliefs = this.believers.get(component) ?? new Map<string, string>();
        this.believers.set(component, beliefs);
        if (leading) beliefs.set(identity, endpoint);
        else beliefs.delete(identity);
        this.ctx.state.event(timeUs, leading ? 'leader.acquired' : 'leader.lost', component, identity);
        this.refresh(component, leading ? identity : undefined, leading ? endpoint : undefined);
        return;
      }
      case 'election.renew':
      case 'election.write':
        this.checker.observe(timeUs, endpoint, obs);
        return;
      case 'host.crashed':
      case 'process.crashed': {
        // A host crash reports the host's name, a process crash the endpoint's.
        const hostCrash = obs.type === 'host.crashed';
        if (hostCrash) this.checker.hostDown(timeUs, endpoint);
        else this.checker.endpointDown(timeUs, endpoint);
        for (const [component, beliefs] of this.believers) {
          for (const [identity, ep] of beliefs) {
            const id = this.ctx.sim.endpointId(ep);
            const gone = hostCrash ? id !== undefined && this.ctx.sim.hostOfEndpoint(id) === endpoint : ep === endpoint;
            if (gone) beliefs.delete(identity);
          }
          this.refresh(component, undefined, undefined);
        }
        return;
      }
      default:
        return;
    }
  }

  /** The column shows the newest acquirer while anyone believes; split brain shows as an interval. */
  private refresh(component: string, newest: string | undefined, endpoint: string | undefined): void {
    const state = this.ctx.state;
    const beliefs = this.believers.get(component) ?? new Map<string, string>();
    if (newest !== undefined && endpoint !== undefined) {
      state.leaders.set(component, newest);
      state.leaderEndpoints.set(component, endpoint);
    } else if (!beliefs.has(state.leaders.get(component) ?? '')) {
      const next = [...beliefs.entries()][0];
      state.leaders.set(component, next?.[0] ?? '');
      if (next === undefined) state.leaderEndpoints.delete(component);
      else state.leaderEndpoints.set(component, next[1]);
    }
    const split = beliefs.size >= 2;
    const open = state.splitBrain.find((b) => b.component === component && b.endUs === undefined);
    if (split && open === undefined) state.splitBrain.push({ component, startUs: this.ctx.sim.now, endUs: undefined });
    if (!split && open !== undefined) open.endUs = this.ctx.sim.now;
  }

  invariants(endUs: Micros): readonly InvariantResult[] {
    const nsb = this.checker.noSplitBrain(endUs);
    const fencing = this.checker.fencing(endUs);
    const conv = (name: InvariantName, r: { held: boolean; firstViolationAt?: number; detail?: string }): InvariantResult => ({
      name,
      held: r.held,
      checked: true,
      ...(r.firstViolationAt !== undefined ? { firstViolationAt: round(r.firstViolationAt) } : {}),
      ...(r.detail !== undefined ? { detail: r.detail } : {}),
    });
    const out = [conv('election.noSplitBrain', nsb)];
    // Without fencing, stale writes are the behaviour being measured, not a violation.
    out.push(this.ctx.scenario.cluster.leaderElection.fencing ? conv('election.fencing', fencing) : { name: 'election.fencing', held: true, checked: false, detail: 'fencing is off in this scenario' });
    return out;
  }

  summarise(summary: SummaryBuilder, endUs: Micros): void {
    for (const [component, st] of this.checker.stats(endUs)) {
      summary.leaderElection[component] = {
        transitions: st.transitions,
        failoverSeconds: st.failoverSeconds.map((x) => round(x)),
        splitBrainSeconds: round(st.splitBrainSeconds),
        staleWrites: st.staleWrites,
        fencedWrites: st.fencedWrites,
      };
    }
  }
}

export const CLUSTER_STATE_KIND: ComponentKindEntry = {
  name: 'cluster-state',
  checks: ['scheduler.noDoubleBinding', 'scheduler.capacity', 'scheduler.constraints', 'deployment.rollingBounds'],
  enabled: hasApi,
  install: (ctx) => new ClusterStateInstallation(ctx),
};

export const ELECTION_KIND: ComponentKindEntry = {
  name: 'leader-election',
  checks: ['election.noSplitBrain', 'election.fencing'],
  enabled: hasApi,
  install: (ctx) => new ElectionInstallation(ctx),
};

export const SCHEDULER_KIND: ComponentKindEntry = {
  name: 'kube-scheduler',
  checks: [],
  enabled: hasApi,
  install: (ctx) => {
    const { scenario, layout, sim } = ctx;
    const policy = scenario.cluster.scheduler.policy;
    // A custom policy registers its plugins in a registry of its own, shared by every scheduler instance.
    const registry = builtinRegistry();
    let profile: ProfileSpec;
    if (isPolicyName(policy)) profile = POLICIES[policy];
    else if (ctx.customPolicy !== undefined) profile = registerCustomPolicy(registry, ctx.customPolicy, policy);
    else throw new Error(`scheduler policy "${policy}" is neither a built-in policy nor a loaded module (the CLI imports modules)`);
    const limits = rate(scenario, 'kube-scheduler', { qps: 50, burst: 100 });
    for (const master of layout.masters) {
      sim.addComponent(master, `kube-scheduler@${master}`, () =>
        new KubeScheduler({
          apiServers: apiServerEndpoints(layout.masters),
          identity: `${master}_kube-scheduler`,
          token: 'token-kube-scheduler',
          qps: limits.qps,
          burst: limits.burst,
          leaderElect: true,
          leaderElection: electionTimings(scenario),
          profile,
          registry,
          percentageOfNodesToScore: scenario.cluster.scheduler.percentageOfNodesToScore,
        }),
      );
    }
    return {};
  },
};

export const CONTROLLER_MANAGER_KIND: ComponentKindEntry = {
  name: 'kube-controller-manager',
  checks: [],
  enabled: hasApi,
  install: (ctx) => {
    const { scenario, layout, sim } = ctx;
    const limits = rate(scenario, 'kube-controller-manager', { qps: 20, burst: 30 });
    for (const master of layout.masters) {
      sim.addComponent(master, `kube-controller-manager@${master}`, () =>
        new KubeControllerManager({
          apiServers: apiServerEndpoints(layout.masters),
          identity: `${master}_kube-controller-manager`,
          token: 'token-kube-controller-manager',
          qps: limits.qps,
          burst: limits.burst,
          leaderElection: electionTimings(scenario),
          nodeLifecycle: { gracePeriodUs: scenario.cluster.nodeLifecycle.gracePeriodUs },
        }),
      );
    }
    return {};
  },
};

export const KUBELET_KIND: ComponentKindEntry = {
  name: 'kubelet',
  checks: [],
  enabled: (sc) => hasApi(sc) && sc.cluster.nodePools.some((p) => p.count > 0),
  install: (ctx) => {
    const { scenario, layout, sim } = ctx;
    const limits = rate(scenario, 'kubelet', { qps: 50, burst: 100 });
    const apiServers = apiServerEndpoints(layout.masters);
    for (const pool of scenario.cluster.nodePools) {
      for (let i = 1; i <= pool.count; i++) {
        const node = `${pool.namePrefix}-${i}`;
        const capacity = { cpu: `${pool.capacity.cpuMilli}m`, memory: String(pool.capacity.memoryBytes), pods: String(pool.capacity.pods) };
        sim.addComponent(node, `kubelet@${node}`, () =>
          new Kubelet({
            nodeName: node,
            labels: pool.labels,
            taints: pool.taints,
            capacity,
            apiServers,
            qps: limits.qps,
            burst: limits.burst,
            images: scenario.cluster.images,
            defaultImage: scenario.cluster.defaultImage,
            leaseRenewIntervalUs: scenario.cluster.nodeLifecycle.leaseRenewIntervalUs,
          }),
        );
      }
    }
    return {};
  },
};
