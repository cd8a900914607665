"""What every page shares: language, cached loaders, legend and error display."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import catalog, views
from geo.bundle import Bundle, load_bundle
from geo.classify import LegendRow
from geo.config import CONFIDENCE_DA, sources_dir
from geo.errors import KlyngekortError
from geo.mapbuild import install_leaflet
from geo.i18n import t

ROOT = Path(__file__).resolve().parent
LEAFLET_URL = "/app/static/vendor/leaflet"  # served by Streamlit (server.enableStaticServing)


def lang() -> str:
    """The session's language ('da' by default)."""
    return st.session_state.get("lang", "da")


@st.cache_resource
def ensure_assets() -> Path:
    """Copy Leaflet into the static folder once per server process."""
    return install_leaflet(ROOT / "static" / "vendor" / "leaflet")


@st.cache_data(show_spinner="Indlæser kort og data …")
def _load(directory: str) -> Bundle:
    return load_bundle(Path(directory))


def bundle() -> Bundle:
    """The validated bundle; on bad data show the message and stop the page."""
    try:
        return _load(str(sources_dir()))
    except KlyngekortError as exc:
        st.error(f"**{t('error_data', lang())}**\n\n```\n{exc}\n```")
        st.stop()
        raise  # unreachable; keeps type checkers honest


@st.cache_data(show_spinner=False)
def display() -> views.Display:
    """Simplified display geometry (cached)."""
    return views.make_display(bundle())


@st.cache_data(show_spinner=False)
def fills() -> dict[str, catalog.Fill]:
    """The fill registry (cached)."""
    b = bundle()
    return catalog.fill_catalog(b.population, b.indicators)


@st.cache_data(show_spinner=False, max_entries=64)
def national_view(layer: str, fill_key: str, level: str, scheme: str, k: int, palette: str,
                  breaks: tuple[float, ...] | None, overlay: str | None, lang_: str) -> views.MapView:
    """`geo.views.national_view`, cached per choice of widgets."""
    return views.national_view(
        bundle(), display(), layer=layer, fill_key=fill_key, level=level, scheme=scheme, k=k,
        palette=palette, breaks=list(breaks) if breaks else None, overlay=overlay, lang=lang_,
    )


def legend_html(rows: list[LegendRow]) -> str:
    """The legend as accessible HTML: a swatch, the label in text and the count."""
    items = []
    for row in rows:
        swatch = (f'<span aria-hidden="true" style="display:inline-block;width:1.4em;height:1em;'
                  f'background:{row.colour};border:1px solid #555;vertical-align:middle;'
                  f'margin-right:.4em"></span>')
        items.append(f"<li>{swatch}{html.escape(row.label)} <small>({row.count})</small></li>")
    return '<ul style="list-style:none;padding-left:0;margin:0">' + "".join(items) + "</ul>"


def confidence_words(level: str) -> str:
    """'høj', 'middel', 'lav' with a plain warning for low confidence."""
    word = CONFIDENCE_DA.get(level, "ukendt")
    return f"{word} – usikker, bygger på et skøn" if level == "low" else word


def confidence_counts(rows: pd.DataFrame) -> str:
    """'høj 45 · middel 52 · lav 2' for a set of table rows."""
    counts = rows["confidence"].value_counts()
    return " · ".join(f"{CONFIDENCE_DA[c]} {int(counts.get(c, 0))}" for c in ("high", "medium", "low"))
