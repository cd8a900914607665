"""Plans, scenarios and comparisons on tiny boxes, and on the real data."""

from __future__ import annotations

import math
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import aggregate, plans, tables
from geo.bundle import Bundle
from geo.config import CRS_DRAW, CRS_WORK
from geo.errors import ValidationError

KM = 1000


@pytest.fixture()
def boxes(tiny):
    """The `tiny` kommuner plus an island D 5 km off C and a far island E 100 km off.

    Layer 'klynger': A split by sub-areas (u1 sub-area 1 = 0.6, u2 sub-area 2 = 0.4), B in u2,
    C and D in u3, E in u4. Layer 'psyk': A split by the same sub-areas (p1 = 1, p2 = 2), B, C in
    p2, D and E in p3. Hospitals: u2's in the middle of B, u3's in the middle of C.
    """
    k = tiny["kommuner"]
    extra = gpd.GeoDataFrame({"kommune_kode": ["0004", "0005"], "kommune_navn": ["D", "E"], "region": ["R1", "R1"]},
                             geometry=[box(35 * KM, 0, 45 * KM, 10 * KM), box(145 * KM, 0, 155 * KM, 10 * KM)],
                             crs=CRS_WORK)
    kommuner = gpd.GeoDataFrame(pd.concat([k, extra], ignore_index=True), crs=CRS_WORK)
    layers = pd.DataFrame({"layer": ["klynger", "psyk"], "name_da": ["Klynger", "Psyk"], "name_en": ["C", "P"],
                           "extent": ["all", "all"], "display_region": ["", ""], "source": ["t", "t"],
                           "confidence": ["high", "high"], "_line": [2, 3]})
    units = pd.DataFrame({"layer": ["klynger"] * 4 + ["psyk"] * 3,
                          "unit_id": ["u1", "u2", "u3", "u4", "p1", "p2", "p3"],
                          "unit_navn": ["Enhed 1", "Enhed 2", "Enhed 3", "Enhed 4", "Psyk 1", "Psyk 2", "Psyk 3"],
                          "site_ids": ["", "hb", "hc", "", "", "", ""]})
    rows = [("klynger", "0001", "u1", 0.6, "1"), ("klynger", "0001", "u2", 0.4, "2"),
            ("klynger", "0002", "u2", 1.0, ""), ("klynger", "0003", "u3", 1.0, ""),
            ("klynger", "0004", "u3", 1.0, ""), ("klynger", "0005", "u4", 1.0, ""),
            ("psyk", "0001", "p1", 0.6, "1"), ("psyk", "0001", "p2", 0.4, "2"), ("psyk", "0002", "p2", 1.0, ""),
            ("psyk", "0003", "p2", 1.0, ""), ("psyk", "0004", "p3", 1.0, ""), ("psyk", "0005", "p3", 1.0, "")]
    assignments = pd.DataFrame(rows, columns=["layer", "kommune_kode", "unit_id", "share", "sub_areas"])
    assignments["basis"], assignments["source"], assignments["confidence"] = "", "t", "high"
    assignments["_line"] = range(2, 2 + len(assignments))
    codes = ["0001", "0002", "0003", "0004", "0005"]
    pop = pd.DataFrame({"kommune_kode": codes * 2, "year": [2020] * 5 + [2026] * 5,
                        "population_total": [900, 400, 300, 100, 50, 1000, 500, 300, 100, 50],
                        "pop_0_17": [np.nan] * 10, "pop_18_64": [np.nan] * 10,
                        "pop_65plus": [100, 80, 60, 40, 20] + [np.nan] * 5,
                        "pop_80plus": [10, 8, 6, 4, 2] + [np.nan] * 5, "source_table": ["t"] * 10})
    ind = pd.DataFrame({"series_id": ["x@2025"] * 4, "indicator_id": ["x"] * 4, "name": ["X"] * 4,
                        "kommune_kode": ["0001", "0002", "0003", "0005"], "value": [10.0, 20.0, 30.0, 50.0],
                        "unit": ["%"] * 4, "year": ["2025"] * 4, "source": ["t"] * 4})
    centres = gpd.GeoSeries([Point(15 * KM, 5 * KM), Point(25 * KM, 5 * KM)], crs=CRS_WORK).to_crs(CRS_DRAW)
    sites = pd.DataFrame({"site_id": ["hb", "hc"], "name": ["HB", "HC"], "kind": ["akutsygehus"] * 2,
                          "lat": [str(p.y) for p in centres], "lon": [str(p.x) for p in centres]})
    bundle = Bundle(kommuner=kommuner, sub_areas=tiny["sub_areas"], population=pop, indicators=ind, layers=layers,
                    units=units, assignments=assignments, sites=sites, sources_dir=Path("."))
    return bundle, plans.build_context(bundle)


def test_neighbours_touch_cross_a_water_gap_but_not_100_km(boxes):
    bundle, ctx = boxes
    pairs = {(a, b) for a, b, _ in plans.neighbour_pairs(bundle.kommuner)}
    # D touches nothing, so it is an island: joined to C (5 km) and B (15 km), not to A (25 km)
    assert pairs == {("0001", "0002"), ("0002", "0003"), ("0003", "0004"), ("0002", "0004")}


def test_contiguity_counts_pieces(boxes):
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    metrics = plans.unit_metrics(ctx, base).set_index("unit_id")
    assert metrics["pieces"].to_dict() == {"u1": 1, "u2": 1, "u3": 1, "u4": 1}  # C–D across 5 km of water
    apart = plans.apply_changes(base, [plans.Change("0005", (("u3", 1.0),))], ctx)
    assert plans.unit_metrics(ctx, apart).set_index("unit_id").loc["u3", "pieces"] == 2  # E is 100 km out
    split = plans.apply_changes(base, [plans.Change("0002", (("u1", 1.0),))], ctx)
    assert plans.unit_metrics(ctx, split).set_index("unit_id").loc["u2", "pieces"] == 1  # only A's part left


def test_metrics_match_geo_aggregate_and_distances(boxes):
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    m = plans.unit_metrics(ctx, base, 2026).set_index("unit_id")
    assert m["population"].to_dict() == pytest.approx({"u1": 600, "u2": 900, "u3": 400, "u4": 50})
    assert m["pop_65plus_2020"].to_dict() == pytest.approx({"u1": 60, "u2": 120, "u3": 100, "u4": 20})
    assert m["n_kommuner"].to_dict() == {"u1": 1, "u2": 2, "u3": 2, "u4": 1}
    values = bundle.indicators.set_index("kommune_kode")["value"]
    weights = bundle.population[bundle.population["year"] == 2026].set_index("kommune_kode")["population_total"]
    expected = aggregate.aggregate_to_units(values, base.rows, weights, "rate").set_index("unit_id")["value"]
    assert m["ind:x@2025"].to_dict() == pytest.approx(expected.to_dict())
    # u3: C's representative point is its centre (5 km from its hospital? no: 0 km); D's is 15 km away
    assert m.loc["u3", "dist_max_km"] == pytest.approx(15, abs=0.01)
    assert m.loc["u3", "dist_mean_km"] == pytest.approx((0 * 300 + 15 * 100) / 400, abs=0.01)
    assert math.isnan(m.loc["u4", "dist_max_km"])  # no hospital


def test_moving_a_kommune_changes_exactly_two_units_and_keeps_hospitals(boxes):
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    moved = plans.apply_changes(base, [plans.parse_change("4=u2")], ctx, name="D til u2")
    assert plans.changed_kommuner(base, moved) == ["0004"]
    change = plans.metrics_change(plans.unit_metrics(ctx, base), plans.unit_metrics(ctx, moved))
    changed = change[change["population_change"] != 0].set_index("unit_id")["population_change"]
    assert changed.to_dict() == {"u2": 100, "u3": -100}
    after = plans.unit_metrics(ctx, moved).set_index("unit_id")
    assert after.loc["u2", "dist_max_km"] == pytest.approx(25, abs=0.01)  # D to B's hospital, not its old one
    assert after.loc["u2", "pieces"] == 1  # the island D is 15 km off B


def test_shares_in_several_units_and_a_later_change_wins(boxes):
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    change = plans.parse_change("0002=u1:60%,u2:40%")
    assert change.shares == (("u1", 0.6), ("u2", 0.4))
    plan = plans.apply_changes(base, [plans.parse_change("0002=u3"), change], ctx)
    rows = plan.rows[plan.rows["kommune_kode"] == "0002"]
    assert dict(zip(rows["unit_id"], rows["share"], strict=True)) == {"u1": 0.6, "u2": 0.4}
    assert len(base.rows[base.rows["kommune_kode"] == "0002"]) == 1  # the base is untouched


@pytest.mark.parametrize("text", ["0002", "0002=", "0002=u1:0.5", "0002=u1:0.5,u1:0.5", "0002=u1:x",
                                  "0002=u1:0,u2:1", "0002=<b>"])
def test_bad_change_text_is_refused(text):
    with pytest.raises(ValueError):
        plans.parse_change(text)


def test_unknown_kommune_or_unit_changes_nothing(boxes):
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    with pytest.raises(ValueError, match="'p1' is not a unit of layer 'klynger'.*'9999' is not a kommune"):
        plans.apply_changes(base, [plans.parse_change("0002=p1"), plans.parse_change("9999=u1")], ctx)


def test_url_token_round_trips_and_bad_tokens_say_why():
    changes = [plans.parse_change("0410=sd_fyn"), plans.parse_change("0101=h_byen:0.5,h_syd:0.5")]
    token = plans.encode_changes(changes)
    assert token.startswith("v1.") and "=" not in token
    assert plans.decode_changes(token) == changes
    assert plans.encode_changes([]) == ""
    with pytest.raises(ValueError, match="version"):
        plans.decode_changes("v0." + token[3:])
    with pytest.raises(ValueError, match="base64url"):
        plans.decode_changes("v1.%%%")
    with pytest.raises(ValueError):
        plans.decode_changes("v1.aGVsbG8")  # 'hello'


def test_overlap_matrix_is_exact_by_sub_areas_and_sums(boxes):
    bundle, ctx = boxes
    a, b = plans.layer_plan(bundle, "klynger"), plans.layer_plan(bundle, "psyk")
    comp = plans.compare(ctx, a, b, 2026)
    cells = {(r.a_unit_id, r.b_unit_id): r.population for r in comp.matrix.itertuples()}
    # A's sub-area 1 (600) is in u1 and p1 on both sides: no independence 0.6 × 0.4 mixing
    assert cells == pytest.approx({("u1", "p1"): 600, ("u2", "p2"): 900, ("u3", "p2"): 300, ("u3", "p3"): 100,
                                   ("u4", "p3"): 50})
    assert comp.matrix["population"].sum() == pytest.approx(1950)
    assert comp.matrix.groupby("a_unit_id")["share_of_a"].sum().to_numpy() == pytest.approx(1)
    assert comp.matrix.groupby("b_unit_id")["share_of_b"].sum().to_numpy() == pytest.approx(1)
    cong = comp.congruence.set_index("a_unit_id")
    assert cong.loc["u3", "main_b_unit_id"] == "p2" and cong.loc["u3", "congruence"] == pytest.approx(0.75)
    assert list(comp.mismatches["kommune_kode"]) == ["0004"]  # D goes to p3, most of u3 to p2


def test_overlap_without_sub_areas_is_independent_and_keeps_margins():
    a = pd.DataFrame({"unit_id": ["u1", "u2"], "share": [0.6, 0.4], "sub_areas": ["", ""]})
    b = pd.DataFrame({"unit_id": ["p1", "p2", "p3"], "share": [0.5, 0.3, 0.2], "sub_areas": ["1", "", ""]})
    grid = plans.kommune_overlap(a, b)
    assert grid.sum(axis=1) == pytest.approx([0.6, 0.4])
    assert grid.sum(axis=0) == pytest.approx([0.5, 0.3, 0.2])


def test_scenario_csv_validates_and_reads_back(boxes):
    bundle, ctx = boxes
    plan = plans.apply_changes(plans.layer_plan(bundle, "klynger"), [plans.parse_change("0002=u1:0.5,u2:0.5")], ctx)
    text = plans.to_assignment_csv(plan)
    raw = tables.read_csv_table(text.encode("utf-8"), "scenario.csv")
    back, problems = plans.plan_from_table(bundle, raw, "scenario.csv")
    assert problems == []
    assert plans.changed_kommuner(plan, back) == []
    assert plans.changes_between(plans.layer_plan(bundle, "klynger"), back) == [plans.parse_change("0002=u1:0.5,u2:0.5")]


def test_a_table_with_two_layers_or_bad_rows_lists_every_problem(boxes):
    bundle, _ = boxes
    text = "layer,kommune_kode,unit_id,share\nklynger,0001,u1,1\npsyk,0002,p9,1\n"
    plan, problems = plans.plan_from_table(bundle, tables.read_csv_table(text.encode(), "x.csv"), "x.csv")
    assert plan is None
    joined = "\n".join(problems)
    assert "'p9' is not a unit" in joined and "one layer" in joined and "must cover all" in joined


def test_balance(boxes):
    bundle, ctx = boxes
    m = plans.unit_metrics(ctx, plans.layer_plan(bundle, "klynger"), 2026)
    bal = plans.balance(m)
    assert bal["largest_id"] == "u2" and bal["smallest_id"] == "u4" and bal["ratio"] == pytest.approx(18)
    values = np.array([600, 900, 400, 50.0])
    assert bal["cv"] == pytest.approx(values.std() / values.mean())


# --- real data ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(bundle):
    return bundle, plans.build_context(bundle)


def test_real_sundhedsklynger_vs_voksenpsykiatri_sums_to_the_2026_total(real):
    bundle, ctx = real
    comp = plans.compare(ctx, plans.layer_plan(bundle, "sundhedsklynger"), plans.layer_plan(bundle, "psykiatri-voksen"),
                         2026)
    assert comp.matrix["population"].sum() == pytest.approx(6_025_511)
    byen = comp.matrix[comp.matrix["a_unit_id"] == "h_byen"].set_index("b_unit_id")["population"]
    assert "rh_pc_amager" not in byen  # Byen's bydele are all served by PC København: exact, not mixed


def test_real_moving_middelfart_changes_exactly_two_units_by_its_population(real):
    bundle, ctx = real
    base = plans.layer_plan(bundle, "sundhedsklynger")
    old = base.rows.loc[base.rows["kommune_kode"] == "0410", "unit_id"].item()
    other = {"sd_lillebaelt": "sd_fyn", "sd_fyn": "sd_lillebaelt"}[old]
    moved = plans.apply_changes(base, [plans.parse_change(f"0410={other}")], ctx)
    change = plans.metrics_change(plans.unit_metrics(ctx, base, 2026), plans.unit_metrics(ctx, moved, 2026))
    middelfart = bundle.population.query("year == 2026 and kommune_kode == '0410'")["population_total"].item()
    diff = change[change["population_change"] != 0].set_index("unit_id")["population_change"]
    assert diff.to_dict() == {old: -middelfart, other: middelfart}
    assert (change["pieces_after"] == 1).all()  # Middelfart touches Fyn and crosses Lillebælt


def test_real_islands_join_their_units(real):
    bundle, ctx = real
    pairs = {frozenset((a, b)) for a, b, _ in plans.neighbour_pairs(bundle.kommuner)}
    for a, b in [("0741", "0751"), ("0741", "0727"), ("0741", "0326"), ("0563", "0561"), ("0825", "0813"),
                 ("0492", "0479"), ("0410", "0607")]:
        assert frozenset((a, b)) in pairs, (a, b)
    assert not any("0400" in p for p in pairs)
    for layer in bundle.layers["layer"]:
        m = plans.unit_metrics(ctx, plans.layer_plan(bundle, layer))
        assert (m["pieces"] == 1).all(), (layer, m.loc[m["pieces"] != 1, "unit_id"].tolist())


def test_read_table_accepts_xlsx_and_refuses_other_types(boxes, tmp_path):
    bundle, _ = boxes
    frame = pd.DataFrame({"layer": ["klynger"] * 5, "kommune_kode": ["1", "2", "3", "4", "5"],
                          "unit_id": ["u1", "u2", "u3", "u3", "u4"], "share": [1, 1, 1, 1, 1]})
    path = tmp_path / "t.xlsx"
    frame.to_excel(path, index=False)
    plan, problems = plans.plan_from_table(bundle, plans.read_table(path.read_bytes(), "t.xlsx"), "t.xlsx")
    assert problems == [] and plan.rows["kommune_kode"].tolist() == ["0001", "0002", "0003", "0004", "0005"]
    with pytest.raises(ValidationError, match="type 'pdf' is not accepted"):
        plans.read_table(b"%PDF", "t.pdf")
    with pytest.raises(ValidationError, match="not a readable Excel workbook"):
        plans.read_table(b"not a zip", "t.xlsx")


# --- security review: XLSX decompression bombs, share text that round-trips, ASCII digits ---------

def _workbook(path: Path, far: tuple[int, int] | None = None) -> None:
    """A small valid assignment workbook; ``far`` adds one cell at (row, column)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["layer", "kommune_kode", "unit_id", "share"])
    for kode, unit in [("1", "u1"), ("2", "u2"), ("3", "u3"), ("4", "u3"), ("5", "u4")]:
        sheet.append(["klynger", kode, unit, 1])
    if far:
        sheet.cell(row=far[0], column=far[1], value="x")
    book.save(path)


def _rezip(path: Path, member: str, change) -> bytes:
    """The workbook at ``path`` with ``member`` replaced by ``change(old text)`` (deflated)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, change(data.decode("utf-8")) if info.filename == member else data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _huge_cell(size: int):
    def change(xml: str) -> str:
        cell = f'<c r="C2" t="inlineStr"><is><t>{"a" * size}</t></is></c>'
        return xml.replace('<c r="D2"', cell + '<c r="D2"', 1)
    return change


@pytest.mark.parametrize(("size", "message"), [(30 * 2**20, "unpacks to 30.0 MB; at most 20 MB is accepted"),
                                               (3 * 2**20, "times its size; at most 100 times is accepted")])
def test_xlsx_decompression_bomb_is_refused_before_unpacking(tmp_path, size, message):
    _workbook(tmp_path / "t.xlsx")
    data = _rezip(tmp_path / "t.xlsx", SHEET, _huge_cell(size))
    assert len(data) < plans.MAX_TABLE_BYTES  # it passes the upload size limit
    with pytest.raises(ValidationError, match=message) as err:
        plans.read_table(data, "bomb.xlsx")
    assert err.value.problems[0].startswith("bomb.xlsx: ")


@pytest.mark.parametrize("far", [(2, 16384), (1_048_576, 1), (3, 51), (10_001, 1)],
                         ids=["column-XFD", "last-row", "column-51", "row-10001"])
@pytest.mark.parametrize("dimension", [True, False], ids=["declared", "no-dimension"])
def test_xlsx_cells_beyond_the_row_and_column_caps_are_refused(boxes, tmp_path, far, dimension):
    _workbook(tmp_path / "t.xlsx", far)
    data = _rezip(tmp_path / "t.xlsx", SHEET, lambda xml: xml if dimension else re.sub(r"<dimension [^>]*/>", "", xml))
    with pytest.raises(ValidationError, match=r"at most 10,000 rows and 50 columns are read") as err:
        plans.read_table(data, "wide.xlsx")
    assert "wide.xlsx" in err.value.problems[0]
    _workbook(tmp_path / "ok.xlsx", (3, 50) if far[1] > 1 else (10_000, 1))  # at the caps: read
    ok = plans.read_table((tmp_path / "ok.xlsx").read_bytes(), "ok.xlsx")
    assert len(ok.columns.drop("_line")) == (50 if far[1] > 1 else 4)


@pytest.mark.parametrize("shares", [(0.3333334, 0.3333334, 0.3333332), (1 / 3, 1 / 3, 1 / 3),
                                    (0.3333333333, 0.3333333333, 0.3333333334), (0.4999999, 0.5000001, 0.0)])
def test_change_text_reads_back_as_the_same_change(shares):
    change = plans.Change("0147", tuple((u, s) for u, s in zip(("a", "b", "c"), shares, strict=True) if s))
    assert plans.parse_change(change.text()) == change
    assert plans.decode_changes(plans.encode_changes([change])) == [change]


def test_one_share_tolerance_and_full_precision_from_change_to_table(boxes):
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    with pytest.raises(ValueError, match="shares sum to 0.999999, expected 1"):
        plans.parse_change("0002=u1:0.333333,u2:0.666666")  # the table validator would refuse it too
    for text in ("0002=u1:0.3333333333,u2:0.6666666666", "0002=u1:0.4999999,u2:0.5000001"):
        plan = plans.apply_changes(base, [plans.parse_change(text)], ctx)
        csv_text = plans.to_assignment_csv(plan)
        back, problems = plans.plan_from_table(bundle, tables.read_csv_table(csv_text.encode(), "s.csv"), "s.csv")
        assert problems == []
        assert plans.changes_between(base, back) == [plans.parse_change(text)]
    assert "0.4999999" in csv_text and "0.5000001" in csv_text


@pytest.mark.parametrize("text", ["٠١٤٧=h_midt", "0147=h_midt:٠.٥,h_syd:0.5", "０１４７=h_midt"])
def test_change_with_non_ascii_digits_is_refused_by_name(text):
    with pytest.raises(ValueError, match="is not an ASCII digit"):
        plans.parse_change(text)
