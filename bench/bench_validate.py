"""Benchmark: ``validate-assignments`` on a million bad lines and on a 20 MB table.

Prints, per case: file size, lines, wall time, peak traced memory (tracemalloc) and the number of
messages kept. Target: the problem list stays at 200 messages plus a count, and memory grows with
the file's size, not with the number of problems (1 M problems once took 2.5 GB and 100 MB of text).

    .venv/bin/python bench/bench_validate.py
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import tables  # noqa: E402
from geo.__main__ import validate_file  # noqa: E402
from geo.bundle import load_bundle  # noqa: E402

HEADER = "layer,kommune_kode,unit_id,share\n"
CASES = {
    "1M lines, wrong field count": HEADER + "a\n" * 1_000_000,
    "1M lines, unknown layer and kommune": HEADER + "x,9999,u,1\n" * 1_000_000,
    "1M lines, unknown kommune (valid layer)": HEADER + "regioner,9999,r,1\n" * 1_000_000,
    "just under 20 MB of valid-looking rows": HEADER + "regioner,0101,r_hovedstaden,1\n" * 640_000,
}


def main() -> None:
    bundle = load_bundle()
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in CASES.items():
            path = Path(tmp) / "t.csv"
            path.write_text(text, encoding="utf-8")
            tracemalloc.start()
            start = time.perf_counter()
            problems, _ = validate_file(path, bundle)
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            print(f"{name}: {path.stat().st_size / 2**20:.1f} MB, {text.count(chr(10)):,} lines, "
                  f"{seconds:.1f} s, peak {peak / 2**20:.0f} MB, {len(problems)} messages kept "
                  f"of {problems.total:,} (cap {tables.MAX_PROBLEMS})")


if __name__ == "__main__":
    main()
