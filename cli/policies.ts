import { POLICY_NAMES } from '../core/scheduler/profiles.js';

/** Scheduler policies `--policy` and `compare --policies` accept: the scheduler's profiles. */
export const SCHEDULER_POLICIES: readonly string[] = POLICY_NAMES;
