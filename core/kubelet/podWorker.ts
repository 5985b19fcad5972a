import type { Micros } from '../../sim/time.js';
import { s } from '../../sim/time.js';
import { conditionOf } from '../api/conditions.js';
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
  if (containers.length === 0) return 'Pending';
  for (const c of containers) if (c.phase !== 'running' && c.restartCount === 0) return 'Pending';
  return 'Running';
}

/**
 * Waiting states, shared by every status that shows them: objects sent to the API server are
 * immutable and shared by reference, and every pending pod's status carries one per container.
 */
const CONTAINER_CREATING: NonNullable<ContainerStatus['state']> = Object.freeze({ waiting: Object.freeze({ reason: 'ContainerCreating' }) });
const CRASH_LOOP_BACK_OFF: NonNullable<ContainerStatus['state']> = Object.freeze({ waiting: Object.freeze({ reason: 'CrashLoopBackOff' }) });

/** A pod condition, keeping its lastTransitionTime from `prev` when its status did not change. */
function condition(
  prev: readonly Condition<PodConditionType>[] | undefined,
  type: PodConditionType,
  status: 'True' | 'False',
  reason: string | undefined,
  nowSeconds: number,
): Condition<PodConditionType> {
  const p = conditionOf(prev, type);
  const lastTransitionTime = p !== undefined && p.status === status ? (p.lastTransitionTime ?? nowSeconds) : nowSeconds;
  return reason === undefined ? { type, status, lastTransitionTime } : { type, status, reason, lastTransitionTime };
}

/** The PodStatus the kubelet's status manager posts: phase, the four conditions, container statuses. */
export function buildPodStatus(pod: Pod, containers: readonly ContainerState[], startTime: number, nowSeconds: number, hostIP: string): PodStatus {
  let allReady = containers.length > 0;
  for (const c of containers) if (!c.ready) allReady = false;
  const prev = pod.status?.conditions;
  const statuses: ContainerStatus[] = containers.map((c) => ({
    name: c.spec.name,
    ...(c.spec.image !== undefined ? { image: c.spec.image } : {}),
    ready: c.ready,
    started: c.phase === 'running',
    restartCount: c.restartCount,
    state: c.phase === 'running' ? { running: { startedAt: c.sinceUs / 1e6 } } : c.phase === 'backoff' ? CRASH_LOOP_BACK_OFF : CONTAINER_CREATING,
    ...(c.lastTerminated !== undefined ? { lastState: { terminated: c.lastTerminated } } : {}),
  }));
  return {
    phase: podPhase(containers),
    conditions: [
      condition(prev, 'PodScheduled', 'True', undefined, nowSeconds),
      condition(prev, 'Initialized', 'True', undefined, nowSeconds),
      condition(prev, 'ContainersReady', allReady ? 'True' : 'False', allReady ? undefined : 'ContainersNotReady', nowSeconds),
      condition(prev, 'Ready', allReady ? 'True' : 'False', allReady ? undefined : 'ContainersNotReady', nowSeconds),
    ],
    containerStatuses: statuses,
    startTime,
    hostIP,
  };
}
