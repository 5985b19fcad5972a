import { ms, s, us } from '../../sim/time.js';
import type { ClusterSpec, NodeCapacity } from './scenario.js';

/** Scenario defaults: upstream Kubernetes/etcd defaults unless a comment says otherwise. */
export const DEFAULT_SEED = 1;
/** Five simulated minutes: long enough for a fault, its failover and convergence. */
export const DEFAULT_DURATION_US = s(300);

/** kubelet defaults: --max-pods 110; a mid-size 4-core/16Gi VM. */
export const DEFAULT_NODE_CAPACITY: NodeCapacity = { cpuMilli: 4000, memoryBytes: 16 * 1024 ** 3, pods: 110 };

export const DEFAULT_CLUSTER: ClusterSpec = {
  masters: 3,
  etcd: {
    members: 3,
    topology: 'stacked',
    heartbeatIntervalUs: ms(100),
    electionTimeoutUs: ms(1000),
    fsyncLatency: { medianUs: ms(2), p99Us: ms(10) },
  },
  nodePools: [],
  network: { latency: { medianUs: us(500), p99Us: ms(5) }, loss: 0 },
  leaderElection: { leaseDurationUs: s(15), renewDeadlineUs: s(10), retryPeriodUs: s(2), fencing: false },
  nodeLifecycle: { leaseRenewIntervalUs: s(10), gracePeriodUs: s(50), tolerationSeconds: 300 },
  scheduler: { policy: 'default', percentageOfNodesToScore: 0 },
  clientRateLimits: {
    'kube-scheduler': { qps: 50, burst: 100 },
    'kube-controller-manager': { qps: 20, burst: 30 },
    kubelet: { qps: 50, burst: 100 },
  },
  images: {},
  // A typical small image: pulled and started in about two seconds, passes its readiness probe.
  defaultImage: { startupUs: s(2), ready: true },
};

/** client-go's leader-election jitter factor: renewDeadline must exceed retryPeriod × 1.2. */
export const LEADER_ELECTION_JITTER = 1.2;
