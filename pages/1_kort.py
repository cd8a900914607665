"""Danmarkskort: a layer filled by membership, population or an indicator; click a kommune."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import ui
from geo import fmt, roles, safe, views, viewstate
from geo.catalog import source_text, year_text
from geo.classify import K_RANGE, MAX_BREAKS, PALETTES, SCHEMES, BreaksError, parse_breaks
from geo.fmt import number
from geo.i18n import t
from geo.viewstate import MapState

ui.through_app()
L = ui.lang()
b = ui.bundle()
fills = ui.fills()
layers = ui.layer_names()
kommuner = ui.kommune_names()
reg = ui.registries()
day = ui.on()

# The view is one value (`geo.viewstate.MapState`), read from the URL on the session's first visit and
# kept in a session key no widget owns, so it outlives a visit to another page (Streamlit drops the
# state of widgets a page does not draw). The widgets are filled from it whenever they lack a value.
if "map_state" not in st.session_state:
    first, problems = MapState.from_query(st.query_params, reg, ui.common())
    st.session_state.map_state, st.session_state.kort_first, st.session_state.kort_problems = first, first, problems
shown = replace(st.session_state.map_state, on=day, lang=L)
restore = {
    "kort_layer": shown.layer, "kort_fill": shown.fill, "kort_level": shown.level, "kort_scheme": shown.scheme,
    "kort_k": shown.k, "kort_palette": shown.palette, "kort_overlay": shown.overlay, "kort_kommune": shown.kommune,
    f"kort_unit_{shown.layer}": shown.unit, "kort_breaks": "; ".join(fmt.plain(v) for v in shown.breaks or ()),
    "kort_hosp": "hospitals" in shown.markers, "kort_psych": "psychiatry" in shown.markers,
    "kort_labels_category": shown.show_labels if shown.fill == "membership" else True,
    "kort_labels_numeric": shown.show_labels if shown.fill != "membership" else False,
}
for key, value in restore.items():
    st.session_state.setdefault(key, value)


def _on_map_click() -> None:
    clicked = (st.session_state.get("kort_map") or {}).get("last_object_clicked_tooltip")
    code = views.code_from_tooltip(clicked)
    if code in kommuner:
        st.session_state.kort_kommune = code


def _on_table_select() -> None:
    """A selected table row highlights its unit (units level) or selects its kommune."""
    rows = st.session_state.kort_table.selection.rows
    table = ui.national_view(st.session_state.map_state).table
    if not rows:
        return
    row = table.iloc[rows[0]]
    if "unit_id" in table.columns:
        st.session_state[f"kort_unit_{st.session_state.kort_layer}"] = row["unit_id"]
    elif row["kommune_kode"] in kommuner:
        st.session_state.kort_kommune = row["kommune_kode"]


with st.sidebar:
    layer = st.selectbox(t("layer", L), list(layers), format_func=lambda v: ui.layer_label(v, L, day),
                         key="kort_layer")
    fill_key = st.selectbox(t("fill", L), list(fills), key="kort_fill", format_func=lambda k: ui.fill_choice(k, L))
    fill = fills[fill_key]
    level, scheme, k, palette, breaks = "kommuner", "quantiles", 5, "blues", None
    if fill.kind != "category":
        level = st.radio(t("level", L), list(views.LEVELS), key="kort_level",
                         format_func=lambda v: views.LEVELS[v][0 if L == "da" else 1])
        scheme = st.selectbox(t("scheme", L), list(SCHEMES), key="kort_scheme",
                              format_func=lambda s: SCHEMES[s][0 if L == "da" else 1])
        if scheme == "user_defined":
            text = st.text_input(t("breaks", L), key="kort_breaks", placeholder="8; 10; 12; 15")
            try:
                breaks = parse_breaks(text)
            except BreaksError as exc:
                st.error(t(f"bad_breaks_{exc.reason}", L, value=safe.md(exc.value), max=str(MAX_BREAKS)))
            if not breaks:
                scheme = "quantiles"
        else:
            k = st.slider(t("k", L), *K_RANGE, key="kort_k")
        palette = st.selectbox(t("palette", L), list(PALETTES), key="kort_palette",
                               format_func=lambda p: PALETTES[p][0 if L == "da" else 1])
    overlay = st.selectbox(t("overlay", L), [None, *layers], key="kort_overlay", placeholder=t("none", L),
                           format_func=lambda v: t("none", L) if v is None else ui.layer_label(v, L, day))
    show_hospitals = st.checkbox(t("show_hospitals", L), key="kort_hosp")
    show_psych = st.checkbox(t("show_psych", L), key="kort_psych")
    basemap = st.checkbox(t("basemap", L), value=False, key="kort_basemap", help=t("basemap_help", L))

markers = tuple(g for g, chosen in (("hospitals", show_hospitals), ("psychiatry", show_psych)) if chosen)
units = ui.unit_names(layer)
labels_key = "kort_labels_category" if fill.kind == "category" else "kort_labels_numeric"
unit_key = f"kort_unit_{layer}"
if st.session_state.get(unit_key) not in units:
    st.session_state[unit_key] = None
selected = st.session_state.get("kort_kommune")
highlighted = st.session_state.get(unit_key)
state = MapState(layer=layer, on=day, lang=L, fill=fill_key, level=level, scheme=scheme, k=k, palette=palette,
                 breaks=breaks, overlay=overlay, kommune=selected, unit=highlighted,
                 labels=st.session_state[labels_key], markers=markers).normalised()
st.session_state.map_state = state
layer_row = b.layer(layer)
st.title(t("map_title", L))
status = viewstate.layer_status_text(b.registry.entry(layer), day, L)
# The date is in the sidebar; the caption repeats it only when the map shows another day than today.
dated = "" if day == roles.today() else f" · {t('date_shown', L, date=roles.date_text(day, L))}"
st.caption(f"**{safe.md(layers[layer])}**{' (' + safe.md(status) + ')' if status else ''} — "
           f"{safe.md(layer_row['description_' + L])}{dated}")
ui.show_url_problems(st.session_state.get("kort_problems", []))

try:
    view = ui.national_view(state)
    drawn = ui.national_map(state.drawn(), None, basemap, legend_hover=fill.kind == "category")
except ValueError as exc:
    st.error(safe.md(exc))
    st.stop()

# A selected kommune or highlighted unit is drawn on top of the view's map (which stays cached).
extra = ([("unit", layer, highlighted)] if highlighted else []) + ([("kommune", (selected,))] if selected else [])

# The map first, the answer beside it (on a phone: under the map, before the legend).
col_map, col_side = st.columns([5, 2])
with col_map:
    ui.show_map(drawn, key="kort_map", height=640, returned_objects=["last_object_clicked_tooltip"],
                feature_group=ui.highlight_script(*extra) if extra else None, on_change=_on_map_click)
with col_side:
    st.selectbox(t("pick_kommune", L), [None, *kommuner], key="kort_kommune", placeholder=ui.placeholder(),
                 format_func=lambda c: "—" if c is None else f"{kommuner[c]} ({c})")
    if selected:
        row = ui.membership_table(layer, L, day).loc[selected]
        heading = t("selected_memberships", L, navn=kommuner[selected], kode=selected, layer=layers[layer])
        st.markdown(f"**{safe.md(heading)}**")
        st.markdown("\n".join(f"- {safe.md(line)}" for line in row["lines"]))
    else:
        st.info(t("click_hint", L), icon=":material/touch_app:")
    st.selectbox(t("highlight_unit", L), [None, *units], key=unit_key, placeholder=t("none", L),
                 format_func=lambda u: "—" if u is None else units[u])
    st.checkbox(t("show_labels", L), key=labels_key)
    st.markdown(f"**{t('legend', L)}**")
    st.markdown(ui.legend_html(view.legend, hover=fill.kind == "category"), unsafe_allow_html=True)
    if fill.kind == "category":
        members = b.assignments[b.assignments["layer"] == layer]
        st.caption(f"{t('confidence_of_layer', L)}: {ui.confidence_counts(members)}")
        st.caption(t("palette_note", L))
        if (view.areas["shared"] == "True").any():
            st.caption(t("shared_note", L))
    else:
        st.caption(f"**{safe.md(ui.fill_label(fill_key))}** ({safe.md(fill.unit_in(L))}). {t('source', L)}: "
                   f"{safe.md(source_text(fill.source, L))}. {t('year', L)}: {safe.md(year_text(fill.year, L))}.")
        value, covered = view.national
        n_missing = sum(row.count for row in view.legend if row.label == t("no_data", L))
        covers = (t("covers_missing", L, pct=views.coverage_percent(covered, L), n=n_missing) if n_missing
                  else t("covers", L, pct=views.coverage_percent(covered, L)))
        st.caption(f"{t('national', L)}: {number(value, 1 if fill.kind == 'rate' else 0, L)} "
                   f"{safe.md(fill.unit_in(L))} ({covers})")
    for note in view.notes:
        st.caption(f"⚠️ {safe.md(note)}")
    if overlay:
        st.caption(t("outline_note", L, layer=safe.md(layers[overlay])))
    if markers:
        st.caption(t("marker_note", L))
    st.caption(f"{t('source', L)} ({safe.md(layers[layer])}): {ui.sources_md(layer_row['source'], limit=3)}")

# The view in the URL, written in one place; a bad link's message goes once the reader changes the view.
ui.write_query(state.to_query(reg), MapState.PARAMS)
if state != replace(st.session_state.get("kort_first"), on=day, lang=L):
    st.session_state.kort_problems = []

st.subheader(t("table", L))
st.caption(t("table_select_hint", L))
st.dataframe(ui.display_table(view.table, fill), hide_index=True,
             width="stretch", key="kort_table", on_select=_on_table_select, selection_mode="single-row")
ui.link_to_downloads()
