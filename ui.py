"""What every page shares: language, cached loaders and views, legend, downloads, error display."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
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


DATE_INPUT_CSS = ("<style>[data-testid='stDateInput'] [role='spinbutton']{display:inline-block;min-width:24px;"
                  "min-height:24px;line-height:24px;text-align:center}</style>")


def date_switch() -> None:
    """The date picker in the sidebar ("Vis som på dato"); the date is kept in the URL (``?dato=``)
    unless it is today, so a shared link without a date always shows its reader's today."""
    L = lang()
    st.session_state.dato_choice = on()
    # The picker's day and month fields are 18 px wide: at least 24 × 24 px so they are easy to hit
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


def bundle() -> Bundle:
    """The validated bundle; on bad data show the message and stop the page."""
    try:
        with st.spinner(t("loading", lang())):
            return _load(str(sources_dir()), str(data_dir()))
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
    """One clear message per URL parameter whose value was not valid (data, so escaped)."""
    for p in problems:
        if p.param == "kommune":
            st.error(t("kommune_unknown", lang(), code=safe.md(p.value)))
        else:
            st.error(t("url_unknown", lang(), param=safe.md(p.param), value=safe.md(p.value)))


# A map view holds the display geometry of its layer: 16 choices stay warm, not every
# combination of layer × fill × scheme × k × palette anyone ever tried.
def national_view(state: viewstate.MapState) -> views.MapView:
    """`geo.views.national_view` of one view value, cached by what it draws (`MapState.drawn`: selecting a
    kommune or highlighting a unit reuses the view)."""
    return _national_view(state.drawn())


@st.cache_data(show_spinner=False, max_entries=16)
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


def slug(text: str) -> str:
    """A file-name-safe version of a key: 'ind:sp_daglig_rygning@2025' → 'sp_daglig_rygning-2025'."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text.split(":", 1)[-1]).strip("-")


@st.cache_data(show_spinner=False, max_entries=32)
def export_text(layer: str, what: str, fmt: str, fill_key: str) -> str:
    """GeoJSON or CSV of what is shown: the export frame with the fill's values added."""
    frame = export.frame_for(bundle(), layer, what)
    frame = export.with_fill(bundle(), frame, layer, what, fill_key)
    return export.render(frame, fmt)


@st.cache_data(show_spinner=False, max_entries=16)
def xlsx_bytes(layer: str, what: str, fill_key: str, day: str) -> bytes:
    """The Excel workbook of what is shown (see `geo.export.xlsx_for`), dated ``day``."""
    return export.xlsx_for(bundle(), layer, what, fill_key, dt.date.fromisoformat(day))


@st.cache_data(show_spinner=False, max_entries=16)
def png_bytes(state: viewstate.MapState) -> bytes:
    """The PNG of one map view (title, legend, sources and the date it shows); call it with
    ``state.drawn()`` so a selection does not make another picture."""
    view = national_view(state)
    L = state.lang
    title = f"{fill_label(state.fill, L)} · {layer_names(L)[state.layer]} · {roles.date_text(state.on, L)}"
    cited = (catalog.source_text(view.fill.source, L) if view.fill.source else
             citations.sources_text(bundle().layer(state.layer)['source'], bundle().citations, L))
    source = f"{t('source', L)}: {cited}"
    return png.render_png(view.areas, view.legend, title=title, source=source, outlines=view.outlines,
                          sites=view.sites)


def download_section(state: viewstate.MapState) -> None:
    """Download buttons for exactly the shown view (GeoJSON, CSV, Excel, PNG)."""
    L = lang()
    layer, fill_key = state.layer, state.fill
    stem = f"klyngekort_{layer}_{slug(fill_key)}"  # the fill key carries its year
    cols = st.columns(3)
    buttons = [
        ("dl_kommuner", "kommuner", "geojson"), ("dl_units", "units", "geojson"),
        ("dl_memberships", "memberships", "geojson"), ("dl_csv_kommuner", "kommuner", "csv"),
        ("dl_csv_units", "units", "csv"),
    ]
    for i, (label, what, fmt) in enumerate(buttons):
        ext = "geojson" if fmt == "geojson" else "csv"
        mime = "application/geo+json" if fmt == "geojson" else "text/csv"
        cols[i % 3].download_button(
            t(label, L), data=export_text(layer, what, fmt, fill_key), file_name=f"{stem}_{what}.{ext}",
            mime=mime, key=f"dl_{what}_{fmt}", on_click="ignore",
        )
    xlsx_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    for i, what in enumerate(("kommuner", "units")):
        cols[i].download_button(
            t(f"dl_xlsx_{what}", L), data=xlsx_bytes(layer, what, fill_key, dt.date.today().isoformat()),
            file_name=f"{stem}_{what}.xlsx", mime=xlsx_mime, key=f"dl_{what}_xlsx", on_click="ignore",
        )
    cols[2].download_button(t("dl_png", L), data=png_bytes(state.drawn()),
                            file_name=f"{stem}.png", mime="image/png", key="dl_png", on_click="ignore")
    st.caption(t("dl_note", L))
    st.caption(t("dl_formats_note", L))


def legend_html(rows: list[LegendRow]) -> str:
    """The legend as accessible HTML: a swatch, the label in text and the count."""
    items = []
    for row in rows:
        swatch = (f'<span aria-hidden="true" style="display:inline-block;width:1.4em;height:1em;'
                  f'background:{row.colour};border:1px solid #555;vertical-align:middle;'
                  f'margin-right:.4em"></span>')
        items.append(f"<li>{swatch}{safe.html_in_md(row.label)} <small>({row.count})</small></li>")
    return '<ul style="list-style:none;padding-left:0;margin:0">' + "".join(items) + "</ul>"


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


@st.cache_data(show_spinner=False, max_entries=16)
def scenario_areas(base: str, token: str, lang_: str):
    """The scenario's map areas and legend (`geo.planview.plan_areas`), cached per base and token."""
    plan = scenario_plan(base, token)
    moved = plans.changed_kommuner(plans.layer_plan(bundle(), base), plan)
    return planview.plan_areas(bundle(), display().kommuner, display().sub_areas, plan, moved, lang_)


def scenario_plan(base: str, token: str) -> plans.Plan:
    """The plan of a base layer with the changes of a URL token applied (ValueError if the token is bad)."""
    start = plans.layer_plan(bundle(), base)
    changes = plans.decode_changes(token) if token else []
    name = t("sc_scenario_name", lang(), base=layer_names()[base]) if changes else start.name
    return plans.apply_changes(start, changes, plan_context(), name=name)


@st.cache_data(show_spinner=False, max_entries=16)
def scenario_downloads(base: str, token: str, lang_: str) -> tuple[str, str, bytes]:
    """The scenario as assignment CSV, GeoJSON (one feature per kommune part) and PNG."""
    plan = scenario_plan(base, token)
    moved = plans.changed_kommuner(plans.layer_plan(bundle(), base), plan)
    areas, legend = planview.plan_areas(bundle(), bundle().kommuner, bundle().sub_areas, plan, moved, lang_)
    geojson = export.to_geojson(areas.drop(columns=["colour", "tip"]))
    image = png.render_png(areas, legend, title=plan.name, source=f"{t('source', lang_)}: {plan.layer} + scenario")
    return plans.to_assignment_csv(plan), geojson, image


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

