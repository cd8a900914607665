"""What every page shares: language, cached loaders and views, legend, downloads, error display."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
import threading
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import (
    assets,
    catalog,
    citations,
    crosswalk,
    export,
    mapbuild,
    model,
    plans,
    planview,
    png,
    profile,
    readable,
    roles,
    safe,
    ulighed,
    views,
    viewstate,
)
from geo.bundle import Bundle, load_bundle
from geo.classify import LegendRow
from geo.config import data_dir, sources_dir
from geo.errors import KlyngekortError
from geo.fmt import decimals_for, number
from geo.i18n import t

ROOT = Path(__file__).resolve().parent
LEAFLET_URL = "/app/static/vendor/leaflet"  # served by Streamlit (server.enableStaticServing)
LANGUAGES = {"da": "Dansk", "en": "English"}


def lang() -> str:
    """The session's language: from the URL (``?lang=en``) on the session's first run, 'da' by default.

    A page can run without app.py (Streamlit serves a deep link such as /min_kommune from the
    pages/ folder on a session's first request), so the URL is read here too, not only in app.py.
    """
    if "lang" not in st.session_state:
        init_language()
    return st.session_state.get("lang", "da")


def through_app() -> None:
    """Make sure a page runs inside app.py's navigation; call it first on every page.

    While a ``pages/`` folder exists, Streamlit runs the first deep link after a server start
    (``/min_kommune?kommune=0101`` before anyone has opened ``/``) as a page of its own, without
    app.py: no page config, no language switch, the folder's file names as menu. Switching that
    mode off and rerunning runs app.py, whose ``st.navigation`` routes to the same page with the
    same query string.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def init_language() -> None:
    """Take the language from the URL (``?lang=en``) when it names one, else keep the session's.

    Page links of st.navigation drop the query string, so a URL without ``lang`` keeps the
    session's language; `language_switch` writes it back.
    """
    wanted = st.query_params.get("lang")
    if wanted in LANGUAGES and wanted != st.session_state.get("lang_in_url"):
        if st.session_state.get("lang") not in (None, wanted):
            _refresh_select_widgets()
        st.session_state.lang = wanted
    if "lang" not in st.session_state:
        st.session_state.lang = "da"


# Widgets whose shown labels depend on the language (keys by prefix; st_folium maps excluded).
TRANSLATED_WIDGET_PREFIXES = ("kort_", "mk_", "kl_", "sc_", "sm_", "ov_")
UNTRANSLATED_WIDGETS = ("kort_map", "mk_map", "ov_map")


def _refresh_select_widgets() -> None:
    """Make every select widget send its value again, formatted in the new language.

    Streamlit stores a selectbox's value as its formatted label and sends it to the browser only
    when the value changes; a new ``format_func`` alone leaves the browser showing the old
    language's label. Assigning the (unchanged) value through session state marks it changed.
    """
    for key in list(st.session_state):
        value = st.session_state[key]
        # Select widgets hold a string option or None; tables' selections, maps and stored frames are
        # left alone (some widgets refuse values set through session state).
        if (isinstance(key, str) and key.startswith(TRANSLATED_WIDGET_PREFIXES)
                and not key.startswith(UNTRANSLATED_WIDGETS) and (value is None or isinstance(value, str))):
            with contextlib.suppress(st.errors.StreamlitAPIException):
                st.session_state[key] = value


def _set_language() -> None:
    st.session_state.lang = st.session_state.lang_choice
    _refresh_select_widgets()


def toggle_language() -> None:
    """Switch to the other language (the header's da/en button, reachable without the sidebar)."""
    st.session_state.lang_choice = "en" if lang() == "da" else "da"
    _set_language()


def language_switch() -> None:
    """One switch for the whole app; the language is kept in the URL (``?lang=en``).

    The language lives in a plain session key: widget state is dropped when the translated page
    titles change under st.navigation, plain keys are not.
    """
    st.session_state.lang_choice = lang()
    st.sidebar.radio(t("language", lang()), list(LANGUAGES), format_func=LANGUAGES.get, key="lang_choice",
                     horizontal=True, on_change=_set_language)
    write_language_to_url()


def write_language_to_url() -> None:
    """``?lang=en`` in the address for English; Danish (the default) leaves it out."""
    if lang() == "da":
        if "lang" in st.query_params:
            del st.query_params["lang"]
    elif st.query_params.get("lang") != lang():
        st.query_params["lang"] = lang()
    st.session_state.lang_in_url = st.query_params.get("lang")


def on() -> dt.date:
    """The date the app shows (``?dato=YYYY-MM-DD``; default today in Denmark), kept like the language."""
    if "dato" not in st.session_state:
        init_date()
    return st.session_state.get("dato") or roles.today()


def common() -> viewstate.Common:
    """The session's language and date as one value (`geo.viewstate.Common`)."""
    return viewstate.Common(lang(), on())


def init_date() -> None:
    """Take the date from the URL (``?dato=``) when it differs from what the app last wrote there; a date
    that cannot be used gives a message (`show_date_problem`) and today."""
    asked = st.query_params.get("dato")
    if "dato" in st.session_state and asked == st.session_state.get("dato_in_url"):
        return
    day, problem = viewstate.parse_date(asked, roles.today())
    if "dato" in st.session_state and day != st.session_state.dato:
        follow_date(st.session_state.dato, day)
    st.session_state.dato = day
    st.session_state.dato_problem = problem
    st.session_state.dato_in_url = asked


# Session keys that hold a layer which follows its role when the date changes (the map's layer is
# in ``map_state``); a scenario's base follows only while it has no changes.
FOLLOWING_KEYS = ("kort_layer", "kort_overlay", "kl_layer", "sm_a", "sm_b", "own_layer")


def follow_date(old: dt.date, new: dt.date) -> None:
    """When the date changes, a layer shown because it was in force in its role on the old date is
    replaced by the layer in force in that role on the new one (the sundhedsklynger by the sundhedsråd
    across 1 January 2027); layers the reader chose for themselves stay."""
    reg = bundle().registry

    def moved(layer: str | None) -> str | None:
        if layer not in reg.ids:
            return layer
        role = reg.entry(layer).role
        return reg.in_force(role, new) or layer if reg.in_force(role, old) == layer else layer

    for key in FOLLOWING_KEYS:
        if key in st.session_state:
            st.session_state[key] = moved(st.session_state[key])
    if "sc_base_value" in st.session_state and not st.session_state.get("sc_changes"):
        st.session_state.sc_base_value = moved(st.session_state.sc_base_value)
        if "sc_base" in st.session_state:
            st.session_state.sc_base = st.session_state.sc_base_value
    state = st.session_state.get("map_state")
    if state is not None:
        st.session_state.map_state = replace(state, layer=moved(state.layer), overlay=moved(state.overlay),
                                             on=new, unit=None)


def _set_date() -> None:
    chosen = st.session_state.dato_choice
    if chosen and chosen != on():
        follow_date(on(), chosen)
        st.session_state.dato = chosen
    st.session_state.dato_problem = None


DATE_INPUT_CSS = ("<style>[data-testid='stDateInput'] [role='spinbutton']{display:inline-block;min-width:26px;"
                  "min-height:26px;line-height:26px;text-align:center}</style>")  # 24 px and a margin for rounding


def date_switch() -> None:
    """The date picker in the sidebar ("Vis som på dato"); the date is kept in the URL (``?dato=``)
    unless it is today, so a shared link without a date always shows its reader's today."""
    L = lang()
    st.session_state.dato_choice = on()
    # The picker's day and month fields are 18 px wide: at least 24 × 24 px (26, so rounding never takes
    # them under) so they are easy to hit
    # (WCAG 2.2, target size). Style only, no markup from data.
    st.sidebar.html(DATE_INPUT_CSS)
    st.sidebar.date_input(t("date_label", L), key="dato_choice", min_value=viewstate.DATE_RANGE[0],
                          max_value=viewstate.DATE_RANGE[1], format="DD.MM.YYYY" if L == "da" else "YYYY-MM-DD",
                          help=t("date_help", L), on_change=_set_date)
    write_date_to_url()


def write_date_to_url() -> None:
    """``?dato=YYYY-MM-DD`` in the address unless the date is today."""
    wanted = common().to_query(roles.today()).get("dato")
    if wanted is None:
        if "dato" in st.query_params:
            del st.query_params["dato"]
    elif st.query_params.get("dato") != wanted:
        st.query_params["dato"] = wanted
    st.session_state.dato_in_url = st.query_params.get("dato")


def show_date_problem() -> None:
    """The message for a ``?dato=`` that could not be used (once; the page then shows today)."""
    problem = st.session_state.get("dato_problem")
    if problem:
        L = lang()
        st.error(t("date_unknown", L, value=safe.md(problem.value), today=roles.date_text(roles.today(), L),
                   lo=viewstate.DATE_RANGE[0].isoformat(), hi=viewstate.DATE_RANGE[1].isoformat()))


def layer_label(layer: str, lang_: str, day: dt.date) -> str:
    """A layer's name with its status on ``day``: 'Sundhedsklynger (2022) — historisk (til og med …)'.

    Widgets' ``format_func`` get language and date as arguments (see `fill_choice`)."""
    entry = bundle().registry.entry(layer)
    status = viewstate.layer_status_text(entry, day, lang_)
    return f"{entry.name(lang_)} — {status}" if status else entry.name(lang_)


def placeholder() -> str:
    """The empty selectbox's text in the session's language (instead of 'Choose an option')."""
    return t("choose", lang())


ASSETS_DIR = assets.LEAFLET_TARGET  # installed by scripts/setup.sh (python -m geo.assets)


def ensure_assets() -> Path:
    """Check that Leaflet was installed at setup time; never write into the checkout.

    When files are missing, show one message naming the folder and the setup command, and stop.
    """
    missing = assets.missing(ASSETS_DIR)
    if missing:
        st.error(t("assets_missing", lang(), path=safe.md(ASSETS_DIR), files=safe.md(", ".join(missing)),
                   setup=assets.SETUP_COMMAND, install=assets.INSTALL_COMMAND))
        st.stop()
    return ASSETS_DIR


def show_data_error(exc: Exception) -> None:
    """One st.error with the message as literal text (never Streamlit's redacted error page); stop."""
    st.error(f"**{t('error_data', lang())}**\n\n{safe.md_code(exc)}")
    st.stop()


# The bundle, the display geometry and the fill registry are read-only (geo/ never mutates its input):
# one shared object per process (cache_resource) instead of a fresh unpickled copy on every call
# of every session (cache_data), which cost CPU and left the copies to the allocator. The spinner
# is shown by `bundle` in the reader's language.
@st.cache_resource(show_spinner=False)
def _load(directory: str, tables: str) -> Bundle:
    return _frozen(load_bundle(Path(directory), Path(tables)))


def _frozen(value):
    """``value``, after moving every object alive now into the collector's permanent generation.

    Streamlit collects all generations after every script run (runner.postScriptGC); with the
    bundle and display geometry frozen, that collection skips their millions of objects (about
    0 ms instead of 139-245 ms a run) and, unlike turning the collection off, sessions' garbage
    is still freed. Collected first, so no garbage is frozen. Once per process per cached object.
    """
    gc.collect()
    gc.freeze()
    return value


_LOADED: set[tuple[str, str]] = set()  # bundles this process has loaded: no spinner needed for them


def bundle() -> Bundle:
    """The validated bundle; on bad data show the message and stop the page.

    The spinner is shown only until the process has loaded the bundle: pages call this dozens of times
    per run, and entering and leaving a spinner cost more than the cache lookup."""
    key = (str(sources_dir()), str(data_dir()))
    try:
        if key in _LOADED:
            return _load(*key)
        with st.spinner(t("loading", lang())):
            loaded = _load(*key)
        _LOADED.add(key)
        return loaded
    except KlyngekortError as exc:
        show_data_error(exc)
        raise  # unreachable (st.stop); keeps type checkers honest


@st.cache_resource(show_spinner=False)
def _display(directory: str, tables: str) -> views.Display:
    return _frozen(views.make_display(_load(directory, tables)))


def display() -> views.Display:
    """Simplified display geometry (cached); on bad data the message, then stop."""
    b = bundle()
    try:
        return _display(str(b.sources_dir), str(data_dir()))
    except KlyngekortError as exc:
        show_data_error(exc)
        raise


@st.cache_resource(show_spinner=False)
def _fills(directory: str, tables: str) -> dict[str, catalog.Fill]:
    b = _load(directory, tables)
    return catalog.fill_catalog(b.population, b.indicators)


def fills() -> dict[str, catalog.Fill]:
    """The fill registry (cached); on bad data the message, then stop."""
    b = bundle()
    try:
        return _fills(str(b.sources_dir), str(data_dir()))
    except KlyngekortError as exc:
        show_data_error(exc)
        raise


def fill_label(key: str, lang_: str | None = None) -> str:
    """A fill's name in the session's language (or ``lang_``)."""
    return fills()[key].label(lang_ or lang())


def fill_choice(key: str, lang_: str) -> str:
    """'Befolkning: Befolkning i alt (2026)' — group and name, for the fill selector.

    Widgets' ``format_func`` must get the language as an argument (a closure over the page's
    ``L``), not read it from the session: Streamlit may call it outside the script run.
    """
    fill = fills()[key]
    return f"{fill.group_in(lang_)}: {fill.label(lang_)}"


def sources_md(field: str, limit: int | None = None) -> str:
    """A ``source`` field of the project's tables as linked citations (safe Markdown)."""
    return citations.sources_md(field, bundle().citations, lang(), limit)


def display_table(frame: pd.DataFrame, fill: catalog.Fill | None = None) -> pd.DataFrame:
    """A view table with headers in the reader's language and locale-formatted values (same rows);
    a membership (category) fill formats nothing."""
    return readable.display_table(frame, lang(), None if fill is None or fill.kind == "category" else fill)


def table(frame: pd.DataFrame, fill: catalog.Fill | None = None) -> None:
    """Show a view table for reading (see `display_table`)."""
    st.dataframe(display_table(frame, fill), hide_index=True, width="stretch")


def layer_names(lang_: str | None = None) -> dict[str, str]:
    b = bundle()
    column = "name_da" if (lang_ or lang()) == "da" else "name_en"
    return dict(zip(b.layers["layer"], b.layers[column], strict=True))


def kommune_names() -> dict[str, str]:
    """Kommune code → name, ordered by name."""
    k = bundle().kommuner.sort_values("kommune_navn")
    return dict(zip(k["kommune_kode"], k["kommune_navn"], strict=True))


def unit_names(layer: str) -> dict[str, str]:
    u = bundle().units
    u = u[u["layer"] == layer].sort_values("unit_navn")
    return dict(zip(u["unit_id"], u["unit_navn"], strict=True))


@st.cache_data(show_spinner=False)
def registries() -> viewstate.Registries:
    """What a URL may name: layers, fills (with their kind), units per layer, kommune codes."""
    b = bundle()
    units = {layer: tuple(unit_names(layer)) for layer in b.layers["layer"]}
    return viewstate.Registries(
        layers=tuple(b.layers["layer"]), fills={k: f.kind for k, f in fills().items()}, units=units,
        kommuner=tuple(sorted(b.kommuner["kommune_kode"])), registry=b.registry,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def unit_shapes(layer: str):
    """The display geometry of each unit of ``layer`` (EPSG:25832), for highlighting one."""
    d = display()
    return model.unit_geometries(model.layer_parts(d.kommuner, d.sub_areas, bundle().assignments, bundle().units,
                                                   layer))


@st.cache_data(show_spinner=False, max_entries=64)
def unit_labels(layer: str):
    """Label points with short names for the units of ``layer`` (`geo.views.unit_labels`)."""
    return views.unit_labels(bundle(), display(), layer)


def write_query(query: dict[str, str], owned: tuple[str, ...]) -> None:
    """Make the URL's parameters in ``owned`` exactly ``query`` (others, such as ``lang``, stay)."""
    for name in owned:
        if name in query:
            if st.query_params.get(name) != query[name]:
                st.query_params[name] = query[name]
        elif name in st.query_params:
            del st.query_params[name]


def show_url_problems(problems: list[viewstate.Problem]) -> None:
    """One clear message per URL parameter whose value was not valid (data, so escaped; a long value
    is shortened to its first 200 characters)."""
    for p in problems:
        value = p.value if len(p.value) <= 200 else p.value[:200] + "…"
        if p.param == "kommune":
            st.error(t("kommune_unknown", lang(), code=safe.md(value)))
        else:
            st.error(t("url_unknown", lang(), param=safe.md(p.param), value=safe.md(value)))


# A map view holds the display geometry of its layer: 16 choices stay warm, not every
# combination of layer × fill × scheme × k × palette anyone ever tried.
def national_view(state: viewstate.MapState) -> views.MapView:
    """`geo.views.national_view` of one view value, cached by what it draws (`MapState.drawn`: selecting a
    kommune or highlighting a unit reuses the view)."""
    return _national_view(state.drawn())


# Shared, not copied (cache_resource): unpickling a view's frames on every hit of every session cost more
# than the view; pages and geo/ only read it.
@st.cache_resource(show_spinner=False, max_entries=16)
def _national_view(state: viewstate.MapState) -> views.MapView:
    return views.national_view(bundle(), display(), state)


def shown_state() -> viewstate.MapState:
    """What the national map last showed in this session (its default view before the map was
    opened), on the session's date and in its language."""
    state = st.session_state.get("map_state") or viewstate.MapState.default(registries(), common())
    return replace(state, on=on(), lang=lang())


def main_layer() -> str:
    """The layer a view shows unless asked otherwise: the care geography in force on the session's date."""
    return bundle().registry.main_layer(on())


@st.cache_data(show_spinner=False, max_entries=2 * 98)
def summary(kode: str, lang_: str, day: dt.date) -> list[profile.Fact]:
    return profile.summary(bundle(), kode, lang_, day)


@st.cache_data(show_spinner=False, max_entries=64)
def key_figures(kode: str, layer: str, lang_: str) -> pd.DataFrame:
    return profile.key_figures(bundle(), kode, layer, lang_)


@st.cache_data(show_spinner=False, max_entries=64)
def unit_values(layer: str, fill_key: str) -> pd.DataFrame:
    return ulighed.unit_values(bundle(), layer, fill_key)


@st.cache_data(show_spinner=False, max_entries=64)
def kommuner_in_unit(layer: str, unit_id: str, fill_key: str | None) -> pd.DataFrame:
    return ulighed.kommuner_in_unit(bundle(), layer, unit_id, fill_key)


@st.cache_data(show_spinner=False, max_entries=64)
def compare(layer: str, a: str, b: str, lang_: str) -> pd.DataFrame:
    return ulighed.compare_units(bundle(), layer, a, b, lang_)


@st.cache_data(show_spinner=False, max_entries=64)
def overlap(layer_a: str, unit: str, layer_b: str) -> pd.DataFrame:
    return ulighed.overlap(bundle(), layer_a, unit, layer_b)


# The download files below are immutable text and bytes: cache_resource hands out the one copy instead of
# unpickling megabytes of GeoJSON on every rerun of every session (cache_data).
def slug(text: str) -> str:
    """A file-name-safe version of a key: 'ind:sp_daglig_rygning@2025' → 'sp_daglig_rygning-2025'."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text.split(":", 1)[-1]).strip("-")


@st.cache_resource(show_spinner=False, max_entries=32)
def export_text(layer: str, what: str, fmt: str, fill_key: str, on: dt.date | None = None) -> str:
    """GeoJSON or CSV of what is shown: the export frame (regions of the date shown ``on``) with the
    fill's values added (the unit values by the function the map's unit table uses)."""
    frame = export.frame_for(bundle(), layer, what, on=on)
    frame = export.with_fill(bundle(), frame, layer, what, fill_key)
    return export.render(frame, fmt)


@st.cache_resource(show_spinner=False, max_entries=16)
def xlsx_bytes(state: viewstate.MapState, what: str, day: str) -> bytes:
    """The Excel workbook of the view ``state`` (its ``drawn()`` value; see `geo.export.xlsx_for`):
    the table, the map's legend (classes, colours, counts) and the sources, dated ``day``."""
    legend = national_view(state).legend
    return export.xlsx_for(bundle(), state.layer, what, state.fill, dt.date.fromisoformat(day), on=state.on,
                           legend=legend)


@st.cache_resource(show_spinner=False, max_entries=16)
def legend_csv(state: viewstate.MapState) -> str:
    """The legend of the view ``state`` (classes, colours, counts) as CSV (`geo.export.legend_frame`)."""
    return export.to_csv(export.legend_frame(national_view(state).legend))


@st.cache_resource(show_spinner=False, max_entries=16)
def png_bytes(state: viewstate.MapState) -> bytes:
    """The PNG of one map view (title, legend, sources and the date it shows); call it with
    ``state.drawn()`` so a selection does not make another picture."""
    view = national_view(state)
    L = state.lang
    title = f"{fill_label(state.fill, L)} · {layer_names(L)[state.layer]} · {roles.date_text(state.on, L)}"
    cited = (catalog.source_text(view.fill.source, L) if view.fill.source else
             citations.sources_text(bundle().layer(state.layer)['source'], bundle().citations, L))
    source = f"{t('source', L)}: {cited}"
    labels = view.labels  # unit names on the picture, so it can be read on its own (issue 15 item 3)
    if labels is None and view.fill.kind == "category":
        labels = views.unit_labels(bundle(), display(), state.layer)
    return png.render_png(view.areas, view.legend, title=title, source=source, outlines=view.outlines,
                          sites=view.sites, labels=labels)


def download_section(state: viewstate.MapState) -> None:
    """Download buttons for exactly the shown view (GeoJSON, CSV, Excel, PNG)."""
    L = lang()
    layer, fill_key = state.layer, state.fill
    stem = f"klyngekort_{layer}_{slug(fill_key)}"  # the fill key carries its year
    cols = st.columns(3)
    # One column per table (kommuner, units, memberships), each as GeoJSON, CSV and Excel; the
    # regions are those of the date shown, the Excel files carry the map's legend as a sheet.
    labels = {"geojson": "dl_{what}", "csv": "dl_csv_{what}", "xlsx": "dl_xlsx_{what}"}
    mimes = {"geojson": "application/geo+json", "csv": "text/csv",
             "xlsx": XLSX_MIME}
    shown = state.drawn()
    for col, what in zip(cols, export.WHATS, strict=True):
        for fmt in ("geojson", "csv", "xlsx"):
            data = (xlsx_bytes(shown, what, dt.date.today().isoformat()) if fmt == "xlsx"
                    else export_text(layer, what, fmt, fill_key, state.on))
            col.download_button(t(labels[fmt].format(what=what), L), data=data, file_name=f"{stem}_{what}.{fmt}",
                                mime=mimes[fmt], key=f"dl_{what}_{fmt}", on_click="ignore")
    cols[0].download_button(t("dl_legend_csv", L), data=legend_csv(shown), file_name=f"{stem}_legend.csv",
                            mime="text/csv", key="dl_legend_csv", on_click="ignore")
    cols[1].download_button(t("dl_png", L), data=png_bytes(shown),
                            file_name=f"{stem}.png", mime="image/png", key="dl_png", on_click="ignore")
    st.caption(t("dl_note", L))
    st.caption(t("dl_formats_note", L))


def legend_html(rows: list[LegendRow], hover: bool = False) -> str:
    """The legend as accessible HTML: a swatch, the label in text and the count. With ``hover`` each
    entry outlines its unit on a map drawn with `geo.mapbuild.add_legend_hover` while hovered or focused."""
    items = []
    for row in rows:
        attrs = f" {mapbuild.legend_item_attrs(row.label)}" if hover else ""
        swatch = (f'<span aria-hidden="true" style="display:inline-block;width:1.4em;height:1em;'
                  f'background:{row.colour};border:1px solid #555;vertical-align:middle;'
                  f'margin-right:.4em"></span>')
        items.append(f"<li{attrs}>{swatch}{safe.html_in_md(row.label)} <small>({row.count})</small></li>")
    return '<ul style="list-style:none;padding-left:0;margin:0;columns:15rem auto">' + "".join(items) + "</ul>"


def confidence_counts(rows: pd.DataFrame) -> str:
    """'høj 45 · middel 52 · lav 2' for a set of table rows."""
    counts = rows["confidence"].value_counts()
    return " · ".join(f"{readable.confidence_word(c, lang())} {number(int(counts.get(c, 0)), 0, lang())}"
                      for c in ("high", "medium", "low"))


def value_text(value, fill: catalog.Fill) -> str:
    """A value formatted for the session's locale with the fill's decimals."""
    return number(value, decimals_for(fill.unit, fill.kind), lang())


def values_text(values, keys) -> list[str]:
    """Format each value with the fill of the same row (``keys`` are fill keys)."""
    all_fills = fills()
    return [value_text(v, all_fills[k]) for v, k in zip(values, keys, strict=True)]


def link_to_downloads() -> None:
    """A link to the Data page that keeps the session (and so the shown choice).

    Without st.navigation (a page run on its own, as in per-page tests) there is nothing to link to.
    """
    with contextlib.suppress(st.errors.StreamlitAPIException):
        st.page_link("pages/4_data.py", label=t("downloads", lang()), icon="⬇️")


# --- plans: Scenarier and Sammenlign (issue 9) -------------------------------------------------

@st.cache_resource(show_spinner=False)
def plan_context() -> plans.Context:
    """What every plan's metrics share (neighbour graph, distances, indicator matrices), once per process."""
    return plans.build_context(bundle())


def scenario_token() -> str:
    """This session's scenario changes as a URL token ('' when there are none); ValueError if bad."""
    return plans.encode_changes([plans.parse_change(c) for c in st.session_state.get("sc_changes", [])])


@st.cache_resource(show_spinner=False, max_entries=16)
def scenario_areas(base: str, token: str, lang_: str):
    """The scenario's map areas and legend (`geo.planview.plan_areas`), cached per base and token."""
    plan = scenario_plan(base, token)
    moved = plans.changed_kommuner(plans.layer_plan(bundle(), base), plan)
    return planview.plan_areas(bundle(), display().kommuner, display().sub_areas, plan, moved, lang_)


def scenario_plan(base: str, token: str) -> plans.Plan:
    """The plan of a base layer with the changes of a URL token applied (ValueError if the token is bad)."""
    return _scenario_plan(base, token, lang())


# Plans and their metrics are shared (cache_resource, read only): one change on Scenarier computes the
# changed plan's metrics once per process; the base layer's plan and metrics are computed once.
@st.cache_resource(show_spinner=False, max_entries=32)
def _scenario_plan(base: str, token: str, lang_: str) -> plans.Plan:
    start = base_plan(base)
    changes = plans.decode_changes(token) if token else []
    name = t("sc_scenario_name", lang_, base=layer_names(lang_)[base]) if changes else start.name
    return plans.apply_changes(start, changes, plan_context(), name=name)


@st.cache_resource(show_spinner=False, max_entries=16)
def base_plan(base: str) -> plans.Plan:
    """The plan of a layer as it is (`geo.plans.layer_plan`), once per process."""
    return plans.layer_plan(bundle(), base)


@st.cache_resource(show_spinner=False, max_entries=16)
def base_metrics(base: str):
    """`geo.plans.unit_metrics` of a layer's own plan, once per process."""
    return plans.unit_metrics(plan_context(), base_plan(base))


@st.cache_resource(show_spinner=False, max_entries=32)
def scenario_metrics(base: str, token: str) -> tuple[list[str], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The moved kommuner and the unit metrics before and after the token's changes, and the change
    (`geo.plans.metrics_change`); read only."""
    plan = _scenario_plan(base, token, "da")  # the metrics do not depend on the plan's name
    before = base_metrics(base)
    after = plans.unit_metrics(plan_context(), plan) if token else before
    return plans.changed_kommuner(base_plan(base), plan), before, after, plans.metrics_change(before, after)


def scenario_downloads(base: str, token: str, lang_: str) -> tuple[str, str, bytes]:
    """The scenario as assignment CSV, GeoJSON (one feature per kommune part) and PNG."""
    return _scenario_files(base, token, lang_, bundle(), _scenario_plan(base, token, lang_), base_plan(base))


@st.cache_resource(show_spinner=False, max_entries=16)
def _scenario_files(base: str, token: str, lang_: str, _bundle: Bundle, _plan: plans.Plan,
                    _start: plans.Plan) -> tuple[str, str, bytes]:
    """`scenario_downloads`, cached by (base, token, language); the objects are passed in, not read from
    the session, so a deferred download (`scenario_download`) can make them outside the script run."""
    moved = plans.changed_kommuner(_start, _plan)
    areas, legend = planview.plan_areas(_bundle, _bundle.kommuner, _bundle.sub_areas, _plan, moved, lang_)
    geojson = export.to_geojson(areas.drop(columns=["colour", "tip"]))
    image = png.render_png(areas, legend, title=_plan.name, source=f"{t('source', lang_)}: {_plan.layer} + scenario")
    return plans.to_assignment_csv(_plan), geojson, image


def scenario_download(base: str, token: str, lang_: str, index: int):
    """One file of `scenario_downloads` (0 CSV, 1 GeoJSON, 2 PNG) as a download button's deferred data:
    made when the reader clicks, not on every change (the PNG and the full-detail GeoJSON were two
    thirds of a change's CPU). Streamlit calls it on another thread, outside the script run, so it
    holds what it needs instead of reading the session."""
    args = (base, token, lang_, bundle(), _scenario_plan(base, token, lang_), base_plan(base))
    return lambda: _scenario_files(*args)[index]


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scenario_metrics_files(frame: pd.DataFrame, base: str, token: str, year: int, day: str):
    """The scenario's unit metrics (``frame``: `geo.planview.metrics_frame`, what the page's table shows)
    as CSV text (cheap, given at once) and an Excel workbook made when its button is clicked (sheets
    ``metrics`` and ``sources``, dated ``day``): ``(csv_text, make_xlsx)``."""
    changes = [c.text() for c in plans.decode_changes(token)] if token else []
    sources = planview.metrics_sources(bundle(), base, changes, year, dt.date.fromisoformat(day))
    return export.to_csv(frame), lambda: export.to_xlsx(frame, sources, sheet="metrics")


def link_to_compare(a: str, b: str | None = None, unit: str | None = None) -> None:
    """A link to Sammenlign with layer ``a`` (and ``b``, and a unit to point at); nothing without navigation."""
    params = {"a": a} | ({"b": b} if b else {}) | ({"unit": unit} if unit else {})
    with contextlib.suppress(st.errors.StreamlitAPIException):
        st.page_link("pages/7_sammenlign.py", label=t("cmp_link", lang()), icon="↔️", query_params=params)


# --- Egne tal (issue 14): a kommune table of one's own ------------------------------------------
# The uploaded table itself lives in st.session_state only (pages/8_egne_tal.py); what is cached here
# is the bundle's own geography, the same for every session.
from geo import owndata  # noqa: E402

TRANSLATED_WIDGET_PREFIXES = (*TRANSLATED_WIDGET_PREFIXES, "own_")
UNTRANSLATED_WIDGETS = (*UNTRANSLATED_WIDGETS, "own_map", "own_upload")


@st.cache_resource(show_spinner=False)
def _own_geography(directory: str, tables: str) -> owndata.Geography:
    return owndata.Geography.of(_load(directory, tables))


def own_geography() -> owndata.Geography:
    """Every layer's memberships, unit names and population years, prepared once per process."""
    b = bundle()
    return _own_geography(str(b.sources_dir), str(data_dir()))


# --- Fra klynge til sundhedsråd (issue 12, item 5) ----------------------------------------------

SYNC_URL = "/app/static/vendor/leaflet-sync"  # Leaflet.Sync, installed by scripts/setup.sh (geo.assets)


def sync_url() -> str | None:
    """Where the app serves Leaflet.Sync, or None when it was not installed (the maps then move on their own)."""
    return None if assets.sync_missing() else SYNC_URL


@st.cache_data(show_spinner=False, max_entries=8)
def crosswalk_table(old: str, new: str) -> pd.DataFrame:
    """The crosswalk from layer ``old`` to ``new`` in the latest population year (`geo.crosswalk.crosswalk`)."""
    return crosswalk.crosswalk(bundle(), old, new)


@st.cache_data(show_spinner=False, max_entries=8)
def crosswalk_file(old: str, new: str, fmt_: str, day: dt.date) -> str | bytes:
    """The crosswalk as CSV (the bytes of ``python -m geo export --what crosswalk``) or XLSX dated ``day``."""
    return export.crosswalk_export(bundle(), old, new, fmt_, created=day)



# --- Maps rendered once per view (issue 16) ------------------------------------------------------
# st_folium renders the folium map (folium, branca and Jinja compiling its templates) on every run of
# every session: about two thirds of a Min kommune visit's CPU. The map of a view is the same for
# everyone, so what st_folium sends for it (`DrawnMap`) is rendered once per view and process, keyed by
# the view value, and sent by `show_map`; a highlight (a selected kommune or unit) is a small feature
# group script of its own (`highlight_script`), so selecting reuses the drawn map.
import hashlib  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import folium  # noqa: E402
import streamlit_folium  # noqa: E402

_capture = threading.local()
_send_component = getattr(streamlit_folium._component_func, "klyngekort_sends", streamlit_folium._component_func)


def _capturing_component(**kwargs):
    """streamlit_folium's component function, which hands its arguments to `_captured` instead of the
    browser while this thread is rendering a map for the cache (other threads are not affected)."""
    sink = getattr(_capture, "sink", None)
    if sink is None:
        return _send_component(**kwargs)
    sink.update(kwargs)
    return None


_capturing_component.klyngekort_sends = _send_component
streamlit_folium._component_func = _capturing_component


def _captured(fig, feature_group_to_add=None) -> dict:
    """The arguments st_folium would send for ``fig`` (rendered by streamlit_folium itself, so the map
    is exactly what st_folium draws); nothing is sent."""
    _capture.sink = sink = {}
    try:
        streamlit_folium.st_folium(fig, key="klyngekort", returned_objects=None,
                                   feature_group_to_add=feature_group_to_add)
    finally:
        _capture.sink = None
    return sink


@dataclass(frozen=True)
class DrawnMap:
    """One folium map as st_folium sends it (script, header, html, links, default return value)."""

    script: str
    header: str
    html: str
    id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    default: dict
    digest: str

    @classmethod
    def of(cls, fig) -> DrawnMap:
        args = _captured(fig)
        return cls(script=args["script"], header=args["header"], html=args["html"], id=args["id"],
                   css_links=tuple(args["css_links"]), js_links=tuple(args["js_links"]), default=args["default"],
                   digest=hashlib.sha256(args["script"].encode()).hexdigest())


def show_map(drawn: DrawnMap, *, key: str, height: int, returned_objects: list[str],
             feature_group: str | None = None, on_change=None):
    """Draw a `DrawnMap` the way ``st_folium(..., use_container_width=True)`` draws its map, with the
    highlight script ``feature_group`` (`highlight_script`) added on top; ``st.session_state[key]`` holds
    what the map returns, as with st_folium."""
    hash_key = hashlib.sha256(f"{drawn.digest}|{key}".encode()).hexdigest()

    def _on_change():
        st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    return _send_component(
        script=drawn.script, header=drawn.header, html=drawn.html, id=drawn.id, key=hash_key, height=height,
        width=None, returned_objects=returned_objects,
        default={k: v for k, v in drawn.default.items() if k in returned_objects}, zoom=None, center=None,
        feature_group=feature_group, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=list(drawn.css_links), js_links=list(drawn.js_links), on_change=_on_change, wrap_longitude=False,
    )


@st.cache_resource(show_spinner=False, max_entries=48)
def national_map(state: viewstate.MapState, bounds: tuple | None = None, basemap: bool = False,
                 legend_hover: bool = False) -> DrawnMap:
    """The national map of one view (`national_view`; pass ``state.drawn()``), fitted to ``bounds``
    (((south, west), (north, east)); default Denmark), rendered once per process. With
    ``legend_hover`` (a membership map), hovering a legend entry (`legend_html(..., hover=True)`)
    outlines its unit."""
    view = national_view(state)
    fmap = mapbuild.build_map(view.areas, assets_url=LEAFLET_URL, outlines=view.outlines, sites=view.sites,
                              basemap=basemap, labels=view.labels,
                              bounds=[list(corner) for corner in bounds] if bounds else None)
    if legend_hover:
        mapbuild.add_legend_hover(fmap, unit_shapes(state.layer).rename(columns={"unit_navn": "label"}))
    return DrawnMap.of(fmap)


@st.cache_resource(show_spinner=False, max_entries=256)
def highlight_script(*specs: tuple) -> str:
    """The st_folium feature-group script that outlines, on top of a drawn map, each of ``specs``:
    ``("kommune", (code, ...))`` in red, ``("unit", layer, unit_id)`` in black."""
    groups = []
    for spec in specs:
        if spec[0] == "kommune":
            shape = display().kommuner
            groups.append(mapbuild.highlight_group(shape[shape["kommune_kode"].isin(spec[1])]))
        else:
            shapes = unit_shapes(spec[1])
            groups.append(mapbuild.highlight_group(shapes[shapes["unit_id"] == spec[2]], kind="unit"))
    return _captured(folium.Map(tiles=None), feature_group_to_add=groups)["feature_group"]


@st.cache_data(show_spinner=False, max_entries=256)
def map_bounds(layer: str, unit_ids: tuple[str, ...]) -> tuple:
    """`geo.views.unit_bounds` of the units as a hashable value (a cache key of `national_map`)."""
    return tuple(tuple(corner) for corner in views.unit_bounds(bundle(), display(), layer, list(unit_ids)))


@st.cache_resource(show_spinner=False, max_entries=16)
def scenario_map(base: str, token: str, lang_: str) -> DrawnMap:
    """The scenario's map (`scenario_areas`), rendered once per process."""
    areas, _legend = scenario_areas(base, token, lang_)
    # the main map's colours (scenario_areas), unit labels, and a legend whose entries outline their unit
    units = model.unit_geometries(areas)
    labels = mapbuild.label_points(units).assign(text=lambda f: [views.short_name(n) for n in f["unit_navn"]])
    fmap = mapbuild.build_map(areas, assets_url=LEAFLET_URL, labels=labels)
    mapbuild.add_legend_hover(fmap, units.rename(columns={"unit_navn": "label"}))
    return DrawnMap.of(fmap)


# --- issue 13: the datapakke (printable PDF profile) on Min kommune and the Klynger profile ----------------
_PDF_LOCK = threading.Lock()  # one PDF at a time per process (matplotlib and WeasyPrint state)


@st.cache_resource(show_spinner=False)
def _profile_context(directory: str, tables: str):
    from geo import profile_doc

    return profile_doc.Context.of(_load(directory, tables))


@st.cache_data(show_spinner=False, max_entries=32)
def profile_pdf(kind: str, ident: str, day: dt.date, year: int | None, lang_: str) -> bytes:
    """The datapakke of a kommune (``ident`` = kode) or a unit (``ident`` = 'layer/unit_id') as on ``day``,
    cached per (kind, id, date, year, language)."""
    from geo import profile_doc

    with _PDF_LOCK:
        ctx = _profile_context(str(sources_dir()), str(data_dir()))
        if kind == "kommune":
            return profile_doc.kommune_pdf(ctx, ident, lang_, day, year)
        layer, unit = ident.split("/", 1)
        return profile_doc.unit_pdf(ctx, layer, unit, lang_, day, year)


def profile_pdf_button(kind: str, ident: str, year: int | None = None) -> None:
    """A download button for the datapakke; the PDF is made when the button is clicked (deferred).
    Without WeasyPrint or Pango the page says so instead (st.error)."""
    from geo import profile_doc

    L, day = lang(), on()
    try:
        profile_doc.engine()
    except KlyngekortError as exc:
        st.error(t("pdf_error", L, error=safe.md(exc)))
        return
    st.download_button(t("pdf_download", L), data=lambda: profile_pdf(kind, ident, day, year, L),
                       file_name=f"datapakke_{slug(ident.replace('/', '_'))}_{day.isoformat()}_{L}.pdf",
                       mime="application/pdf", key=f"dl_pdf_{kind}", help=t("pdf_download_help", L),
                       on_click="ignore", icon=":material/picture_as_pdf:")


def uploader_in_language(lang_: str) -> None:
    """Put the page's words on Streamlit's file uploaders, which draw their button ("Upload") and limit
    ("2MB per file") in English only.

    On Danish pages a style hides those two texts (so screen readers skip them too) and writes
    "Vælg fil" and "Højst 2 MB pr. fil" in their place; the limit is `geo.tables.UPLOAD_MAX_MB`, the one
    ``server.maxUploadSize`` enforces. English pages keep Streamlit's own words, which are right there.
    """
    if lang_ == "en":
        return
    from geo.tables import UPLOAD_MAX_MB

    def css_text(text: str) -> str:
        return '"' + "".join(c if c.isalnum() or c in " .,-" else f"\\{ord(c):x} " for c in text) + '"'

    zone = "[data-testid=stFileUploaderDropzone]"
    hint = "[data-testid=stFileUploaderDropzoneInstructions]"
    st.html(f"<style>{zone} button [data-testid=stMarkdownContainer]{{display:none}}"
            f"{zone} button>div>span::after{{content:{css_text(t('upload_button', lang_))}}}"
            f"{hint} span{{display:none}}"
            f"{hint}>div::after{{content:{css_text(t('upload_limit', lang_, mb=str(UPLOAD_MAX_MB)))}}}</style>")


# --- issue 16: more views drawn once (map page selection, transition, Sammenlign) ---------------------
@st.cache_resource(show_spinner=False, max_entries=16)
def membership_table(layer: str, lang_: str, day: dt.date) -> pd.DataFrame:
    """`geo.views.membership_table` indexed by kommune code, once per (layer, language, date); read only."""
    return views.membership_table(bundle(), layer, lang=lang_, on=day).set_index("kommune_kode")


@st.cache_resource(show_spinner=False, max_entries=32)
def transition_map(old: str, new: str, mode: str, choice: str | None, day: dt.date, lang_: str,
                   sync: str | None) -> DrawnMap:
    """The transition page's two synchronised maps (layers ``old`` and ``new``), fitted to and outlining
    ``choice`` (a kommune code, or a unit of ``old`` for mode 'fra', of ``new`` for 'til'), rendered once."""
    b, d = bundle(), display()
    bounds, outline = None, None
    if choice is not None:
        old_units, new_units = crosswalk.units_of(crosswalk.rows_for(crosswalk_table(old, new), mode, choice))
        bounds = mapbuild.bounds_union([views.unit_bounds(b, d, old, old_units),
                                        views.unit_bounds(b, d, new, new_units)])
        if mode == "kommune":
            outline = d.kommuner[d.kommuner["kommune_kode"] == choice]
        else:
            shapes = unit_shapes(old if mode == "fra" else new)
            outline = shapes[shapes["unit_id"] == choice]
    sides = []
    for layer in (old, new):
        view = national_view(viewstate.MapState(layer=layer, on=day, lang=lang_, labels=True))
        spec = {"areas": view.areas, "sites": view.sites, "labels": view.labels}
        if outline is not None:
            spec["highlight"] = mapbuild.highlight_group(outline, kind="kommune" if mode == "kommune" else "unit")
        sides.append(spec)
    return DrawnMap.of(mapbuild.build_dual_map(sides[0], sides[1], assets_url=LEAFLET_URL, sync_url=sync,
                                               bounds=bounds))


@st.cache_resource(show_spinner=False, max_entries=32)
def comparison(a: str, b: str, base: str | None, token: str, lang_: str) -> plans.Comparison:
    """`geo.plans.compare` of two layers, or of a layer and the session's scenario (``viewstate.CompareState.SCENARIO``,
    the changes ``token`` applied to ``base``), once per process; read only."""
    def plan(key: str) -> plans.Plan:
        return _scenario_plan(base, token, lang_) if key == viewstate.CompareState.SCENARIO else base_plan(key)

    return plans.compare(plan_context(), plan(a), plan(b))


@st.cache_resource(show_spinner=False, max_entries=32)
def mismatch_map(a: str, b: str, base: str | None, token: str, lang_: str) -> DrawnMap:
    """Sammenlign's mismatch map of `comparison`, rendered once."""
    areas = planview.mismatch_areas(display().kommuner, comparison(a, b, base, token, lang_), lang_)
    return DrawnMap.of(mapbuild.build_map(areas, assets_url=LEAFLET_URL))


# Distances to hospitals reproject the sites on every call: a third of a Min kommune visit's CPU.
@st.cache_resource(show_spinner=False, max_entries=2 * 98)
def hospitals_of(kode: str, layer: str) -> pd.DataFrame:
    """`geo.profile.hospitals_of`, once per (kommune, layer) and process; read only."""
    return profile.hospitals_of(bundle(), kode, layer)


@st.cache_resource(show_spinner=False, max_entries=98)
def nearest_acute(kode: str) -> pd.Series | None:
    """`geo.profile.nearest_acute`, once per kommune and process; read only."""
    return profile.nearest_acute(bundle(), kode)


@st.cache_resource(show_spinner=False, max_entries=32)
def scenario_metrics_table(base: str, token: str, lang_: str, indicator: str) -> pd.DataFrame:
    """Scenarier's table of unit metrics (`geo.planview.metrics_table`), once per (scenario, language,
    indicator): formatting it was a fifth of a rerun's CPU; read only."""
    _moved, before, after, change = scenario_metrics(base, token)
    return planview.metrics_table(change, after, lang_, before, indicator, fill_label(indicator, lang_))


def wrapping_buttons(key: str):
    """A horizontal, wrapping container whose buttons show their whole label on as many lines as it
    needs: Streamlit cuts a button label wider than the screen with "…" (the Sammenlign presets on a
    390 px phone). Style only, no markup from data; the key names the container (``st-key-<key>``)."""
    st.html(f"<style>.st-key-{key} button [data-testid=stMarkdownContainer],.st-key-{key} button p"
            "{white-space:normal;overflow:visible;text-overflow:clip;text-align:left}"
            f".st-key-{key} button{{height:auto;max-width:100%}}</style>")
    return st.container(horizontal=True, wrap=True, key=key)
