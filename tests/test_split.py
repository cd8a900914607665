"""Shares of split kommuner follow the population year (geo.split): tiny frames, then the real bundle."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from geo import aggregate, catalog, export, model, plans, split, ulighed
from geo.tables import SHARE_TOLERANCE

ROOT = Path(__file__).resolve().parent.parent


def figures(kode: str, by_year: dict[int, dict[str, int]]) -> pd.DataFrame:
    """A sub-area population table for one kommune: {year: {sub_area_id: population}}."""
    rows = [{"kommune_kode": kode, "sub_area_id": sub, "sub_area_navn": f"Del {sub}", "year": year,
             "population": people, "kommune_total": sum(parts.values()) + 7, "source": "test"}
            for year, parts in by_year.items() for sub, people in parts.items()]
    return pd.DataFrame(rows)


TINY = figures("0001", {2020: {"1": 600, "2": 400}, 2022: {"1": 500, "2": 500}})


def shares_of(frame: pd.DataFrame, kode: str = "0001", layer: str = "klynger") -> dict[str, float]:
    rows = frame[(frame["kommune_kode"] == kode) & (frame["layer"] == layer)]
    return dict(zip(rows["unit_id"], rows["share"], strict=True))


# --- the rule on tiny frames ------------------------------------------------------------------

@pytest.mark.parametrize(("asked", "used"), [(2020, 2020), (2021, 2020), (2022, 2022), (2030, 2022), (2010, 2020)])
def test_split_year_is_the_year_else_the_nearest_earlier_else_the_earliest(asked, used):
    assert split.split_year([2022, 2020], asked) == used


def test_split_year_needs_figures():
    with pytest.raises(ValueError, match="no sub-area population years"):
        split.split_year([], 2020)


@pytest.mark.parametrize(("year", "used", "expected"), [
    (2020, 2020, {"u1": 0.6, "u2": 0.4}),
    (2021, 2020, {"u1": 0.6, "u2": 0.4}),
    (2023, 2022, {"u1": 0.5, "u2": 0.5}),
    (2019, 2020, {"u1": 0.6, "u2": 0.4}),
])
def test_shares_follow_the_split_year_and_basis_says_which(tiny, year, used, expected):
    encoded = tiny["assignments"].assign(share=[0.9, 0.1, 1.0, 1.0, 1.0, 1.0])  # written shares are replaced
    before = encoded.copy()
    out, years = split.split_shares(encoded, TINY, year)
    assert years == {"0001": used}
    assert shares_of(out) == expected
    assert set(out.loc[out["sub_areas"] != "", "basis"]) == {f"bydele (befolkning {used})"}
    pd.testing.assert_frame_equal(encoded, before)  # the input is not changed
    whole = out["sub_areas"] == ""
    pd.testing.assert_frame_equal(out[whole], encoded[whole])  # whole kommuner as they were


def test_a_kommune_whose_rows_do_not_cover_its_sub_areas_keeps_its_shares(tiny):
    encoded = tiny["assignments"].copy()
    encoded.loc[1, "sub_areas"] = ""  # u2 no longer names sub-area 2: not a split by sub-areas
    out, _ = split.split_shares(encoded, figures("0001", {2020: {"1": 900, "2": 100}}), 2020)
    assert shares_of(out) == {"u1": 0.6, "u2": 0.4}
    problems = split.incomplete_splits(encoded, TINY, "t.csv")
    assert problems == ["t.csv lines 2, 3: kommune 0001 in layer klynger lists sub-areas on some rows but not on "
                        "all; its shares are computed from the sub-areas' population, so every row must list its "
                        "sub-areas (1, 2 between them)"]
    encoded.loc[1, "sub_areas"] = "1"
    assert "lists the sub-areas 1;1 (left out: 2)" in split.incomplete_splits(encoded, TINY, "t.csv")[0]
    assert split.incomplete_splits(tiny["assignments"], TINY) == []


def test_a_second_split_kommune_is_split_the_same_way(tiny):
    rows = pd.concat([tiny["assignments"], pd.DataFrame({
        "layer": ["klynger"] * 2, "kommune_kode": ["0002"] * 2, "unit_id": ["u2", "u3"], "share": [0.5, 0.5],
        "basis": ["bydele"] * 2, "sub_areas": ["1", "2;3"], "source": ["test"] * 2, "confidence": ["high"] * 2,
        "_line": [8, 9]})], ignore_index=True)
    rows = rows[~((rows["kommune_kode"] == "0002") & (rows["sub_areas"] == ""))]
    both = pd.concat([TINY, figures("0002", {2021: {"1": 250, "2": 250, "3": 500}})], ignore_index=True)
    out, years = split.split_shares(rows, both, 2022)
    assert years == {"0001": 2022, "0002": 2021}
    assert shares_of(out, "0002") == {"u2": 0.25, "u3": 0.75}
    assert shares_of(out, "0001") == {"u1": 0.5, "u2": 0.5}


def test_rounded_shares_sum_to_one_by_largest_remainder():
    assert split.rounded_shares([1, 1, 1]) == [0.334, 0.333, 0.333]
    assert sum(split.rounded_shares([357867, 233449, 65485])) == pytest.approx(1, abs=SHARE_TOLERANCE)
    raw = split.rounded_shares([1, 99_999])  # 0.00001 would round to 0: the exact shares are kept
    assert raw[0] == pytest.approx(1e-5) and sum(raw) == pytest.approx(1)
    with pytest.raises(ValueError, match="no residents"):
        split.rounded_shares([0, 0])


def test_the_kommune_total_stays_exact(tiny):
    out, _ = split.split_shares(tiny["assignments"], figures("0001", {2020: {"1": 333, "2": 667}}), 2020)
    pop = pd.Series({"0001": 10_001.0, "0002": 5.0, "0003": 7.0})
    units = aggregate.aggregate_to_units(pop, model.layer_assignments(out, "klynger"), pop, "count")
    assert units["value"].sum() == pytest.approx(pop.sum(), rel=1e-12)


@pytest.mark.parametrize(("asked", "used", "phrase"), [
    (2025, 2025, "bruger bydelenes befolkning 1. januar 2025."),
    (2026, 2025, "det nærmeste tidligere år i bydelstallene (2026 findes ikke)"),
    (2018, 2019, "det tidligste år i bydelstallene (2018 ligger før)"),
])
def test_split_note_says_which_year(asked, used, phrase):
    assert phrase in split.split_note(asked, used, "da")
    assert str(used) in split.split_note(asked, used, "en")


# --- the real bundle ----------------------------------------------------------------------------

def kbh(bundle, layer: str, year: int | None) -> dict[str, float]:
    rows = bundle.assignments_for(year)
    rows = rows[(rows["layer"] == layer) & (rows["kommune_kode"] == "0101")]
    return dict(zip(rows["unit_id"], rows["share"], strict=True))


@pytest.mark.parametrize(("year", "used", "byen", "syd"), [
    (2019, 2019, 0.577, 0.423), (2024, 2024, 0.545, 0.455), (2025, 2025, 0.545, 0.455),
    (2026, 2025, 0.545, 0.455), (2018, 2019, 0.577, 0.423), (None, 2025, 0.545, 0.455),
])
def test_koebenhavn_shares_per_population_year(bundle, year, used, byen, syd):
    assert bundle.split_year(year) == used and bundle.split_years(year) == {"0101": used}
    shares = kbh(bundle, "sundhedsklynger", year)
    assert shares == {"h_byen": pytest.approx(byen, abs=5e-4), "h_syd": pytest.approx(syd, abs=5e-4)}
    rows = bundle.assignments_for(year)
    basis = rows.loc[(rows["kommune_kode"] == "0101") & (rows["sub_areas"] != ""), "basis"]
    assert set(basis) == {f"bydele (befolkning {used})"}  # says which year the split uses


def test_the_encoded_table_stays_available_and_everything_unnamed_gets_the_latest_split(bundle):
    encoded = bundle.assignments_encoded
    rows = encoded[(encoded["layer"] == "sundhedsklynger") & (encoded["kommune_kode"] == "0101")]
    assert rows["share"].tolist() == [0.577, 0.423] and set(rows["basis"]) == {"bydele (befolkning 2019)"}
    assert bundle.latest_year() == 2026
    assert bundle.assignments_for(None) is bundle.assignments
    assert bundle.assignments_for(2019) is bundle.assignments_for(2018)  # cached per split year
    assert kbh(bundle, "sundhedsklynger", None) == {"h_byen": 0.545, "h_syd": 0.455}
    with pytest.raises(ValueError, match="kommune '0147' has no sub-area population figures"):
        bundle.split_year(2020, "0147")


@pytest.mark.parametrize("year", [2018, 2019, 2020, 2023, 2024, 2026])
def test_adult_psychiatry_splits_koebenhavn_in_three_summing_to_one(bundle, year):
    shares = kbh(bundle, "psykiatri-voksen", year)
    assert set(shares) == {"rh_pc_koebenhavn", "rh_pc_amager", "rh_pc_glostrup"}
    assert abs(sum(shares.values()) - 1) <= SHARE_TOLERANCE
    assert shares["rh_pc_koebenhavn"] == kbh(bundle, "sundhedsklynger", year)["h_byen"]  # the same six bydele


def test_adult_psychiatry_shares_2019_and_2025(bundle):
    assert kbh(bundle, "psykiatri-voksen", 2019) == {"rh_pc_koebenhavn": 0.577, "rh_pc_amager": 0.329,
                                                     "rh_pc_glostrup": 0.094}
    assert kbh(bundle, "psykiatri-voksen", 2026) == {"rh_pc_koebenhavn": 0.545, "rh_pc_amager": 0.355,
                                                     "rh_pc_glostrup": 0.1}


@pytest.mark.parametrize("year", [2020, 2024, 2026])
@pytest.mark.parametrize("layer", ["sundhedsklynger", "psykiatri-voksen"])
def test_koebenhavns_total_stays_exact_in_every_year(bundle, layer, year):
    pop, _ = catalog.population_total(bundle.population, year)
    members = model.layer_assignments(bundle.assignments_for(year), layer)
    kbh_rows = members[members["kommune_kode"] == "0101"]
    assert (kbh_rows["share"] * pop["0101"]).sum() == pytest.approx(pop["0101"], rel=1e-12)
    units = export.units_frame(bundle, layer, year)
    assert units["population"].sum() == pytest.approx(pop.sum(), abs=len(units))  # rounded per unit


def test_units_export_with_a_year_uses_that_years_split(bundle):
    pop, _ = catalog.population_total(bundle.population, 2020)
    units = export.units_frame(bundle, "sundhedsklynger", 2020).set_index("unit_id")
    assert units.loc["h_byen", "population"] == round(0.568 * pop["0101"] + pop["0147"])
    kommuner = export.kommuner_frame(bundle, "sundhedsklynger", 2020).set_index("kommune_kode")
    assert kommuner.loc["0101", "shares"] == "0.568;0.432"
    members = export.memberships_frame(bundle, "sundhedsklynger", 2020)
    assert set(members.loc[members["kommune_kode"] == "0101", "basis"]) == {"bydele (befolkning 2020)"}
    items = dict(export.sources_table(bundle, "sundhedsklynger", "units", 2020).values.tolist())
    assert items["split by bydele"].startswith("0101 København: shares from the bydele's population on 1 January 2020")


def test_export_cli_writes_the_latest_split(real_sources):
    """``python -m geo export --layer sundhedsklynger --what kommuner --format csv``: 0.545;0.455 for 0101."""
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--layer", "sundhedsklynger", "--what", "kommuner",
                           "--format", "csv"], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout), dtype=str).set_index("kommune_kode")
    assert table.loc["0101", "shares"] == "0.545;0.455" and table.loc["0101", "population_year"] == "2026"


def test_check_prints_the_split_year_and_the_shares(bundle, monkeypatch):
    from geo.__main__ import main

    monkeypatch.setattr("geo.__main__.load_bundle", lambda: bundle)
    out = io.StringIO()
    assert main(["check"], out=out) == 0
    assert ("0101 København split by bydele: population figures 2019–2025; population year 2026 uses 2025: "
            "sundhedsklynger h_byen 0.545, h_syd 0.455; psykiatri-voksen rh_pc_koebenhavn 0.545, rh_pc_amager "
            "0.355, rh_pc_glostrup 0.1") in out.getvalue()


def test_plans_and_compare_follow_the_year(bundle):
    ctx = plans.build_context(bundle)
    base = plans.layer_plan(bundle, "sundhedsklynger")
    assert dict(zip(base.rows.loc[base.rows["kommune_kode"] == "0101", "unit_id"],
                    base.rows.loc[base.rows["kommune_kode"] == "0101", "share"], strict=True)) == {
        "h_byen": 0.545, "h_syd": 0.455}
    old = plans.layer_plan(bundle, "sundhedsklynger", 2020)
    assert old.rows.loc[old.rows["kommune_kode"] == "0101", "share"].tolist() == [0.568, 0.432]
    pop, _ = catalog.population_total(bundle.population, 2020)
    metrics = plans.unit_metrics(ctx, base, 2020).set_index("unit_id")  # the latest plan, asked for 2020
    assert metrics.attrs["split_years"] == {"0101": 2020}
    assert metrics.loc["h_byen", "population"] == pytest.approx(0.568 * pop["0101"] + pop["0147"])
    comparison = plans.compare(ctx, base, plans.layer_plan(bundle, "psykiatri-voksen"), 2020)
    assert comparison.split_years == {"0101": 2020}
    assert comparison.matrix["population"].sum() == pytest.approx(pop.sum())
    cell = comparison.matrix.set_index(["a_unit_id", "b_unit_id"]).loc[("h_syd", "rh_pc_glostrup"), "population"]
    assert cell >= 0.096 * pop["0101"]  # Valby, split with the 2020 bydel figures
    moved = plans.apply_changes(base, [plans.parse_change("0101=h_byen:0.5,h_syd:0.5")], ctx)
    kept, _ = plans.for_year(ctx, moved, 2020)  # a scenario's own split has no bydele: it stays
    assert kept.rows.loc[kept.rows["kommune_kode"] == "0101", "share"].tolist() == [0.5, 0.5]


def test_ulighed_follows_the_year(bundle):
    pop, _ = catalog.population_total(bundle.population, 2020)
    members = ulighed.kommuner_in_unit(bundle, "sundhedsklynger", "h_syd", year=2020).set_index("kommune_kode")
    assert members.loc["0101", "share"] == 0.432
    assert members.loc["0101", "population"] == pytest.approx(0.432 * pop["0101"])
    syd = ulighed.overlap(bundle, "sundhedsklynger", "h_syd", "psykiatri-voksen", year=2020).set_index("unit_id")
    assert syd.loc["rh_pc_glostrup", "population"] >= 0.096 * pop["0101"]


# --- the facts update of 2026-12-02 ------------------------------------------------------------

@pytest.mark.parametrize(("kode", "unit", "evidence"), [
    ("0410", "lillebaelt", "Middelfart 1 (Karin Riishede, V)"),
    ("0530", "sydvestjylland", "Birthe Nielsen, A, Billund"),
])
def test_middelfart_and_billund_are_medium_in_2027_with_the_seat_count_reason(bundle, kode, unit, evidence):
    rows = bundle.assignments
    row = rows[(rows["layer"] == "sundhedsraad-2027") & (rows["kommune_kode"] == kode)].iloc[0]
    assert row["unit_id"] == unit and row["confidence"] == "medium"
    assert row["why_da"].startswith("Sædetallene peger på") and evidence in row["why_da"]
    assert row["why_en"].startswith("The seat counts point to") and evidence in row["why_en"]
    assert "uenige" not in row["why_da"] and "disagree" not in row["why_en"]  # the old low reason is gone
    counts = rows.loc[rows["layer"] == "sundhedsraad-2027", "confidence"].value_counts().to_dict()
    assert counts == {"medium": 89, "high": 9}


def test_three_decimal_shares_show_as_the_percentage_they_say():
    from geo import fmt

    assert [fmt.percent(s, "da") for s in (0.545, 0.455)] == ["54 %", "46 %"]  # not 55 % (0.545 × 100 = 54.500…01)
    assert [fmt.percent(s, "en") for s in (0.545, 0.355, 0.1)] == ["54%", "36%", "10%"]
