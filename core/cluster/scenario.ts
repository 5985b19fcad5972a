import type { Micros } from '../../sim/time.js';

/**
 * The typed scenario the runner consumes. The YAML loader (scenarios/) produces it with every default
 * filled in; core/ never reads files or YAML, so everything here is plain data in simulator units
 * (microseconds, millicores, bytes).
 */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Seed of the run's root random stream; `--seed` overrides it. */
  readonly seed: number;
  /** Simulated time to run, microseconds. */
  readonly durationUs: Micros;
  readonly cluster: ClusterSpec;
  readonly workload: readonly WorkloadStep[];
  readonly faults: readonly Fault[];
  /** Resolved invariant names (`default` already expanded). */
  readonly invariants: readonly InvariantName[];
  readonly expect: Expectations;
}

/** A latency distribution given by its median and 99th percentile (fitted as a log-normal). */
export interface LatencySpec {
  readonly medianUs: Micros;
  readonly p99Us: Micros;
}

export type EtcdTopology = 'stacked' | 'external';

export interface EtcdSpec {
  /** Raft members; 3 or 5 in production (odd, so a majority survives a split). */
  readonly members: number;
  /** stacked: member N runs on master-N (kubeadm default); external: on its own host etcd-N. */
  readonly topology: EtcdTopology;
  /** Leader heartbeat, default 100ms (etcd --heartbeat-interval). */
  readonly heartbeatIntervalUs: Micros;
  /** Follower election timeout, default 1000ms (etcd --election-timeout); must exceed the heartbeat. */
  readonly electionTimeoutUs: Micros;
  /** Disk fsync latency of etcd hosts; default median 2ms, p99 10ms. */
  readonly fsyncLatency: LatencySpec;
  /** Applied entries between snapshots (etcd --snapshot-count); default 100,000. Smaller: shorter logs and restarts, more snapshot copies. */
  readonly snapshotCount?: number;
  /** Log entries kept behind a snapshot for slow followers (etcd SnapshotCatchUpEntries); default 5,000. */
  readonly snapshotCatchUpEntries?: number;
  /** DELIBERATELY BROKEN: leaders commit without a quorum. Only for showing that the checkers and the fuzzer catch it. */
  readonly unsafeCommitWithoutQuorum?: boolean;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
}

export interface NodeCapacity {
  /** CPU in millicores ("4" = 4000). */
  readonly cpuMilli: number;
  /** Memory in bytes ("16Gi"). */
  readonly memoryBytes: number;
  /** Maximum pods on the node, default 110 (kubelet --max-pods). */
  readonly pods: number;
}

export interface NodePool {
  readonly count: number;
  /** Nodes are named `<namePrefix>-1` … `<namePrefix>-<count>`. */
  readonly namePrefix: string;
  readonly capacity: NodeCapacity;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export interface NetworkSpec {
  /** One-way message latency between hosts; default median 500us, p99 5ms. */
  readonly latency: LatencySpec;
  /** Probability that any one message is dropped, default 0. */
  readonly loss: number;
}

export interface LeaderElectionSpec {
  /** client-go LeaseDuration, default 15s; must exceed renewDeadline. */
  readonly leaseDurationUs: Micros;
  /** client-go RenewDeadline, default 10s; must exceed 1.2 × retryPeriod. */
  readonly renewDeadlineUs: Micros;
  /** client-go RetryPeriod, default 2s. */
  readonly retryPeriodUs: Micros;
  /** When on, writes carry the lease's holder and are refused once it moved (no stale writes). */
  readonly fencing: boolean;
}

export interface NodeLifecycleSpec {
  /** Kubelet node Lease renew interval, default 10s. */
  readonly leaseRenewIntervalUs: Micros;
  /** node-monitor-grace-period, default 50s (Kubernetes ≥ 1.32; 40s before). */
  readonly gracePeriodUs: Micros;
  /** Default toleration of not-ready/unreachable NoExecute taints, default 300 seconds. */
  readonly tolerationSeconds: number;
}

export interface SchedulerSpec {
  /** Scheduler policy name from `kubesim list policies`, default `default`. */
  readonly policy: string;
  /** 0 = the adaptive upstream default; otherwise 1..100. */
  readonly percentageOfNodesToScore: number;
}

export interface RateLimit {
  readonly qps: number;
  readonly burst: number;
}

export interface ImageBehaviour {
  /** Time from container start to running. */
  readonly startupUs: Micros;
  /** Whether the container ever passes its readiness probe (false models a broken image). */
  readonly ready: boolean;
}

export interface ClusterSpec {
  /** Control-plane hosts master-1 … master-N, each running kube-apiserver, kube-controller-manager, kube-scheduler. */
  readonly masters: number;
  readonly etcd: EtcdSpec;
  readonly nodePools: readonly NodePool[];
  readonly network: NetworkSpec;
  readonly leaderElection: LeaderElectionSpec;
  readonly nodeLifecycle: NodeLifecycleSpec;
  readonly scheduler: SchedulerSpec;
  /** Client-side rate limits per component name (kube-scheduler, kube-controller-manager, kubelet, …). */
  readonly clientRateLimits: Readonly<Record<string, RateLimit>>;
  /** Image behaviour by image reference; images not listed use `defaultImage`. */
  readonly images: Readonly<Record<string, ImageBehaviour>>;
  readonly defaultImage: ImageBehaviour;
}

/** A Kubernetes object as plain JSON data (the parsed manifest). */
export type Manifest = Readonly<Record<string, unknown>>;

export type LifetimeSpec =
  | { readonly type: 'forever' }
  | { readonly type: 'fixed'; readonly us: Micros }
  | { readonly type: 'exponential'; readonly meanUs: Micros }
  | { readonly type: 'lognormal'; readonly medianUs: Micros; readonly p99Us: Micros };

export type WorkloadStep =
  | { readonly type: 'apply'; readonly atUs: Micros; readonly manifests: readonly Manifest[] }
  | {
      readonly type: 'arrivals';
      readonly atUs: Micros;
      /** Poisson arrival rate, pods per simulated second. */
      readonly ratePerSec: number;
      readonly forUs: Micros;
      readonly lifetime: LifetimeSpec;
      readonly namespace: string;
      readonly namePrefix: string;
      /** A Pod template: {metadata?: {labels}, spec}. */
      readonly template: Manifest;
    }
  | {
      readonly type: 'set';
      readonly atUs: Micros;
      readonly kind: string;
      readonly namespace: string;
      readonly name: string;
      /** Field path such as `spec.template.spec.containers[0].image`. */
      readonly path: string;
      readonly value: unknown;
    }
  | {
      readonly type: 'rollback';
      readonly atUs: Micros;
      readonly namespace: string;
      readonly deployment: string;
      /** 0 = the previous revision (kubectl rollout undo). */
      readonly toRevision: number;
    }
  | {
      readonly type: 'load';
      readonly atUs: Micros;
      readonly namespace: string;
      readonly deployment: string;
      /** Total CPU demand in millicores, spread evenly over the ready pods. */
      readonly cpuMilli: number;
    }
  | { readonly type: 'delete'; readonly atUs: Micros; readonly kind: string; readonly namespace: string; readonly name: string }
  | {
      readonly type: 'scale';
      readonly atUs: Micros;
      readonly kind: string;
      readonly namespace: string;
      readonly name: string;
      readonly replicas: number;
    };

export type WorkloadStepType = WorkloadStep['type'];

/** Control-plane component kinds that can be targets (`kube-scheduler@master-1`, `leader(etcd)`). */
export const COMPONENT_KINDS = ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kubelet'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** Components that elect a leader, and so can appear in `leader(...)`. */
export const LEADER_KINDS = ['etcd', 'kube-scheduler', 'kube-controller-manager'] as const;
export type LeaderKind = (typeof LEADER_KINDS)[number];

export const HOST_GROUPS = ['masters', 'workers', 'etcd'] as const;
export type HostGroup = (typeof HOST_GROUPS)[number];

/** What a fault acts on; `leader` is resolved from observations when the fault fires. */
export type FaultTarget =
  | { readonly type: 'host'; readonly host: string }
  | { readonly type: 'group'; readonly group: HostGroup }
  | { readonly type: 'instance'; readonly component: ComponentKind; readonly host: string }
  | { readonly type: 'leader'; readonly component: LeaderKind };

/** One side of a partition: a list of targets (hosts, groups, instances or leaders). */
export type PartitionSpec =
  | { readonly type: 'groups'; readonly sides: readonly (readonly FaultTarget[])[] }
  /** Cuts the target's host off from every other host. */
  | { readonly type: 'isolate'; readonly target: FaultTarget }
  /**
   * Splits the hosts of a group into a minority and a majority side; `leaderIn` says on which side
   * the current leader of the group's component lands (the classic "leader in the minority" case).
   */
  | { readonly type: 'split'; readonly group: HostGroup; readonly leaderIn: 'minority' | 'majority' };

export type Fault =
  | { readonly kind: 'crash'; readonly atUs: Micros; readonly target: FaultTarget; readonly restartAfterUs?: Micros }
  | {
      readonly kind: 'partition';
      readonly atUs: Micros;
      readonly partition: PartitionSpec;
      /** Only traffic from the first side to the others is cut. */
      readonly oneWay: boolean;
      readonly forUs?: Micros;
    }
  | { readonly kind: 'loss'; readonly atUs: Micros; readonly rate: number; readonly forUs?: Micros }
  | { readonly kind: 'latency'; readonly atUs: Micros; readonly latency: LatencySpec; readonly forUs?: Micros }
  | {
      readonly kind: 'clockSkew';
      readonly atUs: Micros;
      readonly target: FaultTarget;
      /** Step of the local clock, microseconds (may be negative). */
      readonly offsetUs?: Micros;
      /** Drift rate: local clock advances (1 + drift) × real time. */
      readonly drift?: number;
      readonly forUs?: Micros;
    }
  | { readonly kind: 'pause'; readonly atUs: Micros; readonly target: FaultTarget; readonly forUs: Micros }
  | { readonly kind: 'slowDisk'; readonly atUs: Micros; readonly target: FaultTarget; readonly factor: number; readonly forUs?: Micros };

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = ['crash', 'partition', 'loss', 'latency', 'clockSkew', 'pause', 'slowDisk'];

/** One line of help per fault kind, for `kubesim list faults`. */
export const FAULT_DESCRIPTIONS: Readonly<Record<FaultKind, string>> = {
  crash: 'crash a host, group, component instance or leader; restartAfter brings it back (volatile state lost)',
  partition: 'cut the network between sides ([[a],[b,c]], {isolate: X}, {split: etcd, leaderIn: minority}); oneWay cuts one direction',
  loss: 'drop a fraction of all messages (0..1) for a while',
  latency: 'add {median, p99} of latency to every link for a while (a latency spike)',
  clockSkew: "step a host's clock by an offset or make it drift; its leases are judged by that clock",
  pause: 'stop a process (GC pause, SIGSTOP) for a while; its timers fire late on resume',
  slowDisk: "multiply a host's fsync latency by a factor",
};

export const INVARIANT_NAMES = [
  'store.electionSafety',
  'store.logMatching',
  'store.durability',
  'store.linearizable',
  'api.optimisticConcurrency',
  'api.authorization',
  'scheduler.noDoubleBinding',
  'scheduler.capacity',
  'scheduler.constraints',
  'deployment.rollingBounds',
  'election.noSplitBrain',
  'election.fencing',
  'liveness.convergesWithin',
] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export const INVARIANT_DESCRIPTIONS: Readonly<Record<InvariantName, string>> = {
  'store.electionSafety': 'at most one store leader per Raft term',
  'store.logMatching': 'members whose logs hold an entry with the same index and term agree on everything before it',
  'store.durability': 'no acknowledged write is lost',
  'store.linearizable': 'per-key history of store operations is linearizable',
  'api.optimisticConcurrency': 'no acknowledged write is lost: each was conditioned on the current resourceVersion; a stale one gets 409',
  'api.authorization': 'no mutation that RBAC (with the node authorizer) denies is served and reaches the store',
  'scheduler.noDoubleBinding': 'a pod is bound to at most one node',
  'scheduler.capacity': 'requests of pods bound to a node never exceed its allocatable capacity',
  'scheduler.constraints': 'bindings respect affinity, anti-affinity, taints and topology spread',
  'deployment.rollingBounds': 'during a rollout without faults, maxSurge and maxUnavailable hold',
  'election.noSplitBrain': 'never two instances believing they hold one lease (off by default: split brain is measured)',
  'election.fencing': 'with fencing on, the store accepts no write from a former lease holder',
  'liveness.convergesWithin': 'after each fault ends, the cluster converges within expect.convergeWithin',
};

/** `invariants: [default]` expands to every safety invariant; split brain is a behaviour to measure, not a default failure. */
export const DEFAULT_INVARIANTS: readonly InvariantName[] = INVARIANT_NAMES.filter(
  (n) => n !== 'election.noSplitBrain' && n !== 'liveness.convergesWithin',
);

export interface Expectations {
  /** Each fault's cluster must converge within this long after it ends; adds liveness.convergesWithin. */
  readonly convergeWithinUs?: Micros;
}
