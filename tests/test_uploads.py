"""Uploaded XLSX tables are bounded before and while they are unpacked (shared strings, cells, CPU
time), refused with a message, and the memory of a refused upload returns; a table on another
sheet than the first is named."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from geo import plans, tables
from geo.errors import ValidationError
from tests.test_plans import boxes  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent
SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["layer", "kommune_kode", "unit_id", "share"])
    for kode, unit in [("1", "u1"), ("2", "u2"), ("3", "u3"), ("4", "u3"), ("5", "u4")]:
        sheet.append(["klynger", kode, unit, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def shared_strings_bomb(n: int, part: str = "xl/sharedStrings.xml") -> bytes:
    """A valid small workbook plus a shared-strings part of ``n`` random three-letter texts: it
    passes the upload size (2 MB), the unpacked size (20 MB) and the ratio (100) limits."""
    rnd = random.Random(1)
    body = "".join(f"<si><t>{''.join(rnd.choices('abcdefghijklmnopqrstuvwxyz', k=3))}</t></si>" for _ in range(n))
    sst = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}">{body}</sst>'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_workbook())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", f'<Override PartName="/{part}" ContentType="{SST}" /></Types>'.encode())
            dst.writestr(info.filename, data)
        dst.writestr(part, sst)
    return out.getvalue()


@pytest.mark.parametrize(("n", "part", "message"), [
    (600_000, "xl/sharedStrings.xml", r"its shared strings \(xl/sharedStrings.xml\) unpack to 10.9 MB"),
    (200_000, "xl/sharedStrings.xml", r"its shared strings \(xl/sharedStrings.xml\) hold more than 50,000 texts"),
    (60_000, "xl/hidden/strings.xml", r"its shared strings \(xl/hidden/strings.xml\) hold more than 50,000 texts"),
], ids=["size", "count", "renamed-part"])
def test_a_shared_strings_bomb_is_refused_before_it_is_loaded(n, part, message):
    data = shared_strings_bomb(n, part)
    assert len(data) < plans.MAX_TABLE_BYTES
    with pytest.raises(ValidationError, match=message) as err:
        plans.read_table(data, "bomb.xlsx")
    assert err.value.problems[0].startswith("bomb.xlsx: ") and "at most 50,000 texts and 4 MB" in str(err.value)


def test_a_workbook_under_the_shared_strings_limits_is_read(boxes):  # noqa: F811 - the fixture imported above
    bundle, _ = boxes
    frame = plans.read_table(shared_strings_bomb(40_000), "ok.xlsx")
    plan, problems = plans.plan_from_table(bundle, frame, "ok.xlsx")
    assert problems == [] and len(plan.rows) == 5


def test_more_cells_than_the_budget_are_refused():
    rnd = random.Random(2)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["layer", "kommune_kode", "unit_id", "share"] + [f"x{i}" for i in range(7)])
    for _ in range(9_500):  # 9,501 rows × 11 columns: within the row and column caps, over the cell budget
        sheet.append([rnd.random() for _ in range(11)])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError, match="the first sheet has more than 100,000 cells"):
        plans.read_table(buffer.getvalue(), "cells.xlsx")


def test_reading_is_bounded_in_cpu_time(monkeypatch):
    monkeypatch.setattr(tables, "XLSX_MAX_CPU_SECONDS", 0.0)
    with pytest.raises(ValidationError, match=r"reading the workbook took more than 0 s of CPU time, the limit"):
        plans.read_table(_workbook(), "slow.xlsx")


def test_a_table_on_the_second_sheet_gets_a_message_naming_the_sheets(boxes):  # noqa: F811
    bundle, _ = boxes
    book = openpyxl.load_workbook(io.BytesIO(_workbook()))
    book.active.title = "Tildeling"
    book.create_sheet("Forside", 0)  # an empty first sheet
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError, match=r"the first sheet, 'Forside', is empty; only the first sheet is read "
                                              r"\(the workbook has 2 sheet\(s\): 'Forside', 'Tildeling'\)"):
        plans.read_table(buffer.getvalue(), "two.xlsx")
    note = ("two.xlsx: the table was read from the first sheet, 'Forside'; only the first sheet is read (the "
            "workbook has 2 sheet(s): 'Forside', 'Tildeling')")
    book["Forside"].append(["Scenarie for Region Midt"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError, match="header but no data rows") as err:
        plans.read_table(buffer.getvalue(), "two.xlsx")
    assert err.value.problems[-1] == note
    book["Forside"].append(["Se næste ark"])
    buffer = io.BytesIO()
    book.save(buffer)
    frame = plans.read_table(buffer.getvalue(), "two.xlsx")
    assert frame.attrs["sheet"] == "Forside" and frame.attrs["sheets"] == ["Forside", "Tildeling"]
    plan, problems = plans.plan_from_table(bundle, frame, "two.xlsx")
    assert plan is None and "missing required column(s)" in problems[0]
    assert problems[-1] == note


MEASURE = """
import gc, json, sys, threading
sys.path.insert(0, {root!r})
from geo import plans
from geo.errors import ValidationError
{patch}

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024

peak, done = [0.0], threading.Event()

def sample():  # the highest resident size while the uploads are read
    while not done.wait(0.002):
        peak[0] = max(peak[0], rss_mb())

ok, bomb = open({ok!r}, "rb").read(), open({bomb!r}, "rb").read()
plans.read_table(ok, "ok.xlsx")  # openpyxl and its imports loaded
gc.collect()
base = rss_mb()
sampler = threading.Thread(target=sample)
sampler.start()
refused = 0
for _ in range(4):
    try:
        plans.read_table(bomb, "bomb.xlsx")
    except ValidationError:
        refused += 1
done.set()
sampler.join()
gc.collect()
print(json.dumps({{"base": base, "after": rss_mb(), "peak": max(peak[0], rss_mb()), "refused": refused}}))
"""


@pytest.mark.parametrize("n", [600_000, 200_000], ids=["size", "count"])
def test_memory_returns_after_refusing_large_uploads(tmp_path, n):
    """Measured in a fresh process (RSS from /proc): four refused shared-strings bombs leave the
    resident memory where it was and never raise the peak much (openpyxl loading the 600,000 texts
    took about 100 MB and 10 s of CPU)."""
    (tmp_path / "ok.xlsx").write_bytes(_workbook())
    (tmp_path / "bomb.xlsx").write_bytes(shared_strings_bomb(n))
    script = MEASURE.format(root=str(ROOT), ok=str(tmp_path / "ok.xlsx"), bomb=str(tmp_path / "bomb.xlsx"), patch="")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    figures = json.loads(result.stdout)
    print(figures)
    assert figures["refused"] == 4
    assert figures["after"] - figures["base"] < 10, figures  # MB
    assert figures["peak"] - figures["base"] < 20, figures


def test_csv_uploads_are_refused_by_size_before_they_are_parsed(monkeypatch):
    called = []
    monkeypatch.setattr(tables, "read_csv_table", lambda *a: called.append(a))
    with pytest.raises(ValidationError, match="at most 2 MB is accepted"):
        plans.read_table(b"x" * (plans.MAX_TABLE_BYTES + 1), "big.csv")
    assert called == []
