// Random fault schedules for store property tests: plain data (DESIGN principle 8), so fast-check
// can generate and shrink them and a failing case prints as a readable list.
import fc from 'fast-check';
import type { StoreCluster } from '../../../core/store/storeCluster.js';

export type StoreFault =
  | { readonly type: 'crash'; readonly at: number; readonly member: number | 'leader'; readonly restartAfter: number }
  | { readonly type: 'partition'; readonly at: number; readonly for: number; readonly groups: number[][]; readonly oneWay: boolean }
  | { readonly type: 'isolateLeader'; readonly at: number; readonly for: number }
  | { readonly type: 'loss'; readonly at: number; readonly for: number; readonly p: number }
  | { readonly type: 'pause'; readonly at: number; readonly for: number; readonly member: number | 'leader' }
  | { readonly type: 'slowDisk'; readonly at: number; readonly for: number; readonly member: number; readonly factor: number }
  /** Clock drift and offset steps: Raft's safety must not depend on clocks (only liveness may). */
  | { readonly type: 'clock'; readonly at: number; readonly for: number; readonly member: number; readonly drift: number; readonly offsetMs: number };

const MS = 1000;

/** Faults start in [1s, 15s) and each lasts at most 8s, so all are healed by 23s. */
export function faultArb(members: number, kinds?: ReadonlyArray<StoreFault['type']>): fc.Arbitrary<StoreFault> {
  const at = fc.integer({ min: 1_000, max: 15_000 }).map((x) => x * MS);
  const dur = fc.integer({ min: 100, max: 8_000 }).map((x) => x * MS);
  const member = fc.integer({ min: 0, max: members - 1 });
  const target = fc.oneof(member, fc.constant<'leader'>('leader'));
  const all: Array<fc.Arbitrary<StoreFault>> = [
    fc.record({ type: fc.constant<'crash'>('crash'), at, member: target, restartAfter: dur }),
    fc.record({
      type: fc.constant<'partition'>('partition'),
      at,
      for: dur,
      groups: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: members, maxLength: members }).map((g) => {
        const groups: number[][] = [[], [], []];
        g.forEach((k, i) => groups[k]?.push(i));
        return groups.filter((x) => x.length > 0);
      }),
      oneWay: fc.boolean(),
    }),
    fc.record({ type: fc.constant<'isolateLeader'>('isolateLeader'), at, for: dur }),
    fc.record({ type: fc.constant<'loss'>('loss'), at, for: dur, p: fc.double({ min: 0.05, max: 0.5, noNaN: true }) }),
    fc.record({ type: fc.constant<'pause'>('pause'), at, for: dur, member: target }),
    fc.record({ type: fc.constant<'slowDisk'>('slowDisk'), at, for: dur, member, factor: fc.integer({ min: 5, max: 100 }) }),
    fc.record({
      type: fc.constant<'clock'>('clock'),
      at,
      for: dur,
      member,
      drift: fc.constantFrom(-0.5, -0.1, 0.1, 1),
      offsetMs: fc.integer({ min: -20_000, max: 20_000 }),
    }),
  ];
  const chosen = kinds === undefined ? all : all.filter((_, i) => kinds.includes(KINDS[i] ?? 'crash'));
  return fc.oneof(...chosen);
}

/** The order of the arbitraries in faultArb. */
const KINDS: ReadonlyArray<StoreFault['type']> = ['crash', 'partition', 'isolateLeader', 'loss', 'pause', 'slowDisk', 'clock'];

export function scheduleArb(members: number, kinds?: ReadonlyArray<StoreFault['type']>): fc.Arbitrary<StoreFault[]> {
  return fc.array(faultArb(members, kinds), { minLength: 1, maxLength: 5 });
}

/** Registers every fault of `schedule` with the cluster's simulation. */
export function applySchedule(cluster: StoreCluster, schedule: readonly StoreFault[]): void {
  const sim = cluster.sim;
  const names = cluster.memberNames;
  const resolve = (m: number | 'leader'): string | undefined => (m === 'leader' ? cluster.leader() : names[m]);
  schedule.forEach((f, i) => {
    sim.at(f.at, `fault-${i}-${f.type}`, () => {
      switch (f.type) {
        case 'crash': {
          const host = resolve(f.member);
          if (host === undefined) return;
          sim.crash(host);
          sim.after(f.restartAfter, `restart-${host}`, () => sim.restart(host));
          return;
        }
        case 'partition': {
          const cut = sim.network.partition(f.groups.map((g) => g.map((k) => names[k] ?? '')), { oneWay: f.oneWay });
          sim.after(f.for, 'heal', () => sim.network.heal(cut));
          return;
        }
        case 'isolateLeader': {
          const leader = cluster.leader();
          if (leader === undefined) return;
          const cut = sim.network.partition([[leader], names.filter((n) => n !== leader)]);
          sim.after(f.for, 'heal', () => sim.network.heal(cut));
          return;
        }
        case 'loss': {
          const id = sim.network.degrade({ loss: f.p });
          sim.after(f.for, 'heal', () => sim.network.heal(id));
          return;
        }
        case 'pause': {
          const host = resolve(f.member);
          if (host === undefined) return;
          sim.pause(host);
          sim.after(f.for, `resume-${host}`, () => sim.resume(host));
          return;
        }
        case 'clock': {
          const host = names[f.member];
          if (host === undefined) return;
          sim.setClockDrift(host, f.drift);
          sim.setClockOffset(host, f.offsetMs * 1000);
          sim.after(f.for, `clock-${host}`, () => sim.setClockDrift(host, 0));
          return;
        }
        case 'slowDisk': {
          const host = names[f.member];
          if (host === undefined) return;
          sim.setDiskSlowdown(host, f.factor);
          sim.after(f.for, `disk-${host}`, () => sim.setDiskSlowdown(host, 1));
          return;
        }
      }
    });
  });
}
