"""Sammenlign: two plans (layers or this session's scenario) side by side: overlap heatmap, mismatches, sentences."""

from __future__ import annotations

import streamlit as st

import ui
from geo import export, planview, safe
from geo.fmt import number
from geo.i18n import t
from geo.viewstate import CompareState

ui.through_app()
L = ui.lang()
b = ui.bundle()
ctx = ui.plan_context()
layers = ui.layer_names()
reg = ui.registries()
day = ui.on()
state = st.session_state
SCENARIO = CompareState.SCENARIO
# The presets come from the layer registry: the comparisons worth making on the date.
PRESETS = reg.registry.comparisons(day)

scenario_token = ui.scenario_token()
scenario_base = state.get("sc_base_value") if scenario_token else None
options = list(layers) + ([SCENARIO] if scenario_base else [])


def _label(key: str) -> str:
    if key == SCENARIO:
        return t("cmp_scenario", L, base=layers[scenario_base])
    return ui.layer_label(key, L, day)


# Take A and B from the URL the first time, and again whenever a link brings other ones
# (`geo.viewstate.CompareState`); a value that cannot be shown is named, never silently swapped. The
# choice lives in a session key no widget owns (``sm_state``), so a visit to another page, where
# Streamlit drops this page's widgets, keeps it; the widgets are filled from it when they lack a value.
asked = (st.query_params.get("a"), st.query_params.get("b"), st.query_params.get("unit"))
if "sm_state" not in state or (any(asked) and asked != state.get("sm_seen")):
    first, problems = CompareState.from_query(st.query_params, reg, ui.common(), scenario_base is not None)
    state.sm_state, state.sm_problems = first, problems
    state.sm_a, state.sm_b = first.a, first.b
state.setdefault("sm_a", state.sm_state.a)
state.setdefault("sm_b", state.sm_state.b)
for key in ("sm_a", "sm_b"):  # a scenario that was reset since: said, then the default
    if state[key] not in options:
        if state[key] == SCENARIO:
            st.info(t("cmp_scenario_gone", L))
        state[key] = CompareState.default(reg, ui.common()).a if key == "sm_a" else CompareState.default(
            reg, ui.common()).b
for p in state.get("sm_problems", []):
    if p.value == SCENARIO:
        st.warning(t("cmp_no_scenario", L, param=safe.md(p.param)))
    else:
        ui.show_url_problems([p])


def _preset(a: str, bb: str) -> None:
    state.sm_a, state.sm_b = a, bb


st.title(t("cmp_title", L))
st.caption(t("cmp_intro", L))
st.markdown(f"**{t('cmp_presets', L)}**")
presets = st.container(horizontal=True, wrap=True)  # buttons as wide as their text, wrapping: none cut off
for a, bb in PRESETS:
    presets.button(t("cmp_preset", L, a=safe.md(layers[a]), b=safe.md(layers[bb])), on_click=_preset, args=(a, bb),
                   key=f"sm_{a}_{bb}")
c1, c2 = st.columns(2)
a_key = c1.selectbox(t("cmp_a", L), options, format_func=_label, key="sm_a")
b_key = c2.selectbox(t("cmp_b", L), options, format_func=_label, key="sm_b")
compare_state = CompareState(a_key, b_key, state.sm_state.unit)
state.sm_state = compare_state
ui.write_query(compare_state.to_query(), CompareState.PARAMS)
state.sm_seen = (a_key, b_key, compare_state.unit)


comparison = ui.comparison(a_key, b_key, scenario_base, scenario_token, L)
matrix = comparison.matrix
st.caption(t("cmp_total", L, total=number(matrix["population"].sum(), 0, L)))

st.subheader(t("cmp_heatmap", L, year=comparison.year))
# An HTML table, not a chart: every unit's full name is a header, and the box scrolls (issue 15).
st.markdown(planview.heatmap_html(matrix, L, _label(a_key), _label(b_key)), unsafe_allow_html=True)
st.caption(t("cmp_heatmap_alt", L, a=safe.md(_label(a_key)), b=safe.md(_label(b_key))))
st.download_button(t("cmp_dl_csv", L), export.to_csv(matrix),  # the bytes of `geo compare`
                   file_name=f"klyngekort_overlap_{a_key}_{b_key}.csv", mime="text/csv", on_click="ignore")

st.subheader(t("cmp_sentences", L))
focus = compare_state.unit
for sentence, unit_id in zip(planview.unit_sentences(comparison, L),
                             matrix.drop_duplicates("a_unit_navn").sort_values("a_unit_navn")["a_unit_id"],
                             strict=True):
    mark = "**▶** " if unit_id == focus else ""
    st.markdown(f"- {mark}{safe.md(sentence)}")

st.subheader(t("cmp_mismatch_map", L))
st.caption(t("cmp_mismatch_note", L, n=comparison.mismatches["kommune_kode"].nunique()))
ui.show_map(ui.mismatch_map(a_key, b_key, scenario_base, scenario_token, L), key="sm_map", height=520,
            returned_objects=[])
