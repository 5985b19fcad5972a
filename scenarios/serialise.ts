import { stringify } from 'yaml';
import { formatDuration, type Micros } from '../sim/time.js';
import { assertNever } from '../core/util/assert.js';
import { DEFAULT_INVARIANTS } from '../core/cluster/scenario.js';
import { describeTarget } from '../core/cluster/faults.js';
import type { Fault, FaultTarget, LatencySpec, LifetimeSpec, PartitionSpec, Scenario, WorkloadStep } from '../core/cluster/scenario.js';

/**
 * Typed scenario → YAML data in the loader's canonical form, so that `parseScenario(stringify(x))`
 * gives back `x`. The fuzzer writes counterexamples this way; nothing is lost (manifests are inlined).
 */
/** A fault target as the scenario format writes it (`master-2`, `kube-scheduler@master-1`, `leader(etcd)`). */
export const targetToString: (t: FaultTarget) => string = describeTarget;

function dur(us: Micros): string {
  if (us < 0) return `-${formatDuration(-us)}`;
  return formatDuration(us);
}

function latency(l: LatencySpec): Record<string, string> {
  return { median: dur(l.medianUs), p99: dur(l.p99Us) };
}

function partition(p: PartitionSpec): unknown {
  switch (p.type) {
    case 'groups':
      return p.sides.map((side) => side.map(targetToString));
    case 'isolate':
      return { isolate: targetToString(p.target) };
    case 'split':
      return { split: p.group, leaderIn: p.leaderIn };
    default:
      return assertNever(p, 'partition');
  }
}

export function faultToData(f: Fault): Record<string, unknown> {
  const out: Record<string, unknown> = { at: dur(f.atUs) };
  switch (f.kind) {
    case 'crash':
      out['crash'] = targetToString(f.target);
      if (f.restartAfterUs !== undefined) out['restartAfter'] = dur(f.restartAfterUs);
      return out;
    case 'partition':
      out['partition'] = partition(f.partition);
      if (f.oneWay) out['oneWay'] = true;
      break;
    case 'loss':
      out['loss'] = f.rate;
      break;
    case 'latency':
      out['latency'] = latency(f.latency);
      break;
    case 'clockSkew': {
      const skew: Record<string, unknown> = { host: targetToString(f.target) };
      if (f.offsetUs !== undefined) skew['offset'] = dur(f.offsetUs);
      if (f.drift !== undefined) skew['drift'] = f.drift;
      out['clockSkew'] = skew;
      break;
    }
    case 'pause':
      out['pause'] = targetToString(f.target);
      break;
    case 'slowDisk':
      out['slowDisk'] = { host: targetToString(f.target), factor: f.factor };
      break;
    default:
      return assertNever(f, 'fault');
  }
  if (f.forUs !== undefined) out['for'] = dur(f.forUs);
  return out;
}

/** A fault schedule as YAML text (a list of faults, the form of `spec.faults`). */
export function faultsToYaml(faults: readonly Fault[]): string {
  return stringify(faults.map(faultToData), { lineWidth: 0, flowCollectionPadding: false });
}

function lifetime(l: LifetimeSpec): unknown {
  switch (l.type) {
    case 'forever':
      return undefined;
    case 'fixed':
      return { fixed: dur(l.us) };
    case 'exponential':
      return { mean: dur(l.meanUs) };
    case 'lognormal':
      return { median: dur(l.medianUs), p99: dur(l.p99Us) };
    default:
      return assertNever(l, 'lifetime');
  }
}

export function stepToData(w: WorkloadStep): Record<string, unknown> {
  const at = dur(w.atUs);
  switch (w.type) {
    case 'apply':
      return { at, apply: w.manifests };
    case 'arrivals': {
      const body: Record<string, unknown> = { rate: w.ratePerSec, for: dur(w.forUs) };
      const lt = lifetime(w.lifetime);
      if (lt !== undefined) body['lifetime'] = lt;
      Object.assign(body, { namespace: w.namespace, namePrefix: w.namePrefix, template: w.template });
      return { at, arrivals: body };
    }
    case 'set':
      return { at, set: { kind: w.kind, namespace: w.namespace, name: w.name, path: w.path, value: w.value } };
    case 'rollback':
      return { at, rollback: { deployment: w.deployment, namespace: w.namespace, toRevision: w.toRevision } };
    case 'load':
      return { at, load: { deployment: w.deployment, namespace: w.namespace, cpu: `${w.cpuMilli}m` } };
    case 'delete':
      return { at, delete: { kind: w.kind, namespace: w.namespace, name: w.name } };
    case 'scale':
      return { at, scale: { kind: w.kind, namespace: w.namespace, name: w.name, replicas: w.replicas } };
    default:
      return assertNever(w, 'workload step');
  }
}

/** The whole scenario as YAML data (cluster fully spelled out, defaults included). */
export function scenarioToData(sc: Scenario): Record<string, unknown> {
  const c = sc.cluster;
  // liveness.convergesWithin is implied by expect.convergeWithin, so it is written only without one.
  const implied = sc.expect.convergeWithinUs !== undefined;
  const listed = sc.invariants.filter((n) => !(implied && n === 'liveness.convergesWithin'));
  const invariantsAreDefault = listed.join() === DEFAULT_INVARIANTS.join();
  const spec: Record<string, unknown> = {
    seed: sc.seed,
    duration: dur(sc.durationUs),
    cluster: {
      masters: c.masters,
      etcd: {
        members: c.etcd.members,
        topology: c.etcd.topology,
        heartbeatInterval: dur(c.etcd.heartbeatIntervalUs),
        electionTimeout: dur(c.etcd.electionTimeoutUs),
        fsyncLatency: latency(c.etcd.fsyncLatency),
        ...(c.etcd.snapshotCount === undefined ? {} : { snapshotCount: c.etcd.snapshotCount }),
        ...(c.etcd.snapshotCatchUpEntries === undefined ? {} : { snapshotCatchUpEntries: c.etcd.snapshotCatchUpEntries }),
        ...(c.etcd.unsafeCommitWithoutQuorum === true ? { unsafeCommitWithoutQuorum: true } : {}),
      },
      nodes: c.nodePools.map((p) => ({
        count: p.count,
        namePrefix: p.namePrefix,
        capacity: { cpu: `${p.capacity.cpuMilli}m`, memory: String(p.capacity.memoryBytes), pods: p.capacity.pods },
        labels: p.labels,
        taints: p.taints,
      })),
      network: { latency: latency(c.network.latency), loss: c.network.loss },
      leaderElection: {
        leaseDuration: dur(c.leaderElection.leaseDurationUs),
        renewDeadline: dur(c.leaderElection.renewDeadlineUs),
        retryPeriod: dur(c.leaderElection.retryPeriodUs),
        fencing: c.leaderElection.fencing,
      },
      nodeLifecycle: {
        leaseRenewInterval: dur(c.nodeLifecycle.leaseRenewIntervalUs),
        gracePeriod: dur(c.nodeLifecycle.gracePeriodUs),
        tolerationSeconds: c.nodeLifecycle.tolerationSeconds,
      },
      scheduler: { policy: c.scheduler.policy, percentageOfNodesToScore: c.scheduler.percentageOfNodesToScore },
      clientRateLimits: c.clientRateLimits,
      images: Object.fromEntries(
        Object.entries(c.images).map(([k, v]) => [k, { startup: dur(v.startupUs), ready: v.ready }]),
      ),
    },
    workload: sc.workload.map(stepToData),
    faults: sc.faults.map(faultToData),
    invariants: invariantsAreDefault ? ['default'] : listed,
  };
  if (sc.expect.convergeWithinUs !== undefined) spec['expect'] = { convergeWithin: dur(sc.expect.convergeWithinUs) };
  return {
    apiVersion: 'kubesim/v1',
    kind: 'Scenario',
    metadata: { name: sc.name, description: sc.description },
    spec,
  };
}

export function scenarioToYaml(sc: Scenario, headerComment?: string): string {
  const body = stringify(scenarioToData(sc), { lineWidth: 0, aliasDuplicateObjects: false });
  if (headerComment === undefined) return body;
  return `${headerComment.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}`;
}
