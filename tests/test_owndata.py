"""Own kommune tables (issue 14): read as people have them, refused with a clear message, summed onto
every layer by the one rule of geo.aggregate (on tiny boxes and on the real data)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from geo import aggregate, catalog, model, owndata, tables, ulighed
from geo.bundle import Bundle
from geo.classify import MISSING_COLOUR
from geo.errors import ValidationError
from geo.owndata import Measure
from tests.hostile import CORPUS, LONG

YEARS = [2020, 2023, 2024, 2026]
REGIONS = ["Region Hovedstaden", "Region Sjælland", "Region Syddanmark", "Region Midtjylland", "Region Nordjylland"]


# --- fixtures in the shape of real exports (made here, no copies of real files) ------------------

def statistikbanken_csv(kommuner: pd.DataFrame, values: dict[str, tuple[str, str]], encoding: str = "cp1252") -> bytes:
    """A Statistikbanken 'CSV (semikolonsepareret)' export: title lines, ';', decimal comma, a stub
    column for sex, 'Hele landet', the regions, every kommune, Christiansø and a footnote."""
    lines = ['"Befolkningen 1. januar efter område, køn og tid"', '"Enhed: Antal"', "",
             ';;"2023";"2024"', '"Hele landet";"I alt";5932654;5961249']
    lines += [f'"{r}";"I alt";1000;1001' for r in REGIONS]
    for kode, navn in zip(kommuner["kommune_kode"], kommuner["kommune_navn"], strict=True):
        a, b = values.get(kode, ("1000", "1000"))
        lines.append(f'"{navn}";"I alt";{a};{b}')
    lines += ['"Christiansø";"I alt";90;88', "", '"Kilde: Danmarks Statistik, FOLK1A"']
    text = "\r\n".join(lines) + "\r\n"
    return text.encode("utf-8-sig") if encoding == "utf-8-sig" else text.encode(encoding)


def esundhed_xlsx(kommuner: pd.DataFrame, rate: dict[str, float | None]) -> bytes:
    """An eSundhed-style Excel export: two title rows, Region and Kommune columns, years as
    (numeric) column headers, official names for some kommuner, a total row per region and one for
    Denmark, and a note under the table."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Forebyggelige indlæggelser"
    sheet.append(["Forebyggelige akutte sygehusophold blandt ældre (65+ år) pr. 1.000 borgere"])
    sheet.append(["Udtrukket fra eSundhed"])
    sheet.append([])
    sheet.append(["Region", "Kommune", 2022, 2023])
    for i, (kode, navn, region) in enumerate(zip(kommuner["kommune_kode"], kommuner["kommune_navn"],
                                                 kommuner["region"], strict=True)):
        name = f"{navn} Kommune" if i % 2 else navn
        value = rate.get(kode, 20.0)
        sheet.append([region, name, 10.0, value])
    for region in REGIONS:
        sheet.append([region, "I alt", 10.0, 20.0])
    sheet.append(["Hele landet", None, 10.0, 20.0])
    sheet.append(["Note: tal under 5 er ikke vist"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[object]], sep: str = ";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture()
def small(tiny) -> Bundle:
    """The tiny boxes as a bundle: A (0001, 1000 residents in 2024) split 0.6/0.4 between u1 and u2,
    B (0002, 500) in u2, C (0003, 250) in u3."""
    codes = ["0001", "0002", "0003"]
    population = pd.DataFrame({"kommune_kode": codes * 2, "year": [2020] * 3 + [2024] * 3,
                               "population_total": [900, 400, 200, 1000, 500, 250], "source_table": "t"})
    return Bundle(kommuner=tiny["kommuner"], sub_areas=tiny["sub_areas"], population=population,
                  indicators=pd.DataFrame(), layers=tiny["layers"], units=tiny["units"],
                  assignments=tiny["assignments"], sites=pd.DataFrame(), sources_dir=Path("."))


def read(data: bytes, kommuner: pd.DataFrame, name: str = "t.csv") -> owndata.KommuneTable:
    return owndata.read_table(data, name, kommuner)


def used(table, measure: Measure | None = None, years=(2020, 2024)):
    return owndata.select(table, measure or Measure(), list(years))


# --- the rule on tiny boxes ----------------------------------------------------------------------------

def test_a_count_is_summed_by_share_and_conserved(small):
    table = read(csv_bytes([["kommune", "antal"], ["A", "100"], ["B", "50"], ["C", "20"]]), small.kommuner)
    result = owndata.aggregate_table(small, "klynger", used(table)).frame.set_index("unit_id")
    assert result["value"].to_dict() == pytest.approx({"u1": 60, "u2": 40 + 50, "u3": 20})
    assert result["value"].sum() == pytest.approx(170)
    assert (result["coverage"] == 1).all() and (result["missing_kommuner"] == "").all()


def test_a_rate_with_a_denominator_is_sum_over_sum_by_hand(small):
    rows = [["Kommune", "Indlæggelser", "Borgere 65+"], ["0001", "30", "200"], ["2", "9", "100"], ["C", "4", "50"]]
    table = read(csv_bytes(rows), small.kommuner)
    sel = used(table, Measure.of("rate", denominator="borgere 65+", value="Indlæggelser"))
    result = owndata.aggregate_table(small, "klynger", sel).frame.set_index("unit_id")
    # u2 = A's 0.4 and all of B: (0.4·30 + 9) / (0.4·200 + 100)
    assert result.loc["u2", "value"] == pytest.approx((0.4 * 30 + 9) / (0.4 * 200 + 100))
    assert result.loc["u1", "value"] == pytest.approx((0.6 * 30) / (0.6 * 200))
    assert result.loc["u3", "value"] == pytest.approx(4 / 50)
    value, covered = owndata.aggregate_table(small, "klynger", sel).national
    assert value == pytest.approx(43 / 350) and covered == 1


def test_a_rate_weighted_by_population_uses_the_year_asked_for(small):
    table = read(csv_bytes([["kommune", "pct"], ["A", "10,0"], ["B", "20,0"], ["C", "30,0"]]), small.kommuner)
    sel = used(table, Measure.of("rate", weight="population:2020"))
    result = owndata.aggregate_table(small, "klynger", sel)
    assert result.population_year == 2020
    u2 = result.frame.set_index("unit_id").loc["u2", "value"]
    assert u2 == pytest.approx((0.4 * 900 * 10 + 400 * 20) / (0.4 * 900 + 400))


def test_missing_kommuner_lower_the_coverage_and_are_listed(small):
    table = read(csv_bytes([["kommune", "pct"], ["A", "10"], ["B", ".."]]), small.kommuner)  # C absent, B '..'
    sel = used(table, Measure.of("rate", weight="population"))
    assert sel.missing == ("0002",) and sel.n_missing == 1
    result = owndata.aggregate_table(small, "klynger", sel)
    frame = result.frame.set_index("unit_id")
    assert frame.loc["u2", "coverage"] == pytest.approx(400 / 900)  # A's 0.4·1000 of 0.4·1000 + 500
    assert frame.loc["u2", "missing_kommuner"] == "0002" and frame.loc["u2", "value"] == pytest.approx(10)
    assert math.isnan(frame.loc["u3", "value"]) and frame.loc["u3", "coverage"] == 0
    assert frame.loc["u3", "missing_kommuner"] == "0003"
    assert result.missing == ("B (0002)", "C (0003)")


def test_the_projects_own_series_and_an_own_table_give_the_same_units(bundle):
    """One rule: an indicator written out as a kommune table and read back gives ulighed's unit values."""
    key = "ind:sp_daglig_rygning@2025"
    fill = catalog.fill_catalog(bundle.population, bundle.indicators)[key]
    values = catalog.kommune_values(key, bundle.population, bundle.indicators)
    weight_year = catalog.weight_year(fill.year, YEARS)
    rows = [["Kommune", "Dagligrygere"]] + [[k, str(v).replace(".", ",")] for k, v in values.items()]
    table = read(csv_bytes(rows), bundle.kommuner)
    sel = owndata.select(table, Measure.of("rate", weight=f"population:{weight_year}"), YEARS)
    own = owndata.aggregate_table(bundle, "sundhedsklynger", sel).frame.set_index("unit_id")["value"]
    theirs = ulighed.unit_values(bundle, "sundhedsklynger", key).set_index("unit_id")["value"]
    assert own.to_dict() == pytest.approx(theirs.to_dict(), rel=1e-12)


# --- the real geography: conservation and København's bydele -------------------------------------------

@pytest.fixture(scope="module")
def counts(bundle):
    """Statistikbanken-shaped population table: 2024 per kommune, Læsø missing."""
    pop, _ = catalog.population_total(bundle.population, 2024)
    values = {k: ("1", str(int(v))) for k, v in pop.items()}
    values["0825"] = ("1", "..")
    table = read(statistikbanken_csv(bundle.kommuner, values), bundle.kommuner, "folk1a.csv")
    return table, owndata.select(table, Measure(), YEARS), pop.drop("0825")


@pytest.mark.parametrize("layer", ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "midt-2018", "regioner",
                                   "sundhedsraad-2027", "regioner-2027"])
def test_a_count_on_every_layer_conserves_the_total(bundle, counts, layer):
    _, sel, pop = counts
    result = owndata.aggregate_table(bundle, layer, sel)
    members = model.layer_assignments(bundle.assignments, layer)
    in_layer = pop[pop.index.isin(members["kommune_kode"])]
    assert result.frame["value"].sum() == pytest.approx(in_layer.sum(), rel=1e-12)
    if bundle.layer(layer)["extent"] == "all":
        assert result.frame["value"].sum() == pytest.approx(pop.sum(), rel=1e-12)  # the national total
        assert result.missing == ("Læsø (0825)",)


def test_koebenhavn_is_split_as_the_bydele_say(bundle):
    table = read(csv_bytes([["Kommune", "Antal"], ["101 København", "1000"]]), bundle.kommuner)
    result = owndata.aggregate_table(bundle, "psykiatri-voksen", used(table, years=YEARS)).frame.set_index("unit_id")
    shares = bundle.assignments.query("layer == 'psykiatri-voksen' and kommune_kode == '0101'")
    for unit, share in zip(shares["unit_id"], shares["share"].astype(float), strict=True):
        assert result.loc[unit, "value"] == pytest.approx(1000 * share)
    assert result["value"].sum() == pytest.approx(1000)


# --- reading tables as people have them -----------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_a_statistikbanken_export_is_read_and_what_was_skipped_is_said(bundle, encoding):
    values = {"0101": ("650000", "660000"), "0825": ("1800", "..")}
    table = read(statistikbanken_csv(bundle.kommuner, values, encoding), bundle.kommuner, "folk1a.csv")
    assert table.shape == "wide" and table.years == ("2023", "2024") and table.header_line == 4
    assert table.title_lines == 2 and table.kommune_column == "column 1" and table.matched_by == "name"
    assert table.text_columns == ("column 2",) and len(table.kommuner) == 98
    assert {i.why: i.line for i in table.ignored if i.why != "region"} == {"national": 5, "christiansoe": 109,
                                                                         "note": 111}
    assert [i.line for i in table.ignored if i.why == "region"] == [6, 7, 8, 9, 10]
    sel = owndata.select(table, Measure(), YEARS)
    assert sel.measure.value == "2024" and sel.year_chosen == "latest" and sel.values["0101"] == 660000
    assert sel.missing == ("0825",)
    older = owndata.select(table, Measure(year="2023"), YEARS)
    assert older.values["0825"] == 1800 and older.measure.value == "2023"
    text = "\n".join(owndata.understood(table, sel, lang="en"))
    for needle in ["decimal mark ','", "2 title line(s) above the header (line 4)", "98 municipalities found",
                   "Denmark as a whole (1): line 5 (Hele landet)", "regions (5): line 6 (Region Hovedstaden)",
                   "Christiansø, which is not a municipality (1): line 109", "Year 2024 (the latest in the table)",
                   "The figure is column '2024', a count"]:
        assert needle in text, needle
    assert ("Windows-1252" if encoding == "cp1252" else "UTF-8") in text


def test_an_esundhed_workbook_is_read_with_official_names_and_totals_skipped(bundle):
    table = read(esundhed_xlsx(bundle.kommuner, {"0101": 31.5, "0825": None}), bundle.kommuner, "esundhed.xlsx")
    assert table.kommune_column == "Kommune" and table.years == ("2022", "2023") and len(table.kommuner) == 98
    assert table.text_columns == ("Region",) and table.sheet == "Forebyggelige indlæggelser"
    why = [i.why for i in table.ignored]
    assert why.count("region") == 5 and why.count("national") == 1 and why.count("note") == 1
    sel = owndata.select(table, Measure.of("rate", weight="population:2024"), YEARS)
    assert sel.values["0101"] == 31.5 and sel.missing == ("0825",) and sel.measure.value == "2023"
    result = owndata.aggregate_table(bundle, "sundhedsraad-2027", sel)
    assert result.missing == ("Læsø (0825)",)
    assert "Excel, first sheet (Forebyggelige indlæggelser)" in owndata.understood(table, sel, result, "en")[0]


def test_a_long_table_takes_the_year_asked_for(small):
    rows = [["Kommune", "År", "Antal"], ["A", "2023", "1"], ["A", "2024", "2"], ["B", "2023", "3"], ["B", "2024", "4"]]
    table = read(csv_bytes(rows), small.kommuner)
    assert table.shape == "long" and table.year_column == "År" and table.years == ("2023", "2024")
    assert used(table).values.to_dict() == {"0001": 2, "0002": 4}
    assert used(table, Measure(year="2023")).values.to_dict() == {"0001": 1, "0002": 3}
    with pytest.raises(ValueError, match=r"no year '2022' in column 'År'; the table's years: \['2023', '2024'\]"):
        used(table, Measure(year="2022"))


@pytest.mark.parametrize(("written", "code"), [
    ("København", "0101"), ("Københavns Kommune", "0101"), ("KØBENHAVN", "0101"), ("Kobenhavn", "0101"),
    ("Koebenhavn", "0101"), ("Copenhagen", "0101"), ("101", "0101"), ("0101", "0101"), ("101 København", "0101"),
    ("København (0101)", "0101"), ("Aarhus", "0751"), ("Århus", "0751"), ("Aarhus Kommune", "0751"),
    ("Bornholms Regionskommune", "0400"), ("Bornholm", "0400"), ("Lyngby-Taarbæk", "0173"),
    ("Lyngby Taarbæk", "0173"), ("lyngby-tårbæk kommune", "0173"), ("Høje-Taastrup", "0169"),
    ("Høje Taastrup", "0169"), ("Høje-Tåstrup", "0169"), ("Nordfyns Kommune", "0480"), ("Nordfyn", "0480"),
    ("Vesthimmerland", "0820"), ("Fåborg-Midtfyn", "0430"), ("Køge", "0259"), ("Koge", "0259"),
    ("Ærø", "0492"), ("Aeroe", "0492"), ("Åbenrå", "0580"), ("  Frederiksberg  Kommune ", "0147"),
])
def test_kommune_names_in_official_and_common_spellings(bundle, written, code):
    place = owndata.KommuneIndex(bundle.kommuner).resolve(written)
    assert (place.kind, place.code) == ("kommune", code)


@pytest.mark.parametrize(("written", "kind"), [
    ("Hele landet", "national"), ("000 Hele landet", "national"), ("I alt", "total"), ("Region Hovedstaden", "region"),
    ("084 Region Hovedstaden", "region"), ("1084", "region"), ("Region Zealand", "region"),
    ("Landsdel Byen København", "landsdel"), ("Christiansø", "christiansoe"), ("0411", "christiansoe"),
    ("411", "christiansoe"), ("9999", "badcode"), ("Kbh", "unknown"),
])
def test_rows_that_are_not_kommuner_are_recognised(bundle, written, kind):
    assert owndata.KommuneIndex(bundle.kommuner).resolve(written).kind == kind


def test_every_kommune_name_finds_its_own_kommune(bundle):
    index = owndata.KommuneIndex(bundle.kommuner)
    for code, name in zip(bundle.kommuner["kommune_kode"], bundle.kommuner["kommune_navn"], strict=True):
        for form in (name, f"{name} Kommune", name.upper(), f"{int(code)} {name}", code):
            assert index.resolve(form).code == code, form


def test_an_ambiguous_name_is_an_error_naming_the_line(small):
    kommuner = pd.DataFrame({"kommune_kode": ["0001", "0002", "0003"], "kommune_navn": ["Sø", "So", "Ry"]})
    assert owndata.KommuneIndex(kommuner).resolve("so").kind == "ambiguous"
    with pytest.raises(ValidationError, match=r"t.csv line 3, column 'kommune': 'SO' could be more than one kommune "
                                              r"\(0001 Sø, 0002 So\); write the kommune code"):
        read(csv_bytes([["kommune", "antal"], ["Ry", "10"], ["SO", "20"]]), kommuner)


@pytest.mark.parametrize(("cell", "message"), [
    ("Kbh", r"line 3, column 'Kommune': 'Kbh' is not a kommune: neither one of the 98 kommune codes nor a known name"),
    ("9999", r"line 3, column 'Kommune': '9999': 9999 is not one of the 98 kommune codes"),
    ("101 Aarhus", r"line 3, column 'Kommune': '101 Aarhus': code 0101 is København, but the name says Aarhus"),
    ("", r"line 3, column 'Kommune': the row has values but no kommune"),
    ("０１０１", r"'０１０１' is not a kommune: U\+FF10 FULLWIDTH DIGIT ZERO is not an ASCII digit"),
])
def test_unknown_kommuner_are_errors_naming_the_line(bundle, cell, message):
    with pytest.raises(ValidationError, match=message):
        read(csv_bytes([["Kommune", "Antal"], ["Aarhus", "1"], [cell, "2"]]), bundle.kommuner)


def test_only_region_rows_are_refused(bundle):
    rows = [["Område", "Antal"], ["Hele landet", "10"]] + [[r, "2"] for r in REGIONS]
    with pytest.raises(ValidationError, match="rows for Denmark or the regions only.*one row per kommune"):
        read(csv_bytes(rows), bundle.kommuner)


@pytest.mark.parametrize(("rows", "message"), [
    # (values from 10 up: in the tiny boxes' world 1, 2 and 3 are kommune codes)
    ([["kommune", "antal"], ["A", "10"], ["B", "20"], ["a", "30"]],
     r"t.csv lines 2 and 4: A \(0001\) appears twice; one row per kommune is expected"),
    ([["kommune", "år", "antal"], ["A", "2024", "10"], ["0001", "2024", "30"]],
     r"t.csv lines 2 and 3: A \(0001\) appears twice for 2024; one row per kommune and year is expected"),
    ([["kommune", "år", "antal"], ["A", "2024", "1"], ["B", "i fjor", "3"]],
     r"t.csv line 3, column 'år': 'i fjor' is not a year"),
    ([["kommune", "antal", "Antal"], ["A", "1", "2"]], r"column 'Antal' appears twice in the header"),
    ([["A", "1"], ["B", "2"]], r"line 1: the first line already names a place \('A'\); a header line"),
    ([["navn", "antal"], ["x", "12"]], r"no column names kommuner"),
])
def test_malformed_tables_are_refused(small, rows, message):
    with pytest.raises(ValidationError, match=message):
        read(csv_bytes(rows), small.kommuner)


@pytest.mark.parametrize(("value", "measure", "message"), [
    ("tolv", Measure(), r"line 3, column 'Antal': 'tolv' is not a number \(digits with ',' as decimal mark"),
    ("12.5", Measure(), r"'12.5' uses '.' as decimal mark, but a ';'-separated file uses ',' \(write 12,5"),
    ("1.234,5", Measure(), r"'1.234,5' has a thousands separator"),
    ("1 234", Measure(), r"'1 234' has a thousands separator"),
    ("-", Measure(), r"'-' is not a number \(Statistics Denmark writes '-' for zero\)"),
    ("12%", Measure(), r"'12%': write the number without '%'"),
    ("=SUM(B2:B3)", Measure(), r"'=SUM\(B2:B3\)' is a formula; Klyngekort reads values and never computes"),
    ("-3", Measure(), r"line 3, column 'Antal': -3 is negative; a count is at least 0"),
    ("1e400", Measure(), r"'1e400' is not a finite number"),
    ("١٢", Measure(), r"'١٢': U\+0661 ARABIC-INDIC DIGIT ONE is not an ASCII digit"),
    ("-3", Measure.of("rate", denominator="Borgere"), r"-3 is negative; the numerator of a rate is at least 0"),
])
def test_bad_values_are_named_with_line_column_value_and_rule(small, value, measure, message):
    table = read(csv_bytes([["Kommune", "Antal", "Borgere"], ["A", "1", "10"], ["B", value, "10"]]), small.kommuner)
    with pytest.raises(ValidationError, match=message):
        used(table, measure if measure.value else Measure(measure.basis, "Antal", measure.denominator))


@pytest.mark.parametrize(("den", "message"), [
    ("-1", r"line 3, column 'Borgere': the denominator -1 is negative"),
    ("0", r"line 3, column 'Borgere': the denominator is 0 while the numerator is 5; a rate needs a positive"),
])
def test_bad_denominators_are_refused(small, den, message):
    table = read(csv_bytes([["Kommune", "Antal", "Borgere"], ["A", "1", "10"], ["B", "5", den]]), small.kommuner)
    with pytest.raises(ValidationError, match=message):
        used(table, Measure.of("rate", denominator="Borgere", value="Antal"))


def test_every_bad_cell_is_listed_and_nothing_is_used(small):
    table = read(csv_bytes([["Kommune", "Antal"], ["A", "x"], ["B", "-1"], ["C", "2"]]), small.kommuner)
    with pytest.raises(ValidationError) as err:
        used(table)
    assert len(err.value.problems) == 2 and "line 2" in err.value.problems[0] and "line 3" in err.value.problems[1]


@pytest.mark.parametrize(("args", "message"), [
    (("rate",), "a rate needs a denominator: give --denominator COLUMN"),
    (("count", "Borgere"), "a count is summed by share and takes no denominator or weight"),
    ((None, "Borgere", "population"), "either a denominator column or a population weight, not both"),
    ((None, None, "pop:2024"), r"--weight 'pop:2024': expected population:YEAR"),
    (("mean",), "kind 'mean' is not supported"),
])
def test_a_measure_must_say_what_a_rate_is_divided_by(args, message):
    with pytest.raises(ValueError, match=message):
        Measure.of(*args)


@pytest.mark.parametrize(("measure", "message"), [
    (Measure(value="Region"), r"the value column 'Region' holds text, not numbers"),
    (Measure(value="Nope"), r"no column 'Nope' \(the value column\); value columns: \['Antal', 'Borgere'\]"),
    (Measure(), r"several value columns \['Antal', 'Borgere'\]; choose the value column"),
    (Measure(year="2024"), r"the table has no years"),
    (Measure.of("rate", weight="population:1999", value="Antal"), r"population year 1999 is not available"),
    (Measure.of("rate", denominator="Antal", value="Antal"), r"the denominator column 'Antal' is the value column"),
])
def test_impossible_choices_are_named(small, measure, message):
    table = read(csv_bytes([["Kommune", "Region", "Antal", "Borgere"], ["A", "R", "1", "2"]]), small.kommuner)
    with pytest.raises(ValueError, match=message):
        used(table, measure)


def test_a_comma_separated_file_has_a_decimal_point(small):
    table = read(csv_bytes([["kommune", "pct"], ["A", "12.5"], ["B", "3"]], sep=","), small.kommuner)
    assert used(table).values.to_dict() == {"0001": 12.5, "0002": 3}
    bad = read(csv_bytes([["kommune", "pct"], ["A", "12,5"]], sep=","), small.kommuner)
    with pytest.raises(ValidationError, match=r"'12,5' uses ',' as decimal mark, but a ','-separated file uses '.'"):
        used(bad)


# --- workbooks: formulas are never computed; text cells; the upload limits ------------------------------

def _book(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_saved_value(data: bytes, cell: str, value: str) -> bytes:
    """The workbook with a saved (cached) value for the formula in ``cell``, as Excel writes it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = raw.decode("utf-8")
                xml, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?', rf"\1<v>{value}</v>",
                                 xml)
                assert n == 1, xml
                raw = xml.encode("utf-8")
            dst.writestr(info.filename, raw)
    return out.getvalue()


def test_a_formula_cell_gives_its_saved_value_and_is_never_computed(small):
    data = _book([["Kommune", "Antal"], ["A", 1], ["B", "=B2*100"], ["C", 3]])
    cached = read(_with_saved_value(data, "B3", "7"), small.kommuner, "t.xlsx")
    assert used(cached).values.to_dict() == {"0001": 1, "0002": 7, "0003": 3} and cached.formulas == 1
    assert "1 cell(s) with formulas: the saved value was read" in " ".join(owndata.understood(cached, lang="en"))
    unsaved = read(data, small.kommuner, "t.xlsx")
    with pytest.raises(ValidationError, match=r"t.xlsx row 3 \(cell B3\), column 'Antal': the cell holds the formula "
                                              r"'=B2\*100' and no saved value; Klyngekort never computes formulas"):
        used(unsaved)


def test_workbook_text_cells_take_either_decimal_mark_unless_ambiguous(small):
    table = read(_book([["Kommune", "Antal"], ["A", "12,5"], ["B", "3.25"], ["C", "1.234"]]), small.kommuner, "t.xlsx")
    with pytest.raises(ValidationError, match=r"row 4 \(cell B4\), column 'Antal': '1.234' could be 1234 or 1.234"):
        used(table)
    ok = read(_book([["Kommune", "Antal"], ["A", "12,5"], ["B", "3.25"], ["C", 1.234]]), small.kommuner, "t.xlsx")
    assert used(ok).values.to_dict() == {"0001": 12.5, "0002": 3.25, "0003": 1.234}


def test_the_upload_limits_of_scenarier_apply(small, tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.write(b"kommune;antal\n")
        handle.truncate(tables.UPLOAD_MAX_BYTES + 1)

    def no_read(*_a, **_k):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    with pytest.raises(ValidationError, match="the file is 2.1 MB; at most 2 MB is accepted"):
        owndata.read_table(big, big.name, small.kommuner)
    monkeypatch.undo()
    with pytest.raises(ValidationError, match=r"type 'pdf' is not accepted; expected one of \['csv', 'xlsx'\]"):
        owndata.read_table(b"%PDF", "t.pdf", small.kommuner)
    with pytest.raises(ValidationError, match="not a readable Excel workbook"):
        owndata.read_table(b"not a zip", "t.xlsx", small.kommuner)
    rows = "kommune;antal\n" + "A;1\n" * tables.XLSX_MAX_ROWS
    with pytest.raises(ValidationError, match=r"at most 10,000 rows and 50 columns are read"):
        owndata.read_table(rows.encode(), "long.csv", small.kommuner)
    wide = ";".join(f"c{i}" for i in range(51)) + "\nA" + ";1" * 50 + "\n"
    with pytest.raises(ValidationError, match=r"beyond row 10,000 or column 50"):
        owndata.read_table(wide.encode(), "wide.csv", small.kommuner)
    with pytest.raises(ValidationError, match=r"is UTF-16 text"):
        owndata.read_table("kommune;antal\nA;1\n".encode("utf-16"), "u16.csv", small.kommuner)


def test_an_xlsx_bomb_is_refused_before_unpacking(small):
    data = _book([["Kommune", "Antal"], ["A", 1]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                raw = raw.replace(b"</sheetData>", b'<row r="9"><c r="A9" t="inlineStr"><is><t>'
                                  + b"a" * (3 * 2**20) + b"</t></is></c></row></sheetData>")
            dst.writestr(info.filename, raw)
    with pytest.raises(ValidationError, match="times its size; at most 100 times is accepted"):
        owndata.read_table(out.getvalue(), "bomb.xlsx", small.kommuner)


# --- hostile text (tests/hostile.py) ------------------------------------------------------------------------

@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_hostile_kommune_names_are_errors_quoted_as_data(bundle, text):
    with pytest.raises(ValidationError) as err:
        read(csv_bytes([["Kommune", "Antal"], ["Aarhus", "1"], [text, "2"]]), bundle.kommuner)
    message = err.value.problems[0]
    assert message.startswith("t.csv line 3, column 'Kommune': ") and "is not a kommune" in message
    assert "\x07" not in message and "\u202e" not in message and len(message) < 400


@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_hostile_values_and_headers_are_refused_or_kept_as_text(small, text):
    table = read(csv_bytes([["Kommune", text[:200]], ["A", "1"], ["B", text]]), small.kommuner)
    label = table.value_choices[0] if table.value_choices else table.text_columns[0]
    assert label == text[:200].strip()
    with pytest.raises((ValidationError, ValueError)):
        used(table, Measure(value=label))
    assert len(LONG) > 1000  # the long string is in the corpus


# --- outputs ---------------------------------------------------------------------------------------------

def test_exports_have_the_columns_and_forms_of_every_export(bundle, counts):
    _, sel, _ = counts
    result = owndata.aggregate_table(bundle, "sundhedsklynger", sel)
    text = owndata.render(bundle, result, "csv")
    assert text.split("\r\n")[0] == "unit_id,unit_navn,value,coverage,n_kommuner,missing_kommuner"
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert len(frame) == 22 and ".0," not in text
    assert frame.loc[frame["missing_kommuner"] != "", "missing_kommuner"].tolist() == ["0825"]  # Læsø, as text
    data = json.loads(owndata.render(bundle, result, "geojson"))
    assert {f["geometry"]["type"] for f in data["features"]} == {"MultiPolygon"} and len(data["features"]) == 22
    book = openpyxl.load_workbook(io.BytesIO(owndata.render(bundle, result, "xlsx")))
    assert book.sheetnames == ["units", "sources"]
    assert [c.value for c in book["units"][1]] == owndata.RESULT_COLUMNS
    items = dict(book["sources"].iter_rows(min_row=2, values_only=True))
    assert items["file"] == "folk1a.csv" and items["value column"] == "2024" and items["rule"].startswith("count")


def test_the_map_shows_kommuner_without_data_as_missing(bundle, counts):
    from geo import views

    _, sel, _ = counts
    result = owndata.aggregate_table(bundle, "sundhedsklynger", sel)
    view = owndata.own_view(bundle, views.make_display(bundle), result, lang="da")
    laesoe = view.areas[view.areas["kommune_kode"] == "0825"]
    assert (laesoe["colour"] == MISSING_COLOUR).all()
    assert (view.areas.loc[view.areas["kommune_kode"] != "0825", "colour"] != MISSING_COLOUR).all()
    assert view.legend[-1].label == "Kommuner uden data" and view.legend[-1].count == 1
    assert sum(r.count for r in view.legend[:-1]) == 22  # the classes count units
    ranks = view.ranking["Nr."].tolist()
    assert ranks[0] == "1" and len(ranks) == 22
    assert "Læsø" in " ".join(view.ranking["Uden data"]) and view.missing_names == ("Læsø (0825)",)
    assert "Kommunen har ingen data i tabellen" in laesoe["tip"].iloc[0]
    from geo import png

    image = png.render_png(view.areas, view.legend, title="2024 · Sundhedsklynger", source="Egne tal: folk1a.csv")
    assert image.startswith(b"\x89PNG")


def test_aggregate_of_the_old_callers_is_unchanged(small):
    """The signature the map, the profiles and the exports call keeps its result."""
    members = model.layer_assignments(small.assignments, "klynger")
    pop = pd.Series({"0001": 1000.0, "0002": 500.0, "0003": 250.0})
    out = aggregate.aggregate_to_units(pop, members, pop, "count")
    assert list(out.columns) == aggregate.RESULT_COLUMNS
    assert out["n_kommuner"].tolist() == [1, 2, 1] and np.allclose(out["value"], [600, 900, 250])
