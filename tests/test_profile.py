"""Kommune profiles and unit comparisons: summary text, distances, ranks, share-weighted values."""

from __future__ import annotations

import datetime as dt

import pytest

from geo import profile, ulighed

BEFORE, AFTER = dt.date(2026, 12, 31), dt.date(2027, 1, 2)


def test_summary_of_koebenhavn_names_both_klynger_with_shares_bydele_and_confidence(bundle):
    facts = {f.key: f for f in profile.summary(bundle, "0101", on=BEFORE)}
    text = facts["care"].text
    assert text.startswith("København (0101) hører til Sundhedsklynge Byen (54 % af borgerne; bydelene Indre By")
    assert "og Sundhedsklynge Syd (46 %; bydelene Vesterbro-Kongens Enghave, Valby, Amager Øst, Amager Vest" in text
    assert "sikkerhed: middel" in text
    assert text.endswith("Region Hovedstaden (fra 1. juli 2022).")
    assert facts["psych_adult"].confidence == "low"
    assert "Psykiatrisk Center Glostrup" in facts["psych_adult"].text
    assert "sikkerhed: lav – usikkert, bygger på et skøn" in facts["psych_adult"].text
    assert facts["care_after"].text.startswith("Fra 1. januar 2027: Sundhedsråd Hovedstaden")
    assert "Region Østdanmark" in facts["care_after"].text


def test_from_2027_the_summary_leads_with_the_council_and_names_the_klynge_it_replaced(bundle):
    after = [f.text for f in profile.summary(bundle, "0410", on=AFTER)]
    assert after[0].startswith("Middelfart (0410) hører til Sundhedsråd Lillebælt")
    assert after[0].endswith("Region Syddanmark (fra 1. januar 2027).")
    assert after[1] == "Til og med 31. december 2026: Sundhedsklynge Lillebælt (akutsygehus: Kolding Sygehus)."
    before = [f.text for f in profile.summary(bundle, "0410", on=BEFORE)]
    assert before[0].startswith("Middelfart (0410) hører til Sundhedsklynge Lillebælt")
    assert any(f.startswith("Fra 1. januar 2027: Sundhedsråd Lillebælt") for f in before)
    english = profile.summary(bundle, "0410", "en", AFTER)[0].text
    assert english.startswith("Middelfart (0410) belongs to Sundhedsråd Lillebælt") and "from 1 January 2027" in english


def test_hovedstaden_and_sjaelland_are_in_region_oestdanmark_from_2027(bundle):
    for kode in ("0101", "0253", "0360"):  # København, Greve, Lolland
        assert "Region Østdanmark" in profile.summary(bundle, kode, on=AFTER)[0].text
        assert "Region Østdanmark" not in profile.summary(bundle, kode, on=BEFORE)[0].text


def test_a_council_names_the_acute_hospitals_in_its_area(bundle):
    hospitals = profile.hospitals_of(bundle, "0410", "sundhedsraad-2027")
    assert hospitals["name"].tolist() == ["Kolding Sygehus"] and set(hospitals["basis"]) == {"area"}
    assert set(profile.hospitals_of(bundle, "0410", "sundhedsklynger")["basis"]) == {"unit"}


def test_summary_in_english(bundle):
    facts = profile.summary(bundle, "0740", lang="en", on=BEFORE)
    assert facts[0].text == ("Silkeborg (0740) belongs to Midtklyngen (confidence: high), Region Midtjylland "
                             "(from 1 July 2022).")


def test_hospital_sentence_is_plural_for_two_hospitals(bundle):
    kbh = {f.key: f.text for f in profile.summary(bundle, "0101", lang="en", on=BEFORE)}
    silkeborg = {f.key: f.text for f in profile.summary(bundle, "0740", lang="en", on=BEFORE)}
    assert kbh["hospital"].startswith("Acute hospitals: Bispebjerg Hospital")
    assert silkeborg["hospital"].startswith("Acute hospital: ")


def test_distance_is_straight_line_in_utm(bundle):
    hospitals = profile.hospitals_of(bundle, "0740", "sundhedsklynger")
    assert hospitals["site_id"].tolist() == ["rh-viborg"]
    site = bundle.sites.set_index("site_id").loc[["rh-viborg"]]
    viborg = profile._points_25832(site["lat"], site["lon"]).iloc[0]
    assert hospitals["km"].iloc[0] == pytest.approx(profile.origin_point(bundle, "0740").distance(viborg) / 1000)
    assert 20 < hospitals["km"].iloc[0] < 45


def test_nearest_acute_hospital_may_differ_from_the_klynge_hospital(bundle):
    facts = {f.key: f.text for f in profile.summary(bundle, "0175", on=BEFORE)}  # Rødovre: Midt (Herlev)
    nearest = profile.nearest_acute(bundle, "0175")
    klynge_sites = set(profile.hospitals_of(bundle, "0175", "sundhedsklynger")["site_id"])
    assert ("nearest" in facts) == (nearest["site_id"] not in klynge_sites)


def test_key_figures_show_koebenhavns_split_in_byen_and_syd(bundle):
    figures = profile.key_figures(bundle, "0101", "sundhedsklynger").set_index("key")
    pop = figures.loc["pop:2026:population_total"]
    frb = bundle.population.query("year == 2026 and kommune_kode == '0147'")["population_total"].iloc[0]
    assert pop["Sundhedsklynge Byen"] == pytest.approx(0.545 * 671714 + frb)  # bydel split 2025
    assert pop["kommune"] == 671714 and pop["rank"] == 1 and pop["n_ranked"] == 98
    life = figures.loc["ind:middellevetid_0aar_hisbk@2019-2023"]
    assert life["n_ranked"] == 94  # not published for Ærø, Fanø, Læsø, Samsø


def test_unit_ranking_and_spread(bundle):
    ranked = ulighed.unit_values(bundle, "sundhedsklynger", "ind:sp_daglig_rygning@2025")
    assert len(ranked) == 22 and ranked["rank"].tolist()[0] == 1
    assert ranked["value"].is_monotonic_decreasing
    spread = ulighed.spread(ranked)
    assert spread["difference"] == pytest.approx(spread["max"] - spread["min"])
    assert spread["ratio"] == pytest.approx(spread["max"] / spread["min"])


def test_rate_of_byen_uses_koebenhavns_share(bundle):
    key = "ind:sp_daglig_rygning@2025"
    ranked = ulighed.unit_values(bundle, "sundhedsklynger", key).set_index("unit_id")
    ind = bundle.indicators[bundle.indicators["series_id"] == key[4:]].set_index("kommune_kode")["value"]
    pop = bundle.population.query("year == 2026").set_index("kommune_kode")["population_total"]
    w_kbh, w_frb = 0.545 * pop["0101"], pop["0147"]  # bydel split 2025
    expected = (w_kbh * ind["0101"] + w_frb * ind["0147"]) / (w_kbh + w_frb)
    assert ranked.loc["h_byen", "value"] == pytest.approx(expected)


def test_overlap_uses_bydele_for_koebenhavn(bundle):
    syd = ulighed.overlap(bundle, "sundhedsklynger", "h_syd", "psykiatri-voksen").set_index("unit_id")
    assert "rh_pc_koebenhavn" not in syd.index  # Byen's bydele, none of them in Syd
    pop = bundle.population.query("year == 2026").set_index("kommune_kode")["population_total"]
    # whole residents: København's part rounded (largest remainder), the other kommuner exact
    assert syd.loc["rh_pc_amager", "population"] == pytest.approx(0.355 * pop["0101"] + pop["0155"] + pop["0185"],
                                                                  abs=1)
    assert syd["share"].sum() == pytest.approx(1)


def test_compare_units_on_every_numeric_fill(bundle):
    table = ulighed.compare_units(bundle, "sundhedsklynger", "h_byen", "h_syd")
    assert len(table) == 29  # 8 population fills + 21 indicator series
    row = table.set_index("key").loc["pop:2026:population_total"]
    assert row["difference"] == pytest.approx(row["a"] - row["b"])


def test_unknown_fill_is_named(bundle):
    with pytest.raises(ValueError, match="'membership' is not a numeric fill"):
        ulighed.unit_values(bundle, "sundhedsklynger", "membership")


def test_png_has_the_map(bundle, tmp_path):
    from geo import png, views
    from geo.viewstate import MapState

    view = views.national_view(bundle, views.make_display(bundle), MapState(layer="regioner", on=BEFORE))
    data = png.render_png(view.areas, view.legend, title="Regioner", source="Kilde: DAGI")
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
