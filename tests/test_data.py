"""The real tables against the real boundaries: coverage, shares, conservation, the København split."""

from __future__ import annotations

import pytest
import shapely

from geo import aggregate, catalog, model
from geo.config import KOMMUNER_COUNT


def test_98_kommuner_without_christiansoe(bundle):
    assert len(bundle.kommuner) == KOMMUNER_COUNT
    assert "0411" not in set(bundle.kommuner["kommune_kode"])
    assert bundle.kommuner["kommune_kode"].str.fullmatch(r"\d{4}").all()
    assert shapely.coverage_is_valid(bundle.kommuner.geometry.values)


@pytest.mark.parametrize("layer", ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "regioner",
                                   "sundhedsraad-2027", "regioner-2027"])
def test_national_layers_cover_all_98_with_shares_summing_to_one(bundle, layer):
    rows = bundle.assignments[bundle.assignments["layer"] == layer]
    sums = rows.groupby("kommune_kode")["share"].sum()
    assert len(sums) == KOMMUNER_COUNT
    assert (sums - 1).abs().max() <= 1e-9


def test_unit_counts(bundle):
    counts = bundle.units.groupby("layer").size().to_dict()
    assert counts == {"sundhedsklynger": 22, "psykiatri-voksen": 22, "psykiatri-boern": 5, "midt-2018": 5,
                      "regioner": 5, "sundhedsraad-2027": 17, "regioner-2027": 4}


def test_rows_per_layer_and_their_confidence(bundle):
    """The sizes that other tests read from the bundle instead of pinning them (a data change fails here)."""
    rows = bundle.assignments.groupby("layer").size().to_dict()
    assert rows["sundhedsklynger"] == 99  # København split in two: 98 kommuner, 99 rows
    klynger = bundle.assignments[bundle.assignments["layer"] == "sundhedsklynger"]
    assert klynger["confidence"].value_counts().to_dict() == {"high": 45, "medium": 52, "low": 2}
    split = klynger.groupby("kommune_kode").size()
    assert split[split > 1].index.tolist() == ["0101"]


def test_midt_2018_leaves_samsoe_unassigned(bundle):
    missing = model.unassigned_kommuner(bundle.kommuner, bundle.assignments, bundle.layer("midt-2018"))
    assert missing["kommune_kode"].tolist() == ["0741"]


@pytest.mark.parametrize("layer", ["sundhedsklynger", "psykiatri-voksen", "sundhedsraad-2027", "regioner"])
def test_population_is_conserved(bundle, layer):
    pop = catalog.kommune_values("pop:2026:population_total", bundle.population, bundle.indicators)
    members = model.layer_assignments(bundle.assignments, layer)
    units = aggregate.aggregate_to_units(pop, members, pop, "count")
    assert units["value"].sum() == pytest.approx(pop.sum(), rel=1e-12)
    assert len(units) == (bundle.units["layer"] == layer).sum()


def test_koebenhavn_is_split_by_bydele_between_byen_and_syd(bundle):
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, "sundhedsklynger")
    units = model.unit_geometries(parts).set_index("unit_id").geometry
    bydel = bundle.sub_areas.set_index("sub_area_navn").geometry
    assert units["h_byen"].buffer(1).contains(bydel["Østerbro"])
    assert units["h_byen"].intersection(bydel["Amager Øst"]).area < 1
    assert units["h_syd"].buffer(1).contains(bydel["Valby"])
    kbh = parts[parts["kommune_kode"] == "0101"].set_index("unit_id")["share"]
    assert kbh.to_dict() == {"h_byen": 0.545, "h_syd": 0.455}  # the latest split (bydel population 2025)


def test_bydele_tile_koebenhavn(bundle):
    kbh = bundle.kommuner.set_index("kommune_kode").geometry["0101"]
    union = shapely.union_all(bundle.sub_areas.geometry.values)
    assert union.symmetric_difference(kbh).area < 1.0  # m²


def test_regioner_assignment_matches_dagi_regions(bundle):
    from geo.sources import load_regioner

    regions = load_regioner(bundle.sources_dir).set_index("region_kode").geometry
    rows = bundle.assignments[bundle.assignments["layer"] == "regioner"].set_index("kommune_kode")["unit_id"]
    for kode, geom in zip(bundle.kommuner["kommune_kode"], bundle.kommuner.geometry, strict=True):
        assert regions[rows[kode]].contains(geom.representative_point()), kode


def test_acute_hospitals_have_coordinates_inside_denmark(bundle):
    akut = bundle.sites[bundle.sites["kind"] == "akutsygehus"]
    assert len(akut) == 22
    assert (akut["lat"] != "").all()
    union = shapely.union_all(bundle.kommuner.to_crs(4326).geometry.values).buffer(0.02)
    for row in akut.itertuples():
        assert union.contains(shapely.Point(float(row.lon), float(row.lat))), row.site_id


def test_every_klynge_has_its_acute_hospital_site(bundle):
    klynger = bundle.units[bundle.units["layer"] == "sundhedsklynger"]
    sites = set(bundle.sites.loc[bundle.sites["kind"] == "akutsygehus", "site_id"])
    used = {s for ids in klynger["site_ids"] for s in ids.split(";")}
    assert used == sites  # all 22 acute sites serve a klynge, and only acute sites


def test_every_assignment_row_has_source_and_confidence(bundle):
    assert (bundle.assignments["source"] != "").all()
    assert bundle.assignments["confidence"].isin(["high", "medium", "low"]).all()
    assert bundle.units["confidence"].isin(["high", "medium", "low"]).all()
    assert bundle.sites["confidence"].isin(["high", "medium", "low"]).all()


LAYERS = ["sundhedsklynger", "psykiatri-voksen", "psykiatri-boern", "midt-2018", "regioner", "sundhedsraad-2027",
          "regioner-2027"]


@pytest.fixture(scope="module")
def display(bundle):
    from geo import views

    return views.make_display(bundle, 400.0)  # the coarsest geometry the app and the atlas draw


@pytest.mark.parametrize("geometry", ["exact", "display"])
@pytest.mark.parametrize("layer", LAYERS)
def test_every_unit_can_be_told_from_its_neighbours_and_its_region(bundle, display, layer, geometry):
    """Units that touch never share a colour, and no colour is used twice within a (2007) region."""
    from geo.classify import CATEGORICAL, membership_colours

    assert set(bundle.layers["layer"]) == set(LAYERS)  # every layer in data/ is checked
    kommuner, subs = (bundle.kommuner, bundle.sub_areas) if geometry == "exact" else (display.kommuner,
                                                                                    display.sub_areas)
    parts = model.layer_parts(kommuner, subs, bundle.assignments, bundle.units, layer)
    units = model.unit_geometries(parts)
    colours = membership_colours(units)
    assert set(colours) == set(units["unit_id"]) and set(colours.values()) <= set(CATEGORICAL)
    geoms = dict(zip(units["unit_id"], units.geometry, strict=True))
    ids = list(geoms)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if geoms[a].touches(geoms[b]) or geoms[a].intersection(geoms[b]).length > 0:
                assert colours[a] != colours[b], (a, b)
    for region, group in parts.groupby("region"):
        used = [colours[u] for u in sorted(set(group["unit_id"]))]
        assert len(used) == len(set(used)), (region, sorted(set(group["unit_id"])), used)
    if len(ids) <= len(CATEGORICAL):
        assert len(set(colours.values())) == len(ids)  # few units: every one its own colour
