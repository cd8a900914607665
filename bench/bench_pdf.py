"""Benchmark: the datapakke (printable PDF profile, `geo.profile_doc`).

Prints
- *one PDF*: the wall time of one unit's and one kommune's datapakke once the data are loaded and the
  per-process context (fills, map geometry, WeasyPrint's font configuration) is warm (median of
  ``--repeat``; the first, cold one is printed too; target ≤ 2 s),
- *every PDF*: all kommune and unit datapakker of both languages in two processes, as ``site --pdf``
  writes them (target ≤ 5 min), and
- the largest file (target ≤ 600 KB), the smallest, and the page counts (2–4 pages; `pdfinfo` from
  poppler-utils, when installed).

    .venv/bin/python bench/bench_pdf.py [--repeat 5] [--out DIR] [--only-one]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import profile_doc, roles  # noqa: E402
from geo.bundle import load_bundle  # noqa: E402


def pages(path: Path) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=False).stdout
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", help="keep every PDF in this directory (default: a temporary one)")
    parser.add_argument("--only-one", action="store_true", help="time one PDF only")
    args = parser.parse_args()
    t0 = time.perf_counter()
    bundle = load_bundle()
    on = today = roles.today()
    ctx = profile_doc.Context.of(bundle)
    print(f"load: {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    layer = bundle.registry.main_layer(on)
    unit = bundle.units.loc[bundle.units["layer"] == layer, "unit_id"].iloc[0]
    for what, make in ((f"unit {layer}/{unit}", lambda: profile_doc.unit_pdf(ctx, layer, unit, "da", on)),
                       ("kommune 0101", lambda: profile_doc.kommune_pdf(ctx, "0101", "da", on))):
        start = time.perf_counter()
        make()
        cold = time.perf_counter() - start
        times, cpus = [], []
        for _ in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            make()
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        print(f"one PDF, {what}: median {statistics.median(times):.2f} s wall, {statistics.median(cpus):.2f} s CPU; "
              f"max {max(times):.2f} s wall (first, cold: {cold:.2f} s; target ≤ 2 s)")
    if args.only_one:
        return
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    out.mkdir(parents=True, exist_ok=True)
    jobs = [("kommune", k, lang, f"{lang}-kommune-{k}.pdf") for k in bundle.kommuner["kommune_kode"]
            for lang in ("da", "en")]
    jobs += [("unit", f"{u.layer}/{u.unit_id}", lang, f"{lang}-{u.layer}-{u.unit_id}.pdf")
             for u in bundle.units.itertuples() for lang in ("da", "en")]
    start = time.perf_counter()
    for rel, payload in profile_doc.site_pdfs(bundle, jobs, on, today, processes=profile_doc.PROCESSES):
        (out / rel).write_bytes(payload)
    took = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = children.ru_utime + children.ru_stime
    sizes = {p.name: p.stat().st_size for p in out.glob("*.pdf")}
    biggest = max(sizes, key=sizes.get)
    print(f"every PDF: {len(jobs)} files ({len(bundle.kommuner)} kommuner + {len(bundle.units)} units, da + en) "
          f"in {took:.0f} s wall with {profile_doc.PROCESSES} processes ({child_cpu:.0f} s CPU in them, "
          f"{child_cpu / len(jobs):.2f} s CPU each; load average now {os.getloadavg()[0]:.1f}; target ≤ 300 s)")
    print(f"largest file: {biggest} {sizes[biggest] / 1024:.0f} KB (target ≤ 600 KB); smallest "
          f"{min(sizes.values()) / 1024:.0f} KB; total {sum(sizes.values()) / 1024 / 1024:.1f} MB")
    counts = [pages(out / name) for name in sizes]
    if all(c is not None for c in counts):
        print(f"pages: {min(counts)}–{max(counts)} (target 2–4); by count "
              f"{ {n: counts.count(n) for n in sorted(set(counts))} }")
    print(f"PDFs in {out}")


if __name__ == "__main__":
    main()
