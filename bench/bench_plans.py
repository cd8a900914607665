"""Benchmark: server time for a scenario change and for comparing two layers.

Prints the median (and max) over repeated runs of
- *apply one change + recompute all unit metrics* for the national sundhedsklynge plan
  (`geo.plans.apply_changes` + `geo.plans.unit_metrics` + `metrics_change` against the base;
  target ≤ 150 ms), and
- *compare two layers* (`geo.plans.compare`, sundhedsklynger × psykiatri-voksen, with København
  split by bydele; target ≤ 300 ms),
plus the one-off `build_context` (neighbour graph, distances, indicator matrices) that both reuse.

    .venv/bin/python bench/bench_plans.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import plans  # noqa: E402
from geo.bundle import load_bundle  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and max wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


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

    change_med, change_max = timed(change, args.repeat)
    compare_med, compare_max = timed(lambda: plans.compare(ctx, base, other), args.repeat)
    print(f"build_context (once per process): {context_ms:.0f} ms")
    print(f"apply one change + all unit metrics (22 units, 98 kommuner, {len(ctx.fill_keys)} indicators): "
          f"median {change_med:.1f} ms, max {change_max:.1f} ms (target ≤ 150 ms: "
          f"{'met' if change_med <= 150 else 'NOT met'})")
    print(f"compare sundhedsklynger × psykiatri-voksen: median {compare_med:.1f} ms, max {compare_max:.1f} ms "
          f"(target ≤ 300 ms: {'met' if compare_med <= 300 else 'NOT met'})")


if __name__ == "__main__":
    main()
