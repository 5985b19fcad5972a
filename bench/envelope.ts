// The macro benchmark: Kubernetes' scalability envelope (5,000 nodes, 150,000 pods through
// Deployments, 3 masters, 5 etcd members, node leases and leader election on) through the real
// scenario runner. Phases: bootstrap (t = 0, no node registered, to the apply at 60 s), (a) rollout
// from the apply on the empty cluster (nodes up, no pods, as clusterloader2 starts) to every pod
// running, and (b) a steady simulated hour afterwards; `fromStart` is bootstrap and rollout together.
// Targets (DESIGN.md, issue 7): (a) under 60 s wall and 4 GiB, (b) under 30 s wall. Wall-clock
// figures live only here.
//
//   NODE_OPTIONS=--max-old-space-size=12288 npm run bench -- envelope   # full size (needs > 4 GiB of heap today)
//   KUBESIM_ENVELOPE_SCALE=0.1 npm run bench -- envelope --json         # 500 nodes, 15,000 pods
//   KUBESIM_ENVELOPE_STEADY=600 …                                       # a shorter steady phase
//
// Client rate limits: kube-scheduler and kube-controller-manager are raised to QPS 5000 / burst 5000,
// as upstream scheduler_perf raises its client (test/integration/scheduler_perf, mustSetupCluster:
// cfg.QPS = 5000, cfg.Burst = 5000), so the run measures the simulator rather than client-side
// throttling; kubelets keep the upstream default (50/100), one client per node.
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEFAULT_CLUSTER, DEFAULT_NODE_CAPACITY, DEFAULT_INVARIANTS, runScenario, type Manifest, type Scenario } from '../core/cluster/index.js';
import { s } from '../sim/time.js';
import type { BenchRow } from './result.js';

export interface EnvelopeOptions {
  readonly nodes: number;
  readonly pods: number;
  /** Replicas per Deployment (the last one takes the remainder). Default 500. */
  readonly replicasPerDeployment?: number;
  readonly seed?: number;
  /** Length of the steady phase after every pod runs, simulated seconds. Default 3600. */
  readonly steadySeconds?: number;
  /** Give up phase (a) after this much simulated time, seconds. Default 7200. */
  readonly maxRolloutSeconds?: number;
  /**
   * When the Deployments are applied, simulated seconds (default 60): after the kubelets' start-up
   * burst of registrations, leases and watches, as clusterloader2 creates its load on a cluster
   * whose nodes exist. Applied at 0 with 5,000 nodes, some creates timed out in that burst and the
   * workload driver (like kubectl) does not retry them. Phase (a) is still timed from t = 0.
   */
  readonly applyAtSeconds?: number;
  /** Print a progress line to stderr every this many simulated seconds (0 = never). */
  readonly progressEverySeconds?: number;
}

export interface EnvelopePhase {
  readonly wallSeconds: number;
  /** CPU time of the process over the phase (user + system), seconds. */
  readonly cpuSeconds: number;
  readonly simulatedSeconds: number;
  readonly events: number;
  readonly eventsPerSec: number;
  readonly simSecondsPerWallSecond: number;
  /** Peak resident set size of the process so far, MiB. */
  readonly peakRssMiB: number;
  /** Peak V8 heap in use seen at the per-second samples, MiB. */
  readonly peakHeapMiB: number;
  /**
   * Live heap (after a full GC) at the end minus at the start of the phase, per simulated second,
   * MiB: what the run keeps growing, without the garbage the samples see.
   */
  readonly heapGrowthMiBPerSimSecond: number;
  /** Heap in use after a full GC at the phase's end: what the simulation holds, without garbage. */
  readonly liveHeapMiB: number;
}

export interface EnvelopeResult {
  readonly nodes: number;
  readonly pods: number;
  readonly seed: number;
  /** Building hosts and components before the first simulated event, wall seconds. */
  readonly setupWallSeconds: number;
  /** The cluster coming up: t = 0 (no node registered) to the Deployments' apply. */
  readonly bootstrap: EnvelopePhase | undefined;
  /**
   * Phase (a): from the apply on an empty cluster (its nodes up, no pods: clusterloader2's starting
   * point) to every pod running; undefined if it never got there.
   */
  readonly rollout: EnvelopePhase | undefined;
  /** Bootstrap and rollout together: t = 0 to every pod running. */
  readonly fromStart: EnvelopePhase | undefined;
  /** Phase (b): the steady simulated hour after (a). */
  readonly steady: EnvelopePhase | undefined;
  /** Invariant checks and the summary after the run, wall seconds. */
  readonly finaliseWallSeconds: number;
  readonly traceHash: string;
  readonly podsRunning: number;
  /** Workload steps the driver could not carry out (events.csv `workload.failed` rows). */
  readonly workloadFailures: number;
  readonly allHeld: boolean;
}

/** The envelope's Deployments: pods of 100m CPU / 128Mi, 30 per node on 4-core/16Gi nodes. */
function deployments(pods: number, perDeployment: number): Manifest[] {
  const out: Manifest[] = [];
  for (let i = 0, left = pods; left > 0; i++) {
    const replicas = Math.min(perDeployment, left);
    left -= replicas;
    const name = `load-${i}`;
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default', labels: { app: name } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
        },
      },
    });
  }
  return out;
}

export function envelopeScenario(options: EnvelopeOptions): Scenario {
  const steadyUs = s(options.steadySeconds ?? 3600);
  const maxRolloutUs = s(options.maxRolloutSeconds ?? 7200);
  return {
    name: 'envelope',
    description: `${options.nodes} nodes, ${options.pods} pods through Deployments, 3 masters, 5 etcd members`,
    seed: options.seed ?? 1,
    durationUs: maxRolloutUs + steadyUs,
    cluster: {
      ...DEFAULT_CLUSTER,
      masters: 3,
      etcd: { ...DEFAULT_CLUSTER.etcd, members: 5, topology: 'external' },
      nodePools: [{ count: options.nodes, namePrefix: 'node', capacity: DEFAULT_NODE_CAPACITY, labels: {}, taints: [] }],
      clientRateLimits: {
        ...DEFAULT_CLUSTER.clientRateLimits,
        'kube-scheduler': { qps: 5000, burst: 5000 },
        'kube-controller-manager': { qps: 5000, burst: 5000 },
      },
    },
    workload: [{ type: 'apply', atUs: s(options.applyAtSeconds ?? 60), manifests: deployments(options.pods, options.replicasPerDeployment ?? 500) }],
    faults: [],
    invariants: DEFAULT_INVARIANTS,
    expect: {},
  };
}

interface Mark {
  readonly wall: number;
  /** Process CPU time (user + system), ms: steadier than wall time on a shared machine. */
  readonly cpu: number;
  readonly simUs: number;
  readonly events: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Heap in use after a full garbage collection, bytes (gc() made reachable through a flag set at run time). */
function liveHeap(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  return process.memoryUsage().heapUsed;
}

function memMiB(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}

/** Runs the envelope at the given size and measures both phases. */
export function runEnvelope(options: EnvelopeOptions): EnvelopeResult {
  const scenario = envelopeScenario(options);
  const steadyUs = s(options.steadySeconds ?? 3600);
  const applyAtUs = s(options.applyAtSeconds ?? 60);
  const progressUs = s(options.progressEverySeconds ?? 0);
  let peakHeap = 0;
  let start: Mark | undefined;
  let applied: Mark | undefined;
  let appliedLive = 0;
  let bootstrapPeakRss = 0;
  let bootstrapPeakHeap = 0;
  let rolledOut: Mark | undefined;
  let rolloutPeakRss = 0;
  let rolloutPeakHeap = 0;
  let last: Mark | undefined;
  let rolledOutLive = 0;
  let endLive = NaN;
  let steadyEndUs = Infinity;
  const t0 = performance.now();
  const result = runScenario(scenario, {
    onSample: (row, { nowUs, events }) => {
      const wall = performance.now();
      const cpu = cpuMs();
      const heap = process.memoryUsage().heapUsed;
      if (heap > peakHeap) peakHeap = heap;
      start ??= { wall, cpu, simUs: nowUs, events };
      last = { wall, cpu, simUs: nowUs, events };
      if (applied === undefined && nowUs >= applyAtUs) {
        applied = last;
        bootstrapPeakRss = process.resourceUsage().maxRSS * 1024;
        bootstrapPeakHeap = peakHeap;
        appliedLive = liveHeap();
      }
      // The last sample of the steady phase, while the simulation is still alive.
      if (nowUs >= steadyEndUs && Number.isNaN(endLive)) endLive = liveHeap();
      if (progressUs > 0 && nowUs % progressUs === 0) {
        process.stderr.write(
          `t=${nowUs / 1e6}s wall=${((wall - t0) / 1000).toFixed(1)}s events=${events} pending=${row.podsPending} running=${row.podsRunning} heap=${memMiB(heap)}MiB\n`,
        );
      }
      if (rolledOut === undefined && row.podsRunning >= options.pods) {
        rolledOut = last;
        rolloutPeakRss = process.resourceUsage().maxRSS * 1024;
        rolloutPeakHeap = peakHeap;
        peakHeap = 0;
        rolledOutLive = liveHeap();
        steadyEndUs = nowUs + steadyUs;
        return steadyEndUs;
      }
      return undefined;
    },
  });
  const t1 = performance.now();
  const phase = (from: Mark, to: Mark, rss: number, heap: number, liveFrom: number, liveTo: number): EnvelopePhase => {
    const wallSeconds = (to.wall - from.wall) / 1000;
    const simulatedSeconds = (to.simUs - from.simUs) / 1e6;
    const events = to.events - from.events;
    return {
      wallSeconds: round3(wallSeconds),
      cpuSeconds: round3((to.cpu - from.cpu) / 1000),
      simulatedSeconds,
      events,
      eventsPerSec: Math.round(events / wallSeconds),
      simSecondsPerWallSecond: round3(simulatedSeconds / wallSeconds),
      peakRssMiB: memMiB(rss),
      peakHeapMiB: memMiB(heap),
      heapGrowthMiBPerSimSecond: Math.round(((liveTo - liveFrom) / 2 ** 20 / simulatedSeconds) * 1e4) / 1e4,
      liveHeapMiB: memMiB(liveTo),
    };
  };
  const origin: Mark = { wall: start?.wall ?? t0, cpu: start?.cpu ?? 0, simUs: 0, events: 0 };
  return {
    nodes: options.nodes,
    pods: options.pods,
    seed: scenario.seed,
    setupWallSeconds: round3(((start?.wall ?? t0) - t0) / 1000),
    bootstrap: applied === undefined ? undefined : phase(origin, applied, bootstrapPeakRss, bootstrapPeakHeap, 0, appliedLive),
    rollout: rolledOut === undefined || applied === undefined ? undefined : phase(applied, rolledOut, rolloutPeakRss, rolloutPeakHeap, appliedLive, rolledOutLive),
    fromStart: rolledOut === undefined ? undefined : phase(origin, rolledOut, rolloutPeakRss, rolloutPeakHeap, 0, rolledOutLive),
    steady:
      rolledOut === undefined || last === undefined
        ? undefined
        : phase(rolledOut, last, process.resourceUsage().maxRSS * 1024, peakHeap, rolledOutLive, endLive),
    finaliseWallSeconds: round3((t1 - (last?.wall ?? t1)) / 1000),
    traceHash: result.summary.traceHash,
    podsRunning: result.metrics.at(-1)?.podsRunning ?? 0,
    workloadFailures: result.events.filter((e) => e.kind === 'workload.failed').length,
    allHeld: result.allHeld,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function phaseRows(name: string, p: EnvelopePhase | undefined, note: string): BenchRow[] {
  if (p === undefined) return [{ bench: 'envelope', metric: `${name}.wallSeconds`, value: NaN, unit: 's', note: 'did not complete' }];
  return [
    { bench: 'envelope', metric: `${name}.wallSeconds`, value: p.wallSeconds, unit: 's', note },
    { bench: 'envelope', metric: `${name}.cpuSeconds`, value: p.cpuSeconds, unit: 's' },
    { bench: 'envelope', metric: `${name}.simulatedSeconds`, value: p.simulatedSeconds, unit: 's' },
    { bench: 'envelope', metric: `${name}.events`, value: p.events, unit: 'events' },
    { bench: 'envelope', metric: `${name}.eventsPerSec`, value: p.eventsPerSec, unit: 'events/s' },
    { bench: 'envelope', metric: `${name}.simSecondsPerWallSecond`, value: p.simSecondsPerWallSecond, unit: 'x' },
    { bench: 'envelope', metric: `${name}.peakRssMiB`, value: p.peakRssMiB, unit: 'MiB' },
    { bench: 'envelope', metric: `${name}.peakHeapMiB`, value: p.peakHeapMiB, unit: 'MiB' },
    { bench: 'envelope', metric: `${name}.heapGrowthMiBPerSimSecond`, value: p.heapGrowthMiBPerSimSecond, unit: 'MiB/s', note: 'live heap after a full GC, end − start' },
    { bench: 'envelope', metric: `${name}.liveHeapMiB`, value: p.liveHeapMiB, unit: 'MiB', note: 'live heap after a full GC at the end of the phase' },
  ];
}

/**
 * `npm run bench -- envelope`: full size by default; KUBESIM_ENVELOPE_SCALE (e.g. 0.1 = 500 nodes and
 * 15,000 pods) scales nodes and pods together; KUBESIM_ENVELOPE_PROGRESS=N prints a line every N
 * simulated seconds to stderr; KUBESIM_ENVELOPE_STEADY shortens the steady phase (seconds, default 3600).
 */
export function benchEnvelope(): BenchRow[] {
  const scale = Number(process.env['KUBESIM_ENVELOPE_SCALE'] ?? '1');
  if (!(scale > 0)) throw new Error(`KUBESIM_ENVELOPE_SCALE must be a positive number, got ${process.env['KUBESIM_ENVELOPE_SCALE']}`);
  const nodes = Math.max(1, Math.round(5000 * scale));
  const pods = Math.max(1, Math.round(150_000 * scale));
  const steadySeconds = Number(process.env['KUBESIM_ENVELOPE_STEADY'] ?? '3600');
  const r = runEnvelope({ nodes, pods, steadySeconds, progressEverySeconds: Number(process.env['KUBESIM_ENVELOPE_PROGRESS'] ?? '0') });
  const size = `${nodes} nodes, ${pods} pods`;
  return [
    { bench: 'envelope', metric: 'setupWallSeconds', value: r.setupWallSeconds, unit: 's', note: size },
    ...phaseRows('bootstrap', r.bootstrap, 'nodes registering, leases and watches, t = 0 → apply'),
    ...phaseRows('rollout', r.rollout, 'apply on the empty cluster → all pods running; target < 60 s, < 4 GiB at full size'),
    ...phaseRows('fromStart', r.fromStart, 't = 0 → all pods running (bootstrap + rollout)'),
    ...phaseRows('steady', r.steady, 'a simulated hour after; target < 30 s at full size'),
    { bench: 'envelope', metric: 'finaliseWallSeconds', value: r.finaliseWallSeconds, unit: 's', note: 'invariant checks and summary' },
    { bench: 'envelope', metric: 'podsRunning', value: r.podsRunning, unit: 'pods', note: `traceHash ${r.traceHash}; invariants ${r.allHeld ? 'held' : 'VIOLATED'}` },
    { bench: 'envelope', metric: 'workloadFailures', value: r.workloadFailures, unit: 'steps', note: 'workload.failed events (e.g. a Deployment create that timed out)' },
  ];
}
