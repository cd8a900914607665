"""The command line under faults: each gives one message and an exit code, never a traceback,
and a failed export leaves the old file as it was."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import random
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo import tables
from geo.__main__ import COMMANDS, main, parser

DATA = Path(__file__).parent / "data"
HEADER = "layer,kommune_kode,unit_id,share\n"
GOOD = "sundhedsklynger,0101,h_byen,1\n"


@pytest.fixture(autouse=True)
def _reuse_bundle(request, monkeypatch):
    loaded = request.getfixturevalue("bundle")
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: loaded)


def run(*argv: str, out: io.TextIOBase | None = None) -> tuple[int, str]:
    out = out or io.StringIO()
    return main(list(argv), out=out), out.getvalue() if isinstance(out, io.StringIO) else ""


def run_err(capsys, *argv: str) -> tuple[int, str, str]:
    code, out = run(*argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, out, err


EXPORT = ("export", "--layer", "regioner", "--what", "units", "--format", "csv")


# --- export: files and options ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("{tmp}/missing/dir/out.csv", "No such file or directory"),
        ("/dev/full", "No space left on device"),
        ("{tmp}", "Is a directory"),
    ],
    ids=["missing-directory", "dev-full", "a-directory"],
)
def test_export_write_faults_exit_2_with_one_message(capsys, tmp_path, target, needle):
    code, out, err = run_err(capsys, *EXPORT, "--out", target.format(tmp=tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("error: cannot read or write") and needle in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_export_into_a_read_only_directory(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, _, err = run_err(capsys, *EXPORT, "--out", str(locked / "out.csv"))
    finally:
        locked.chmod(0o755)
    assert code == 2 and "Permission denied" in err


def test_a_failed_write_leaves_the_old_file(capsys, tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("the old export\n", encoding="utf-8")

    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    code, _, err = run_err(capsys, *EXPORT, "--out", str(target))
    assert code == 2 and "No space left on device" in err
    assert target.read_text(encoding="utf-8") == "the old export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_an_export_replaces_the_old_file_when_complete(capsys, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("the old export\n", encoding="utf-8")
    code, _, _ = run_err(capsys, *EXPORT, "--out", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("layer,unit_id")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("export", "--layer", "regioner", "--what", "memberships", "--year", "2020"),
         "--year does not apply to memberships"),
        ((*EXPORT, "--out", ""), "--out is empty"),
        ((*EXPORT, "--out", "  "), "--out is empty"),
        (("export", "--layer", "regioner", "--what", "units", "--format", "xlsx"), "write the xlsx with --out"),
        (("export", "--layer", "regioner", "--what", "units", "--format", "pdf"), "invalid choice: 'pdf'"),
        (("nonsense",), "invalid choice: 'nonsense'"),
        (("validate-assignments", "no_such_table.csv"), "no_such_table.csv is not a file"),
    ],
    ids=["year-for-memberships", "empty-out", "blank-out", "xlsx-to-text-stream", "unknown-format",
         "unknown-command", "missing-file"],
)
def test_usage_errors_exit_2(capsys, argv, needle):
    code, out, err = run_err(capsys, *argv)
    assert code == 2 and out == ""
    assert needle in err


def test_unknown_layer_is_invalid_input(capsys):
    code, _, err = run_err(capsys, "export", "--layer", "atlantis", "--what", "units")
    assert code == 1 and "atlantis" in err


# --- exports: neutralised cells, one number form, one geometry type, UTF-8 output ------------

@pytest.fixture()
def hostile_bundle(bundle, monkeypatch):
    """The bundle with a unit name, a hospital and a basis that start a spreadsheet formula."""
    units = bundle.units.copy()
    row = (units["layer"] == "regioner") & (units["unit_id"] == units.loc[units["layer"] == "regioner", "unit_id"].iloc[0])
    units.loc[row, "unit_navn"] = "=HYPERLINK(\"http://x\",\"klik\")"
    units.loc[row, "hospital"] = "@SUM(A1:A9)"
    changed = dataclasses.replace(bundle, units=units)
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: changed)
    return changed


def test_csv_and_xlsx_exports_neutralise_formula_cells(capsys, tmp_path, hostile_bundle):
    code, out, _ = run_err(capsys, "export", "--layer", "regioner", "--what", "units", "--format", "csv")
    assert code == 0
    assert "'=HYPERLINK" in out and "'@SUM(A1:A9)" in out
    assert ",=" not in out and ",@" not in out
    target = tmp_path / "units.xlsx"
    assert run_err(capsys, "export", "--layer", "regioner", "--what", "units", "--format", "xlsx",
                   "--out", str(target))[0] == 0
    values = [c for row in openpyxl.load_workbook(target)["units"].iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(\"http://x\",\"klik\")" in values and "'@SUM(A1:A9)" in values
    assert not any(isinstance(v, str) and v.startswith(("=", "@", "+")) for v in values)


@pytest.mark.parametrize("what", ["kommuner", "units", "memberships"])
def test_xlsx_round_trip(capsys, tmp_path, what):
    target = tmp_path / f"{what}.xlsx"
    code, _, _ = run_err(capsys, "export", "--layer", "sundhedsklynger", "--what", what, "--format", "xlsx",
                         "--out", str(target))
    assert code == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [what, "sources"]  # the table's sheet is named for what it holds
    sheet = book[what]
    header = [c.value for c in sheet[1]]
    csv_text = run("export", "--layer", "sundhedsklynger", "--what", what, "--format", "csv")[1]
    assert header == csv_text.splitlines()[0].split(",")
    col = {name: i for i, name in enumerate(header)}
    rows = list(sheet.iter_rows(min_row=2))
    if "kommune_kode" in col:
        cells = [r[col["kommune_kode"]] for r in rows]
        assert all(c.data_type == "s" and len(c.value) == 4 for c in cells)  # "0101", not 101
        assert cells[0].value == "0101"
    number_col = "share" if what == "memberships" else "population"
    assert all(r[col[number_col]].data_type == "n" for r in rows)
    frame = pd.read_excel(target, sheet_name=what, dtype={"kommune_kode": str, "unit_id": str})
    assert len(frame) == len(rows)
    sources = pd.read_excel(target, sheet_name="sources")
    items = dict(zip(sources["item"], sources["value"], strict=True))
    assert items["export"] == what and items["layer source"]
    assert pd.Timestamp(items["created"]).year >= 2026


def test_shares_are_written_the_same_way_in_every_export(capsys):
    layer = ["export", "--layer", "sundhedsklynger"]
    kommuner = pd.read_csv(io.StringIO(run(*layer, "--what", "kommuner", "--format", "csv")[1]), dtype=str)
    shares = set(kommuner["shares"].dropna())
    assert "0.545;0.455" in shares and "1" in shares and "1.0" not in shares
    members_csv = run(*layer, "--what", "memberships", "--format", "csv")[1]
    members = pd.read_csv(io.StringIO(members_csv), dtype=str)
    assert set(members["share"]) >= {"1", "0.545"} and "1.0" not in set(members["share"])
    geo = json.loads(run(*layer, "--what", "memberships")[1])
    raw = run(*layer, "--what", "memberships")[1]
    assert '"share": 1.0' not in raw and '"share": 1,' in raw
    assert {f["properties"]["share"] for f in geo["features"]} >= {1, 0.545}
    geo_k = json.loads(run(*layer, "--what", "kommuner")[1])
    assert {f["properties"]["shares"] for f in geo_k["features"]} == shares


@pytest.mark.parametrize("what", ["kommuner", "units", "memberships"])
def test_every_polygon_feature_is_a_multipolygon(what):
    data = json.loads(run("export", "--layer", "psykiatri-voksen", "--what", what)[1])
    assert {f["geometry"]["type"] for f in data["features"]} == {"MultiPolygon"}


def test_standard_output_is_utf8_whatever_the_terminal(monkeypatch):
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))  # e.g. LANG=C
    code = main(["export", "--layer", "regioner", "--what", "kommuner", "--format", "csv"])
    sys.stdout.flush()
    assert code == 0
    assert "København".encode() in raw.getvalue()


def test_xlsx_to_a_binary_capable_stdout(capsys):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")
    code = main(["export", "--layer", "regioner", "--what", "units", "--format", "xlsx"], out=stream)
    assert code == 0
    assert openpyxl.load_workbook(io.BytesIO(raw.getvalue()))["units"].max_row == 6


# --- validate-assignments on broken files -----------------------------------------------------

def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


FAULTY = {
    "header-only": (HEADER.encode(), "has a header but no data rows"),
    "utf16-bom": ((HEADER + GOOD).encode("utf-16"), "is UTF-16 text (byte order mark FF FE)"),
    "utf16-no-bom": ((HEADER + GOOD).encode("utf-16-le"), "is UTF-16 text (every other byte is zero)"),
    "random-bytes": (random.Random(7).randbytes(5000), "is not a text file"),
    "duplicated-header": (b"layer,kommune_kode,unit_id,share,share\nsundhedsklynger,0101,h_byen,1,1\n",
                          "column 'share' appears twice in the header (columns 4 and 5)"),
    "huge-field": ((HEADER + 'sundhedsklynger,0101,"' + "x" * 200_000 + '",1\n').encode(),
                   "line 2: a value is longer than 131,072 characters"),
    "fullwidth-digits": ((HEADER + "sundhedsklynger,０１４７,h_byen,1\n").encode(),
                         "'０１４７': U+FF10 FULLWIDTH DIGIT ZERO is not an ASCII digit"),
    "arabic-indic-share": ((HEADER + "sundhedsklynger,0147,h_byen,١\n").encode(),
                           "column share: '١': U+0661 ARABIC-INDIC DIGIT ONE is not an ASCII digit"),
    "empty": (b"", "the file is empty"),
}


@pytest.mark.parametrize("case", list(FAULTY))
def test_validate_faults_give_one_clear_message(capsys, tmp_path, case):
    data, needle = FAULTY[case]
    path = _write(tmp_path, f"{case}.csv", data)
    code, out, err = run_err(capsys, "validate-assignments", str(path))
    assert code == 1 and out == ""
    assert needle in err, err
    assert str(path) in err.splitlines()[0]
    assert "codec" not in err and len(err) < 2000


def test_fullwidth_digits_are_named_once(capsys, tmp_path):
    path = _write(tmp_path, "w.csv", FAULTY["fullwidth-digits"][0])
    err = run_err(capsys, "validate-assignments", str(path))[2]
    assert "is not one of the 98 kommune codes" not in err


def test_cr_only_line_endings_are_read(capsys, tmp_path):
    text = (DATA / "whatif_excel.csv").read_bytes().replace(b"\r\n", b"\r")
    path = _write(tmp_path, "mac.csv", text)
    code, out, _ = run_err(capsys, "validate-assignments", str(path))
    assert code == 0 and "valid (sundhedsklynger: 98 kommuner, 22 units, 99 rows)" in out


def test_a_file_over_20_mb_is_refused_before_reading(capsys, tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(21 * 2**20)  # sparse: 21 MB without writing them

    def no_read(*_a, **_k):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    code, _, err = run_err(capsys, "validate-assignments", str(path))
    assert code == 1 and "the file is 21.0 MB; the limit is 20 MB" in err


@pytest.mark.parametrize("line", ["x,9999,u,1\n", "a\n"], ids=["bad-values", "bad-field-count"])
def test_a_million_bad_lines_give_200_messages_and_a_count(capsys, tmp_path, line):
    path = _write(tmp_path, "million.csv", (HEADER + line * 1_000_000).encode())
    code, _, err = run_err(capsys, "validate-assignments", str(path))
    lines = err.splitlines()
    per_line = 2 if line.startswith("x") else 1  # unknown layer and unknown kommune
    assert code == 1
    assert lines[0] == f"{path}: {per_line * 1_000_000:d} problem(s)"
    assert len(lines) == 1 + 200 + 1  # time and memory: bench/bench_validate.py
    assert lines[-1] == f"  - and {per_line * 1_000_000 - 200} more problem(s)"


def test_problems_keep_the_first_200_and_count_the_rest():
    problems = tables.Problems(f"p{i}" for i in range(150))
    problems += [f"q{i}" for i in range(100)]
    assert len(problems) == 200 and problems.total == 250
    assert problems.lines()[-1] == "and 50 more problem(s)"
    again = tables.Problems.from_error(problems.error("t.csv"))
    assert again.total == 250


# --- structure --------------------------------------------------------------------------------

def test_every_registered_command_is_a_subcommand():
    names = set(parser()._subparsers._group_actions[0].choices)
    assert names == set(COMMANDS)


def test_the_apps_excel_download_carries_the_fill_and_its_source(bundle):
    import datetime as dt

    from geo import export

    data = export.xlsx_for(bundle, "sundhedsklynger", "kommuner", "ind:gini@2022", dt.date(2026, 1, 2))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["kommuner", "sources"]
    header = [c.value for c in book["kommuner"][1]]
    assert {"kommune_kode", "value", "fill", "fill_source"} <= set(header)
    values = [r[header.index("value")] for r in book["kommuner"].iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, (int, float)) for v in values if v is not None)
    items = dict(book["sources"].iter_rows(min_row=2, values_only=True))
    assert items["created"] == "2026-01-02" and items["fill source"]


def test_xlsx_drops_control_characters_xml_cannot_hold():
    from geo import export

    frame = pd.DataFrame({"kommune_kode": ["0101"], "unit_navn": ["Klynge\x07 Nord\x1b"], "population": [5]})
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame, pd.DataFrame({"item": [], "value": []}), "units")))
    assert [c.value for c in book["units"][2]] == ["0101", "Klynge Nord", 5]
