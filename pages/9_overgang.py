"""Fra klynge til sundhedsråd: what the change of the care geography means for a kommune or a unit, two maps
that move together (before and after), the crosswalk table and its downloads."""

from __future__ import annotations

import streamlit as st

import ui
from geo import assets, crosswalk, roles, safe
from geo.fmt import number
from geo.i18n import t
from geo.viewstate import TransitionState

ui.through_app()
L = ui.lang()
b = ui.bundle()
reg = ui.registries()
day = ui.on()
state = st.session_state
st.title(t("ov_title", L))
st.caption(t("ov_intro", L))

# The two layers are the care geography before and after its nearest change (the registry says which).
pair = reg.registry.change_pair(day)
if pair is None:
    st.info(t("ov_no_change", L, date=roles.date_text(day, L)))
    st.stop()
old, new = pair
layers = ui.layer_names()
dates = crosswalk.Dates.of(b, old, new)
in_force = reg.registry.in_force("care", day)
if in_force:
    st.caption(t("ov_in_force", L, date=roles.date_text(day, L), layer=safe.md(layers[in_force])))

# Take the choice from the URL the first time, and again whenever a link brings another one
# (`geo.viewstate.TransitionState`); values that cannot be used are named.
asked = tuple(st.query_params.get(p) for p in TransitionState.PARAMS)
if "ov_mode" not in state or asked != state.get("ov_seen"):
    first, problems = TransitionState.from_query(st.query_params, reg, old, new)
    state.ov_mode, state.ov_problems = first.mode, problems
    state[f"ov_{first.mode}"] = getattr(first, first.mode)
ui.show_url_problems(state.get("ov_problems") or [])


def _chosen() -> None:
    state.ov_problems = []


modes = {"kommune": t("ov_mode_kommune", L), "fra": t("ov_mode_from", L, layer=layers[old]),
         "til": t("ov_mode_to", L, layer=layers[new])}
mode = st.radio(t("ov_mode", L), list(modes), format_func=modes.get, key="ov_mode", horizontal=True,
                on_change=_chosen)
if mode == "kommune":
    names = ui.kommune_names()
    choice = st.selectbox(t("ov_pick_kommune", L), [None, *names], key="ov_kommune", placeholder=ui.placeholder(),
                          format_func=lambda c: "—" if c is None else f"{names[c]} ({c})", on_change=_chosen)
else:
    units = ui.unit_names(old if mode == "fra" else new)
    choice = st.selectbox(t("ov_pick_unit", L), [None, *units], key=f"ov_{mode}", placeholder=ui.placeholder(),
                          format_func=lambda u: "—" if u is None else units[u], on_change=_chosen)
shown = TransitionState(**{mode: choice})
ui.write_query(shown.to_query(), TransitionState.PARAMS)
state.ov_seen = tuple(shown.to_query().get(p) for p in TransitionState.PARAMS)

walk = ui.crosswalk_table(old, new)
year = int(walk["population_year"].iloc[0])
st.subheader(t("ov_sentences", L))
st.markdown(safe.md(crosswalk.overview_sentence(walk, dates, layers[old], layers[new], L)))
if choice is None:
    st.info(t("ov_pick_prompt", L))
    sentences = []
elif mode == "kommune":
    sentences = crosswalk.kommune_sentences(crosswalk.kommune_change(b, walk, choice), dates, year, L)
else:
    side = "from" if mode == "fra" else "to"
    sentences = crosswalk.unit_sentences(crosswalk.unit_change(b, walk, side, choice), dates, year, L)
for sentence in sentences:
    st.markdown(f"- {safe.md(sentence)}")

# Two maps side by side that pan and zoom together (Leaflet.Sync, served by the app).
st.subheader(t("ov_maps", L))
rows = crosswalk.rows_for(walk, mode, choice)
sync = ui.sync_url()
if sync is None:
    st.warning(t("ov_sync_missing", L, path=safe.md(assets.SYNC_TARGET),
                 files=safe.md(", ".join(assets.sync_missing())),
                 command=f"{assets.NPM_COMMAND} && {assets.INSTALL_COMMAND}"))
left_col, right_col = st.columns(2)
left_col.markdown(f"**{safe.md(t('ov_map_left', L, layer=ui.layer_label(old, L, day)))}**")
right_col.markdown(f"**{safe.md(t('ov_map_right', L, layer=ui.layer_label(new, L, day)))}**")
# Drawn once per (pair, choice, date, language) and process (`ui.transition_map`).
drawn = ui.transition_map(old, new, mode, choice, day, L, sync)
ui.show_map(drawn, key=f"ov_map_{mode}_{choice}", height=520, returned_objects=[])
if choice is None:
    st.caption(t("ov_map_note_plain", L))
else:
    what = names[choice] if mode == "kommune" else units[choice]
    st.caption(t("ov_map_note_kommune" if mode == "kommune" else "ov_map_note_unit", L, what=safe.md(what)))

st.subheader(t("ov_table", L))
st.caption(t("ov_table_note", L, year=year))
if choice is not None:
    st.markdown(f"**{t('ov_table_selected', L)}**")
    st.dataframe(crosswalk.display_table(rows, b, L, layers[old], layers[new]), hide_index=True, width="stretch")
everything = t("ov_table_all", L, n=len(walk), people=t("ov_people", L, n=number(walk["population"].sum(), 0, L)))
with st.expander(everything, expanded=choice is None):
    st.dataframe(crosswalk.display_table(walk, b, L, layers[old], layers[new]), hide_index=True, width="stretch")
stem = f"klyngekort_crosswalk_{old}_{new}"
c1, c2 = st.columns(2)
c1.download_button(t("ov_dl_csv", L), data=ui.crosswalk_file(old, new, "csv", roles.today()),
                   file_name=f"{stem}.csv", mime="text/csv", key="ov_dl_csv", on_click="ignore")
c2.download_button(t("ov_dl_xlsx", L), data=ui.crosswalk_file(old, new, "xlsx", roles.today()),
                   file_name=f"{stem}.xlsx", key="ov_dl_xlsx", on_click="ignore",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption(t("ov_dl_note", L))
