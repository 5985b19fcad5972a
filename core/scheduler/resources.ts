import type { ResourceList } from '../api/types.js';
import { cpuMilli, units } from './quantities.js';

/**
 * A resource vector in integer base units: CPU in millicores, memory and ephemeral storage in
 * bytes, extended resources (e.g. nvidia.com/gpu) in units. Plain numbers keep Filter cheap.
 */
export interface Resources {
  readonly cpuMilli: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
  /** Extended resources; undefined when there are none (the common case, no Map allocated). */
  readonly scalar: ReadonlyMap<string, number> | undefined;
}

export const ZERO_RESOURCES: Resources = Object.freeze({ cpuMilli: 0, memory: 0, ephemeralStorage: 0, scalar: undefined });

/** Upstream's defaults for containers without requests, used only by scoring (NonZeroRequested). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Parses a ResourceList; `pods` is skipped (it is a node-only count handled separately). */
export function resourcesFromList(list: ResourceList | undefined): Resources {
  if (list === undefined) return ZERO_RESOURCES;
  let cpu = 0;
  let memory = 0;
  let eph = 0;
  let scalar: Map<string, number> | undefined;
  for (const [name, q] of Object.entries(list)) {
    switch (name) {
      case 'cpu':
        cpu = cpuMilli(q);
        break;
      case 'memory':
        memory = units(q);
        break;
      case 'ephemeral-storage':
        eph = units(q);
        break;
      case 'pods':
        break;
      default:
        // hugepages-*, extended resources: scalar, compared by exact integer units.
        scalar ??= new Map();
        scalar.set(name, units(q));
    }
  }
  return { cpuMilli: cpu, memory, ephemeralStorage: eph, scalar };
}

/** Component-wise sum. */
export function addResources(a: Resources, b: Resources): Resources {
  let scalar: Map<string, number> | undefined;
  if (a.scalar !== undefined || b.scalar !== undefined) {
    scalar = new Map(a.scalar ?? []);
    for (const [k, v] of b.scalar ?? []) scalar.set(k, (scalar.get(k) ?? 0) + v);
  }
  return {
    cpuMilli: a.cpuMilli + b.cpuMilli,
    memory: a.memory + b.memory,
    ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage,
    scalar,
  };
}

/** Component-wise maximum (init containers run one at a time, so a pod needs the max of them). */
export function maxResources(a: Resources, b: Resources): Resources {
  let scalar: Map<string, number> | undefined;
  if (a.scalar !== undefined || b.scalar !== undefined) {
    scalar = new Map(a.scalar ?? []);
    for (const [k, v] of b.scalar ?? []) scalar.set(k, Math.max(scalar.get(k) ?? 0, v));
  }
  return {
    cpuMilli: Math.max(a.cpuMilli, b.cpuMilli),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
    scalar,
  };
}

export function isZeroResources(r: Resources): boolean {
  if (r.cpuMilli !== 0 || r.memory !== 0 || r.ephemeralStorage !== 0) return false;
  for (const v of r.scalar?.values() ?? []) if (v !== 0) return false;
  return true;
}
