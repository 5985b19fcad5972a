import { assert } from '../util/assert.js';
import type { ClusterEvent } from './clusterEvent.js';
import { ALL_CLUSTER_EVENTS } from './clusterEvent.js';
import type { CycleState } from './cycleState.js';
import type { NodeInfo } from './nodeInfo.js';
import type { FilterRunner, Plugin } from './plugin.js';
import type { PodInfo } from './podInfo.js';
import { Code, SUCCESS, type Status } from './status.js';

/** A plugin in a profile with its score weight (ignored for plugins without Score). */
export interface WeightedPlugin {
  readonly plugin: Plugin;
  readonly weight: number;
}

/**
 * One scheduling profile's plugins, split by extension point in configuration order (upstream's
 * frameworkImpl). Tracks which plugins PreFilter/PreScore skipped for the current cycle in flag
 * arrays so Filter and Score loops do no lookups.
 */
export class Framework implements FilterRunner {
  readonly preFilterPlugins: readonly Plugin[];
  readonly filterPlugins: readonly Plugin[];
  readonly postFilterPlugins: readonly Plugin[];
  readonly preScorePlugins: readonly Plugin[];
  readonly scorePlugins: readonly Plugin[];
  readonly scoreWeights: Float64Array;
  readonly reservePlugins: readonly Plugin[];
  readonly bindPlugins: readonly Plugin[];
  /** Per filter plugin: skipped for this cycle because its PreFilter returned Skip. */
  private readonly filterSkipped: Uint8Array;
  /** Per score plugin: skipped for this cycle because its PreScore returned Skip. */
  readonly scoreSkipped: Uint8Array;
  private readonly filterIndexByName = new Map<string, number>();
  private readonly scoreIndexByName = new Map<string, number>();
  private readonly eventsByPlugin = new Map<string, ReadonlySet<ClusterEvent>>();

  constructor(readonly profileName: string, plugins: readonly WeightedPlugin[]) {
    const names = new Set<string>();
    for (const { plugin } of plugins) {
      assert(!names.has(plugin.name), `profile ${profileName}: plugin ${plugin.name} listed twice`);
      names.add(plugin.name);
      this.eventsByPlugin.set(plugin.name, new Set(plugin.events ?? ALL_CLUSTER_EVENTS));
    }
    const all = plugins.map((p) => p.plugin);
    this.preFilterPlugins = all.filter((p) => p.preFilter !== undefined);
    this.filterPlugins = all.filter((p) => p.filter !== undefined);
    this.postFilterPlugins = all.filter((p) => p.postFilter !== undefined);
    this.preScorePlugins = all.filter((p) => p.preScore !== undefined);
    const scored = plugins.filter((p) => p.plugin.score !== undefined && p.weight > 0);
    this.scorePlugins = scored.map((p) => p.plugin);
    this.scoreWeights = Float64Array.from(scored.map((p) => p.weight));
    this.reservePlugins = all.filter((p) => p.reserve !== undefined);
    this.bindPlugins = all.filter((p) => p.bind !== undefined);
    this.filterSkipped = new Uint8Array(this.filterPlugins.length);
    this.scoreSkipped = new Uint8Array(this.scorePlugins.length);
    this.filterPlugins.forEach((p, i) => this.filterIndexByName.set(p.name, i));
    this.scorePlugins.forEach((p, i) => this.scoreIndexByName.set(p.name, i));
  }

  /** Whether an event can help a pod that plugin `name` rejected. */
  pluginCaresAbout(name: string, event: ClusterEvent): boolean {
    return this.eventsByPlugin.get(name)?.has(event) ?? true;
  }

  /** Whether the last runPreFilters completed and every plugin it ran can update its state incrementally. */
  private incremental = false;

  runPreFilters(state: CycleState, pod: PodInfo): Status {
    this.filterSkipped.fill(0);
    this.incremental = false;
    let incremental = true;
    for (const p of this.preFilterPlugins) {
      const s = p.preFilter?.(state, pod) ?? SUCCESS;
      if (s.code === Code.Skip) {
        const i = this.filterIndexByName.get(p.name);
        if (i !== undefined) this.filterSkipped[i] = 1;
        continue;
      }
      if (s.code !== Code.Success) return { ...s, plugin: p.name };
      if (p.addPod === undefined || p.removePod === undefined) incremental = false;
    }
    this.incremental = incremental;
    return SUCCESS;
  }

  /** PreFilter state of the last cycle can follow pod additions/removals (PreFilter extensions). */
  canUpdatePreFilterState(): boolean {
    return this.incremental;
  }

  /** Runs the PreFilter extensions: `other` added to (1) or removed from (−1) `node`. */
  updatePreFilterState(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, sign: 1 | -1): void {
    for (const p of this.preFilterPlugins) {
      if (sign === 1) p.addPod?.(state, pod, other, node);
      else p.removePod?.(state, pod, other, node);
    }
  }

  /** Name of the plugin behind the last rejection returned by runFilters. */
  lastRejectingPlugin = '';

  runFilters(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const plugins = this.filterPlugins;
    for (let i = 0; i < plugins.length; i++) {
      if (this.filterSkipped[i] === 1) continue;
      const p = plugins[i];
      if (p === undefined || p.filter === undefined) continue;
      const s = p.filter(state, pod, node);
      if (s.code !== Code.Success) {
        // Recorded aside instead of copied into the status: rejections are frequent and must not allocate.
        this.lastRejectingPlugin = p.name;
        return s;
      }
    }
    return SUCCESS;
  }

  runPreScores(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[]): Status {
    this.scoreSkipped.fill(0);
    for (const p of this.preScorePlugins) {
      const s = p.preScore?.(state, pod, feasible) ?? SUCCESS;
      if (s.code === Code.Skip) {
        const i = this.scoreIndexByName.get(p.name);
        if (i !== undefined) this.scoreSkipped[i] = 1;
        continue;
      }
      if (s.code !== Code.Success) return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (let i = 0; i < this.reservePlugins.length; i++) {
      const p = this.reservePlugins[i];
      const s = p?.reserve?.(state, pod, nodeName) ?? SUCCESS;
      if (s.code !== Code.Success) {
        this.runUnreserve(state, pod, nodeName);
        return { ...s, plugin: p?.name ?? '' };
      }
    }
    return SUCCESS;
  }

  /** Unreserve runs in reverse order, on every Reserve plugin (upstream). */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) this.reservePlugins[i]?.unreserve?.(state, pod, nodeName);
  }

  /** Bind plugins in order until one does not Skip; all skipping means the default binder binds. */
  runBind(state: CycleState, pod: PodInfo, nodeName: string): Status | undefined {
    for (const p of this.bindPlugins) {
      const s = p.bind?.(state, pod, nodeName) ?? SUCCESS;
      if (s.code !== Code.Skip) return s;
    }
    return undefined;
  }
}
