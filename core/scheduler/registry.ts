import type { FrameworkHandle, Plugin, PluginFactory } from './plugin.js';
import { balancedAllocation, BALANCED_ALLOCATION } from './plugins/balancedAllocation.js';
import { defaultPreemption, DEFAULT_PREEMPTION } from './plugins/defaultPreemption.js';
import { interPodAffinity, INTER_POD_AFFINITY } from './plugins/interPodAffinity.js';
import { nodeAffinity, NODE_AFFINITY } from './plugins/nodeAffinity.js';
import { nodeName, NODE_NAME } from './plugins/nodeName.js';
import { nodeResourcesFit, NODE_RESOURCES_FIT, type ScoringStrategy } from './plugins/nodeResourcesFit.js';
import { nodeUnschedulable, NODE_UNSCHEDULABLE } from './plugins/nodeUnschedulable.js';
import { podTopologySpread, POD_TOPOLOGY_SPREAD, type DefaultConstraint } from './plugins/podTopologySpread.js';
import { taintToleration, TAINT_TOLERATION } from './plugins/taintToleration.js';
import type { ResourceSpec } from './resourceAllocation.js';

/** Plugin factories by name (upstream's frameworkruntime.Registry); user plugins register here too. */
export class PluginRegistry {
  private readonly factories = new Map<string, PluginFactory>();

  register(name: string, factory: PluginFactory): void {
    if (this.factories.has(name)) throw new Error(`scheduler plugin "${name}" is already registered`);
    this.factories.set(name, factory);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  names(): string[] {
    return [...this.factories.keys()].sort();
  }

  create(name: string, handle: FrameworkHandle, args: Readonly<Record<string, unknown>> | undefined): Plugin {
    const f = this.factories.get(name);
    if (f === undefined) throw new Error(`unknown scheduler plugin "${name}"; registered: ${this.names().join(', ')}`);
    const p = f(handle, args);
    if (p.name !== name) throw new Error(`scheduler plugin factory "${name}" built a plugin named "${p.name}"`);
    return p;
  }
}

/** A registry holding every built-in plugin. */
export function builtinRegistry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register(NODE_UNSCHEDULABLE, () => nodeUnschedulable());
  r.register(NODE_NAME, () => nodeName());
  r.register(TAINT_TOLERATION, () => taintToleration());
  r.register(NODE_AFFINITY, () => nodeAffinity());
  r.register(NODE_RESOURCES_FIT, (_h, args) =>
    nodeResourcesFit(args?.['scoringStrategy'] === undefined ? undefined : { scoringStrategy: args['scoringStrategy'] as ScoringStrategy }),
  );
  r.register(BALANCED_ALLOCATION, (_h, args) =>
    balancedAllocation(args?.['resources'] === undefined ? undefined : { resources: args['resources'] as readonly ResourceSpec[] }),
  );
  r.register(POD_TOPOLOGY_SPREAD, (h, args) =>
    podTopologySpread(
      h,
      args?.['defaultConstraints'] === undefined ? undefined : { defaultConstraints: args['defaultConstraints'] as readonly DefaultConstraint[] },
    ),
  );
  r.register(INTER_POD_AFFINITY, (h, args) =>
    interPodAffinity(
      h,
      typeof args?.['hardPodAffinityWeight'] === 'number' ? { hardPodAffinityWeight: args['hardPodAffinityWeight'] } : undefined,
    ),
  );
  r.register(DEFAULT_PREEMPTION, (h) => defaultPreemption(h));
  return r;
}
