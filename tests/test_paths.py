"""Ids are names, never paths: the tables refuse an id that is not a slug, and the atlas writer
refuses any file that would land outside its directory even when the validation is bypassed."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr
from pathlib import Path

import pandas as pd
import pytest

from geo import site, tables
from geo.config import DATA_DIR, sources_dir

ESCAPE = "../../../../outside/pwn"


@pytest.mark.parametrize(("value", "why"), [
    (ESCAPE, "contains '.' (U+002E)"),
    ("/etc/passwd", "contains '/' (U+002F)"),
    ("a\\b", "contains '\\\\' (U+005C)"),
    ("H_byen", "contains 'H' (U+0048)"),
    ("h byen", "contains ' ' (U+0020)"),
    ("h_byen\u200b", "contains '\\u200b' (U+200B)"),
    ("", "is empty"),
    ("x" * 65, "is 65 characters long"),
])
def test_an_id_that_is_not_a_slug_is_named_with_the_rule(value, why):
    message = tables.id_problem(value)
    assert message is not None and message.startswith(why)
    assert "a-z, 0-9, '_' and '-' (a name, never a path)" in message


@pytest.mark.parametrize("value", ["h_byen", "1081", "psykiatri-voksen", "sundhedsraad-2027", "x" * 64, "0"])
def test_slugs_are_ids(value):
    assert tables.id_problem(value) is None


def test_every_id_in_data_is_a_slug():
    layers = tables.read_csv_table(DATA_DIR / "layers.csv", "layers.csv")
    units = tables.read_csv_table(DATA_DIR / "units.csv", "units.csv")
    sites = tables.read_csv_table(DATA_DIR / "sites.csv", "sites.csv")
    assert tables.id_problems(layers, "layers.csv", ["layer"]) == []
    assert tables.id_problems(units, "units.csv", ["layer", "unit_id"]) == []
    assert tables.id_problems(sites, "sites.csv", ["site_id"]) == []
    assert "1081" in set(units["unit_id"])  # regions are numbered: digits are fine


def test_the_validators_name_file_line_column_and_value():
    layers = pd.DataFrame({"layer": ["ok", ESCAPE], "name_da": ["a", "b"], "name_en": ["a", "b"],
                           "role": ["region", "care"], "valid_from": ["", ""], "valid_to": ["", ""],
                           "extent": ["all", "all"], "display_region": ["", ""], "description_da": ["", ""],
                           "description_en": ["", ""], "source": ["s", "s"], "confidence": ["high", "high"],
                           "_line": [2, 3]})
    problems = tables.validate_layers(layers)
    assert problems == [f"layers.csv line 3, column layer: {ESCAPE!r} is not an id: it contains '.' (U+002E); an "
                        "id is 1–64 characters from a-z, 0-9, '_' and '-' (a name, never a path)"]
    sites = pd.DataFrame({"site_id": ["../x"], "name": ["X"], "kind": ["akutsygehus"], "lat": [""], "lon": [""],
                          "source": ["s"], "coord_source": ["none"], "confidence": ["high"], "_line": [7]})
    assert tables.validate_sites(sites)[0].startswith("sites.csv line 7, column site_id: '../x' is not an id")
    units = pd.DataFrame({"layer": ["ok"], "unit_id": ["a/b"], "unit_navn": ["A"], "region": [""], "hospital": [""],
                          "site_ids": [""], "source": ["s"], "confidence": ["high"], "_line": [4]})
    assert tables.validate_units(units, layers, sites)[0].startswith("units.csv line 4, column unit_id: 'a/b'")


def test_geo_check_refuses_a_layer_id_that_is_a_path(tmp_path, monkeypatch):
    if not sources_dir().is_dir():
        pytest.skip(f"source data not found at {sources_dir()}")
    from geo.__main__ import main

    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    for name in ("layers.csv", "units.csv", "assignments.csv"):  # the layer and every row that names it
        path = copy / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(ESCAPE + line[len("midt-2018"):] if line.startswith("midt-2018,") else line
                                for line in lines), encoding="utf-8")
    assert ESCAPE in (copy / "assignments.csv").read_text(encoding="utf-8")
    monkeypatch.setenv("KLYNGEKORT_DATA", str(copy))
    err = io.StringIO()
    with redirect_stderr(err):
        assert main(["check"], out=io.StringIO()) == 1
    assert f"layers.csv line 5, column layer: {ESCAPE!r} is not an id: it contains '.'" in err.getvalue()
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize("rel", ["../escape.html", ESCAPE + "/index.html", "/tmp/klyngekort-escape.html",
                                 "layer/../../escape.html", ".", "link/index.html"])
def test_the_atlas_writer_refuses_paths_outside_its_directory(tmp_path, rel):
    root = tmp_path / "build"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link").symlink_to(outside, target_is_directory=True)  # a link inside pointing out
    writer = site.Writer(root, site.environment(), atlas=None)
    with pytest.raises(site.AtlasError, match="outside the atlas directory"):
        writer.write(rel, "<p>pwned</p>")
    assert list(outside.iterdir()) == [] and not Path("/tmp/klyngekort-escape.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "outside"]
    writer.write("layer/x/index.html", "<p>fine</p>")  # inside: written, with its .gz
    assert (root / "layer/x/index.html").read_text() == "<p>fine</p>"
    assert (root / "layer/x/index.html.gz").is_file()
