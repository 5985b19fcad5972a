import type { SchedulerCache } from './cache.js';
import { Framework } from './framework.js';
import type { AlgorithmOptions } from './algorithm.js';
import type { FrameworkHandle, PluginFactory } from './plugin.js';
import type { PluginRegistry } from './registry.js';

/** One plugin of a profile: its registered name, score weight (0 = no scoring) and arguments. */
export interface PluginEntry {
  readonly name: string;
  readonly weight?: number;
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A scheduling profile: plugins in extension-point order plus the node-sampling options. */
export interface ProfileSpec {
  readonly name: string;
  readonly plugins: readonly PluginEntry[];
  /** 0 = adaptive (upstream). */
  readonly percentageOfNodesToScore?: number;
  readonly nodeOrder?: AlgorithmOptions['nodeOrder'];
  /** Stop filtering at the first feasible node (first-fit). */
  readonly stopAtFirstFeasible?: boolean;
}

export const POLICY_NAMES = ['default', 'bin-pack', 'spread', 'balanced', 'random', 'first-fit'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** Filters every policy keeps: placement rules are constraints, not preferences. */
const FILTERS: readonly PluginEntry[] = [
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 0 },
  { name: 'NodeAffinity', weight: 0 },
  { name: 'NodeResourcesFit', weight: 0 },
  { name: 'PodTopologySpread', weight: 0 },
  { name: 'InterPodAffinity', weight: 0 },
  { name: 'DefaultPreemption' },
];

function withWeights(weights: Readonly<Record<string, number>>, args: Readonly<Record<string, PluginEntry['args']>> = {}): PluginEntry[] {
  const entries: PluginEntry[] = FILTERS.map((e) => {
    const a = args[e.name];
    return { name: e.name, weight: weights[e.name] ?? 0, ...(a === undefined ? {} : { args: a }) };
  });
  for (const [name, weight] of Object.entries(weights)) {
    if (entries.some((e) => e.name === name)) continue;
    const a = args[name];
    entries.push({ name, weight, ...(a === undefined ? {} : { args: a }) });
  }
  return entries;
}

/**
 * The named policies. `default` is kube-scheduler's default profile with its weights
 * (TaintToleration 3; NodeAffinity, PodTopologySpread, InterPodAffinity 2; NodeResourcesFit
 * LeastAllocated and BalancedAllocation 1). The others keep every filter and change scoring.
 */
export const POLICIES: Readonly<Record<PolicyName, ProfileSpec>> = Object.freeze({
  default: {
    name: 'default',
    plugins: withWeights({
      TaintToleration: 3,
      NodeAffinity: 2,
      NodeResourcesFit: 1,
      PodTopologySpread: 2,
      InterPodAffinity: 2,
      NodeResourcesBalancedAllocation: 1,
    }),
  },
  // Upstream's documented bin-packing set-up: NodeResourcesFit with MostAllocated; spreading
  // scores are dropped because they would pull the other way.
  'bin-pack': {
    name: 'bin-pack',
    plugins: withWeights(
      { TaintToleration: 3, NodeAffinity: 2, InterPodAffinity: 2, NodeResourcesFit: 5 },
      { NodeResourcesFit: { scoringStrategy: { type: 'MostAllocated' } } },
    ),
  },
  spread: {
    name: 'spread',
    plugins: withWeights({ TaintToleration: 3, NodeAffinity: 2, InterPodAffinity: 2, NodeResourcesFit: 3, PodTopologySpread: 3 }),
  },
  balanced: {
    name: 'balanced',
    plugins: withWeights({
      TaintToleration: 3,
      NodeAffinity: 2,
      InterPodAffinity: 2,
      PodTopologySpread: 2,
      NodeResourcesFit: 1,
      NodeResourcesBalancedAllocation: 5,
    }),
  },
  // No scores: every feasible node found ties and the seeded stream picks uniformly among them.
  random: { name: 'random', plugins: withWeights({}) },
  // The first node in list order that passes every filter.
  'first-fit': { name: 'first-fit', plugins: withWeights({}), nodeOrder: 'fromStart', stopAtFirstFeasible: true },
});

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/**
 * What a `custom` policy module exports (the CLI imports the TypeScript file and hands its exports
 * here): plugin factories by name, score weights by plugin name, and optionally the named policy to
 * start from. Built-in plugins keep their base weights unless `weights` overrides them (0 turns a
 * plugin's scoring off; its filter stays).
 */
export interface CustomPolicyModule {
  readonly plugins?: Readonly<Record<string, PluginFactory>>;
  readonly weights?: Readonly<Record<string, number>>;
  readonly base?: PolicyName;
  readonly percentageOfNodesToScore?: number;
}

/** Registers a custom module's plugins and returns its profile. Throws with a clear message on misuse. */
export function registerCustomPolicy(registry: PluginRegistry, mod: CustomPolicyModule, name = 'custom'): ProfileSpec {
  const base = POLICIES[mod.base ?? 'default'];
  const custom = mod.plugins ?? {};
  for (const [pluginName, factory] of Object.entries(custom)) {
    if (typeof factory !== 'function') throw new Error(`custom policy: plugins.${pluginName} must be a factory function`);
    if (!registry.has(pluginName)) registry.register(pluginName, factory);
  }
  const weights = mod.weights ?? {};
  for (const w of Object.keys(weights)) {
    if (!registry.has(w)) throw new Error(`custom policy: weights.${w} names no registered plugin`);
  }
  const plugins: PluginEntry[] = base.plugins.map((e) => {
    const w = weights[e.name];
    return w === undefined ? e : { ...e, weight: w };
  });
  for (const pluginName of Object.keys(custom)) {
    if (plugins.some((e) => e.name === pluginName)) continue;
    plugins.push({ name: pluginName, weight: weights[pluginName] ?? 1 });
  }
  return {
    ...base,
    name,
    plugins,
    ...(mod.percentageOfNodesToScore === undefined ? {} : { percentageOfNodesToScore: mod.percentageOfNodesToScore }),
  };
}

/** Instantiates a profile's plugins against a cache. */
export function buildFramework(
  spec: ProfileSpec,
  registry: PluginRegistry,
  cache: SchedulerCache,
  random: () => number,
): { framework: Framework; handle: FrameworkHandle } {
  const handle: FrameworkHandle = { cache, random, framework: undefined };
  const plugins = spec.plugins.map((e) => ({ plugin: registry.create(e.name, handle, e.args), weight: e.weight ?? 0 }));
  const framework = new Framework(spec.name, plugins);
  handle.framework = framework;
  return { framework, handle };
}
