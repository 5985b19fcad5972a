import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, stringify, type Node } from 'yaml';
import { loadManifests, locateField } from './manifest.js';
import { POLICY_NAMES, isPolicyName } from '../core/scheduler/profiles.js';
import type { Micros } from '../sim/time.js';
import {
  COMPONENT_KINDS,
  DEFAULT_INVARIANTS,
  HOST_GROUPS,
  INVARIANT_NAMES,
  LEADER_KINDS,
  type ClusterSpec,
  type ComponentKind,
  type EtcdSpec,
  type Fault,
  type FaultTarget,
  type HostGroup,
  type ImageBehaviour,
  type InvariantName,
  type LatencySpec,
  type LeaderKind,
  type LifetimeSpec,
  type Manifest,
  type NodePool,
  type PartitionSpec,
  type RateLimit,
  type Scenario,
  type Taint,
  type TaintEffect,
  type WorkloadStep,
} from '../core/cluster/scenario.js';
import { DEFAULT_CLUSTER, DEFAULT_DURATION_US, DEFAULT_NODE_CAPACITY, DEFAULT_SEED, LEADER_ELECTION_JITTER } from '../core/cluster/defaults.js';
import { hostNames } from '../core/cluster/hosts.js';
import { Reader, type Cursor, type LoadError } from './reader.js';
import { milliValue, milliValueBig, parseQuantity, value } from '../core/api/quantity.js';

/** A fault without its time, as each kind's reader builds it. */
type FaultBody = Fault extends infer F ? (F extends Fault ? Omit<F, 'atUs'> : never) : never;

export type LoadResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly LoadError[] };

export interface LoadOptions {
  /** Reads a manifest file named relative to the scenario; defaults to the file system. */
  readonly readFile?: (absolutePath: string) => string;
}

/** Reads and checks a scenario file; every problem is returned at once, located by file:line:col. */
export function loadScenarioFile(path: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ file: path, line: 1, col: 1, path: '', message: `cannot read scenario: ${errnoMessage(e)}` }] };
  }
  return parseScenario(text, path, options);
}

/** Parses scenario YAML text; `file` names it in errors and anchors relative manifest paths. */
export function parseScenario(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const errors: LoadError[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  for (const e of doc.errors) {
    const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
    errors.push({ file, line: pos.line, col: pos.col, path: '', message: `YAML syntax: ${firstLine(e.message)}` });
  }
  if (errors.length > 0) return { ok: false, errors };
  const r = new Reader(file, lines, errors);
  const readFile = options.readFile ?? ((p: string): string => readFileSync(p, 'utf8'));
  const loader = new ScenarioLoader(r, dirname(resolve(file)), dirname(file), readFile);
  const scenario = loader.document({ node: (doc.contents ?? null) as Node | null, path: '', anchor: null });
  if (errors.length > 0 || scenario === undefined) {
    return { ok: false, errors: errors.length > 0 ? sortErrors(errors) : [{ file, line: 1, col: 1, path: '', message: 'empty scenario' }] };
  }
  return { ok: true, scenario };
}

const SPEC_KEYS = ['seed', 'duration', 'cluster', 'workload', 'faults', 'invariants', 'expect'] as const;
const CLUSTER_KEYS = [
  'masters',
  'etcd',
  'nodes',
  'network',
  'leaderElection',
  'nodeLifecycle',
  'scheduler',
  'clientRateLimits',
  'images',
] as const;
const STEP_KINDS = ['apply', 'arrivals', 'set', 'rollback', 'load', 'delete', 'scale'] as const;
const FAULT_KEYS = ['crash', 'partition', 'loss', 'latency', 'clockSkew', 'pause', 'slowDisk'] as const;
const TAINT_EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

class ScenarioLoader {
  private cluster: ClusterSpec = DEFAULT_CLUSTER;

  constructor(
    private readonly r: Reader,
    private readonly baseDir: string,
    private readonly displayDir: string,
    private readonly readFile: (p: string) => string,
  ) {}

  document(c: Cursor): Scenario | undefined {
    const r = this.r;
    if (c.node === null) return r.fail(c, 'the scenario is empty; expected apiVersion, kind, metadata and spec');
    const top = r.map(c, ['apiVersion', 'kind', 'metadata', 'spec']);
    if (top === undefined) return undefined;
    const apiVersion = r.field(top, c, 'apiVersion');
    if (r.required(apiVersion) && r.string(apiVersion) !== 'kubesim/v1') r.fail(apiVersion, 'apiVersion must be kubesim/v1');
    const kind = r.field(top, c, 'kind');
    if (r.required(kind) && r.string(kind) !== 'Scenario') r.fail(kind, 'kind must be Scenario');
    const metaC = r.field(top, c, 'metadata');
    const meta = r.required(metaC) ? r.map(metaC, ['name', 'description']) : undefined;
    const nameC = r.field(meta, metaC, 'name');
    let name = 'scenario';
    if (meta !== undefined && r.required(nameC)) {
      const n = r.string(nameC);
      if (n !== undefined && !DNS_LABEL.test(n)) r.fail(nameC, 'name must be lowercase letters, digits and dashes');
      else if (n !== undefined) name = n;
    }
    const description = r.string(r.field(meta, metaC, 'description')) ?? '';
    const specC = r.field(top, c, 'spec');
    if (!r.required(specC)) return undefined;
    const spec = r.map(specC, SPEC_KEYS);
    if (spec === undefined) return undefined;

    const seed = r.number(r.field(spec, specC, 'seed'), { integer: true, min: 0 }) ?? DEFAULT_SEED;
    const durationUs = r.duration(r.field(spec, specC, 'duration'), { positive: true }) ?? DEFAULT_DURATION_US;
    this.cluster = this.clusterSpec(r.field(spec, specC, 'cluster'));
    const workload = this.workload(r.field(spec, specC, 'workload'), durationUs);
    const faults = this.faults(r.field(spec, specC, 'faults'), durationUs);
    const expectC = r.field(spec, specC, 'expect');
    const expectMap = r.map(expectC, ['convergeWithin']);
    const convergeWithinUs = r.duration(r.field(expectMap, expectC, 'convergeWithin'), { positive: true });
    const invariants = this.invariants(r.field(spec, specC, 'invariants'), convergeWithinUs !== undefined);
    return {
      name,
      description,
      seed,
      durationUs,
      cluster: this.cluster,
      workload,
      faults,
      invariants,
      expect: convergeWithinUs === undefined ? {} : { convergeWithinUs },
    };
  }

  // ───────────────────────────── cluster ─────────────────────────────

  private clusterSpec(c: Cursor): ClusterSpec {
    const r = this.r;
    const d = DEFAULT_CLUSTER;
    const m = r.map(c, CLUSTER_KEYS);
    const masters = r.number(r.field(m, c, 'masters'), { integer: true, min: 0, max: 15 }) ?? d.masters;
    const etcd = this.etcd(r.field(m, c, 'etcd'), masters);
    const nodePools = this.nodePools(r.field(m, c, 'nodes'));
    const netC = r.field(m, c, 'network');
    const net = r.map(netC, ['latency', 'loss']);
    const network = {
      latency: this.latency(r.field(net, netC, 'latency'), d.network.latency),
      loss: r.number(r.field(net, netC, 'loss'), { min: 0, max: 1 }) ?? d.network.loss,
    };
    const leC = r.field(m, c, 'leaderElection');
    const le = r.map(leC, ['leaseDuration', 'renewDeadline', 'retryPeriod', 'fencing']);
    const leaderElection = {
      leaseDurationUs: r.duration(r.field(le, leC, 'leaseDuration'), { positive: true }) ?? d.leaderElection.leaseDurationUs,
      renewDeadlineUs: r.duration(r.field(le, leC, 'renewDeadline'), { positive: true }) ?? d.leaderElection.renewDeadlineUs,
      retryPeriodUs: r.duration(r.field(le, leC, 'retryPeriod'), { positive: true }) ?? d.leaderElection.retryPeriodUs,
      fencing: r.boolean(r.field(le, leC, 'fencing')) ?? d.leaderElection.fencing,
    };
    // client-go refuses these configurations (leaderelection.NewLeaderElector), so do we.
    if (leaderElection.leaseDurationUs <= leaderElection.renewDeadlineUs) {
      r.fail(r.field(le, leC, 'leaseDuration'), 'leaseDuration must be greater than renewDeadline');
    }
    if (leaderElection.renewDeadlineUs <= LEADER_ELECTION_JITTER * leaderElection.retryPeriodUs) {
      r.fail(r.field(le, leC, 'renewDeadline'), `renewDeadline must be greater than ${LEADER_ELECTION_JITTER} × retryPeriod`);
    }
    const nlC = r.field(m, c, 'nodeLifecycle');
    const nl = r.map(nlC, ['leaseRenewInterval', 'gracePeriod', 'tolerationSeconds']);
    const nodeLifecycle = {
      leaseRenewIntervalUs:
        r.duration(r.field(nl, nlC, 'leaseRenewInterval'), { positive: true }) ?? d.nodeLifecycle.leaseRenewIntervalUs,
      gracePeriodUs: r.duration(r.field(nl, nlC, 'gracePeriod'), { positive: true }) ?? d.nodeLifecycle.gracePeriodUs,
      tolerationSeconds:
        r.number(r.field(nl, nlC, 'tolerationSeconds'), { integer: true, min: 0 }) ?? d.nodeLifecycle.tolerationSeconds,
    };
    if (nodeLifecycle.gracePeriodUs <= nodeLifecycle.leaseRenewIntervalUs) {
      r.fail(r.field(nl, nlC, 'gracePeriod'), 'gracePeriod must be greater than leaseRenewInterval');
    }
    const schC = r.field(m, c, 'scheduler');
    const sch = r.map(schC, ['policy', 'percentageOfNodesToScore']);
    const policyNode = r.field(sch, schC, 'policy');
    const policy = r.string(policyNode) ?? d.scheduler.policy;
    if (!isPolicyName(policy) && !/\.(?:[cm]?ts|[cm]?js)$/.test(policy)) {
      r.fail(policyNode, `unknown scheduler policy "${policy}"; expected one of ${POLICY_NAMES.join(', ')} or a path to a .ts/.js policy module`);
    }
    const scheduler = {
      policy,
      percentageOfNodesToScore:
        r.number(r.field(sch, schC, 'percentageOfNodesToScore'), { integer: true, min: 0, max: 100 }) ??
        d.scheduler.percentageOfNodesToScore,
    };
    const clientRateLimits = this.rateLimits(r.field(m, c, 'clientRateLimits'));
    const images = this.images(r.field(m, c, 'images'));
    return {
      masters,
      etcd,
      nodePools,
      network,
      leaderElection,
      nodeLifecycle,
      scheduler,
      clientRateLimits,
      images,
      defaultImage: d.defaultImage,
    };
  }

  private etcd(c: Cursor, masters: number): EtcdSpec {
    const r = this.r;
    const d = DEFAULT_CLUSTER.etcd;
    const m = r.map(c, ['members', 'topology', 'heartbeatInterval', 'electionTimeout', 'fsyncLatency', 'snapshotCount', 'snapshotCatchUpEntries', 'unsafeCommitWithoutQuorum']);
    const membersC = r.field(m, c, 'members');
    const members = r.number(membersC, { integer: true, min: 1, max: 9 }) ?? d.members;
    const topoC = r.field(m, c, 'topology');
    const topoText = r.string(topoC);
    let topology = d.topology;
    if (topoText === 'stacked' || topoText === 'external') topology = topoText;
    else if (topoText !== undefined) r.fail(topoC, `topology must be stacked or external, got "${topoText}"`);
    if (topology === 'stacked' && members > masters) {
      r.fail(membersC.node === null ? topoC : membersC, `stacked etcd puts one member on each master: ${members} members need ${members} masters, not ${masters}`);
    }
    const hbC = r.field(m, c, 'heartbeatInterval');
    const heartbeatIntervalUs = r.duration(hbC, { positive: true }) ?? d.heartbeatIntervalUs;
    const etC = r.field(m, c, 'electionTimeout');
    const electionTimeoutUs = r.duration(etC, { positive: true }) ?? d.electionTimeoutUs;
    // etcd refuses to start otherwise: a follower would call elections between heartbeats.
    if (electionTimeoutUs <= heartbeatIntervalUs) r.fail(etC.node === null ? hbC : etC, 'electionTimeout must be greater than heartbeatInterval');
    const fsyncLatency = this.latency(r.field(m, c, 'fsyncLatency'), d.fsyncLatency);
    const unsafe = r.boolean(r.field(m, c, 'unsafeCommitWithoutQuorum'));
    const snapshotCount = r.number(r.field(m, c, 'snapshotCount'), { integer: true, min: 1 });
    const snapshotCatchUpEntries = r.number(r.field(m, c, 'snapshotCatchUpEntries'), { integer: true, min: 0 });
    return {
      members,
      topology,
      heartbeatIntervalUs,
      electionTimeoutUs,
      fsyncLatency,
      ...(snapshotCount === undefined ? {} : { snapshotCount }),
      ...(snapshotCatchUpEntries === undefined ? {} : { snapshotCatchUpEntries }),
      ...(unsafe === true ? { unsafeCommitWithoutQuorum: true } : {}),
    };
  }

  private latency(c: Cursor, fallback: LatencySpec): LatencySpec {
    const r = this.r;
    const m = r.map(c, ['median', 'p99']);
    if (m === undefined) return fallback;
    const medianC = r.field(m, c, 'median');
    const p99C = r.field(m, c, 'p99');
    const medianUs = r.duration(medianC) ?? fallback.medianUs;
    const p99Us = r.duration(p99C) ?? Math.max(fallback.p99Us, medianUs);
    if (p99Us < medianUs) r.fail(p99C.node === null ? medianC : p99C, 'p99 must be at least the median');
    return { medianUs, p99Us };
  }

  private nodePools(c: Cursor): NodePool[] {
    const r = this.r;
    const items = r.seq(c);
    if (items === undefined) return [];
    const pools: NodePool[] = [];
    const prefixes = new Set<string>();
    for (const item of items) {
      const m = r.map(item, ['count', 'namePrefix', 'capacity', 'labels', 'taints']);
      if (m === undefined) continue;
      const count = r.number(r.field(m, item, 'count'), { integer: true, min: 0, max: 100_000 }) ?? 1;
      const prefixC = r.field(m, item, 'namePrefix');
      const namePrefix = r.string(prefixC) ?? 'worker';
      if (!DNS_LABEL.test(namePrefix)) r.fail(prefixC, 'namePrefix must be lowercase letters, digits and dashes');
      if (namePrefix === 'master' || namePrefix === 'etcd') r.fail(prefixC, `namePrefix "${namePrefix}" is reserved for control-plane hosts`);
      if (prefixes.has(namePrefix)) r.fail(prefixC, `namePrefix "${namePrefix}" is used by another pool; node names would clash`);
      prefixes.add(namePrefix);
      const capC = r.field(m, item, 'capacity');
      const cap = r.map(capC, ['cpu', 'memory', 'pods']);
      const cpu = this.quantity(r.field(cap, capC, 'cpu'), 'milli');
      const memory = this.quantity(r.field(cap, capC, 'memory'), 'units');
      const capacity = {
        cpuMilli: cpu ?? DEFAULT_NODE_CAPACITY.cpuMilli,
        memoryBytes: memory ?? DEFAULT_NODE_CAPACITY.memoryBytes,
        pods: r.number(r.field(cap, capC, 'pods'), { integer: true, min: 1 }) ?? DEFAULT_NODE_CAPACITY.pods,
      };
      const labels = this.stringMap(r.field(m, item, 'labels'));
      const taints = this.taints(r.field(m, item, 'taints'));
      pools.push({ count, namePrefix, capacity, labels, taints });
    }
    return pools;
  }

  /**
   * A non-negative Kubernetes quantity, parsed exactly by core/api (resource.ParseQuantity) and
   * rounded up as upstream's MilliValue (`milli`: CPU) or Value (`units`: bytes).
   */
  private quantity(c: Cursor, unit: 'milli' | 'units'): number | undefined {
    const v = this.r.scalar(c);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') return this.r.fail(c, 'expected a quantity such as 500m, 4 or 16Gi');
    // YAML reads `cpu: 4` or `memory: 1e9` as a number; a finite number prints as a valid quantity.
    if (typeof v === 'number' && !Number.isFinite(v)) return this.r.fail(c, `invalid quantity ${String(v)}`);
    const text = String(v).trim();
    const q = parseQuantity(text);
    if (!q.ok) return this.r.fail(c, `invalid quantity "${text}": ${q.error}; expected e.g. 500m, 4, 16Gi, 1e9`);
    if (q.quantity.nanos < 0n) return this.r.fail(c, 'a capacity cannot be negative');
    const scaled = unit === 'milli' ? milliValueBig(q.quantity) : milliValueBig(q.quantity) / 1000n;
    if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) return this.r.fail(c, `quantity "${text}" is too large`);
    return unit === 'milli' ? milliValue(q.quantity) : value(q.quantity);
  }

  private stringMap(c: Cursor): Record<string, string> {
    const m = this.r.map(c, null);
    const out: Record<string, string> = {};
    if (m === undefined) return out;
    for (const [k, v] of m) {
      const s = this.r.string(v);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }

  private taints(c: Cursor): Taint[] {
    const r = this.r;
    const out: Taint[] = [];
    for (const item of r.seq(c) ?? []) {
      const m = r.map(item, ['key', 'value', 'effect']);
      if (m === undefined) continue;
      const keyC = r.field(m, item, 'key');
      const key = r.required(keyC) ? r.string(keyC) : undefined;
      const value = r.string(r.field(m, item, 'value'));
      const effC = r.field(m, item, 'effect');
      const eff = r.required(effC) ? r.string(effC) : undefined;
      const effect = TAINT_EFFECTS.find((e) => e === eff);
      if (eff !== undefined && effect === undefined) r.fail(effC, `effect must be one of ${TAINT_EFFECTS.join(', ')}`);
      if (key !== undefined && effect !== undefined) out.push(value === undefined ? { key, effect } : { key, value, effect });
    }
    return out;
  }

  private rateLimits(c: Cursor): Record<string, RateLimit> {
    const r = this.r;
    const out: Record<string, RateLimit> = { ...DEFAULT_CLUSTER.clientRateLimits };
    const m = r.map(c, null);
    for (const [name, v] of m ?? []) {
      const lm = r.map(v, ['qps', 'burst']);
      const base = out[name] ?? { qps: 50, burst: 100 };
      out[name] = {
        qps: r.number(r.field(lm, v, 'qps'), { min: 0.001 }) ?? base.qps,
        burst: r.number(r.field(lm, v, 'burst'), { integer: true, min: 1 }) ?? base.burst,
      };
    }
    return out;
  }

  private images(c: Cursor): Record<string, ImageBehaviour> {
    const r = this.r;
    const out: Record<string, ImageBehaviour> = {};
    for (const [name, v] of r.map(c, null) ?? []) {
      const m = r.map(v, ['startup', 'ready']);
      out[name] = {
        startupUs: r.duration(r.field(m, v, 'startup')) ?? DEFAULT_CLUSTER.defaultImage.startupUs,
        ready: r.boolean(r.field(m, v, 'ready')) ?? true,
      };
    }
    return out;
  }

  // ───────────────────────────── workload ─────────────────────────────

  private workload(c: Cursor, durationUs: Micros): WorkloadStep[] {
    const r = this.r;
    const out: WorkloadStep[] = [];
    for (const item of r.seq(c) ?? []) {
      const m = r.map(item, ['at', ...STEP_KINDS]);
      if (m === undefined) continue;
      const atUs = this.at(r.field(m, item, 'at'), durationUs);
      const kinds = STEP_KINDS.filter((k) => m.has(k));
      if (kinds.length !== 1) {
        r.fail(item, kinds.length === 0 ? `a workload step needs one of ${STEP_KINDS.join(', ')}` : `a workload step has exactly one of ${kinds.join(', ')}`);
        continue;
      }
      const kind = kinds[0];
      if (kind === undefined || atUs === undefined) continue;
      const step = this.step(kind, r.field(m, item, kind), atUs);
      if (step !== undefined) out.push(step);
    }
    return out;
  }

  private at(c: Cursor, durationUs: Micros): Micros | undefined {
    if (!this.r.required(c)) return undefined;
    const at = this.r.duration(c);
    if (at !== undefined && at > durationUs) return this.r.fail(c, `is after the end of the run (duration ${fmtS(durationUs)})`);
    return at;
  }

  private step(kind: (typeof STEP_KINDS)[number], c: Cursor, atUs: Micros): WorkloadStep | undefined {
    const r = this.r;
    switch (kind) {
      case 'apply': {
        const manifests = this.manifests(c);
        return manifests === undefined ? undefined : { type: 'apply', atUs, manifests };
      }
      case 'arrivals': {
        const m = r.map(c, ['rate', 'for', 'lifetime', 'template', 'namespace', 'namePrefix']);
        if (m === undefined) return undefined;
        const rateC = r.field(m, c, 'rate');
        const ratePerSec = r.required(rateC) ? this.rate(rateC) : undefined;
        const forC = r.field(m, c, 'for');
        const forUs = r.required(forC) ? r.duration(forC, { positive: true }) : undefined;
        const lifetime = this.lifetime(r.field(m, c, 'lifetime'));
        const tplC = r.field(m, c, 'template');
        const template = r.required(tplC) ? this.podTemplate(tplC) : undefined;
        const namespace = r.string(r.field(m, c, 'namespace')) ?? 'default';
        const namePrefix = r.string(r.field(m, c, 'namePrefix')) ?? 'arrival';
        if (ratePerSec === undefined || forUs === undefined || template === undefined || lifetime === undefined) return undefined;
        return { type: 'arrivals', atUs, ratePerSec, forUs, lifetime, namespace, namePrefix, template };
      }
      case 'set': {
        const m = r.map(c, ['kind', 'name', 'namespace', 'path', 'value']);
        const k = this.req(r.field(m, c, 'kind'));
        const name = this.req(r.field(m, c, 'name'));
        const path = this.req(r.field(m, c, 'path'));
        const valueC = r.field(m, c, 'value');
        if (!r.required(valueC) || k === undefined || name === undefined || path === undefined) return undefined;
        const namespace = r.string(r.field(m, c, 'namespace')) ?? 'default';
        return { type: 'set', atUs, kind: k, namespace, name, path, value: r.json(valueC) };
      }
      case 'rollback': {
        const m = r.map(c, ['deployment', 'namespace', 'toRevision']);
        const deployment = this.req(r.field(m, c, 'deployment'));
        const toRevision = r.number(r.field(m, c, 'toRevision'), { integer: true, min: 0 }) ?? 0;
        const namespace = r.string(r.field(m, c, 'namespace')) ?? 'default';
        return deployment === undefined ? undefined : { type: 'rollback', atUs, namespace, deployment, toRevision };
      }
      case 'load': {
        const m = r.map(c, ['deployment', 'namespace', 'cpu']);
        const deployment = this.req(r.field(m, c, 'deployment'));
        const cpuC = r.field(m, c, 'cpu');
        const cpu = r.required(cpuC) ? this.quantity(cpuC, 'milli') : undefined;
        const namespace = r.string(r.field(m, c, 'namespace')) ?? 'default';
        if (deployment === undefined || cpu === undefined) return undefined;
        return { type: 'load', atUs, namespace, deployment, cpuMilli: cpu };
      }
      case 'delete': {
        const m = r.map(c, ['kind', 'name', 'namespace']);
        const name = this.req(r.field(m, c, 'name'));
        const k = r.string(r.field(m, c, 'kind')) ?? 'Pod';
        const namespace = r.string(r.field(m, c, 'namespace')) ?? 'default';
        return name === undefined ? undefined : { type: 'delete', atUs, kind: k, namespace, name };
      }
      case 'scale': {
        const m = r.map(c, ['kind', 'name', 'deployment', 'namespace', 'replicas']);
        const dep = r.string(r.field(m, c, 'deployment'));
        const name = dep ?? this.req(r.field(m, c, 'name'));
        const k = dep !== undefined ? 'Deployment' : (r.string(r.field(m, c, 'kind')) ?? 'Deployment');
        const repC = r.field(m, c, 'replicas');
        const replicas = r.required(repC) ? r.number(repC, { integer: true, min: 0 }) : undefined;
        const namespace = r.string(r.field(m, c, 'namespace')) ?? 'default';
        if (name === undefined || replicas === undefined) return undefined;
        return { type: 'scale', atUs, kind: k, namespace, name, replicas };
      }
    }
  }

  private req(c: Cursor): string | undefined {
    return this.r.required(c) ? this.r.string(c) : undefined;
  }

  /** `50/s`, `3/m`, `1/h` or a plain number of arrivals per second. */
  private rate(c: Cursor): number | undefined {
    const v = this.r.scalar(c);
    if (typeof v === 'number') return v > 0 ? v : this.r.fail(c, 'rate must be positive');
    if (typeof v !== 'string') return this.r.fail(c, 'expected a rate such as 50/s, 3/m or 1/h');
    const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)\s*$/.exec(v);
    if (m === null) return this.r.fail(c, `invalid rate "${v}"; expected e.g. 50/s, 3/m or 1/h`);
    const per = m[2] === 's' ? 1 : m[2] === 'm' ? 60 : 3600;
    const rate = Number(m[1]) / per;
    return rate > 0 ? rate : this.r.fail(c, 'rate must be positive');
  }

  private lifetime(c: Cursor): LifetimeSpec | undefined {
    const r = this.r;
    if (c.node === null) return { type: 'forever' };
    if (isScalar(c.node)) {
      const us = r.duration(c, { positive: true });
      return us === undefined ? undefined : { type: 'fixed', us };
    }
    const m = r.map(c, ['mean', 'fixed', 'median', 'p99']);
    if (m === undefined) return undefined;
    if (m.has('mean')) {
      const meanUs = r.duration(r.field(m, c, 'mean'), { positive: true });
      return meanUs === undefined ? undefined : { type: 'exponential', meanUs };
    }
    if (m.has('fixed')) {
      const us = r.duration(r.field(m, c, 'fixed'), { positive: true });
      return us === undefined ? undefined : { type: 'fixed', us };
    }
    if (m.has('median')) {
      const l = this.latency(c, { medianUs: 0, p99Us: 0 });
      if (l.medianUs <= 0) return r.fail(c, 'median must be positive');
      return { type: 'lognormal', medianUs: l.medianUs, p99Us: l.p99Us };
    }
    return r.fail(c, 'lifetime needs mean (exponential), fixed, or median and p99 (log-normal)');
  }

  private podTemplate(c: Cursor): Manifest | undefined {
    const m = this.r.map(c, null);
    if (m === undefined) return undefined;
    const json = this.r.json(c) as Record<string, unknown>;
    // Either a Pod template ({metadata, spec}) or a bare pod spec ({containers: …}).
    const template = m.has('spec') || m.has('metadata') ? json : { spec: json };
    const spec = template['spec'];
    if (spec === null || typeof spec !== 'object' || !Array.isArray((spec as Record<string, unknown>)['containers'])) {
      return this.r.fail(c, 'a pod template needs spec.containers (a list)');
    }
    return template;
  }

  /** An inline manifest, a list of them, or {file: path} relative to the scenario (multi-document). */
  private manifests(c: Cursor): Manifest[] | undefined {
    const r = this.r;
    if (c.node === null) return r.fail(c, 'apply needs a manifest or {file: path}');
    if (isSeq(c.node)) {
      const out: Manifest[] = [];
      for (const item of r.seq(c) ?? []) out.push(...(this.manifests(item) ?? []));
      return out;
    }
    const m = r.map(c, null);
    if (m === undefined) return undefined;
    if (m.has('file')) {
      if (m.size !== 1) return r.fail(c, 'apply {file: …} takes no other fields');
      const fileC = r.field(m, c, 'file');
      const rel = r.string(fileC);
      return rel === undefined ? undefined : this.manifestFile(fileC, rel);
    }
    const json = r.json(c);
    const problem = manifestProblem(json);
    if (problem !== undefined) return r.fail(c, problem);
    // Decode through core/api as a file would be, then point each error at the field inside this node.
    const result = loadManifests(stringify(json), 'inline');
    if (!result.ok) {
      for (const e of result.errors) {
        const offset = e.field === '' ? undefined : locateField(c.node, e.field)?.offset;
        r.errorAtOffset(offset ?? c.node?.range?.[0] ?? 0, e.field === '' ? c.path : `${c.path}.${e.field}`, e.message);
      }
      return undefined;
    }
    return result.objects.map((o) => o.object as unknown as Manifest);
  }

  private manifestFile(c: Cursor, rel: string): Manifest[] | undefined {
    const path = resolve(this.baseDir, rel);
    let text: string;
    try {
      text = this.readFile(path);
    } catch (e) {
      return this.r.fail(c, `cannot read manifest file ${rel}: ${errnoMessage(e)}`);
    }
    // core/api decodes and validates real Kubernetes YAML and locates each error in that file.
    const result = loadManifests(text, join(this.displayDir, rel));
    if (!result.ok) {
      for (const e of result.errors) this.r.errors.push({ file: e.file, line: e.line, col: e.col, path: e.field, message: e.message });
      return undefined;
    }
    return result.objects.map((o) => o.object as unknown as Manifest);
  }

  // ───────────────────────────── faults ─────────────────────────────

  private faults(c: Cursor, durationUs: Micros): Fault[] {
    const r = this.r;
    const out: Fault[] = [];
    for (const item of r.seq(c) ?? []) {
      const m = r.map(item, ['at', 'for', 'restartAfter', 'oneWay', ...FAULT_KEYS]);
      if (m === undefined) continue;
      const atUs = this.at(r.field(m, item, 'at'), durationUs);
      const kinds = FAULT_KEYS.filter((k) => m.has(k));
      if (kinds.length !== 1) {
        r.fail(item, kinds.length === 0 ? `a fault needs one of ${FAULT_KEYS.join(', ')}` : `a fault has exactly one kind, got ${kinds.join(', ')}`);
        continue;
      }
      const kind = kinds[0];
      if (kind === undefined) continue;
      const forC = r.field(m, item, 'for');
      const forUs = r.duration(forC, { positive: true });
      const restartC = r.field(m, item, 'restartAfter');
      const oneWayC = r.field(m, item, 'oneWay');
      if (kind !== 'crash' && restartC.node !== null) r.fail(restartC, 'restartAfter applies to crash faults only (use for)');
      if (kind !== 'partition' && oneWayC.node !== null) r.fail(oneWayC, 'oneWay applies to partition faults only');
      if (kind === 'crash' && forC.node !== null) r.fail(forC, 'a crash lasts until restartAfter (omit it for a permanent crash)');
      const body = r.field(m, item, kind);
      const fault = this.fault(kind, body, forC, forUs, restartC, oneWayC);
      if (fault !== undefined && atUs !== undefined) out.push({ ...fault, atUs } as Fault);
    }
    return out;
  }

  private fault(
    kind: (typeof FAULT_KEYS)[number],
    c: Cursor,
    forC: Cursor,
    forUs: Micros | undefined,
    restartC: Cursor,
    oneWayC: Cursor,
  ): FaultBody | undefined {
    const r = this.r;
    const withFor = <T extends object>(f: T): T & { forUs?: Micros } => (forUs === undefined ? f : { ...f, forUs });
    switch (kind) {
      case 'crash': {
        const target = this.target(c);
        const restartAfterUs = r.duration(restartC, { positive: true });
        if (target === undefined) return undefined;
        return restartAfterUs === undefined ? { kind, target } : { kind, target, restartAfterUs };
      }
      case 'partition': {
        const partition = this.partition(c);
        const oneWay = r.boolean(oneWayC) ?? false;
        if (oneWay && partition !== undefined && partition.type === 'split') r.fail(oneWayC, 'oneWay needs explicit sides');
        return partition === undefined ? undefined : withFor({ kind, partition, oneWay });
      }
      case 'loss': {
        const rate = isMap(c.node) ? r.number(r.field(r.map(c, ['rate']), c, 'rate'), { min: 0, max: 1 }) : r.number(c, { min: 0, max: 1 });
        return rate === undefined ? undefined : withFor({ kind, rate });
      }
      case 'latency': {
        if (!isMap(c.node)) return r.fail(c, 'latency needs {median, p99}');
        const latency = this.latency(c, DEFAULT_CLUSTER.network.latency);
        return withFor({ kind, latency });
      }
      case 'clockSkew': {
        const m = r.map(c, ['host', 'offset', 'drift']);
        if (m === undefined) return r.fail(c, 'clockSkew needs {host, offset} or {host, drift}');
        const hostC = r.field(m, c, 'host');
        const target = r.required(hostC) ? this.target(hostC) : undefined;
        const offsetUs = r.duration(r.field(m, c, 'offset'), { signed: true });
        const drift = r.number(r.field(m, c, 'drift'), { min: -0.99, max: 100 });
        if (offsetUs === undefined && drift === undefined) return r.fail(c, 'clockSkew needs an offset (e.g. 20s, -5s) or a drift rate (e.g. 0.5)');
        if (target === undefined) return undefined;
        return withFor({ kind, target, ...(offsetUs === undefined ? {} : { offsetUs }), ...(drift === undefined ? {} : { drift }) });
      }
      case 'pause': {
        const target = this.target(c);
        if (forUs === undefined) {
          r.fail(forC, 'a pause needs for: how long the process is stopped');
          return undefined;
        }
        return target === undefined ? undefined : { kind, target, forUs };
      }
      case 'slowDisk': {
        const m = r.map(c, ['host', 'factor']);
        if (m === undefined) return r.fail(c, 'slowDisk needs {host, factor}');
        const hostC = r.field(m, c, 'host');
        const target = r.required(hostC) ? this.target(hostC) : undefined;
        const factorC = r.field(m, c, 'factor');
        const factor = r.required(factorC) ? r.number(factorC, { min: 1 }) : undefined;
        return target === undefined || factor === undefined ? undefined : withFor({ kind, target, factor });
      }
    }
  }

  private partition(c: Cursor): PartitionSpec | undefined {
    const r = this.r;
    if (isSeq(c.node)) return this.sides(c);
    const m = r.map(c, ['sides', 'isolate', 'split', 'leaderIn']);
    if (m === undefined) return r.fail(c, 'partition needs sides [[a], [b, c]], {isolate: X} or {split: etcd, leaderIn: minority}');
    if (m.has('sides')) return this.sides(r.field(m, c, 'sides'));
    if (m.has('isolate')) {
      const target = this.target(r.field(m, c, 'isolate'));
      return target === undefined ? undefined : { type: 'isolate', target };
    }
    if (m.has('split')) {
      const gC = r.field(m, c, 'split');
      const g = r.string(gC);
      const group = HOST_GROUPS.find((x) => x === g);
      if (group === undefined) return r.fail(gC, `split takes a group: ${HOST_GROUPS.join(', ')}`);
      const liC = r.field(m, c, 'leaderIn');
      const li = r.string(liC) ?? 'minority';
      if (li !== 'minority' && li !== 'majority') return r.fail(liC, 'leaderIn must be minority or majority');
      return { type: 'split', group, leaderIn: li };
    }
    return r.fail(c, 'partition needs sides, isolate or split');
  }

  private sides(c: Cursor): PartitionSpec | undefined {
    const r = this.r;
    const sides: FaultTarget[][] = [];
    for (const sideC of r.seq(c) ?? []) {
      const side: FaultTarget[] = [];
      for (const t of r.seq(sideC) ?? []) {
        const target = this.target(t);
        if (target !== undefined) side.push(target);
      }
      sides.push(side);
    }
    if (sides.length < 2) return r.fail(c, 'a partition needs at least two sides');
    return { type: 'groups', sides };
  }

  /** A host, a group, `component@host` or `leader(component)`. */
  private target(c: Cursor): FaultTarget | undefined {
    const r = this.r;
    if (!r.required(c)) return undefined;
    const text = r.string(c);
    if (text === undefined) return undefined;
    const result = parseTarget(text, this.cluster);
    if (typeof result === 'string') return r.fail(c, result);
    return result;
  }

  private invariants(c: Cursor, hasConvergeWithin: boolean): InvariantName[] {
    const r = this.r;
    const out = new Set<InvariantName>();
    const items = r.seq(c);
    if (items === undefined) for (const n of DEFAULT_INVARIANTS) out.add(n);
    for (const item of items ?? []) {
      const name = r.string(item);
      if (name === 'default') for (const n of DEFAULT_INVARIANTS) out.add(n);
      else if (name !== undefined) {
        const known = INVARIANT_NAMES.find((n) => n === name);
        if (known === undefined) r.fail(item, `unknown invariant "${name}"; see kubesim list invariants`);
        else out.add(known);
      }
    }
    if (hasConvergeWithin) out.add('liveness.convergesWithin');
    // Catalogue order, so outputs do not depend on how the list was written.
    return INVARIANT_NAMES.filter((n) => out.has(n));
  }
}

/** Parses a fault target against a cluster; returns a message when it names nothing in that cluster. */
export function parseTarget(text: string, cluster: ClusterSpec): FaultTarget | string {
  const hosts = hostNames(cluster);
  const leader = /^leader\(\s*([a-z-]+)\s*\)$/.exec(text);
  if (leader !== null) {
    const component = LEADER_KINDS.find((k) => k === leader[1]);
    if (component === undefined) return `leader(...) takes one of ${LEADER_KINDS.join(', ')}`;
    return { type: 'leader', component };
  }
  const at = /^([a-z-]+)@([a-z0-9-]+)$/.exec(text);
  if (at !== null) {
    const component = COMPONENT_KINDS.find((k) => k === at[1]);
    const host = at[2] ?? '';
    if (component === undefined) return `unknown component "${at[1] ?? ''}"; expected one of ${COMPONENT_KINDS.join(', ')}`;
    if (!hostRunsComponent(hosts, component, host)) return `no ${component} runs on "${host}"`;
    return { type: 'instance', component, host };
  }
  const group = HOST_GROUPS.find((g) => g === text);
  if (group !== undefined) return { type: 'group', group: group satisfies HostGroup };
  if (hosts.all.includes(text)) return { type: 'host', host: text };
  // With stacked etcd, `etcd-2` names the member on master-2 rather than a host of its own.
  const member = /^etcd-(\d+)$/.exec(text);
  if (member !== null && cluster.etcd.topology === 'stacked') {
    const host = hosts.etcdHosts[Number(member[1]) - 1];
    if (host !== undefined) return { type: 'instance', component: 'etcd', host };
  }
  const sample = hosts.all.slice(0, 6).join(', ') + (hosts.all.length > 6 ? ', …' : '');
  return `unknown target "${text}"; expected a host (${sample}), a group (${HOST_GROUPS.join(', ')}), component@host or leader(component)`;
}

function hostRunsComponent(hosts: ReturnType<typeof hostNames>, component: ComponentKind, host: string): boolean {
  switch (component) {
    case 'etcd':
      return hosts.etcdHosts.includes(host);
    case 'kube-apiserver':
    case 'kube-scheduler':
    case 'kube-controller-manager':
      return hosts.masters.includes(host);
    case 'kubelet':
      return hosts.workers.includes(host);
  }
}

function manifestProblem(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'a manifest must be a mapping with apiVersion, kind and metadata';
  const o = json as Record<string, unknown>;
  if (typeof o['apiVersion'] !== 'string') return 'manifest needs apiVersion';
  if (typeof o['kind'] !== 'string') return 'manifest needs kind';
  const meta = o['metadata'];
  if (meta === null || typeof meta !== 'object') return 'manifest needs metadata.name';
  const name = (meta as Record<string, unknown>)['name'];
  const generateName = (meta as Record<string, unknown>)['generateName'];
  if (typeof name !== 'string' && typeof generateName !== 'string') return 'manifest needs metadata.name';
  return undefined;
}

/** In reading order, file by file, so the first error shown is the first in the file. */
function sortErrors(errors: readonly LoadError[]): LoadError[] {
  return [...errors].sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1));
}

function errnoMessage(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'code' in e && (e as { code: unknown }).code === 'ENOENT') return 'no such file';
  return e instanceof Error ? e.message : String(e);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function fmtS(us: Micros): string {
  return `${us / 1_000_000}s`;
}
