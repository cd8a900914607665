"""Exports keep their promises: whole people (largest remainder, totals kept), RFC 4180 CSV with
CRLF from one writer, XLSX sheets named for what they hold, sources as citations."""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo import counts, export, files, plans
from geo.__main__ import main


@pytest.mark.parametrize(("values", "total", "expected"), [
    ([0.5, 0.5], None, [1, 0]),  # a tie goes to the earlier value
    ([1.4, 1.4, 1.2], 4, [2, 1, 1]),
    ([226_300.7, 161_278.3], 387_579, [226_301, 161_278]),
    ([3.0, 4.0], None, [3, 4]),
    ([0.2, 0.2, 0.2, 0.2, 0.2], 1, [1, 0, 0, 0, 0]),
])
def test_largest_remainder_keeps_the_total(values, total, expected):
    out = counts.whole_counts(values, total)
    assert out.tolist() == expected and out.dtype.kind == "i"
    assert np.abs(out - np.asarray(values)).max() < 1


def test_whole_counts_refuse_what_they_cannot_round():
    with pytest.raises(ValueError, match="non-negative"):
        counts.whole_counts([-1.0, 2.0])
    with pytest.raises(ValueError, match="cannot be reached"):
        counts.whole_counts([1.5, 1.5], 10)


def test_a_split_kommunes_parts_sum_to_its_population():
    rows = pd.DataFrame({"kommune_kode": ["0101", "0101", "0147"], "unit_id": ["a", "b", "a"],
                         "share": [0.577, 0.423, 1.0]})
    pop = pd.Series({"0101": 671_714, "0147": 105_000})
    parts = counts.membership_counts(rows, pop)
    assert parts.tolist() == [387_579, 284_135, 105_000] and parts[:2].sum() == 671_714
    assert counts.unit_counts(rows, pop).to_dict() == {"a": 492_579, "b": 284_135}


def _run(*argv: str) -> str:
    out = io.StringIO()
    with redirect_stderr(io.StringIO()):
        assert main(list(argv), out=out) == 0
    return out.getvalue()


@pytest.fixture(autouse=True)
def _reuse_bundle(bundle, monkeypatch):
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: bundle)


def _crlf_only(text: str) -> bool:
    return text.endswith("\r\n") and "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")


@pytest.mark.parametrize("layer", ["sundhedsklynger", "psykiatri-voksen", "sundhedsraad-2027"])
def test_unit_populations_are_whole_and_sum_to_the_national_total(bundle, layer):
    text = _run("export", "--layer", layer, "--what", "units", "--format", "csv", "--year", "2026")
    assert _crlf_only(text)
    frame = pd.read_csv(io.StringIO(text), dtype={"population": str})
    assert frame["population"].str.fullmatch(r"\d+").all()  # 381978, never 381978.0
    assert frame["population"].astype(int).sum() == 6_025_511


def test_the_overlap_csv_is_whole_people_with_crlf(bundle):
    text = _run("compare", "--layer", "sundhedsklynger", "--with", "psykiatri-voksen", "--year", "2026")
    assert _crlf_only(text)
    frame = pd.read_csv(io.StringIO(text), dtype={"population": str})
    assert frame["population"].str.fullmatch(r"\d+").all()  # no 493728.978
    assert frame["population"].astype(int).sum() == 6_025_511
    ctx = plans.build_context(bundle)
    comparison = plans.compare(ctx, plans.layer_plan(bundle, "sundhedsklynger"),
                               plans.layer_plan(bundle, "psykiatri-voksen"), 2026)
    assert export.to_csv(comparison.matrix) == text  # what the Sammenlign download must write too


def test_one_csv_writer_for_every_table():
    frame = pd.DataFrame({"a": ["=1+1", "x,y", 'say "hi"'], "n": [1.0, 0.5, 2.25]})
    text = files.to_csv(frame)
    assert text == 'a,n\r\n\'=1+1,1\r\n"x,y",0.5\r\n"say ""hi""",2.25\r\n'
    assert export.to_csv(frame) == text


def test_the_scenario_download_is_crlf_csv(bundle):
    text = plans.to_assignment_csv(plans.layer_plan(bundle, "sundhedsklynger"))
    assert _crlf_only(text) and text.startswith("layer,kommune_kode,unit_id,share,basis,sub_areas")
    assert ',0.545,bydele (befolkning 2025),1;2;3;6;7;8,' in text


@pytest.mark.parametrize("what", ["kommuner", "units", "memberships"])
def test_xlsx_sheets_are_named_for_what_they_hold_and_cite_their_sources(tmp_path, what):
    target = tmp_path / f"{what}.xlsx"
    _run("export", "--layer", "psykiatri-voksen", "--what", what, "--format", "xlsx", "--out", str(target))
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [what, "sources"]
    items = dict(book["sources"].iter_rows(min_row=2, values_only=True))
    cited = items["layer source"]
    assert "Klyngekort-projektet:" in cited or re.search(r"\w: .+ \(\d{4}", cited), cited
    for value in items.values():
        text = str(value)
        assert "../" not in text and "/work/" not in text and not re.search(r"\bfacts/|\.csv\b|NOTES\.md", text), text
