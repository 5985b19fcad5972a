import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPolicyName, type CustomPolicyModule } from '../core/scheduler/profiles.js';
import { UsageError, type LoadedScenario } from './common.js';

/** A policy written as a module path (`./my-policy.ts`) rather than a built-in name. */
export function isPolicyModulePath(policy: string): boolean {
  return /\.(?:[cm]?ts|[cm]?js)$/.test(policy);
}

/**
 * The policy a run will use and, for a custom one, its module path made absolute: a `--policy` path is
 * relative to the working directory, a `scheduler.policy` path in a scenario to the scenario's file.
 */
export function effectivePolicy(loaded: LoadedScenario, override: string | undefined): { readonly policy: string; readonly modulePath?: string } {
  const policy = override ?? loaded.scenario.cluster.scheduler.policy;
  if (!isPolicyModulePath(policy)) return { policy };
  const base = override !== undefined ? process.cwd() : dirname(loaded.path);
  return { policy, modulePath: resolve(base, policy) };
}

/** Imports a custom policy module (TypeScript through tsx) and checks the shape of its exports. */
export async function loadPolicyModule(modulePath: string): Promise<CustomPolicyModule> {
  if (!existsSync(modulePath)) throw new UsageError(`custom scheduler policy ${modulePath}: no such file`);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`custom scheduler policy ${modulePath} failed to load: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problems: string[] = [];
  const { plugins, weights, base, percentageOfNodesToScore } = exports;
  if (plugins !== undefined) {
    if (typeof plugins !== 'object' || plugins === null) problems.push('`plugins` must be an object of plugin factories');
    else for (const [name, factory] of Object.entries(plugins)) if (typeof factory !== 'function') problems.push(`plugins.${name} must be a factory function (handle, args) => Plugin`);
  }
  if (weights !== undefined) {
    if (typeof weights !== 'object' || weights === null) problems.push('`weights` must be an object of plugin name → number');
    else for (const [name, w] of Object.entries(weights)) if (typeof w !== 'number' || !(w >= 0)) problems.push(`weights.${name} must be a number ≥ 0`);
  }
  if (base !== undefined && (typeof base !== 'string' || !isPolicyName(base))) problems.push('`base` must name a built-in policy (kubesim list policies)');
  if (percentageOfNodesToScore !== undefined && typeof percentageOfNodesToScore !== 'number') problems.push('`percentageOfNodesToScore` must be a number');
  if (plugins === undefined && weights === undefined) problems.push('exports neither `plugins` nor `weights`');
  if (problems.length > 0) throw new UsageError(`custom scheduler policy ${modulePath}:`, problems);
  return exports as CustomPolicyModule;
}
