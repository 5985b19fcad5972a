import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import {
  FAULT_DESCRIPTIONS,
  FAULT_KINDS,
  INVARIANT_DESCRIPTIONS,
  INVARIANT_NAMES,
  DEFAULT_INVARIANTS,
} from '../core/cluster/index.js';
import { builtinScenarioNames, formatLoadError, loadScenarioFile, resolveScenarioPath } from '../scenarios/index.js';
import { textTable } from '../reports/index.js';
import {
  EXIT_INTERNAL,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  loadScenarioArg,
  packageVersion,
  parseDurationOption,
  parseSeedOption,
  parsePositiveInt,
  parseSeedRange,
} from './common.js';
import { runCommand } from './run.js';
import { tuneV8ForSimulation } from './v8Tuning.js';
import { showcaseCommand } from './showcase.js';
import { fuzzCommand, parseFaultKinds } from './fuzz.js';
import { compareCommand } from './compare.js';
import { SCHEDULER_POLICIES } from './policies.js';
import { effectivePolicy, isPolicyModulePath, loadPolicyModule } from './policyModule.js';

/** Builds the command tree; each action returns its exit code through `setExit`. */
function program(setExit: (code: number) => void): Command {
  const cli = new Command('kubesim')
    .description('Deterministic discrete-event simulator of a Kubernetes control plane')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .showHelpAfterError('(run kubesim --help for usage)');

  cli
    .command('run')
    .description('one deterministic run; prints a summary table and writes summary.json, metrics.csv, events.csv, report.html')
    .argument('<scenario>', 'scenario YAML file or built-in scenario name')
    .option('--seed <n>', 'seed (overrides spec.seed)')
    .option('--out <dir>', 'output directory (default out/<scenario>/seed-<n>)')
    .option('--until <duration>', 'simulated time to run (overrides spec.duration), e.g. 90s, 10m')
    .option('--policy <name>', 'scheduler policy (overrides spec.cluster.scheduler.policy): a built-in name or a .ts/.js module path')
    .option('--json', 'print summary.json to stdout instead of the table', false)
    .option('--quiet', 'no progress and no table', false)
    .option('--max-events <n>', 'abort the run (as an internal error) after this many kernel events; a guard against runaway runs')
    .action(async (arg: string, opts: { seed?: string; out?: string; until?: string; policy?: string; json: boolean; quiet: boolean; maxEvents?: string }) => {
      const loaded = loadScenarioArg(arg);
      const seed = parseSeedOption(opts.seed);
      const untilUs = parseDurationOption('--until', opts.until);
      checkPolicy(opts.policy);
      const { modulePath } = effectivePolicy(loaded, opts.policy);
      const customPolicy = modulePath === undefined ? undefined : await loadPolicyModule(modulePath);
      setExit(
        runCommand(loaded, {
          ...(seed !== undefined ? { seed } : {}),
          ...(opts.out !== undefined ? { out: opts.out } : {}),
          ...(untilUs !== undefined ? { untilUs } : {}),
          ...(opts.policy !== undefined ? { policy: opts.policy } : {}),
          ...(customPolicy !== undefined ? { customPolicy } : {}),
          ...(opts.maxEvents !== undefined ? { maxEvents: parsePositiveInt('--max-events', opts.maxEvents, 0) } : {}),
          json: opts.json,
          quiet: opts.quiet,
        }),
      );
    });

  cli
    .command('validate')
    .description('parse and check scenarios; errors name file:line:col and the field path')
    .argument('<scenario...>', 'scenario files or built-in names')
    .action((args: string[]) => {
      let bad = 0;
      for (const arg of args) {
        const path = resolveScenarioPath(arg);
        if (path === undefined) {
          process.stderr.write(`${arg}: no such file or built-in scenario\n`);
          bad++;
          continue;
        }
        const result = loadScenarioFile(path);
        if (result.ok) process.stdout.write(`${path}: ok (${result.scenario.name})\n`);
        else {
          bad++;
          for (const e of result.errors) process.stderr.write(`${formatLoadError(e)}\n`);
        }
      }
      setExit(bad === 0 ? EXIT_OK : EXIT_USAGE);
    });

  cli
    .command('list')
    .description('what is built in')
    .addArgument(new Command().createArgument('[what]', 'scenarios | policies | invariants | faults').choices(['scenarios', 'policies', 'invariants', 'faults']))
    .action((what: string | undefined) => {
      const all = what === undefined;
      const out: string[] = [];
      if (all || what === 'scenarios') {
        const rows = builtinScenarioNames().map((name) => {
          const r = loadScenarioFile(resolveScenarioPath(name) ?? name);
          return [name, r.ok ? oneLine(r.scenario.description) : 'INVALID'];
        });
        out.push(all ? 'scenarios:' : '', textTable([['scenario', 'description'], ...rows]));
      }
      if (all || what === 'policies') {
        out.push(all ? '\npolicies:' : '', SCHEDULER_POLICIES.join('\n'), 'custom: a path to a .ts/.js module exporting {plugins, weights, base?} (docs/scheduler.md)');
      }
      if (all || what === 'invariants') {
        const rows = INVARIANT_NAMES.map((n) => [n, DEFAULT_INVARIANTS.includes(n) ? 'default' : '', INVARIANT_DESCRIPTIONS[n]]);
        out.push(all ? '\ninvariants:' : '', textTable([['invariant', 'in default', 'meaning'], ...rows]));
      }
      if (all || what === 'faults') {
        out.push(all ? '\nfaults:' : '', textTable([['fault', 'meaning'], ...FAULT_KINDS.map((k) => [k, FAULT_DESCRIPTIONS[k]])]));
      }
      process.stdout.write(`${out.filter((l) => l !== '').join('\n')}\n`);
      setExit(EXIT_OK);
    });

  cli
    .command('fuzz')
    .description('random fault schedules (fast-check) over a scenario; on a violation, shrinks and writes counterexample.yaml')
    .argument('<scenario>', 'scenario YAML file or built-in scenario name')
    .option('--runs <n>', 'number of random schedules', '50')
    .option('--seed <n>', 'fuzzer seed (the same seed generates the same schedules)', '1')
    .option('--faults <kinds>', `fault kinds to draw from (comma-separated: ${FAULT_KINDS.join(', ')})`)
    .option('--out <dir>', 'where counterexample.yaml goes (default out/<scenario>/fuzz)')
    .option('--quiet', 'no progress', false)
    .action((arg: string, opts: { runs: string; seed: string; faults?: string; out?: string; quiet: boolean }) => {
      const loaded = loadScenarioArg(arg);
      if (effectivePolicy(loaded, undefined).modulePath !== undefined) {
        throw new UsageError('fuzz runs built-in scheduler policies only; set spec.cluster.scheduler.policy to a built-in name');
      }
      setExit(
        fuzzCommand(loaded, {
          runs: parsePositiveInt('--runs', opts.runs, 50),
          seed: parseSeedOption(opts.seed) ?? 1,
          kinds: parseFaultKinds(opts.faults),
          out: opts.out ?? join('out', loaded.scenario.name, 'fuzz'),
          quiet: opts.quiet,
        }),
      );
    });

  cli
    .command('compare')
    .description('the scenario under each scheduler policy and seed (worker threads); comparison.csv and a mean ± 95% CI table')
    .argument('<scenario>', 'scenario YAML file or built-in scenario name')
    .requiredOption('--policies <names>', `comma-separated policies (${SCHEDULER_POLICIES.join(', ')}, or .ts/.js module paths)`)
    .option('--seeds <range>', 'seeds: a range 1..20 or a list 1,2,3', '1..20')
    .option('--out <dir>', 'where comparison.csv goes (default out/<scenario>/compare)')
    .option('--quiet', 'no progress', false)
    .action(async (arg: string, opts: { policies: string; seeds: string; out?: string; quiet: boolean }) => {
      const loaded = loadScenarioArg(arg);
      const policies = opts.policies.split(',').map((p) => p.trim()).filter((p) => p !== '');
      if (policies.length === 0) throw new UsageError('--policies names no policy');
      for (const p of policies) checkPolicy(p);
      // Module paths go to the workers absolute (each imports the module); check they load here first.
      for (const p of policies) if (isPolicyModulePath(p)) await loadPolicyModule(resolve(p));
      setExit(await compareCommand(loaded, { policies: policies.map((p) => (isPolicyModulePath(p) ? resolve(p) : p)), seeds: parseSeedRange(opts.seeds), out: opts.out ?? join('out', loaded.scenario.name, 'compare'), quiet: opts.quiet }));
    });

  cli
    .command('showcase')
    .description('runs every built-in scenario and prints one summary table (what npm start runs)')
    .addOption(new Option('--quiet', 'no progress').default(false))
    .action((opts: { quiet: boolean }) => {
      setExit(showcaseCommand(opts.quiet));
    });

  return cli;
}

/** A policy must be a built-in name or a module path; anything else is a usage error. */
function checkPolicy(policy: string | undefined): void {
  if (policy === undefined || SCHEDULER_POLICIES.includes(policy) || isPolicyModulePath(policy)) return;
  throw new UsageError(`unknown policy "${policy}"; see kubesim list policies (${SCHEDULER_POLICIES.join(', ')}, or a .ts/.js module path)`);
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}…` : flat;
}

/** Parses argv and runs; returns the exit code (never throws). */
export async function main(argv: readonly string[]): Promise<number> {
  tuneV8ForSimulation();
  let code = EXIT_OK;
  const cli = program((c) => (code = c));
  try {
    await cli.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successful exits; anything else commander rejects is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`kubesim: ${e.message}\n`);
      for (const line of e.lines) process.stderr.write(`${line}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`kubesim: internal error\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}

// Entry point when run as a script (`tsx cli/main.ts`); bin/kubesim.js and tests call main() themselves.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
