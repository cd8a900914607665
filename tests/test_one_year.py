"""One number, one year (issue 15): the map page's table and its downloads carry the same numbers with
the same population year, for every fill and level; the Excel file carries the legend the map shows."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from geo import catalog, readable
from geo.viewstate import MapState

LAYER = "sundhedsklynger"
KEYS = {"kommuner": "kommune_kode", "units": "unit_id"}
EXACT = ("kommune_navn", "region", "unit_navne", "shares", "confidence", "unit_navn", "n_kommuner", "population",
         "population_year")


def _views(bundle):
    fills = catalog.fill_catalog(bundle.population, bundle.indicators)
    for key, fill in fills.items():
        for level in (("kommuner",) if fill.kind == "category" else ("kommuner", "units")):
            yield key, fill, level


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"kommune_kode": str, "unit_id": str}, keep_default_na=False,
                       na_values=[""])


@pytest.mark.parametrize("day", [dt.date(2026, 12, 2), dt.date(2027, 3, 1)], ids=["2026", "2027"])
def test_every_fill_and_level_downloads_what_the_table_shows(bundle, day):
    import ui

    checked = 0
    for key, fill, level in _views(bundle):
        state = MapState(layer=LAYER, on=day, lang="da", fill=key, level=level).normalised()
        table = ui.national_view(state).table  # what the map page (and the Data page) shows
        csv = _csv(ui.export_text(LAYER, level, "csv", key, state.on))  # what its CSV button serves
        index = KEYS[level]
        assert sorted(table[index]) == sorted(csv[index]), (key, level)
        shown, got = table.set_index(index), csv.set_index(index).loc[table[index]]
        for column in [c for c in shown.columns if c in got.columns]:
            mine, theirs = shown[column], got[column]
            if column in EXACT:
                assert [str(v) if pd.notna(v) else "" for v in mine] == [
                    str(v) if pd.notna(v) else "" for v in theirs], (key, level, column)
            else:
                assert pd.to_numeric(mine).to_numpy() == pytest.approx(pd.to_numeric(theirs).to_numpy(),
                                                                       rel=1e-9, nan_ok=True), (key, level, column)
            checked += 1
        if fill.kind != "category":
            assert (csv["fill_year"].astype(str) == str(fill.year)).all(), (key, level)
            assert str(fill.year) in readable.value_header(fill, "da")  # the value column says its year
        if level == "units":  # the screen says the population year the file carries
            year = int(csv["population_year"].iloc[0])
            assert (table["population_year"] == year).all() and year == bundle.latest_year()
            header = readable.display_table(table, "da", fill).columns
            assert f"Befolkning {year}" in header and "population_year" not in header
    assert checked > 200


def test_the_unit_table_population_is_whole_and_of_the_latest_year(bundle):
    import ui

    state = MapState(layer="psykiatri-voksen", on=dt.date(2026, 12, 2), lang="da",
                     fill="ind:middellevetid_0aar_hisbk@2019-2023", level="units").normalised()
    table = ui.national_view(state).table.set_index("unit_navn")
    aarhus = table.loc["Aarhus Universitetshospital, Psykiatrien"]
    assert aarhus["population_year"] == 2026 and aarhus["population"] == 381_978
    assert table["population"].sum() == catalog.population_total(bundle.population)[0].sum()


def test_the_excel_download_carries_the_legend_and_the_date_shown(bundle):
    from openpyxl import load_workbook

    import ui

    state = MapState(layer=LAYER, on=dt.date(2027, 3, 1), lang="da", fill="ind:sp_daglig_rygning@2025",
                     level="kommuner", k=4).normalised()
    view = ui.national_view(state)
    book = load_workbook(io.BytesIO(ui.xlsx_bytes(state.drawn(), "kommuner", "2026-12-02")), read_only=True)
    assert book.sheetnames == ["kommuner", "legend", "sources"]
    legend = [row for row in book["legend"].iter_rows(values_only=True)]
    assert legend[0] == ("class", "colour", "count", "lower", "upper")
    assert [(r[0], r[1], r[2]) for r in legend[1:]] == [(r.label, r.colour, r.count) for r in view.legend]
    assert sum(r[2] for r in legend[1:]) == 98
    sources = dict(book["sources"].iter_rows(min_row=2, values_only=True))
    assert "2027-03-01" in sources["layer valid"] and sources["created"] == "2026-12-02"
    rows = list(book["kommuner"].iter_rows(values_only=True))
    region = rows[0].index("region")
    assert {r[region] for r in rows[1:]} == set(view.table["region"])  # the regions of the date shown
    assert ui.legend_csv(state.drawn()).startswith("class,colour,count,lower,upper\r\n")


def test_memberships_download_as_csv_and_excel(bundle):
    from openpyxl import load_workbook

    import ui

    text = ui.export_text(LAYER, "memberships", "csv", "membership", dt.date(2026, 12, 2))
    frame = _csv(text)
    assert "\r\n" in text and {"kommune_kode", "unit_id", "share", "basis", "confidence"} <= set(frame.columns)
    assert frame.groupby("kommune_kode")["share"].sum().round(9).eq(1).all() and frame["kommune_kode"].nunique() == 98
    state = MapState(layer=LAYER, on=dt.date(2026, 12, 2), lang="da").normalised()
    book = load_workbook(io.BytesIO(ui.xlsx_bytes(state.drawn(), "memberships", "2026-12-02")), read_only=True)
    assert book.sheetnames == ["memberships", "legend", "sources"]
    assert book["memberships"].max_row == len(frame) + 1
