"""Min kommune: where one kommune belongs, its hospitals and psychiatry, and how it compares."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import ui
from geo import mapbuild, profile, readable, safe, views
from geo.catalog import source_text
from geo.fmt import number
from geo.i18n import t
from geo.viewstate import parse_kommune

ui.through_app()
L = ui.lang()
b = ui.bundle()
names = ui.kommune_names()
st.title(t("kommune_title", L))

if "mk_kommune" not in st.session_state:
    code, problem = parse_kommune(st.query_params.get("kommune"), ui.registries().kommuner)
    st.session_state.mk_kommune = code
    st.session_state.mk_unknown = problem
if st.session_state.get("mk_unknown") and st.session_state.get("mk_kommune") is None:
    ui.show_url_problems([st.session_state.mk_unknown])

kode = st.selectbox(t("kommune_search", L), [None, *names], key="mk_kommune", placeholder=ui.placeholder(),
                    format_func=lambda c: "—" if c is None else f"{names[c]} ({c})")
if kode is None:
    st.info(t("kommune_prompt", L))
    st.stop()
st.session_state.mk_unknown = None
st.query_params["kommune"] = kode

base = str(st.context.url or "").split("?")[0]
# A plain text field to copy from: st.code would make every first visit load a 1.56 MB syntax highlighter.
st.text_input(t("share_link", L), value=f"{base}?kommune={kode}" + (f"&lang={L}" if L != "da" else ""))

for fact in ui.summary(kode, L):
    mark = "⚠️ " if fact.confidence == "low" else ""
    st.markdown(f"{mark}{safe.md(fact.text)}")
    if fact.confidence == "low" and fact.why:
        st.caption(f"{t('why_low', L)}: {safe.md(fact.why)}")
own_units = b.assignments.loc[(b.assignments["layer"] == "sundhedsklynger") & (b.assignments["kommune_kode"] == kode),
                              "unit_id"].tolist()
ui.link_to_compare("sundhedsklynger", "psykiatri-voksen", own_units[0])

st.subheader(t("hospitals", L))
hospitals = profile.hospitals_of(b, kode).assign(role=t("role_klynge", L))
nearest = profile.nearest_acute(b, kode)
if nearest is not None and nearest["site_id"] not in set(hospitals["site_id"]):
    hospitals = pd.concat([hospitals, nearest.to_frame().T.assign(role=t("role_nearest", L))], ignore_index=True)
st.dataframe(pd.DataFrame({
    t("col_hospital", L): hospitals["name"],
    t("note", L): hospitals["note" if L == "da" else "note_en"],
    t("col_role", L): hospitals["role"],
    t("col_km", L): [number(km, 1, L) for km in hospitals["km"]],
    t("col_confidence", L): [readable.confidence_word(c, L) for c in hospitals["confidence"]],
}), hide_index=True, width="stretch")
st.caption(t("distance_note", L))

st.subheader(t("key_figures", L))
figures = ui.key_figures(kode, "sundhedsklynger", L)
unit_cols = [c for c in figures.columns if c not in {"key", "label", "unit", "year", "kommune", "danmark", "rank",
                                                     "n_ranked", "better", "kind", "source"}]
table = pd.DataFrame({
    t("col_indicator", L): figures["label"],
    t("col_unit", L): figures["unit"],
    t("col_kommune", L): ui.values_text(figures["kommune"], figures["key"]),
})
for col in unit_cols:
    table[col] = ui.values_text(figures[col], figures["key"])
table[t("col_denmark", L)] = ui.values_text(figures["danmark"], figures["key"])
table[t("col_rank", L)] = [t("rank_of", L, rank=r, n=n) if pd.notna(r) else "–"
                           for r, n in zip(figures["rank"], figures["n_ranked"], strict=True)]
table[t("col_source", L)] = [source_text(s, L) for s in figures["source"]]
st.dataframe(table, hide_index=True, width="stretch")
st.caption(t("age_caveat", L))

st.subheader(t("klynge_map", L))
view = ui.national_view("sundhedsklynger", "membership", "kommuner", "quantiles", 5, "blues", None, None, L)
bounds = views.unit_bounds(b, ui.display(), "sundhedsklynger", own_units)
fmap = mapbuild.build_map(view.areas, assets_url=ui.LEAFLET_URL, sites=views.site_points(b.sites, ["hospitals"], L),
                          bounds=bounds, labels=ui.unit_labels("sundhedsklynger"))
shape = ui.display().kommuner
st_folium(fmap, key=f"mk_map_{kode}", height=480, use_container_width=True, returned_objects=[],
          feature_group_to_add=mapbuild.highlight_group(shape[shape["kommune_kode"] == kode]))
