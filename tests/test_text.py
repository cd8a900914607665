"""Locale formatting, display tables, citations and the completeness of the bilingual registries."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from geo import citations, fmt, readable
from geo.catalog import INDICATOR_META, UNITS, Fill, fill_catalog, source_text, unit_text
from geo.i18n import TEXT
from geo.sources import CAVEATS, SOURCE_META


@pytest.mark.parametrize(("value", "decimals", "lang", "expected"), [
    (1234.5, 1, "da", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (80.94, 1, "da", "80,9"),
    (671714, 0, "da", "671.714"), (671714, 0, "en", "671,714"), (0.5, 2, "da", "0,50"),
    (None, 1, "da", "–"), (math.nan, 0, "en", "–"),
])
def test_number_follows_the_locale(value, decimals, lang, expected):
    assert fmt.number(value, decimals, lang) == expected


def test_percent_follows_the_locale():
    assert fmt.percent(0.577, "da") == "58 %" and fmt.percent(0.577, "en") == "58%"
    assert fmt.percent(0.0577, "da", 1) == "5,8 %" and fmt.percent(None) == "–"


@pytest.fixture()
def view_table():
    return pd.DataFrame({
        "kommune_kode": ["0101", "0147"], "kommune_navn": ["København", "Frederiksberg"],
        "region": ["Region Hovedstaden"] * 2, "unit_ids": ["h_byen;h_syd", "h_byen"],
        "unit_navne": ["Sundhedsklynge Byen;Sundhedsklynge Syd", "Sundhedsklynge Byen"],
        "shares": ["0.577;0.423", "1"], "confidence": ["medium", "high"], "value": [80.94, 1234.56],
    })


def test_display_table_names_columns_and_formats_values_in_danish(view_table):
    fill = Fill("ind:x@2020", "Middellevetid (2020)", "Life expectancy (2020)", "rate", unit="år")
    out = readable.display_table(view_table, "da", fill)
    assert list(out.columns) == ["Kode", "Kommune", "Region", "Enhed(er)", "Andel", "Sikkerhed",
                                 "Middellevetid (2020), år"]
    assert out.iloc[0].tolist() == ["0101", "København", "Region Hovedstaden",
                                    "Sundhedsklynge Byen; Sundhedsklynge Syd", "58 %; 42 %", "middel", "80,9"]
    assert out.iloc[1, -1] == "1.234,6" and out.iloc[1, 4] == "100 %"


def test_display_table_in_english_and_without_mutating_its_input(view_table):
    before = view_table.copy()
    fill = Fill("ind:x@2020", "Middellevetid (2020)", "Life expectancy (2020)", "rate", unit="år")
    out = readable.display_table(view_table, "en", fill)
    assert list(out.columns) == ["Code", "Municipality", "Region", "Unit(s)", "Share", "Confidence",
                                 "Life expectancy (2020), years"]
    assert out.iloc[0, 4:].tolist() == ["58%; 42%", "medium", "80.9"]
    pd.testing.assert_frame_equal(view_table, before)
    assert not any("_" in c for c in out.columns)


def test_confidence_counts_are_ordered_high_medium_low():
    rows = pd.DataFrame({"layer": ["a", "a", "a", "b"], "confidence": ["low", "high", "medium", "high"]})
    out = readable.confidence_counts(rows, {"b": "Lag B", "a": "Lag A"}, "da")
    assert list(out.columns) == ["Lag", "høj", "middel", "lav"]
    assert out.values.tolist() == [["Lag B", "1", "0", "0"], ["Lag A", "1", "1", "1"]]


CITED = pd.DataFrame({
    "key": ["https://trap.lex.dk/Bispebjerg_Hospital", "sundhedsreformen 2024"],
    "publisher": ["Trap Danmark (lex.dk)", "Regeringen"], "title": ["Bispebjerg Hospital", "Sundhedsreformen 2024"],
    "title_en": ["", "The 2024 health reform"], "date": ["", "2024"],
    "url": ["https://trap.lex.dk/Bispebjerg_Hospital", ""], "source": ["by hand"] * 2,
    "confidence": ["medium", "high"], "_line": [2, 3],
})


def test_a_source_field_renders_as_linked_citations():
    field = "https://trap.lex.dk/Bispebjerg_Hospital | sundhedsreformen 2024"
    md = citations.sources_md(field, CITED, "da")
    assert md.startswith("[Trap Danmark \\(lex\\.dk\\)\\: Bispebjerg Hospital \\(uden dato\\)]"
                         "(https://trap.lex.dk/Bispebjerg_Hospital)")
    assert md.endswith("; Regeringen\\: Sundhedsreformen 2024 \\(2024\\)")
    assert citations.sources_text(field, CITED, "en") == ("Trap Danmark (lex.dk): Bispebjerg Hospital (undated); "
                                                        "Regeringen: The 2024 health reform (2024)")
    assert citations.sources_md(field, CITED, "en", limit=1).endswith("\\+ 1 more sources")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "/work/x.csv", "../shared/data"])
def test_only_web_addresses_become_links(url):
    cited = citations.citations_for(url, CITED.iloc[:0])
    assert "](" not in citations.citation_md(cited[0])


def test_link_text_and_address_cannot_break_out_of_the_markdown_link():
    evil = citations.Citation("Pub [x](javascript:alert(1))", "T", "", "https://e.dk/a) [b](https://evil")
    md = citations.citation_md(evil)
    assert md.count("](") == 1 and "%29" in md and " " not in md.split("](")[1]


def test_citations_are_validated_on_load():
    bad = CITED.assign(url=["ftp://x", ""], confidence=["sure", "high"])
    bad = pd.concat([bad, bad.iloc[[1]].assign(_line=4)], ignore_index=True)
    problems = citations.validate_citations(bad)
    assert any("line 2, column url: 'ftp://x'" in p for p in problems)
    assert any("column confidence: 'sure'" in p for p in problems)
    assert any("key 'sundhedsreformen 2024' appears more than once" in p for p in problems)
    tables = {name: pd.DataFrame({"source": ["https://unknown.dk/a"], "_line": [7]}) for name in citations.CITED_TABLES}
    assert citations.uncited(CITED, tables)[0].startswith("layers.csv line 7, column source: 'https://unknown.dk/a'")


def test_every_registry_text_has_danish_and_english():
    assert all(set(v) == {"da", "en"} and all(v.values()) for v in TEXT.values())
    assert all(len(pair) == 2 and all(pair) for pair in UNITS.values())
    assert all(len(pair) == 2 for pair in CAVEATS)
    assert all(len(pair) == 2 for meta in SOURCE_META.values() for pair in meta.values())
    assert unit_text("personer", "en") == "people" and unit_text("kr.", "en") == "DKK"
    assert source_text("DST RAS200", "en") == "Statistics Denmark, RAS200"


def test_every_indicator_has_a_name_in_both_languages(bundle):
    ids = set(bundle.indicators["indicator_id"])
    assert ids <= set(INDICATOR_META), ids - set(INDICATOR_META)
    fills = fill_catalog(bundle.population, bundle.indicators)
    for fill in fills.values():
        assert "_" not in fill.label_en and "_" not in fill.label_da, fill.key
        assert fill.unit_in("en") not in ("personer", "år") and fill.group_in("en") != fill.group_in("da")
        assert len(fill.caveats) == len(fill.caveats_en)


def test_every_source_of_the_project_tables_is_cited(bundle):
    assert citations.validate_citations(bundle.citations) == []
    raw = {"layers": bundle.layers, "units": bundle.units, "assignments": bundle.assignments, "sites": bundle.sites}
    assert citations.uncited(bundle.citations, raw) == []
    shown = [c.text("da") for c in citations.citations_for(bundle.layer("sundhedsklynger")["source"],
                                                            bundle.citations)]
    assert shown == ["Klyngekort-projektet: Sammenstillede fakta om sundhedsklyngerne og deres kommuner (2026)"]


def test_low_confidence_rows_say_why_in_both_languages(bundle):
    low = bundle.assignments[bundle.assignments["confidence"] == "low"]
    assert len(low) == 8 and (low["why_da"] != "").all() and (low["why_en"] != "").all()
    billund = low[(low["kommune_kode"] == "0530") & (low["layer"] == "sundhedsklynger")].iloc[0]
    assert billund["why_da"].startswith("Kun en liste fra 2019") and "Sygehus Lillebælt" in billund["why_da"]


@pytest.mark.parametrize("column", ["unit_navn", "hospital"])
def test_unit_names_carry_no_research_notes(bundle, column):
    notes = ("e.g.", "incl.", "not verified", "(sites", "adult departments", "formerly", "merged")
    assert [n for n in bundle.units[column] if any(w in n for w in notes)] == []


def test_site_names_carry_no_research_notes(bundle):
    notes = ("e.g.", "incl.", "not verified", "unverified", "specialised", "NO general", "merged")
    assert [n for n in bundle.sites["name"] if any(w in n for w in notes)] == []
    assert [n for n in bundle.sites["address"] if any(w in n for w in notes)] == []


def test_map_tooltips_speak_the_readers_language(bundle):
    from geo import views

    english = " ".join(views.site_points(bundle.sites, ["hospitals", "psychiatry"], "en")["tip"])
    assert "Type: acute hospital" in english and "akutsygehus" not in english and "sikkerhed" not in english
    danish = views.membership_table(bundle, "sundhedsklynger", lang="da").set_index("kommune_kode")
    assert any(line.startswith("Hvorfor usikkert: Kun en liste fra 2019") for line in danish.loc["0530", "lines"])
