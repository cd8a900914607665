"""Danmarkskort: a layer filled by membership, population or an indicator; click a kommune."""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo import mapbuild, views
from geo.classify import K_RANGE, PALETTES, SCHEMES
from geo.fmt import number, percent
from geo.i18n import t

L = ui.lang()
b = ui.bundle()
fills = ui.fills()
layers = ui.layer_names()
kommuner = ui.kommune_names()

# Session defaults once, taken from the URL when it names valid choices (shareable views).
if "kort_layer" not in st.session_state:
    qp = st.query_params
    st.session_state.kort_layer = qp.get("layer") if qp.get("layer") in layers else "sundhedsklynger"
    st.session_state.kort_fill = qp.get("fill") if qp.get("fill") in fills else "membership"
    st.session_state.kort_kommune = qp.get("kommune") if qp.get("kommune") in kommuner else None


def _on_map_click() -> None:
    clicked = (st.session_state.get("kort_map") or {}).get("last_object_clicked_tooltip")
    code = views.code_from_tooltip(clicked)
    if code in kommuner:
        st.session_state.kort_kommune = code


with st.sidebar:
    layer = st.selectbox(t("layer", L), list(layers), format_func=layers.get, key="kort_layer")
    fill_key = st.selectbox(t("fill", L), list(fills), key="kort_fill",
                            format_func=lambda k: f"{fills[k].group}: {ui.fill_label(k)}")
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
                breaks = tuple(float(x.replace(",", ".")) for x in text.split(";") if x.strip())
            except ValueError:
                st.error(t("bad_breaks", L))
            if not breaks:
                scheme = "quantiles"
        else:
            k = st.slider(t("k", L), *K_RANGE, value=5, key="kort_k")
        palette = st.selectbox(t("palette", L), list(PALETTES), key="kort_palette",
                               format_func=lambda p: PALETTES[p][0 if L == "da" else 1])
    overlay = st.selectbox(t("overlay", L), [None, *layers], key="kort_overlay",
                           format_func=lambda v: t("none", L) if v is None else layers[v])
    show_hospitals = st.checkbox(t("show_hospitals", L), value=True, key="kort_hosp")
    show_psych = st.checkbox(t("show_psych", L), value=False, key="kort_psych")
    basemap = st.checkbox(t("basemap", L), value=False, key="kort_basemap", help=t("basemap_help", L))

st.query_params.update({"layer": layer, "fill": fill_key})
groups = [g for g, on in (("hospitals", show_hospitals), ("psychiatry", show_psych)) if on]
st.session_state.shown = {"layer": layer, "fill_key": fill_key, "level": level, "scheme": scheme, "k": k,
                          "palette": palette, "breaks": breaks, "overlay": overlay, "groups": tuple(groups)}
layer_row = b.layer(layer)
st.title(t("map_title", L))
st.caption(f"**{layers[layer]}** — {layer_row['description_da']}")

try:
    view = ui.national_view(layer, fill_key, level, scheme, k, palette, breaks, overlay, L)
except ValueError as exc:
    st.error(str(exc))
    st.stop()

sites = views.site_points(b.sites, groups, L)
fmap = mapbuild.build_map(view.areas, assets_url=ui.LEAFLET_URL, outlines=view.outlines,
                          sites=sites, basemap=basemap)
selected = st.session_state.get("kort_kommune")
highlight = None
if selected:
    shape = ui.display().kommuner
    highlight = mapbuild.highlight_group(shape[shape["kommune_kode"] == selected])

col_map, col_side = st.columns([3, 1])
with col_map:
    st_folium(fmap, key="kort_map", height=640, use_container_width=True,
              returned_objects=["last_object_clicked_tooltip"], feature_group_to_add=highlight,
              on_change=_on_map_click)
with col_side:
    st.subheader(t("legend", L))
    st.markdown(ui.legend_html(view.legend), unsafe_allow_html=True)
    if fill.kind == "category":
        members = b.assignments[b.assignments["layer"] == layer]
        st.caption(f"{t('confidence_of_layer', L)}: {ui.confidence_counts(members)}")
        st.caption(t("palette_note", L))
        if (view.areas["shared"] == "True").any():
            st.caption(t("shared_note", L))
    else:
        st.caption(f"**{ui.fill_label(fill_key)}** ({fill.unit}). {t('source', L)}: {fill.source}. "
                   f"{t('year', L)}: {fill.year}.")
        value, covered = view.national
        st.caption(f"{t('national', L)}: {number(value, 1 if fill.kind == 'rate' else 0, L)} "
                   f"{fill.unit} ({t('covers', L, pct=percent(covered, L))})")
    for note in view.notes:
        st.caption(f"⚠️ {note}")
    if overlay:
        st.caption(t("outline_note", L, layer=layers[overlay]))
    if groups:
        st.caption(t("marker_note", L))
    st.caption(f"{t('source', L)} ({layers[layer]}): {layer_row['source']}")

st.selectbox(t("pick_kommune", L), [None, *kommuner], key="kort_kommune",
             format_func=lambda c: "—" if c is None else f"{kommuner[c]} ({c})")
if selected:
    st.query_params["kommune"] = selected
    row = views.membership_table(b, layer, lang=L).set_index("kommune_kode").loc[selected]
    st.markdown(f"#### {t('selected_memberships', L, navn=kommuner[selected], kode=selected, layer=layers[layer])}")
    st.markdown("\n".join(f"- {line}" for line in row["lines"]))
elif "kommune" in st.query_params:
    del st.query_params["kommune"]

st.subheader(t("table", L))
st.dataframe(view.table, hide_index=True, width="stretch")
ui.link_to_downloads()
