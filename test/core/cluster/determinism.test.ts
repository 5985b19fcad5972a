// Same scenario + seed ⇒ same traceHash and byte-identical CSVs, in this thread and in a worker (SPEC: Determinism).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { runScenario } from '../../../core/cluster/index.js';
import { eventsCsv, metricsCsv } from '../../../reports/index.js';
import { loadScenarioFile, resolveScenarioPath } from '../../../scenarios/index.js';
import type { WorkerReply, WorkerRequest } from '../../../cli/worker.js';

const WORKER = join(import.meta.dirname, '..', '..', '..', 'cli', 'worker-entry.mjs');

function inWorker(req: WorkerRequest): Promise<WorkerReply> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: req });
    w.once('message', (reply: WorkerReply) => {
      void w.terminate();
      resolve(reply);
    });
    w.once('error', reject);
  });
}

describe('determinism', () => {
  const path = resolveScenarioPath('scheduler-leader-crash') ?? '';
  const loaded = loadScenarioFile(path);
  assert.ok(loaded.ok);

  it('twice in one process and once in a worker thread: same trace hash and CSV bytes', async () => {
    if (!loaded.ok) return;
    const a = runScenario(loaded.scenario, { seed: 11, untilUs: 80_000_000 });
    const b = runScenario(loaded.scenario, { seed: 11, untilUs: 80_000_000 });
    assert.equal(a.summary.traceHash, b.summary.traceHash);
    assert.equal(metricsCsv(a.metrics), metricsCsv(b.metrics));
    assert.equal(eventsCsv(a.events), eventsCsv(b.events));
    assert.deepEqual(a.summary, b.summary);
    const w = await inWorker({ scenarioPath: path, seed: 11, untilUs: 80_000_000 });
    assert.ok(w.ok, w.ok ? '' : w.error);
    if (!w.ok) return;
    assert.equal(w.traceHash, a.summary.traceHash);
    assert.equal(w.metricsCsv, metricsCsv(a.metrics));
    assert.equal(w.eventsCsv, eventsCsv(a.events));
    assert.equal(w.summaryJson, JSON.stringify(a.summary));
  });

  it('a different seed gives a different trace', () => {
    if (!loaded.ok) return;
    const a = runScenario(loaded.scenario, { seed: 1, untilUs: 20_000_000 });
    const b = runScenario(loaded.scenario, { seed: 2, untilUs: 20_000_000 });
    assert.notEqual(a.summary.traceHash, b.summary.traceHash);
  });
});
