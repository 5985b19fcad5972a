import { parentPort, workerData } from 'node:worker_threads';
import { runScenario } from '../core/cluster/index.js';
import { eventsCsv, metricsCsv } from '../reports/index.js';
import { loadScenarioFile } from '../scenarios/index.js';
import { isPolicyModulePath, loadPolicyModule } from './policyModule.js';
import type { Micros } from '../sim/time.js';

/** One run requested of a worker thread (compare, determinism checks). */
export interface WorkerRequest {
  readonly scenarioPath: string;
  readonly seed: number;
  readonly policy?: string;
  readonly untilUs?: Micros;
}

export type WorkerReply =
  | {
      readonly ok: true;
      readonly traceHash: string;
      readonly metricsCsv: string;
      readonly eventsCsv: string;
      readonly summaryJson: string;
      readonly allHeld: boolean;
    }
  | { readonly ok: false; readonly error: string };

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  try {
    const loaded = loadScenarioFile(req.scenarioPath);
    if (!loaded.ok) return { ok: false, error: `invalid scenario ${req.scenarioPath}` };
    // A custom policy arrives as an absolute module path; each worker imports it for itself.
    const customPolicy = req.policy !== undefined && isPolicyModulePath(req.policy) ? await loadPolicyModule(req.policy) : undefined;
    const result = runScenario(loaded.scenario, {
      seed: req.seed,
      ...(req.policy !== undefined ? { policy: req.policy } : {}),
      ...(customPolicy !== undefined ? { customPolicy } : {}),
      ...(req.untilUs !== undefined ? { untilUs: req.untilUs } : {}),
    });
    return {
      ok: true,
      traceHash: result.summary.traceHash,
      metricsCsv: metricsCsv(result.metrics),
      eventsCsv: eventsCsv(result.events),
      summaryJson: JSON.stringify(result.summary),
      allHeld: result.allHeld,
    };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

// A worker serves requests until its parent closes the port; with workerData it runs that one.
if (parentPort !== null) {
  const port = parentPort;
  if (workerData !== null && workerData !== undefined) void handle(workerData as WorkerRequest).then((reply) => port.postMessage(reply));
  port.on('message', (req: WorkerRequest) => void handle(req).then((reply) => port.postMessage(reply)));
}
