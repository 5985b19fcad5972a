import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import type { Condition, Container, ContainerStatus, Pod, PodConditionType, PodPhase, PodStatus } from '../api/types.js';

/** How an image behaves in the container-runtime model (scenario `images`). */
export interface ImageBehaviour {
  /** Time from container start to running. */
  readonly startupUs: Micros;
  /** Whether the container ever passes its readiness probe (false models a broken image). */
  readonly ready: boolean;
  /** Image pull time on a node that does not have it yet; default 0 (pre-pulled). */
  readonly pullUs?: Micros;
}

export type ContainerPhase = 'pulling' | 'starting' | 'running' | 'backoff' | 'stopped';

/** One container as the runtime model tracks it. */
export interface ContainerState {
  readonly spec: Container;
  phase: ContainerPhase;
  ready: boolean;
  restartCount: number;
  /** Local µs the current run started (running) or the last one ended. */
  sinceUs: Micros;
  backoffStep: number;
  /** Pending timer handle of the next transition, if any. */
  timer: number | undefined;
  readinessFailures: number;
  livenessFailures: number;
  lastTerminated: { exitCode: number; reason: string; startedAt: number; finishedAt: number } | undefined;
}

export function newContainerState(spec: Container, restartCount: number): ContainerState {
  return { spec, phase: 'pulling', ready: false, restartCount, sinceUs: 0, backoffStep: 0, timer: undefined, readinessFailures: 0, livenessFailures: 0, lastTerminated: undefined };
}

/** Probe timing with upstream defaults (periodSeconds 10, failureThreshold 3, initialDelaySeconds 0). */
export function probeTiming(p: NonNullable<Container['readinessProbe']>): { initialDelayUs: Micros; periodUs: Micros; failureThreshold: number; successThreshold: number } {
  return {
    initialDelayUs: s(p.initialDelaySeconds ?? 0),
    periodUs: s(p.periodSeconds ?? 10),
    failureThreshold: p.failureThreshold ?? 3,
    successThreshold: p.successThreshold ?? 1,
  };
}

/** Pod phase from container states (restartPolicy Always: never Succeeded/Failed while running). */
export function podPhase(containers: readonly ContainerState[]): PodPhase {
  if (containers.length > 0 && containers.every((c) => c.phase === 'running' || c.restartCount > 0)) return 'Running';
  return 'Pending';
}

/** The PodStatus the kubelet's status manager posts: phase, the four conditions, container statuses. */
export function buildPodStatus(pod: Pod, containers: readonly ContainerState[], startTime: number, nowSeconds: number, hostIP: string): PodStatus {
  const allReady = containers.length > 0 && containers.every((c) => c.ready);
  const prev = pod.status?.conditions;
  const cond = (type: PodConditionType, status: 'True' | 'False', reason?: string): Condition<PodConditionType> => {
    const p = prev?.find((c) => c.type === type);
    const lastTransitionTime = p !== undefined && p.status === status ? (p.lastTransitionTime ?? nowSeconds) : nowSeconds;
    return reason === undefined ? { type, status, lastTransitionTime } : { type, status, reason, lastTransitionTime };
  };
  const statuses: ContainerStatus[] = containers.map((c) => ({
    name: c.spec.name,
    ...(c.spec.image !== undefined ? { image: c.spec.image } : {}),
    ready: c.ready,
    started: c.phase === 'running',
    restartCount: c.restartCount,
    state:
      c.phase === 'running'
        ? { running: { startedAt: c.sinceUs / 1e6 } }
        : c.phase === 'backoff'
          ? { waiting: { reason: 'CrashLoopBackOff' } }
          : { waiting: { reason: c.phase === 'pulling' ? 'ContainerCreating' : 'ContainerCreating' } },
    ...(c.lastTerminated !== undefined ? { lastState: { terminated: c.lastTerminated } } : {}),
  }));
  return {
    phase: podPhase(containers),
    conditions: [
      cond('PodScheduled', 'True'),
      cond('Initialized', 'True'),
      cond('ContainersReady', allReady ? 'True' : 'False', allReady ? undefined : 'ContainersNotReady'),
      cond('Ready', allReady ? 'True' : 'False', allReady ? undefined : 'ContainersNotReady'),
    ],
    containerStatuses: statuses,
    startTime,
    hostIP,
  };
}
