"""Workload (a) of the kernel benchmark in SimPy, for a side-by-side figure.

10,000 processes; each sleeps an exponential(1) delay, wakes, and sleeps again, until about
2,000,000 wake-ups have run. Prints one JSON line: {"events": N, "wallSeconds": S, "eventsPerSec": R}.
"""
import json
import random
import sys
import time

import simpy

PROCESSES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
TARGET_EVENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000

count = 0


def sleeper(env, rng):
    global count
    while True:
        yield env.timeout(rng.expovariate(1.0))
        count += 1


def main():
    rng = random.Random(1)
    env = simpy.Environment()
    for _ in range(PROCESSES):
        env.process(sleeper(env, rng))
    started = time.perf_counter()
    # Each process wakes once per time unit on average, so this horizon gives about TARGET_EVENTS wake-ups.
    env.run(until=TARGET_EVENTS / PROCESSES)
    wall = time.perf_counter() - started
    print(json.dumps({"events": count, "wallSeconds": wall, "eventsPerSec": count / wall}))


main()
