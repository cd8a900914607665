"""Pictures, phone and language (issue 15): label extents and leaders, legend hover outlines, phone cards,
the uploader's words and readable citation titles. The browser half is tests/test_browser_maps.py."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest

from geo import cards, citations, mapbuild

ROOT = Path(__file__).resolve().parent.parent


def test_label_points_carry_the_units_extent_and_the_map_its_bounds(tiny):
    units = tiny["kommuner"].assign(text=["A", "B", "C"])
    points = mapbuild.label_points(units)
    assert points["extent"].iloc[0] == (0.0, 0.0, 10_000.0, 10_000.0)
    html = mapbuild.build_map(units.assign(colour="#fff", tip="t"), assets_url="/a",
                              labels=points).get_root().render()
    boxes = re.findall(r'data-bbox=\\"([-\d.,]+)\\"', html)
    assert len(boxes) == 3
    south, west, north, east = map(float, boxes[0].split(","))
    assert south < north and west < east  # south,west,north,east in degrees
    assert "unit-leader" in html and "leaders.push" in html  # a label that does not fit gets a leader


def test_labels_without_extent_still_draw(tiny):
    points = mapbuild.label_points(tiny["kommuner"].assign(text=["A", "B", "C"])).drop(columns="extent")
    html = mapbuild.build_map(tiny["kommuner"].assign(colour="#fff", tip="t"), assets_url="/a",
                              labels=points).get_root().render()
    assert html.count("data-rank") == 3 and "data-bbox" not in html


def test_legend_hover_keys_join_entries_to_hidden_outlines(tiny):
    units = tiny["kommuner"].assign(label=["<b>A</b>", "B", "C"])
    fmap = mapbuild.build_map(units.assign(colour="#fff", tip="t"), assets_url="/a")
    mapbuild.add_legend_hover(fmap, units)
    html = fmap.get_root().render()
    key = mapbuild.legend_key("<b>A</b>")
    assert re.fullmatch(r"k[0-9a-f]{12}", key) and key != mapbuild.legend_key("B")
    assert f'"key": "{key}"' in html  # the outline carries only the key, never the name
    assert "<b>A</b>" not in html and "data-legend-key" in html  # the listener looks for the attribute
    assert list(units.columns) == ["kommune_kode", "kommune_navn", "region", "geometry", "label"]  # untouched
    attrs = mapbuild.legend_item_attrs("<b>A</b>")
    assert attrs == f'data-legend-key="{key}" tabindex="0"'


def test_cards_show_every_value_escaped_and_skip_empty_ones():
    frame = pd.DataFrame({"Sygehus": ["<script>x</script>", "B"], "Note": ["", "n"], "Afstand (km)": ["7,2", "8,4"]})
    html = cards.cards_html(frame, label="Akutsygehuse")
    assert html.count('class="kk-card"') == 2
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<dt>Afstand (km)</dt><dd>7,2</dd>" in html
    assert html.count("<dt>Note</dt>") == 1  # the empty note of the first row is left out
    assert 'aria-label="Akutsygehuse"' in html
    with pytest.raises(ValueError, match="title column"):
        cards.cards_html(frame, title="nope")


def test_narrow_css_switches_tables_at_the_phone_width():
    css = cards.narrow_css("mk_wide", "mk_narrow")
    assert f"@media (max-width:{cards.NARROW_PX}px){{[class*=\"st-key-mk_wide\"]{{display:none!important}}}}" in css
    assert f"@media (min-width:{cards.NARROW_PX + 1}px){{[class*=\"st-key-mk_narrow\"]" in css
    with pytest.raises(ValueError, match="container key"):
        cards.narrow_css("a}b", "c")


def test_the_uploader_limit_is_the_servers():
    from geo.tables import UPLOAD_MAX_MB

    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert re.search(rf"^maxUploadSize = {UPLOAD_MAX_MB}$", config, re.M)


VOCABULARY_TEXTS = ["Første gang på sygehuset", "Sygehus Lillebælt i Kolding og Sønderborg", "for alle, i kraft"]


@pytest.mark.parametrize(("slug", "readable"), [
    ("Forste spadestik til akut sygehus i kolding", "Første spadestik til akut sygehus i Kolding"),
    ("Om sygehus lillebaelt", "Om sygehus Lillebælt"),
    ("Foerste gang paa sygehuset i sonderborg", "Første gang på sygehuset i Sønderborg"),
    ("Traeder i kraft for alle", "Træder i kraft for alle"),  # 'for' and 'kraft' are words: never 'før', 'kræft'
    ("afpihl/sundhedsraad: data.json (commit 0003bca)", "afpihl/sundhedsraad: data.json (commit 0003bca)"),
])
def test_titles_read_from_an_address_get_their_letters_back(slug, readable):
    names = ["Sygehus Lillebælt", "Kolding", "Sønderborg"]
    vocabulary = citations.slug_vocabulary(VOCABULARY_TEXTS + names)
    places = citations.place_names(names, VOCABULARY_TEXTS)
    assert citations.readable_slug(slug, vocabulary, places) == readable


def test_a_form_two_words_share_is_not_guessed():
    vocabulary = citations.slug_vocabulary(["mål", "mal"])  # 'mal' is a word as written: it stays
    assert "mal" not in vocabulary
    assert citations.slug_vocabulary(["sæl", "sal"]).get("sal") is None


def test_citation_titles_in_the_table_are_readable():
    """data/citations.csv is up to date with tools/build_citations.py: no title read from an address is
    left as a slug that the project's own words could make readable (e.g. 'Forste spadestik … kolding')."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_citations", ROOT / "tools" / "build_citations.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readable = tool.readable_titles()
    with (ROOT / "data" / "citations.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["source"] == tool.FROM_URL]
    assert rows
    stale = [r["title"] for r in rows if readable(r["title"]) != r["title"]]
    assert stale == []
    titles = {r["key"]: r["title"] for r in rows}
    assert titles["https://www.tvsyd.dk/kolding/forste-spadestik-til-akut-sygehus-i-kolding"] == (
        "Første spadestik til akut sygehus i Kolding")
    assert titles["https://sygehuslillebaelt.dk/om-os/om-sygehus-lillebaelt"] == "Om sygehus Lillebælt"
    assert not [v for v in titles.values() if "lillebaelt" in v.lower()]
