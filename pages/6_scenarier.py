"""Scenarier: a base layer with kommuner moved or split (or a whole uploaded table); the plan lives in the URL."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from geo import messages, plans, planview, safe, views
from geo.errors import ValidationError
from geo.fmt import number, percent
from geo.i18n import t
from geo.viewstate import ScenarioState

ui.through_app()
L = ui.lang()
b = ui.bundle()
ctx = ui.plan_context()
layers = ui.layer_names()
kommuner = ui.kommune_names()
state = st.session_state

reg = ui.registries()
# The scenario is (base layer, list of change texts); it starts from the URL once per session
# (`geo.viewstate.ScenarioState`) and lives in session keys no widget owns (``sc_base_value``,
# ``sc_changes``), so a visit to another page, where Streamlit drops this page's widget state, keeps it.
if "sc_changes" not in state:
    first, problems = ScenarioState.from_query(st.query_params, reg, ui.common())
    state.sc_base_value = first.base
    state.sc_changes = []
    if problems:
        ui.show_url_problems(problems)
    if first.token:
        try:
            changes = plans.decode_changes(first.token)
            plans.apply_changes(plans.layer_plan(b, first.base), changes, ctx)
            state.sc_changes = [c.text() for c in changes]
        except ValueError as exc:
            state.sc_notice = t("sc_bad_url", L, why=planview.why(exc, L))
state.setdefault("sc_base_value", ui.main_layer())
state.setdefault("sc_base", state.sc_base_value)


def _add(change: plans.Change) -> None:
    """Add a change; a kommune moved again replaces its earlier change (`geo.plans.add_change`)."""
    try:
        plans.apply_changes(plans.layer_plan(b, state.sc_base_value), [change], ctx)
        stored = [plans.parse_change(c) for c in state.sc_changes]
        state.sc_changes = [c.text() for c in plans.add_change(stored, change)]
    except plans.ScenarioTooLong as exc:
        state.sc_notice = t("sc_too_long", L, length=number(exc.length, 0, L), limit=number(exc.limit, 0, L))
    except ValueError as exc:
        state.sc_notice = t("sc_bad_change", L, why=planview.why(exc, L))


def _move() -> None:
    if state.get("sc_kommune") and state.get("sc_unit"):
        _add(plans.Change(state.sc_kommune, ((state.sc_unit, 1.0),)))


def _split() -> None:
    chosen = state.get("sc_split_units") or []
    kode = state.get("sc_kommune")
    if not kode or len(chosen) < 2:
        return
    percents = [int(state.get(f"sc_share_{u}") or 0) for u in chosen]
    if sum(percents) != 100:  # said in the page's language, before the parser's English
        state.sc_notice = t("sc_split_sum", L, total=str(sum(percents)))
        return
    text = f"{kode}=" + ",".join(f"{u}:{p}%" for u, p in zip(chosen, percents, strict=True))
    try:
        _add(plans.parse_change(text))
    except ValueError as exc:
        state.sc_notice = t("sc_bad_change", L, why=planview.why(exc, L))


def _default_shares() -> None:
    """Whole percents summing to 100 for the chosen units (34/33/33 for three: largest remainder)."""
    chosen = state.get("sc_split_units") or []
    for unit, share in zip(chosen, plans.default_percents(len(chosen)), strict=True):
        state[f"sc_share_{unit}"] = share


def _undo() -> None:
    state.sc_changes = state.sc_changes[:-1]


def _reset() -> None:
    state.sc_changes = []


def _new_base() -> None:
    state.sc_base_value = state.sc_base
    state.sc_changes = []


def _on_map_click() -> None:
    code = views.code_from_tooltip((state.get("sc_map") or {}).get("last_object_clicked_tooltip"))
    if code in kommuner:
        state.sc_kommune = code


# An uploaded table replaces the scenario only when it is valid (read before the widgets are drawn).
upload = state.get("sc_upload")
if upload is not None and state.get("sc_upload_done") != upload.file_id:
    state.sc_upload_done = upload.file_id
    state.sc_upload_problems = []
    try:
        plan, problems = plans.plan_from_table(b, plans.read_table(upload.getvalue(), upload.name), upload.name)
        if plan is not None:
            changes = plans.changes_between(plans.layer_plan(b, plan.layer), plan)
            state.sc_base = state.sc_base_value = plan.layer
            state.sc_changes = [c.text() for c in changes]
            state.sc_notice_ok = t("sc_upload_ok", L, name=upload.name, layer=layers[plan.layer], n=len(changes))
    except ValidationError as exc:
        problems = exc.problems
    except ValueError as exc:
        problems = [str(exc)]
    state.sc_upload_problems = problems

st.title(t("sc_title", L))
st.caption(t("sc_intro", L))
if state.get("sc_notice"):
    st.warning(safe.md(state.pop("sc_notice")))
if state.get("sc_notice_ok"):
    st.success(safe.md(state.pop("sc_notice_ok")))
if state.get("sc_upload_problems"):
    st.error(t("sc_upload_bad", L) + "\n\n" + "\n".join(f"- {safe.md(p)}"
                                                         for p in messages.say_all(state.sc_upload_problems, L)))

day = ui.on()
base = st.selectbox(t("sc_base", L), list(layers), format_func=lambda v: ui.layer_label(v, L, day), key="sc_base",
                    on_change=_new_base)
units = ui.unit_names(base)
base_plan = ui.base_plan(base)
try:
    token = ui.scenario_token()
    plan = ui.scenario_plan(base, token)
except ValueError as exc:  # nothing stored should fail; if it does, the base plan, never a traceback
    st.warning(safe.md(t("sc_bad_url", L, why=planview.why(exc, L))))
    state.sc_changes, token, plan = [], "", base_plan
ui.write_query(ScenarioState(base, token).to_query(reg, ui.common()), ScenarioState.PARAMS)

moved, before, after, change = ui.scenario_metrics(base, token)



@st.fragment
def _controls(units: dict[str, str], drawn: tuple[str, ...]) -> None:
    """The move/split controls. Choosing a kommune, a unit or shares reruns only this fragment (the map and
    tables are not rebuilt nor resent); a button whose callback changed the scenario (or left a notice)
    then reruns the whole page. ``drawn`` is the changes the page was last drawn with: in a whole-page run
    the callbacks have already run, so it is current and nothing reruns twice."""
    c1, c2, c3 = st.columns([2, 2, 1])
    c1.selectbox(t("sc_kommune", L), [None, *kommuner], key="sc_kommune", placeholder=ui.placeholder(),
                 format_func=lambda c: "—" if c is None else f"{kommuner[c]} ({c})")
    c2.selectbox(t("sc_unit", L), list(units), format_func=units.get, key="sc_unit")
    c3.button(t("sc_move", L), on_click=_move, type="primary", disabled=not state.get("sc_kommune"))
    with st.expander(t("sc_split_units", L)):
        chosen = st.multiselect(t("sc_split_units", L), list(units), format_func=units.get, key="sc_split_units",
                                label_visibility="collapsed", on_change=_default_shares)
        for unit, share in zip(chosen, plans.default_percents(len(chosen)), strict=True):
            state.setdefault(f"sc_share_{unit}", share)  # a share not yet given: the default split
            st.number_input(t("sc_split_share", L, unit=units[unit]), 1, 99, key=f"sc_share_{unit}")
        st.button(t("sc_split", L), on_click=_split, disabled=len(chosen) < 2 or not state.get("sc_kommune"))
    u1, u2 = st.columns(2)
    u1.button(t("sc_undo", L), on_click=_undo, disabled=not state.sc_changes)
    u2.button(t("sc_reset", L), on_click=_reset, disabled=not state.sc_changes)
    if state.get("sc_notice") or tuple(state.sc_changes) != drawn:
        st.rerun(scope="app")  # the scenario changed: redraw the map, the tables and the URL


_controls(units, tuple(state.sc_changes))

if state.sc_changes:
    st.markdown(f"**{t('sc_changes', L, base=safe.md(layers[base]), n=len(moved))}**")
    rows = plan.rows.set_index("kommune_kode")
    for kode in moved:
        mine = rows.loc[[kode]]
        text = ", ".join(f"{units.get(u, u)} {percent(s, L)}" for u, s in zip(mine["unit_id"], mine["share"],
                                                                                strict=True))
        st.markdown("- " + safe.md(t("sc_change_line", L, kommune=f"{kommuner[kode]} ({kode})", units=text)))
    for r in change[change["population_change"].abs() > 0.5].itertuples():
        sign = "+" if r.population_change > 0 else ""
        st.markdown(safe.md(t("sc_unit_change", L, unit=r.unit_navn, before=number(r.population_before, 0, L),
                              after=number(r.population_after, 0, L),
                              change=sign + number(r.population_change, 0, L))))
else:
    st.info(t("sc_no_changes", L))

highlight = ui.highlight_script(("kommune", tuple(moved))) if moved else None
ui.show_map(ui.scenario_map(base, token, L), key="sc_map", height=560, returned_objects=["last_object_clicked_tooltip"],
            feature_group=highlight, on_change=_on_map_click)
# The scenario's units with the main map's colours, labels and a legend that outlines a unit when pointed at.
st.markdown(f"**{t('legend', L)}**")
st.markdown(ui.legend_html(ui.scenario_areas(base, token, L)[1], hover=True), unsafe_allow_html=True)
if moved:
    st.caption(t("sc_moved_note", L))

split = after[after["pieces"] > 1]
for r in split.itertuples():
    st.warning(safe.md(t("sc_pieces_warn", L, unit=r.unit_navn, n=r.pieces)))
if split.empty:
    st.caption(t("sc_all_contiguous", L))
bal, bal_base = plans.balance(after), plans.balance(before)
st.markdown(safe.md(t("sc_balance", L, big=bal["largest_navn"], small=bal["smallest_navn"],
                      ratio=number(bal["ratio"], 1, L), cv=number(bal["cv"], 2, L),
                      cv_base=number(bal_base["cv"], 2, L))))
st.caption(t("sc_contiguity_rule", L))

st.subheader(t("sc_metrics", L, year=after.attrs["year"]))
indicators = list(ctx.fill_keys)
indicator = st.selectbox(t("sc_indicator", L), indicators, format_func=lambda k: ui.fill_label(k, L),
                         key="sc_indicator")
st.dataframe(ui.scenario_metrics_table(base, token, L, indicator), hide_index=True,
             width="stretch")
metrics = planview.metrics_frame(change, after, before, indicator)  # the table's rows, as data
metrics_csv, metrics_xlsx = ui.scenario_metrics_files(metrics, base, token, after.attrs["year"],
                                                      dt.date.today().isoformat())
m1, m2 = st.columns(2)
m1.download_button(t("sc_dl_metrics_csv", L), metrics_csv, file_name=f"klyngekort_scenarie_{base}_metrics.csv",
                   mime="text/csv", on_click="ignore", key="sc_dl_metrics_csv")
m2.download_button(t("sc_dl_metrics_xlsx", L), metrics_xlsx, file_name=f"klyngekort_scenarie_{base}_metrics.xlsx",
                   mime=ui.XLSX_MIME, on_click="ignore", key="sc_dl_metrics_xlsx")

stem = f"klyngekort_scenarie_{base}"
d1, d2, d3 = st.columns(3)  # each file is made when its button is clicked (`ui.scenario_download`)
d1.download_button(t("sc_dl_csv", L), ui.scenario_download(base, token, L, 0), file_name=f"{stem}.csv",
                   mime="text/csv", on_click="ignore", key="sc_dl_csv")
d2.download_button(t("sc_dl_geojson", L), ui.scenario_download(base, token, L, 1), file_name=f"{stem}.geojson",
                   mime="application/geo+json", on_click="ignore", key="sc_dl_geojson")
d3.download_button(t("sc_dl_png", L), ui.scenario_download(base, token, L, 2), file_name=f"{stem}.png",
                   mime="image/png", on_click="ignore", key="sc_dl_png")
st.file_uploader(t("sc_upload", L), type=list(plans.TABLE_TYPES), key="sc_upload")
ui.link_to_compare(base, "scenario")
