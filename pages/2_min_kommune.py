"""Min kommune: where one kommune belongs, its hospitals and psychiatry, and how it compares."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

import ui
from geo import mapbuild, profile, readable, roles, safe, views
from geo.catalog import source_text
from geo.fmt import number
from geo.i18n import t
from geo.viewstate import KommuneState, MapState

ui.through_app()
L = ui.lang()
b = ui.bundle()
names = ui.kommune_names()
st.title(t("kommune_title", L))

day = ui.on()
reg = ui.registries()
# The geography in force on the date: the care layer (klynger until 2026, sundhedsråd from 2027).
care = reg.registry.main_layer(day)
if "mk_kommune" not in st.session_state:
    first, problems = KommuneState.from_query(st.query_params, reg)
    st.session_state.mk_kommune = first.kommune
    st.session_state.mk_unknown = problems
if st.session_state.get("mk_unknown") and st.session_state.get("mk_kommune") is None:
    ui.show_url_problems(st.session_state.mk_unknown)

kode = st.selectbox(t("kommune_search", L), [None, *names], key="mk_kommune", placeholder=ui.placeholder(),
                    format_func=lambda c: "—" if c is None else f"{names[c]} ({c})")
if kode is None:
    st.info(t("kommune_prompt", L))
    st.stop()
st.session_state.mk_unknown = None
state = KommuneState(kode)
ui.write_query(state.to_query(), KommuneState.PARAMS)

base = str(st.context.url or "").split("?")[0]
query = "&".join(f"{k}={v}" for k, v in (state.to_query() | ui.common().to_query(roles.today())).items())
# A plain text field to copy from: st.code would make every first visit load a 1.56 MB syntax highlighter.
st.text_input(t("share_link", L), value=f"{base}?{query}")
st.caption(t("date_shown", L, date=roles.date_text(day, L)))

for fact in ui.summary(kode, L, day):
    mark = "⚠️ " if fact.confidence == "low" else ""
    st.markdown(f"{mark}{safe.md(fact.text)}")
    if fact.why:
        why = "why_low" if fact.confidence == "low" else "why_confidence"
        st.caption(f"{t(why, L)}: {safe.md(fact.why)}")
ui.profile_pdf_button("kommune", kode)
own_units = b.assignments.loc[(b.assignments["layer"] == care) & (b.assignments["kommune_kode"] == kode),
                              "unit_id"].tolist()
pairs = reg.registry.comparisons(day)
if pairs and own_units:
    ui.link_to_compare(pairs[0][0], pairs[0][1], own_units[0])

st.subheader(t("hospitals", L))
hospitals = profile.hospitals_of(b, kode, care)
hospitals = hospitals.assign(role=[t("role_area" if basis == "area" else "role_unit", L, layer=ui.layer_names()[care])
                                   for basis in hospitals["basis"]])
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
figures = ui.key_figures(kode, care, L)
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

st.subheader(t("unit_map", L, layer=safe.md(ui.layer_names()[care])))
view = ui.national_view(MapState(layer=care, on=day, lang=L, labels=True))
bounds = views.unit_bounds(b, ui.display(), care, own_units)
fmap = mapbuild.build_map(view.areas, assets_url=ui.LEAFLET_URL, sites=view.sites, bounds=bounds, labels=view.labels)
shape = ui.display().kommuner
st_folium(fmap, key=f"mk_map_{kode}", height=480, use_container_width=True, returned_objects=[],
          feature_group_to_add=mapbuild.highlight_group(shape[shape["kommune_kode"] == kode]))
