// Public face of scenarios/: YAML ↔ typed Scenario, and the built-in scenarios.
export { loadScenarioFile, parseScenario, parseTarget } from './loader.js';
export type { LoadResult, LoadOptions } from './loader.js';
export { formatLoadError } from './reader.js';
export type { LoadError } from './reader.js';
export { faultToData, faultsToYaml, scenarioToData, scenarioToYaml, stepToData, targetToString } from './serialise.js';
export { BUILTIN_DIR, builtinScenarioNames, resolveScenarioPath } from './builtin.js';
