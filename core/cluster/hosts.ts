import type { ClusterSpec, HostGroup } from './scenario.js';

/** The hosts a cluster spec implies, by role; names are stable so faults and outputs can refer to them. */
export interface HostLayout {
  /** master-1 … master-N. */
  readonly masters: readonly string[];
  /** Host of etcd member i (index i-1): master-i when stacked, etcd-i when external. */
  readonly etcdHosts: readonly string[];
  /** Endpoint names of the etcd members: etcd-1 … etcd-N in both topologies. */
  readonly etcdEndpoints: readonly string[];
  /** Worker nodes, pool by pool: `<prefix>-1` …. */
  readonly workers: readonly string[];
  /** Every host once: masters, external etcd hosts, workers. */
  readonly all: readonly string[];
}

const cache = new WeakMap<ClusterSpec, HostLayout>();

export function hostNames(cluster: ClusterSpec): HostLayout {
  const cached = cache.get(cluster);
  if (cached !== undefined) return cached;
  const masters = range(cluster.masters).map((i) => `master-${i}`);
  const etcdEndpoints = range(cluster.etcd.members).map((i) => `etcd-${i}`);
  const etcdHosts = cluster.etcd.topology === 'stacked' ? etcdEndpoints.map((_, i) => `master-${i + 1}`) : etcdEndpoints;
  const workers: string[] = [];
  for (const pool of cluster.nodePools) for (const i of range(pool.count)) workers.push(`${pool.namePrefix}-${i}`);
  const all = [...masters, ...(cluster.etcd.topology === 'external' ? etcdHosts : []), ...workers];
  const layout = { masters, etcdHosts, etcdEndpoints, workers, all };
  cache.set(cluster, layout);
  return layout;
}

export function groupHosts(layout: HostLayout, group: HostGroup): readonly string[] {
  switch (group) {
    case 'masters':
      return layout.masters;
    case 'workers':
      return layout.workers;
    case 'etcd':
      return layout.etcdHosts;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
