"""python -m geo aggregate: a kommune table of one's own on every layer, with the three kinds, and its faults
(one message and an exit code each, never a traceback, no file half-written)."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest

from geo import catalog
from geo.__main__ import main
from tests.test_owndata import YEARS, csv_bytes, esundhed_xlsx, statistikbanken_csv

LAYERS = ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "midt-2018", "regioner",
          "sundhedsraad-2027", "regioner-2027"]


@pytest.fixture(autouse=True)
def _reuse_bundle(request, monkeypatch):
    """Give the CLI the session's loaded bundle instead of reloading it for every call."""
    loaded = request.getfixturevalue("bundle")
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: loaded)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["aggregate", *argv], out=out)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, out.getvalue(), err


@pytest.fixture(scope="module")
def files(bundle, tmp_path_factory):
    """A Statistikbanken population export, an eSundhed rate workbook and a long numerator/denominator table."""
    root = tmp_path_factory.mktemp("own")
    pop, _ = catalog.population_total(bundle.population, 2024)
    sb = root / "folk1a.csv"
    sb.write_bytes(statistikbanken_csv(bundle.kommuner, {k: (str(int(v) - 5), str(int(v))) for k, v in pop.items()}))
    es = root / "esundhed.xlsx"
    es.write_bytes(esundhed_xlsx(bundle.kommuner, {"0825": None}))
    rows = [["Kommune", "År", "Indlæggelser", "Borgere 65+"]]
    for k in bundle.kommuner["kommune_kode"]:
        rows += [[k, "2023", "10", "200"], [k, "2024", "30", str(int(pop[k] * 0.2))]]
    long = root / "long.csv"
    long.write_bytes(csv_bytes(rows))
    return {"sb": sb, "es": es, "long": long, "pop": pop}


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("kind", ["count", "ratio", "weighted"])
def test_every_layer_with_the_three_kinds(capsys, files, bundle, layer, kind):
    argv = {"count": ["--from", str(files["sb"])],
            "ratio": ["--from", str(files["long"]), "--value", "Indlæggelser", "--denominator", "Borgere 65+"],
            "weighted": ["--from", str(files["es"]), "--weight", "population:2024"]}[kind]
    code, out, err = run(capsys, "--layer", layer, *argv)
    assert code == 0, err
    assert out.startswith("unit_id,unit_navn,value,coverage,n_kommuner,missing_kommuner\r\n")
    frame = pd.read_csv(io.StringIO(out), dtype={"missing_kommuner": str}, keep_default_na=False)
    assert len(frame) == (bundle.units["layer"] == layer).sum()
    assert "rows read" in err and "Coverage computed with the population of 2024" in err
    if kind == "count" and bundle.layer(layer)["extent"] == "all":
        assert frame["value"].sum() == pytest.approx(files["pop"].sum(), rel=1e-12)
    if kind == "ratio":
        assert "The figure is a rate: Σ share·'Indlæggelser' / Σ share·'Borgere 65+'" in err
        assert frame["value"].between(0, 1).all()
    if kind == "weighted" and layer == "sundhedsklynger":
        assert "Læsø (0825)" in err and (frame["missing_kommuner"] == "0825").sum() == 1


def test_the_year_and_the_formats(capsys, files, tmp_path):
    code, out, err = run(capsys, "--layer", "regioner", "--from", str(files["sb"]), "--year", "2023")
    assert code == 0 and "Year 2023." in err
    assert pd.read_csv(io.StringIO(out))["value"].sum() == pytest.approx(files["pop"].sum() - 5 * 98)
    code, out, _ = run(capsys, "--layer", "regioner", "--from", str(files["sb"]), "--format", "geojson")
    data = json.loads(out)
    assert code == 0 and len(data["features"]) == 5 and "crs" not in data
    assert {f["geometry"]["type"] for f in data["features"]} == {"MultiPolygon"}
    target = tmp_path / "units.xlsx"
    code, _, err = run(capsys, "--layer", "regioner", "--from", str(files["sb"]), "--format", "xlsx",
                       "--out", str(target))
    assert code == 0 and f"Wrote 5 units of regioner to {target}" in err
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["units", "sources"] and book["units"].max_row == 6


@pytest.mark.parametrize(("argv", "needle"), [
    (("--layer", "regioner", "--from", "no_such.csv"), "no_such.csv is not a file"),
    (("--layer", "regioner", "--from", "{sb}", "--kind", "rate"), "a rate needs a denominator"),
    (("--layer", "regioner", "--from", "{sb}", "--kind", "count", "--weight", "population"),
     "a count is summed by share and takes no denominator"),
    (("--layer", "regioner", "--from", "{sb}", "--denominator", "x", "--weight", "population"), "not allowed with"),
    (("--layer", "regioner", "--from", "{sb}", "--kind", "mean"), "invalid choice: 'mean'"),
    (("--layer", "regioner", "--from", "{sb}", "--format", "pdf"), "invalid choice: 'pdf'"),
    (("--layer", "regioner", "--from", "{sb}", "--out", ""), "--out is empty"),
    (("--layer", "regioner", "--from", "{sb}", "--out", "/dev/full"), "No space left on device"),
    (("--layer", "regioner"), "the following arguments are required: --from"),
], ids=["missing-file", "rate-without-denominator", "count-with-weight", "both-bases", "unknown-kind",
        "unknown-format", "empty-out", "disk-full", "no-table"])
def test_usage_and_file_errors_exit_2(capsys, files, argv, needle):
    code, out, err = run(capsys, *(a.format(sb=files["sb"]) for a in argv))
    assert code == 2 and out == ""
    assert needle in err


@pytest.mark.parametrize(("content", "argv", "needle"), [
    (b"Kommune;Antal\nAarhus;1\nKbh;2\n", (), "t.csv line 3, column 'Kommune': 'Kbh' is not a kommune"),
    (b"Kommune;Antal\nAarhus;1\nOdense;-2\n", (), "t.csv line 3, column 'Antal': -2 is negative"),
    (b"Kommune;Antal\nAarhus;1\nOdense;x\n", (), "t.csv line 3, column 'Antal': 'x' is not a number"),
    (b"Kommune;Antal\nAarhus;1\nAarhus;2\n", (), "t.csv lines 2 and 3: Aarhus (0751) appears twice"),
    (b"Omr\xe5de;Antal\nHele landet;1\nRegion Hovedstaden;2\n", (), "rows for Denmark or the regions only"),
    (b"Kommune;Antal\nAarhus;1\n", ("--layer", "atlantis"), "layer 'atlantis' is unknown"),
    (b"Kommune;Antal\nAarhus;1\n", ("--value", "Nope"), "no column 'Nope'"),
    (b"Kommune;Antal\nAarhus;1\n", ("--weight", "population:1999"), "population year 1999 is not available"),
    (b"Kommune;Antal\nAarhus;1\n", ("--year", "2024"), "the table has no years"),
], ids=["unknown-name", "negative-count", "not-a-number", "duplicate", "only-regions", "unknown-layer",
        "unknown-column", "unknown-weight-year", "no-years"])
def test_invalid_input_exits_1_naming_line_column_value_and_rule(capsys, tmp_path, content, argv, needle):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    layer = () if "--layer" in argv else ("--layer", "regioner")
    code, out, err = run(capsys, *layer, "--from", str(path), *argv)
    assert code == 1 and out == ""
    assert needle in err, err


def test_a_failed_write_leaves_the_old_file(capsys, files, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("the old result\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"Kommune;Antal\nAarhus;x\n")
    assert run(capsys, "--layer", "regioner", "--from", str(bad), "--out", str(target))[0] == 1
    assert target.read_text(encoding="utf-8") == "the old result\n"
    assert run(capsys, "--layer", "regioner", "--from", str(files["sb"]), "--out", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("unit_id,")


def test_a_table_over_the_limit_is_refused_before_reading(capsys, tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as handle:
        handle.write(b"Kommune;Antal\n")
        handle.truncate(3 * 2**20)
    code, _, err = run(capsys, "--layer", "regioner", "--from", str(path))
    assert code == 1 and "the file is 3.1 MB; at most 2 MB is accepted" in err


def test_years_used_by_the_fixtures_exist(bundle):
    assert sorted(int(y) for y in bundle.population["year"].unique()) == YEARS
