import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the built-in scenarios live (shipped with the package). */
export const BUILTIN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'builtin');

/** Names of the built-in scenarios, sorted (file names without .yaml). */
export function builtinScenarioNames(): string[] {
  return readdirSync(BUILTIN_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * `<scenario>` on the command line: an existing file path wins; otherwise a built-in name.
 * Returns undefined when it is neither.
 */
export function resolveScenarioPath(arg: string): string | undefined {
  if (existsSync(arg)) return arg;
  const builtin = join(BUILTIN_DIR, `${arg}.yaml`);
  return existsSync(builtin) ? builtin : undefined;
}
