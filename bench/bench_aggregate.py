"""Benchmark: a 98-row kommune table summed onto all 7 layers (target ≤ 50 ms).

Prints the median (and max) over repeated runs of `geo.owndata.aggregate_table` for every layer,
for each kind (a count, a rate with a denominator, a rate weighted by population), with the layers
prepared once (`Geography.of`, as the app and the CLI do), plus reading and understanding the table
(`read_table` + `select`, a Statistikbanken-shaped CSV made here).

    .venv/bin/python bench/bench_aggregate.py [--repeat 21]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import catalog, owndata  # noqa: E402
from geo.bundle import load_bundle  # noqa: E402

TARGET_MS = 50.0


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median and max wall time of ``fn()`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def table_bytes(bundle) -> bytes:
    """A Statistikbanken-shaped export: titles, ';', decimal comma, Hele landet, every kommune."""
    pop, _ = catalog.population_total(bundle.population, 2024)
    lines = ['"Tabel: egne tal"', "", ';"Antal";"Borgere";"Andel"', '"Hele landet";1;1;1']
    for kode, navn in zip(bundle.kommuner["kommune_kode"], bundle.kommuner["kommune_navn"], strict=True):
        share = f"{(3 + int(kode) % 7) / 10:.1f}".replace(".", ",")  # decimal comma
        lines.append(f'"{navn}";{int(pop[kode] * 0.03)};{int(pop[kode])};{share}')
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    bundle = load_bundle()
    layers = list(bundle.layers["layer"])
    years = sorted(int(y) for y in bundle.population["year"].unique())
    data = table_bytes(bundle)
    measures = {
        "count": owndata.Measure.of("count", value="Antal"),
        "rate, denominator": owndata.Measure.of("rate", denominator="Borgere", value="Antal"),
        "rate, population": owndata.Measure.of("rate", weight="population:2024", value="Andel"),
    }

    def read_and_select():
        table = owndata.read_table(data, "bench.csv", bundle.kommuner)
        return owndata.select(table, measures["count"], years)

    read_median, read_max = timed(read_and_select, args.repeat)
    table = owndata.read_table(data, "bench.csv", bundle.kommuner)
    start = time.perf_counter()
    geography = owndata.Geography.of(bundle)
    prepare_ms = (time.perf_counter() - start) * 1000
    print(f"{len(table.kommuner)}-row table, {len(layers)} layers; median of {args.repeat} (max)")
    print(f"  prepare the layers (once per process):  {prepare_ms:6.1f} ms")
    print(f"  read and understand the table once:     {read_median:6.1f} ms ({read_max:.1f})")
    worst = 0.0
    for label, measure in measures.items():
        selection = owndata.select(table, measure, years)
        median, high = timed(lambda s=selection: [owndata.aggregate_table(bundle, layer, s, geography)
                                                          for layer in layers],
                             args.repeat)
        worst = max(worst, median)
        print(f"  {label + ' onto all 7 layers:':39s} {median:6.1f} ms ({high:.1f})")
    verdict = "met" if worst <= TARGET_MS else "NOT met"
    print(f"target ≤ {TARGET_MS:.0f} ms for all 7 layers: {verdict} (slowest kind {worst:.1f} ms)")


if __name__ == "__main__":
    main()
