import type { Node, Pod } from '../../api/types.js';
import { buildPodInfo, type PodInfo } from '../podInfo.js';
import { resourcesFromList, type Resources } from '../resources.js';
import { units } from '../quantities.js';
import { ViolationLog, type BindingObserver, type InvariantResult } from './invariantResult.js';

export const CAPACITY = 'scheduler.capacity';

interface NodeUse {
  allocatable: Resources;
  maxPods: number;
  cpu: number;
  memory: number;
  ephemeral: number;
  scalar: Map<string, number>;
  pods: number;
}

/**
 * The sum of requests of the live pods bound to a node never exceeds its allocatable resources
 * (cpu, memory, ephemeral storage, extended resources) and pod count, checked at every binding.
 */
export class CapacityChecker implements BindingObserver {
  private readonly nodes = new Map<string, NodeUse>();
  private readonly live = new Map<string, { node: string; requests: Resources }>();
  private readonly log = new ViolationLog();

  private use(name: string): NodeUse {
    let u = this.nodes.get(name);
    if (u === undefined) {
      u = { allocatable: resourcesFromList(undefined), maxPods: Infinity, cpu: 0, memory: 0, ephemeral: 0, scalar: new Map(), pods: 0 };
      this.nodes.set(name, u);
    }
    return u;
  }

  onNode(_t: number, node: Node): void {
    const u = this.use(node.metadata.name ?? '');
    const alloc = node.status?.allocatable ?? node.status?.capacity;
    u.allocatable = resourcesFromList(alloc);
    const pods = alloc?.['pods'];
    u.maxPods = pods === undefined ? 0 : units(pods);
  }

  onNodeDelete(_t: number, _name: string): void {}

  onBinding(timeUs: number, pod: Pod, nodeName: string, info: PodInfo = buildPodInfo(pod)): void {
    const u = this.use(nodeName);
    const r = info.requests;
    this.live.set(info.uid, { node: nodeName, requests: r });
    u.cpu += r.cpuMilli;
    u.memory += r.memory;
    u.ephemeral += r.ephemeralStorage;
    u.pods += 1;
    for (const [k, v] of r.scalar ?? []) u.scalar.set(k, (u.scalar.get(k) ?? 0) + v);
    const over: string[] = [];
    if (u.pods > u.maxPods) over.push(`pods ${u.pods} > ${u.maxPods}`);
    if (u.cpu > u.allocatable.cpuMilli) over.push(`cpu ${u.cpu}m > ${u.allocatable.cpuMilli}m`);
    if (u.memory > u.allocatable.memory) over.push(`memory ${u.memory} > ${u.allocatable.memory}`);
    if (u.ephemeral > u.allocatable.ephemeralStorage && u.ephemeral > 0) over.push(`ephemeral-storage ${u.ephemeral} > ${u.allocatable.ephemeralStorage}`);
    for (const [k, v] of u.scalar) {
      const a = u.allocatable.scalar?.get(k) ?? 0;
      if (v > a) over.push(`${k} ${v} > ${a}`);
    }
    if (over.length > 0) this.log.record(timeUs, `node ${nodeName} over allocatable after binding ${info.key}: ${over.join(', ')}`);
  }

  onPodGone(_t: number, uid: string): void {
    const l = this.live.get(uid);
    if (l === undefined) return;
    this.live.delete(uid);
    const u = this.use(l.node);
    u.cpu -= l.requests.cpuMilli;
    u.memory -= l.requests.memory;
    u.ephemeral -= l.requests.ephemeralStorage;
    u.pods -= 1;
    for (const [k, v] of l.requests.scalar ?? []) u.scalar.set(k, (u.scalar.get(k) ?? 0) - v);
  }

  result(): InvariantResult {
    return this.log.result(CAPACITY);
  }
}
