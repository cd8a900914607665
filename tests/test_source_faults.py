"""Source data checked for meaning: each fault in a broken copy of the sources gives one clear message.

Every case copies the source files into ``tmp_path``, changes one thing, and asserts the
`SourceDataError` names the file, the line or feature, the value and the rule. The loaders are
called directly (the whole bundle takes seconds); the CLI and the app are run on two of them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo import sources
from geo.config import CRS_WORK, SOURCE_FILES, sources_dir
from geo.errors import SourceDataError

ROOT = Path(__file__).resolve().parent.parent
POP = SOURCE_FILES["population"]
IND = SOURCE_FILES["indicators"]
KOM = SOURCE_FILES["kommuner"]
BYD = SOURCE_FILES["bydele_population"]


@pytest.fixture(scope="module")
def real() -> Path:
    directory = sources_dir()
    if not directory.is_dir():
        pytest.skip(f"source data not found at {directory} (set KLYNGEKORT_SOURCES)")
    return directory


@pytest.fixture(scope="module")
def codes(real) -> set[str]:
    return set(sources.load_kommuner(real)["kommune_kode"])


def broken_copy(real: Path, tmp_path: Path) -> Path:
    """The source files copied into ``tmp_path / 'sources'`` (writable)."""
    target = tmp_path / "sources"
    for rel in SOURCE_FILES.values():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(real / rel, target / rel)
    return target


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def pop_total(value: str):
    """København 2026 (line 2) gets ``value`` as population_total."""
    return lambda d: replace_once(d / POP, "0101,København,2026,2026-01-01,671714,", f"0101,København,2026,2026-01-01,{value},")


def set_first(path: Path, key: str, equals: str, column: str, value: str) -> None:
    """Set ``column`` to ``value`` in the first row whose ``key`` is ``equals`` (rewritten with the csv module)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(r for r in rows if r[key] == equals)
    row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def drop_line(rel: str, startswith: str):
    def mutate(d: Path) -> None:
        lines = (d / rel).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [ln for ln in lines if not ln.startswith(startswith)]
        assert len(kept) == len(lines) - 1
        (d / rel).write_text("".join(kept), encoding="utf-8")
    return mutate


def header_only(rel: str):
    def mutate(d: Path) -> None:
        first = (d / rel).read_text(encoding="utf-8").splitlines(keepends=True)[0]
        (d / rel).write_text(first, encoding="utf-8")
    return mutate


def zero_bytes(rel: str):
    return lambda d: (d / rel).write_bytes(b"")


LINE2 = r"statistics/population\.csv: line 2, column population_total: "
SEPARATOR = r"looks like a number with a thousands separator; .*without separators \(write 671714\)"
CSV_FAULTS = {
    "comma-thousands": (pop_total('"671,714"'), LINE2 + "'671,714' " + SEPARATOR),
    "dot-thousands": (pop_total("671.714"), LINE2 + "'671.714' " + SEPARATOR),
    "negative": (pop_total("-671714"), LINE2 + "'-671714' is negative; counts must be whole numbers ≥ 0"),
    "fraction": (pop_total("671714.5"), LINE2 + "'671714.5' is not a whole number"),
    "zero": (pop_total("0"), LINE2 + r"'0' \(kommune 0101, 2026\) is outside the plausible range 1–2,000,000"),
    "inf": (pop_total("inf"), LINE2 + "'inf' is not a finite number"),
    "1e300": (pop_total("1e300"), LINE2 + r"'1e300' \(kommune 0101, 2026\) is outside the plausible range"),
    "empty-total": (pop_total(""), LINE2 + "'' is empty; every row needs a count"),
    "age-group-too-big": (
        lambda d: replace_once(d / POP, "632340,110822,456045,65473,13118", "632340,110822,456045,65473,700000"),
        r"population\.csv: line 5, column pop_80plus: '700000' is larger than population_total 632340"),
    "age-groups-do-not-sum": (
        lambda d: replace_once(d / POP, "632340,110822,456045,65473,13118", "632340,110822,456045,60000,13118"),
        r"population\.csv: line 5: the age groups pop_0_17 \+ pop_18_64 \+ pop_65plus sum to 626867, "
        r"not population_total 632340"),
    "header-only": (header_only(POP), r"population\.csv: the file has a header but no data rows"),
    "zero-byte": (zero_bytes(POP), r"population\.csv: the file is empty \(0 bytes\)"),
    "only-christiansoe": (lambda d: (d / POP).write_text(
        (d / POP).read_text(encoding="utf-8").splitlines(keepends=True)[0] + "0411,Christiansø,2026,,80,,,,,T,s\n",
        encoding="utf-8"), r"population\.csv: no rows for any kommune \(only Christiansø, 0411"),
    "not-utf8": (lambda d: (d / POP).write_bytes((d / POP).read_text(encoding="utf-8").encode("latin-1")),
                 r"population\.csv: not UTF-8 text \(byte \d+: b'\\xf8'\)"),
    "missing-kommune-year": (drop_line(POP, "0147,Frederiksberg,2024,"),
                             r"population\.csv: year 2024 has no population for 1 kommune\(r\): 0147 Frederiksberg; "
                             r"every kommune needs a row for every year"),
    "year-not-a-year": (lambda d: replace_once(d / POP, "0101,København,2026,", "0101,København,20260,"),
                        r"population\.csv: line 2, column year: '20260' is not a year between 1900 and 2100"),
    "percent-out-of-range": (
        lambda d: replace_once(d / IND, ",76.7,%,2023,", ",176.7,%,2023,"),
        r"indicators\.csv: line 2, column value: '176\.7' \(beskaeftigelsesfrekvens, unit %\) is not plausible "
        r"as a percentage: it must be ≥ 0 and ≤ 100"),
    "life-expectancy-out-of-range": (
        lambda d: set_first(d / IND, "indicator_id", "middellevetid_0aar_hisbk", "value", "8.1"),
        r"indicators\.csv: line \d+, column value: '8\.1' \(middellevetid_0aar_hisbk, unit år\) is not plausible "
        r"as a life expectancy in years: it must be ≥ 40 and ≤ 110"),
    "kroner-thousands": (
        lambda d: replace_once(d / IND, ",295836,kr.,", ",295.836,kr.,"),
        r"indicators\.csv: line \d+, column value: '295\.836' \(disponibel_indkomst_gns, unit kr\.\) must be a whole "
        r"number as an amount in kroner \(whole kroner\) \(it looks like a thousands separator"),
    "indicator-inf": (lambda d: replace_once(d / IND, ",76.7,%,2023,", ",inf,%,2023,"),
                      r"indicators\.csv: line 2, column value: 'inf' is not a finite number"),
    "unknown-unit": (lambda d: replace_once(d / IND, ",76.7,%,2023,", ",76.7,procent,2023,"),
                     r"indicators\.csv: line 2, column unit: 'procent' is not a known unit; known units: %"),
    "indicators-header-only": (header_only(IND), r"indicators\.csv: the file has a header but no data rows"),
    "indicators-zero-byte": (zero_bytes(IND), r"indicators\.csv: the file is empty \(0 bytes\)"),
}


@pytest.mark.parametrize("case", list(CSV_FAULTS))
def test_statistics_fault_is_one_clear_message(real, codes, tmp_path, case):
    mutate, message = CSV_FAULTS[case]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    with pytest.raises(SourceDataError, match=message) as err:
        sources.load_population(directory, codes)
        sources.load_indicators(directory, codes)
    assert str(directory) in str(err.value)  # the message names the file by its full path


@pytest.fixture(scope="module")
def bydele(real):
    return sources.load_sub_areas(real, sources.load_kommuner(real))


def indre_by_2019(value: str):
    """Indre By 2019 (line 3) gets ``value`` as population."""
    return lambda d: replace_once(d / BYD, "1,Indre By,2019,2019-01-01,56171,", f"1,Indre By,2019,2019-01-01,{value},")


BYD_LINE3 = r"statistics/koebenhavn_bydele_population\.csv: line 3, column population: "
BYD_RULES = "every year needs the 10 bydele and the total \\(bydel_nr 0\\) exactly once"
BYDEL_FAULTS = {
    "dot-thousands": (indre_by_2019("56.171"),
                      BYD_LINE3 + r"'56\.171' looks like a number with a thousands separator; a count must be a whole "
                                  r"number written with the digits 0-9 only \(write 56171\)"),
    "comma-thousands": (indre_by_2019('"56,171"'), BYD_LINE3 + r"'56,171' looks like a number with a thousands separator"),
    "fraction": (indre_by_2019("56171.5"),
                 BYD_LINE3 + r"'56171\.5' is not a whole number written with the digits 0-9 only \(a count\)"),
    "whole-with-decimals": (indre_by_2019("56171.0"), BYD_LINE3 + r"'56171\.0' is not a whole number written with"),
    "exponent": (indre_by_2019("5.6171e4"), BYD_LINE3 + r"'5\.6171e4' is not a whole number written with"),
    "negative": (indre_by_2019("-56171"), BYD_LINE3 + r"'-56171' is negative; a count must be a whole number ≥ 0"),
    "fullwidth-digit": (indre_by_2019("\uff155171"),
                        BYD_LINE3 + r"'５5171' is not written with ASCII digits: U\+FF15 FULLWIDTH DIGIT FIVE is not an "
                                    r"ASCII digit"),
    "empty-count": (indre_by_2019(""), BYD_LINE3 + r"'' is empty; every row needs a count"),
    "unknown-bydel-number": (
        lambda d: replace_once(d / BYD, "10,Amager Vest,2019,", "11,Amager Vest,2019,"),
        r"koebenhavn_bydele_population\.csv: line 12, column bydel_nr: '11' is not a bydel number: expected 0 \(the "
        r"kommune total\) or one of 1–10 as in boundaries/koebenhavn_bydele\.geojson"),
    "bydel-number-not-a-number": (
        lambda d: replace_once(d / BYD, "10,Amager Vest,2019,", "X,Amager Vest,2019,"),
        r"line 12, column bydel_nr: 'X' is not a whole number written with the digits 0-9 only \(a bydel number\)"),
    "name-does-not-match": (
        lambda d: replace_once(d / BYD, "1,Indre By,2019,", "1,Indre by,2019,"),
        r"koebenhavn_bydele_population\.csv: line 3, column bydel: 'Indre by' is not the name of bydel 1 in "
        r"boundaries/koebenhavn_bydele\.geojson \('Indre By'\); numbers and names must match the boundaries"),
    "numbers-swapped": (  # both names exist, but not under these numbers
        lambda d: replace_once(d / BYD, "2,Østerbro,2019,", "3,Østerbro,2019,"),
        r"line 4, column bydel: 'Østerbro' is not the name of bydel 3 in boundaries/koebenhavn_bydele\.geojson "
        r"\('Nørrebro'\)"),
    "bydel-twice": (
        lambda d: replace_once(d / BYD, "2,Østerbro,2019,2019-01-01,79326,", "1,Indre By,2019,2019-01-01,79326,"),
        r"koebenhavn_bydele_population\.csv: lines 3, 4: bydel 1 \(Indre By\) appears 2 times for 2019; every year "
        r"has each bydel and the total exactly once"),
    "bydel-missing": (drop_line(BYD, "5,Valby,2021,"),
                      r"koebenhavn_bydele_population\.csv: year 2021 has no row for bydel 5 \(Valby\); " + BYD_RULES),
    "total-missing": (drop_line(BYD, "0,København i alt,2022,"),
                      r"koebenhavn_bydele_population\.csv: year 2022 has no row for the total \(bydel_nr 0\); "
                      + BYD_RULES),
    "bydele-exceed-total": (
        lambda d: replace_once(d / BYD, "2019-01-01,623404,", "2019-01-01,620000,"),
        r"koebenhavn_bydele_population\.csv: year 2019: the bydele sum to 620,172, more than the total 620,000 "
        r"\(line 2, bydel_nr 0\); the bydele are part of the total"),
    "year-out-of-range": (
        lambda d: replace_once(d / BYD, "0,København i alt,2019,2019-01-01,", "0,København i alt,1899,1899-01-01,"),
        r"koebenhavn_bydele_population\.csv: line 2, column year: '1899' is not a year between 1900 and 2100"),
    "date-outside-its-year": (
        lambda d: replace_once(d / BYD, "0,København i alt,2019,2019-01-01,", "0,København i alt,2019,2020-01-01,"),
        r"line 2, column reference_date: '2020-01-01' is not a date \(YYYY-MM-DD\) in the row's year 2019"),
    "missing-column": (
        lambda d: (d / BYD).write_text((d / BYD).read_text(encoding="utf-8").replace(
            "bydel_nr,bydel,year,reference_date,population,source", "bydel_nr,bydel,year,reference_date,folketal,source",
            1), encoding="utf-8"),
        r"koebenhavn_bydele_population\.csv: missing columns \['population'\]"),
    "header-only": (header_only(BYD), r"koebenhavn_bydele_population\.csv: the file has a header but no data rows"),
    "zero-byte": (zero_bytes(BYD), r"koebenhavn_bydele_population\.csv: the file is empty \(0 bytes\)"),
    "not-utf8": (lambda d: (d / BYD).write_bytes((d / BYD).read_text(encoding="utf-8").encode("latin-1")),
                 r"koebenhavn_bydele_population\.csv: not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(BYDEL_FAULTS))
def test_bydel_population_fault_is_one_clear_message(real, bydele, tmp_path, case):
    mutate, message = BYDEL_FAULTS[case]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    with pytest.raises(SourceDataError, match=message) as err:
        sources.load_sub_area_population(directory, bydele)
    assert str(directory) in str(err.value)  # the message names the file by its full path
    assert "\n" not in str(err.value)  # one message


def test_bydel_population_of_the_real_file(real, bydele):
    table = sources.load_sub_area_population(real, bydele)
    assert len(table) == 70 and sorted(table["year"].unique()) == list(range(2019, 2026))
    assert table.groupby("year")["sub_area_id"].apply(list).map(len).eq(10).all()
    by_year = table.groupby("year").agg(placed=("population", "sum"), total=("kommune_total", "first"))
    assert by_year.loc[2025].tolist() == [656801, 667099]  # 10,298 residents placed in no bydel
    assert (by_year["placed"] <= by_year["total"]).all()
    assert table.loc[(table["year"] == 2019) & (table["sub_area_id"] == "1"), "population"].item() == 56171


def edit_features(rel: str, change):
    """Apply ``change(feature)`` to the kommune feature(s) it returns True for."""
    def mutate(d: Path) -> None:
        data = json.loads((d / rel).read_text(encoding="utf-8"))
        hits = sum(bool(change(f)) for f in data["features"])
        assert hits >= 1
        (d / rel).write_text(json.dumps(data), encoding="utf-8")
    return mutate


def swap_lat_lon(feature) -> bool:
    if feature["properties"]["KOMNAVN"] != "Frederiksberg":
        return False
    geom = shapely.geometry.shape(feature["geometry"])
    feature["geometry"] = shapely.geometry.mapping(shapely.transform(geom, lambda xy: xy[:, ::-1]))
    return True


def replace_with_part(name: str, radius_m: float):
    """Replace kommune ``name`` by the part of it within ``radius_m`` of a point inside it."""
    def change(feature) -> bool:
        if feature["properties"]["KOMNAVN"] != name:
            return False
        geom = gpd.GeoSeries([shapely.geometry.shape(feature["geometry"])], crs="EPSG:4326").to_crs(CRS_WORK)
        part = geom.iloc[0].intersection(geom.iloc[0].representative_point().buffer(radius_m))
        back = gpd.GeoSeries([part], crs=CRS_WORK).to_crs("EPSG:4326").iloc[0]
        feature["geometry"] = shapely.geometry.mapping(back)
        return True
    return change


def load_boundaries(directory: Path) -> None:
    """What the bundle does with the boundaries: kommuner, then the union check against the regions."""
    kommuner = sources.load_kommuner(directory)
    sources.check_kommuner_cover_regioner(kommuner, sources.load_regioner(directory), directory)


GEO_FAULTS = {
    "swapped-lat-lon": (
        edit_features(KOM, swap_lat_lon),
        r"kommuner\.geojson: feature \d+ \(KOMKODE='0147', KOMNAVN='Frederiksberg'\) lies outside Denmark: its bounds "
        r"are lon 55\.\d+\.\.55\.\d+, lat 12\.\d+\.\.12\.\d+, but every feature must lie within lon 7\.5\.\.15\.5, "
        r"lat 54\.4\.\.58\.0 \(WGS84\); latitude and longitude look swapped"),
    "tiny-kommune": (
        edit_features(KOM, replace_with_part("Frederiksberg", 100)),
        r"kommuner\.geojson: kommune 0147 Frederiksberg has an area of 0\.03 km², outside the plausible "
        r"5–2,000 km² for a kommune"),
    "shrunk-kommune": (  # plausible area on its own; only the regions show that most of it is missing
        edit_features(KOM, replace_with_part("Ringkøbing-Skjern", 4000)),
        r"kommuner\.geojson: the kommuner cover [\d,.]+ km² and the regions in .*regioner\.geojson 43,035\.15 km²; "
        r"their unions differ by 1,4\d\d\.\d\d km², more than the 1 km² allowed .* borders .*0760 Ringkøbing-Skjern"),
    "unreadable-geojson": (lambda d: (d / KOM).write_bytes(b"\x00\xff\xfe{not json"),
                           r"kommuner\.geojson: not a readable GeoJSON file \(DataSourceError"),
    "unreadable-regioner": (lambda d: (d / SOURCE_FILES["regioner"]).write_bytes(b'{"type": "FeatureCollection", '),
                            r"regioner\.geojson: not a readable GeoJSON file"),
    "feature-without-geometry": (
        edit_features(KOM, lambda f: f["properties"]["KOMNAVN"] == "Læsø" and f.update(geometry=None) is None),
        r"kommuner\.geojson: \d+ feature\(s\) have no geometry, the first feature \d+ \(KOMKODE='0825', KOMNAVN='Læsø'\)"),
}


@pytest.mark.parametrize("case", list(GEO_FAULTS))
def test_boundary_fault_is_one_clear_message(real, tmp_path, case):
    mutate, message = GEO_FAULTS[case]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    with pytest.raises(SourceDataError, match=message):
        load_boundaries(directory)


def test_real_sources_pass_and_their_difference_is_within_tolerance(real):
    """The real data passes every check; the tolerance is set from what it measures (Christiansø)."""
    from geo.config import COVERAGE_TOLERANCE_KM2

    kommuner = sources.load_kommuner(real)
    regioner = sources.load_regioner(real)
    sources.check_kommuner_cover_regioner(kommuner, regioner, real)
    k, r = shapely.union_all(kommuner.geometry.values), shapely.union_all(regioner.geometry.values)
    differ = k.symmetric_difference(r).area / 1e6
    assert 0.3 < differ < COVERAGE_TOLERANCE_KM2 < (kommuner.area.min() / 1e6)


def run_check(directory: Path, monkeypatch, capsys) -> tuple[int, str]:
    from geo.__main__ import main

    monkeypatch.setenv("KLYNGEKORT_SOURCES", str(directory))
    code = main(["check"], out=io.StringIO())
    return code, capsys.readouterr().err


@pytest.mark.parametrize("case", ["dot-thousands", "missing-kommune-year"])
def test_check_cli_exits_1_with_the_message(real, tmp_path, monkeypatch, capsys, case):
    mutate, message = CSV_FAULTS[case]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    code, err = run_check(directory, monkeypatch, capsys)
    assert code == 1
    assert re.search(message, err), err
    assert "Traceback" not in err and err.startswith("error: ")


def test_check_cli_names_a_broken_bydel_population(real, tmp_path, monkeypatch, capsys):
    mutate, message = BYDEL_FAULTS["dot-thousands"]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    code, err = run_check(directory, monkeypatch, capsys)
    assert code == 1 and re.search(message, err), err


def test_check_cli_names_swapped_coordinates(real, tmp_path, monkeypatch, capsys):
    mutate, message = GEO_FAULTS["swapped-lat-lon"]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    code, err = run_check(directory, monkeypatch, capsys)
    assert code == 1 and re.search(message, err), err


@pytest.mark.parametrize("page", ["app.py", "pages/4_data.py"])
def test_app_shows_the_message_not_the_redacted_error_page(real, tmp_path, monkeypatch, page):
    from streamlit.testing.v1 import AppTest

    mutate, _ = CSV_FAULTS["dot-thousands"]
    directory = broken_copy(real, tmp_path)
    mutate(directory)
    monkeypatch.setenv("KLYNGEKORT_SOURCES", str(directory))
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    text = at.error[0].value
    assert "Data kunne ikke indlæses" in text
    assert "line 2, column population_total: '671.714' looks like a number with a thousands separator" in text
    assert "\n```\n" in text  # the message is a code block: literal text, never Markdown


def test_the_message_is_a_code_block_it_cannot_break_out_of():
    from geo import safe

    text = safe.md_code("value ``` and ````\n[log in](https://example.org) <b>x</b>\u202e")
    lines = text.split("\n")
    assert lines[0] == lines[-1] == "`````"  # longer than any backtick run inside
    assert "[log in](https://example.org) <b>x</b>" in text and "\u202e" not in text
