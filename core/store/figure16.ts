import { Rng, Simulation } from '../../sim/index.js';
import { StoreMember } from './storeMember.js';

/**
 * Reproduction of the Raft paper's Figure 16 (Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm", USENIX ATC 2014, §9.3): five servers, a broadcast time of about 15ms, the
 * leader crashed at a uniformly random point of its heartbeat interval (half the minimum election
 * timeout), and the time until a new leader is elected measured over many trials. The paper's
 * LogCabin had neither PreVote nor CheckQuorum, so both are off here.
 */
export interface Figure16Config {
  /** Election timeout range [minMs, maxMs) in milliseconds, e.g. 150–155. */
  readonly minMs: number;
  readonly maxMs: number;
  readonly trials: number;
  readonly seed?: number;
  /** Give up on a trial after this long, ms (default 60,000); such a trial counts as this long. */
  readonly capMs?: number;
  /**
   * Constant 5ms links and fsyncs: no randomness anywhere but the timeouts. The paper's 150–150ms
   * case means this; on a jittery network the jitter itself breaks split votes.
   */
  readonly deterministicNetwork?: boolean;
}

export interface Figure16Result {
  readonly label: string;
  readonly trials: number;
  /** Milliseconds from the crash to a new leader, sorted ascending. */
  readonly downtimesMs: number[];
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly maxMs: number;
  /** Trials that hit the cap without a leader. */
  readonly capped: number;
}

/**
 * One-way latency, lognormal with median 5ms and p99 15ms: a broadcast (send to the four others, wait
 * for the slowest answer) then takes about 15ms, the paper's figure. The spread matters as much as
 * the mean: it is what lets one candidate's requests arrive before the others time out. A tight
 * 7.5ms ± 0.5ms link gives a 150–155ms median of ~950ms (far more split votes than the paper saw).
 */
export const FIGURE16_LATENCY = { median: 5_000, p99: 15_000 };
/** Vote and term persistence before answering; small next to the network here. */
export const FIGURE16_FSYNC = { median: 200, p99: 1_000 };
const MEMBERS = ['s1', 's2', 's3', 's4', 's5'];

/** One trial: boot, wait for a settled leader, crash it at a random point of its heartbeat interval. */
export function figure16Trial(
  minMs: number,
  maxMs: number,
  seed: number,
  capMs = 60_000,
  latency: { median: number; p99: number } = FIGURE16_LATENCY,
  fsync: { median: number; p99: number } = FIGURE16_FSYNC,
): number {
  const sim = new Simulation({ seed, maxEvents: 50_000_000 });
  sim.network.configure({ latency });
  const heartbeatUs = Math.round((minMs * 1000) / 2);
  const options = {
    members: MEMBERS,
    heartbeatUs,
    electionTimeoutUs: minMs * 1000,
    electionTimeoutMaxUs: maxMs * 1000,
    preVote: false,
    checkQuorum: false,
    resetTimerOnTermChange: false,
  };
  // s1 gets a short timeout so it wins the boot election at once (a cold start can split for long
  // without randomness); it is then the leader that the trial crashes, and only s2–s5 elect.
  const first = { ...options, electionTimeoutUs: Math.round(heartbeatUs * 1.3), electionTimeoutMaxUs: Math.round(heartbeatUs * 1.3) + 1 };
  for (const name of MEMBERS) {
    sim.addHost(name, { fsyncLatency: fsync });
    sim.addComponent(name, name, () => new StoreMember(name === 's1' ? first : options));
  }
  let crashedAt = -1;
  let crashedTerm = Infinity;
  let electedAt = -1;
  sim.onObservation((time, name, obs) => {
    if (obs.type !== 'store.leader' || obs['event'] !== 'elected') return;
    const term = typeof obs['term'] === 'number' ? obs['term'] : 0;
    if (crashedAt >= 0 && electedAt < 0 && term > crashedTerm) electedAt = time;
    void name;
  });
  const leaderNow = (): { name: string; term: number } | undefined => {
    let best: { name: string; term: number } | undefined;
    for (const name of MEMBERS) {
      const id = sim.endpointId(name);
      const m = id === undefined ? undefined : sim.component(id);
      if (m instanceof StoreMember && m.raft !== undefined && m.raft.role === 'leader' && m.raft.term > (best?.term ?? -1)) {
        best = { name, term: m.raft.term };
      }
    }
    return best;
  };
  // Let the first election settle (it may itself split for a long time with no randomness), then
  // crash the leader at a uniformly random point of one heartbeat interval.
  const capUs = capMs * 1000;
  sim.run({ until: 2_000_000 });
  while (leaderNow() === undefined && sim.now < capUs) sim.run({ until: sim.now + 100_000 });
  sim.run({ until: sim.now + 1_000_000 });
  const rng = new Rng(`figure16/${seed}`);
  const crashAtUs = sim.now + Math.floor(rng.next() * heartbeatUs);
  sim.run({ until: crashAtUs });
  const leader = leaderNow();
  if (leader === undefined) throw new Error(`figure 16 trial ${seed}: no leader to crash (${minMs}–${maxMs}ms)`);
  crashedAt = sim.now;
  crashedTerm = leader.term;
  sim.crash(leader.name);
  while (electedAt < 0 && sim.now < crashAtUs + capUs) sim.run({ until: Math.min(sim.now + 50_000, crashAtUs + capUs) });
  return electedAt < 0 ? capMs : (electedAt - crashedAt) / 1000;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function runFigure16(config: Figure16Config): Figure16Result {
  const capMs = config.capMs ?? 60_000;
  const downtimes: number[] = [];
  const latency = config.deterministicNetwork === true ? { median: 5_000, p99: 5_000 } : FIGURE16_LATENCY;
  const fsync = config.deterministicNetwork === true ? { median: 200, p99: 200 } : FIGURE16_FSYNC;
  for (let t = 0; t < config.trials; t++) {
    downtimes.push(figure16Trial(config.minMs, config.maxMs, (config.seed ?? 1) * 100_003 + t, capMs, latency, fsync));
  }
  downtimes.sort((a, b) => a - b);
  return {
    label: `${config.minMs}-${config.maxMs}ms${config.deterministicNetwork === true ? ' (constant latency)' : ''}`,
    trials: config.trials,
    downtimesMs: downtimes,
    medianMs: quantile(downtimes, 0.5),
    p90Ms: quantile(downtimes, 0.9),
    maxMs: downtimes[downtimes.length - 1] ?? NaN,
    capped: downtimes.filter((d) => d >= capMs).length,
  };
}

/** The rows of the Figure 16 table: timeout ranges as in the paper, plus 150–150ms on a constant-latency network. */
export const FIGURE16_ROWS: ReadonlyArray<Omit<Figure16Config, 'trials'>> = [
  { minMs: 150, maxMs: 150, capMs: 10_000 },
  { minMs: 150, maxMs: 150, capMs: 10_000, deterministicNetwork: true },
  { minMs: 150, maxMs: 151, capMs: 10_000 },
  { minMs: 150, maxMs: 155 },
  { minMs: 150, maxMs: 175 },
  { minMs: 150, maxMs: 200 },
  { minMs: 150, maxMs: 300 },
];
