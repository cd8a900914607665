"""Sammenlign: two plans (layers or this session's scenario) side by side: overlap heatmap, mismatches, sentences."""

from __future__ import annotations

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

import ui
from geo import files, mapbuild, plans, planview, safe
from geo.fmt import number
from geo.i18n import t

ui.through_app()
L = ui.lang()
b = ui.bundle()
ctx = ui.plan_context()
layers = ui.layer_names()
state = st.session_state
SCENARIO = "scenario"
PRESETS = {"cmp_preset_psych": ("sundhedsklynger", "psykiatri-voksen"),
           "cmp_preset_child": ("psykiatri-voksen", "psykiatri-boern"),
           "cmp_preset_2027": ("sundhedsklynger", "sundhedsraad-2027")}

scenario_token = ui.scenario_token()
options = list(layers) + ([SCENARIO] if scenario_token else [])


def _label(key: str) -> str:
    return t("cmp_scenario", L, base=layers[state.sc_base]) if key == SCENARIO else layers[key]


# Take A and B from the URL the first time, and again whenever a link brings other ones.
asked = (st.query_params.get("a"), st.query_params.get("b"))
if "sm_a" not in state or asked != state.get("sm_seen"):
    state.sm_a = asked[0] if asked[0] in options else state.get("sm_a", "sundhedsklynger")
    state.sm_b = asked[1] if asked[1] in options else state.get("sm_b", "psykiatri-voksen")
for key in ("sm_a", "sm_b"):  # a scenario that was reset since
    if state[key] not in options:
        state[key] = "sundhedsklynger"


def _preset(a: str, bb: str) -> None:
    state.sm_a, state.sm_b = a, bb


st.title(t("cmp_title", L))
st.caption(t("cmp_intro", L))
st.markdown(f"**{t('cmp_presets', L)}**")
cols = st.columns(len(PRESETS))
for col, (key, (a, bb)) in zip(cols, PRESETS.items(), strict=True):
    col.button(t(key, L), on_click=_preset, args=(a, bb), key=f"sm_{key}")
c1, c2 = st.columns(2)
a_key = c1.selectbox(t("cmp_a", L), options, format_func=_label, key="sm_a")
b_key = c2.selectbox(t("cmp_b", L), options, format_func=_label, key="sm_b")
st.query_params.update({"a": a_key, "b": b_key})
state.sm_seen = (a_key, b_key)


def _plan(key: str) -> plans.Plan:
    return ui.scenario_plan(state.sc_base, scenario_token) if key == SCENARIO else plans.layer_plan(b, key)


comparison = plans.compare(ctx, _plan(a_key), _plan(b_key))
matrix = comparison.matrix
st.caption(t("cmp_total", L, total=number(matrix["population"].sum(), 0, L)))

st.subheader(t("cmp_heatmap", L, year=comparison.year))
heat = matrix.assign(label=[number(v, 0, L) for v in matrix["population"]],
                     pct=[f"{v:.0%}" for v in matrix["share_of_a"]])
base = alt.Chart(heat).encode(
    x=alt.X("b_unit_navn:N", title=_label(b_key), axis=alt.Axis(labelAngle=-45, labelLimit=200)),
    y=alt.Y("a_unit_navn:N", title=_label(a_key), axis=alt.Axis(labelLimit=260)),
    tooltip=[alt.Tooltip("a_unit_navn:N", title="A"), alt.Tooltip("b_unit_navn:N", title="B"),
             alt.Tooltip("label:N", title=t("col_population", L)), alt.Tooltip("pct:N", title=t("col_share", L))],
)
cells = base.mark_rect().encode(color=alt.Color("share_of_a:Q", scale=alt.Scale(scheme="blues"),
                                                title=t("col_share", L)))
text = base.mark_text(fontSize=9).encode(text="label:N", color=alt.condition(alt.datum.share_of_a > 0.6,
                                                                             alt.value("white"), alt.value("black")))
n_a, n_b = matrix["a_unit_id"].nunique(), matrix["b_unit_id"].nunique()
st.altair_chart((cells + text).properties(height=max(220, 26 * n_a), width=max(300, 70 * n_b)), width="content")
st.caption(t("cmp_heatmap_alt", L, a=safe.md(_label(a_key)), b=safe.md(_label(b_key))))
st.download_button(t("cmp_dl_csv", L), files.neutralise_frame(matrix).to_csv(index=False),
                   file_name=f"klyngekort_overlap_{a_key}_{b_key}.csv", mime="text/csv", on_click="ignore")

st.subheader(t("cmp_sentences", L))
focus = st.query_params.get("unit")
for sentence, unit_id in zip(planview.unit_sentences(comparison, L),
                             matrix.drop_duplicates("a_unit_navn").sort_values("a_unit_navn")["a_unit_id"],
                             strict=True):
    mark = "**▶** " if unit_id == focus else ""
    st.markdown(f"- {mark}{safe.md(sentence)}")

st.subheader(t("cmp_mismatch_map", L))
areas = planview.mismatch_areas(ui.display().kommuner, comparison, L)
st.caption(t("cmp_mismatch_note", L, n=comparison.mismatches["kommune_kode"].nunique()))
st_folium(mapbuild.build_map(areas, assets_url=ui.LEAFLET_URL), key="sm_map", height=520,
          use_container_width=True, returned_objects=[])
