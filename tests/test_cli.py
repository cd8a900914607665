"""The command line: check, export for every layer, validate-assignments on Excel-style files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from geo.__main__ import main
from geo.export import TEXT_FORMATS, WHATS

DATA = Path(__file__).parent / "data"
LAYERS = ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "midt-2018", "regioner",
          "sundhedsraad-2027", "regioner-2027"]


@pytest.fixture(autouse=True)
def _reuse_bundle(request, monkeypatch):
    """Give the CLI the session's loaded bundle instead of reloading it for every call."""
    if "no_bundle_reuse" in request.keywords:
        return
    loaded = request.getfixturevalue("bundle")
    monkeypatch.setattr("geo.__main__.load_bundle", lambda: loaded)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_check_prints_counts(bundle):
    code, out = run("check")
    assert code == 0
    assert "Kommuner: 98" in out
    assert "sundhedsklynger: 22 units, 98 kommuner, 99 rows (high 45, medium 52, low 2); split kommuner: 0101" in out
    assert "not assigned (source does not name them): 0741 Samsø" in out


@pytest.mark.no_bundle_reuse
def test_check_fails_clearly_without_sources(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KLYNGEKORT_SOURCES", str(tmp_path / "missing"))
    code, _ = run("check")
    assert code == 1
    err = capsys.readouterr().err
    assert "KLYNGEKORT_SOURCES" in err and "Traceback" not in err


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("what", WHATS)
def test_export_geojson_every_layer(bundle, layer, what):
    code, out = run("export", "--layer", layer, "--what", what, "--format", "geojson")
    assert code == 0
    data = json.loads(out)
    assert "crs" not in data  # RFC 7946
    props = data["features"][0]["properties"]
    expected = {"kommuner": ["kommune_kode", "kommune_navn", "region", "population", "unit_ids", "shares"],
                "units": ["layer", "unit_id", "unit_navn", "hospital", "population", "n_kommuner"],
                "memberships": ["layer", "kommune_kode", "kommune_navn", "unit_id", "unit_navn", "share",
                                "basis", "confidence"]}[what]
    assert list(props)[: len(expected)] == expected
    assert {f["geometry"]["type"] for f in data["features"]} == {"MultiPolygon"}  # one type per layer
    lon, lat = data["features"][0]["geometry"]["coordinates"][0][0][0][:2]
    assert 7 < lon < 16 and 54 < lat < 58


def test_export_counts(bundle):
    n = {w: len(json.loads(run("export", "--layer", "sundhedsklynger", "--what", w)[1])["features"]) for w in WHATS}
    assert n == {"kommuner": 98, "units": 22, "memberships": 99}


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_export_to_file(bundle, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    code, out = run("export", "--layer", "regioner", "--what", "units", "--format", fmt, "--year", "2020",
                    "--out", str(target))
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert "Region Hovedstaden" in text
    if fmt == "csv":
        assert text.splitlines()[0].startswith("layer,unit_id,unit_navn,hospital,population,n_kommuner")
        assert "geometry" not in text.splitlines()[0]


def test_export_unknown_year_is_named(bundle, capsys):
    code, _ = run("export", "--layer", "regioner", "--what", "units", "--year", "1999")
    assert code == 1
    assert "population year 1999 is not available" in capsys.readouterr().err


def test_validate_excel_file(bundle):
    code, out = run("validate-assignments", str(DATA / "whatif_excel.csv"))
    assert code == 0, out
    assert "valid (sundhedsklynger: 98 kommuner, 22 units, 99 rows)" in out


def test_validate_broken_file_lists_every_problem(bundle, capsys):
    code, _ = run("validate-assignments", str(DATA / "whatif_broken.csv"))
    err = capsys.readouterr().err
    assert code == 1
    for needle in [
        "shares of kommune 0101 (København) in layer sundhedsklynger sum to 0.923",
        "line 8, column kommune_kode: 0411 is Christiansø",
        "line 9, column unit_id: 'h_vest' is not a unit of layer 'sundhedsklynger'",
        "line 10, column kommune_kode: '9999' is not one of the 98 kommune codes",
        "line 10, column share: 1.5 must be at least 1e-09 and at most 1 (100 %)",
        "line 10, column confidence: 'sure'",
        "layer sundhedsklynger must cover all 98 kommuner; missing",
    ]:
        assert needle in err, needle
    assert "Traceback" not in err


def test_export_with_fill_adds_the_shown_values(bundle):
    from geo import export, ulighed

    units = export.with_fill(bundle, export.frame_for(bundle, "sundhedsklynger", "units"), "sundhedsklynger", "units",
                             "ind:sp_daglig_rygning@2025").set_index("unit_id")
    ranked = ulighed.unit_values(bundle, "sundhedsklynger", "ind:sp_daglig_rygning@2025").set_index("unit_id")
    assert units["value"].to_dict() == pytest.approx(ranked["value"].to_dict())
    kommuner = export.with_fill(bundle, export.frame_for(bundle, "sundhedsklynger", "kommuner"), "sundhedsklynger",
                                "kommuner", "ind:middellevetid_0aar_hisbk@2019-2023")
    assert kommuner["value"].isna().sum() == 4 and (kommuner["fill_year"] == "2019-2023").all()
    data = json.loads(export.to_geojson(kommuner))
    assert data["features"][0]["properties"]["fill"] == "ind:middellevetid_0aar_hisbk@2019-2023"
