"""Loading source files: kommune codes, clear messages for bad input, sub-areas that tile exactly."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.config import SOURCES_ENV
from geo.errors import SourceDataError
from geo.sources import (
    check_sources_dir,
    load_indicators,
    load_population,
    normalise_kode,
    read_geojson,
    tile_sub_areas,
)


@pytest.mark.parametrize(("raw", "expected"), [("101", "0101"), ("0101", "0101"), (" 766 ", "0766"),
                                               ("101.0", "0101"), ("851", "0851"), ("abc", "abc")])
def test_normalise_kode(raw, expected):
    assert normalise_kode(pd.Series([raw])).iloc[0] == expected


def test_missing_directory_names_setting_path_and_files(tmp_path):
    with pytest.raises(SourceDataError) as err:
        check_sources_dir(tmp_path / "nowhere")
    text = str(err.value)
    assert SOURCES_ENV in text and str(tmp_path / "nowhere") in text
    assert "boundaries/kommuner.geojson" in text and "statistics/indicators.csv" in text


def test_incomplete_directory_lists_missing_files(tmp_path):
    (tmp_path / "boundaries").mkdir()
    (tmp_path / "boundaries" / "kommuner.geojson").write_text("{}")
    with pytest.raises(SourceDataError, match=r"incomplete; missing: boundaries/regioner.geojson"):
        check_sources_dir(tmp_path)


def test_malformed_geojson(tmp_path):
    path = tmp_path / "k.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(SourceDataError, match="not a readable GeoJSON file"):
        read_geojson(path, ["KOMKODE"])


def test_wrong_crs_is_named(tmp_path):
    path = tmp_path / "k.geojson"
    gpd.GeoDataFrame({"KOMKODE": ["0101"]}, geometry=[box(700000, 6170000, 710000, 6180000)],
                     crs="EPSG:25832").to_file(path, driver="GeoJSON")
    with pytest.raises(SourceDataError, match="coordinate reference system is EPSG:25832, expected WGS84"):
        read_geojson(path, ["KOMKODE"])


def test_missing_property_is_named(tmp_path):
    path = tmp_path / "k.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kode": "0101"},
         "geometry": {"type": "Polygon", "coordinates": [[[12, 55], [12.1, 55], [12.1, 55.1], [12, 55]]]}}]}))
    with pytest.raises(SourceDataError, match=r"missing properties \['KOMKODE'\]"):
        read_geojson(path, ["KOMKODE"])


def test_tile_sub_areas_removes_overlaps_and_fills_gaps():
    outer = box(0, 0, 10, 10)
    parts = gpd.GeoSeries([box(-1, 0, 6, 10), box(5, 0, 9, 10)])  # overlap 5-6, gap 9-10, spill < 0
    tiled = tile_sub_areas(outer, parts)
    assert tiled.union_all().equals(outer)
    assert tiled.iloc[0].intersection(tiled.iloc[1]).area == 0
    assert tiled.iloc[1].area == pytest.approx(40)  # (6-9 plus the gap 9-10) x 10


def write_csv(tmp_path, rel, text):
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


POP_HEADER = "kommune_code,kommune_name,year,population_total,pop_0_17,pop_18_64,pop_65plus,pop_80plus,source_table,source\n"


def test_population_unknown_code_and_bad_number(tmp_path):
    write_csv(tmp_path, "statistics/population.csv", POP_HEADER + "101,K,2026,10,,,,,T,s\n999,X,2026,5,,,,,T,s\n")
    with pytest.raises(SourceDataError, match=r"unknown kommune codes \['0999'\] \(lines \[3\], column kommune_code\)"):
        load_population(tmp_path, {"0101"})
    write_csv(tmp_path, "statistics/population.csv", POP_HEADER + "101,K,2026,ti,,,,,T,s\n")
    with pytest.raises(SourceDataError, match=r"line 2, column population_total: 'ti' is not a finite number"):
        load_population(tmp_path, {"0101"})


def test_population_christiansoe_is_left_out_and_years_must_be_complete(tmp_path):
    write_csv(tmp_path, "statistics/population.csv",
              POP_HEADER + "0101,K,2026,10,,,,,T,s\n0411,C,2026,90,,,,,T,s\n0101,K,2020,9,,,,,T,s\n")
    pop = load_population(tmp_path, {"0101"})
    assert set(pop["kommune_kode"]) == {"0101"}
    with pytest.raises(SourceDataError, match=r"year 2020 has no population for 1 kommune\(r\): 0147"):
        load_population(tmp_path, {"0101", "0147"})


def test_indicator_duplicates_are_named(tmp_path):
    header = "kommune_code,kommune_name,indicator_id,indicator_name_da,value,unit,year,source\n"
    write_csv(tmp_path, "statistics/indicators.csv", header + "0101,K,x,X,1,%,2025,s\n0101,K,x,X,2,%,2025,s\n")
    with pytest.raises(SourceDataError, match="x@2025 has two values for kommune 0101"):
        load_indicators(tmp_path, {"0101"})
