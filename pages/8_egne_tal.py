"""Egne tal: a kommune table of one's own, summed onto any layer and mapped; the table lives in this session only."""

from __future__ import annotations

import datetime as dt

import streamlit as st
from streamlit_folium import st_folium

import ui
from geo import mapbuild, messages, owndata, png, safe, tables
from geo.classify import K_RANGE, PALETTES, SCHEMES
from geo.errors import ValidationError
from geo.fmt import number
from geo.i18n import t
from geo.views import coverage_percent

ui.through_app()
L = ui.lang()
b = ui.bundle()
layers = ui.layer_names()
state = st.session_state
years = sorted((int(y) for y in b.population["year"].unique()), reverse=True)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _problem_list(heading: str, problems: list[str]) -> None:
    st.error(heading + "\n\n" + "\n".join(f"- {safe.md(p)}" for p in messages.say_all(problems, L)))


st.title(t("own_title", L))
st.caption(t("own_intro", L))
upload = st.file_uploader(t("own_upload", L), type=list(tables.UPLOAD_TYPES), key="own_upload",
                          max_upload_size=tables.UPLOAD_MAX_MB)
st.caption(f"{t('own_shapes', L)} {t('own_session_note', L)}")

# The table is read once per uploaded file and kept in this session's state only (never in a cache
# shared between sessions, never on disk); a new file resets the choices.
if upload is None:
    for key in ("own_table", "own_problems", "own_file"):
        state.pop(key, None)
elif state.get("own_file") != upload.file_id:
    state.own_file = upload.file_id
    for key in ("own_value", "own_kind", "own_denominator", "own_weight", "own_year"):
        state.pop(key, None)
    try:
        state.own_table, state.own_problems = owndata.read_table(upload.getvalue(), upload.name, b.kommuner), []
    except ValidationError as exc:
        state.own_table, state.own_problems = None, tables.Problems.from_error(exc).lines()

if state.get("own_problems"):
    _problem_list(t("own_bad", L), state.own_problems)
table: owndata.KommuneTable | None = state.get("own_table")
if table is None:
    st.info(t("own_none", L))
    st.stop()

c1, c2, c3 = st.columns(3)
day = ui.on()
st.session_state.setdefault("own_layer", ui.main_layer())
layer = c1.selectbox(t("layer", L), list(layers), format_func=lambda v: ui.layer_label(v, L, day),
                     key="own_layer")
value = c2.selectbox(t("own_value", L), list(table.value_choices), key="own_value")
basis = c3.radio(t("own_kind", L), list(owndata.BASES), key="own_kind", format_func=lambda k: t(f"own_kind_{k}", L))
denominator = weight_year = year = None
d1, d2, d3 = st.columns(3)
if basis == "ratio":
    others = [c for c in table.value_choices if c != value]
    denominator = d1.selectbox(t("own_denominator", L), others, key="own_denominator")
if basis == "weighted":
    weight_year = d2.selectbox(t("own_weight_year", L), years, key="own_weight")
if table.shape == "long":
    year = d3.selectbox(t("own_year", L), list(reversed(table.years)), key="own_year")

try:
    selection = owndata.select(table, owndata.Measure(basis, value, denominator, weight_year, year), years)
    result = owndata.aggregate_table(b, layer, selection, ui.own_geography())
except ValidationError as exc:
    _problem_list(t("own_bad_choice", L), tables.Problems.from_error(exc).lines())
    st.stop()
except ValueError as exc:
    _problem_list(t("own_bad_choice", L), [str(exc)])  # said in the page's language by _problem_list
    st.stop()

with st.sidebar:
    scheme = st.selectbox(t("scheme", L), [s for s in SCHEMES if s != "user_defined"], key="own_scheme",
                          format_func=lambda s: SCHEMES[s][0 if L == "da" else 1])
    k = st.slider(t("k", L), *K_RANGE, value=5, key="own_k")
    palette = st.selectbox(t("palette", L), list(PALETTES), key="own_palette",
                           format_func=lambda p: PALETTES[p][0 if L == "da" else 1])
    show_labels = st.checkbox(t("show_labels", L), value=True, key="own_labels")

view = owndata.own_view(b, ui.display(), result, scheme=scheme, k=k, palette=palette, lang=L)
fmap = mapbuild.build_map(view.areas, assets_url=ui.LEAFLET_URL,
                          labels=ui.unit_labels(layer) if show_labels else None)
col_map, col_side = st.columns([5, 2])
with col_map:
    st_folium(fmap, key="own_map", height=600, use_container_width=True, returned_objects=[])
with col_side:
    st.markdown(f"**{t('legend', L)}**")
    st.markdown(ui.legend_html(view.legend), unsafe_allow_html=True)
    national, covered = result.national
    st.caption(safe.md(t("own_national", L, value=number(national, view.decimals, L),
                         covers=t("covers", L, pct=coverage_percent(covered, L)))))
    if result.missing:
        st.caption(safe.md(t("own_missing_list", L, n=str(len(result.missing)), names=", ".join(result.missing))))
    st.caption(t("own_rules", L))

st.subheader(t("own_understood", L))
st.markdown("\n".join(f"- {safe.md(line)}" for line in owndata.understood(table, selection, result, L)))

st.subheader(t("own_ranking", L))
st.dataframe(view.ranking, hide_index=True, width="stretch")

stem = f"klyngekort_egne_tal_{layer}_{ui.slug(str(value))}"
title = f"{value} · {layers[layer]}"
source = t("own_png_source", L, name=table.name)
d1, d2, d3, d4 = st.columns(4)
# CSV is cheap and given at once; the others are made when clicked (on this session's objects only).
d1.download_button(t("own_dl_csv", L), owndata.render(b, result, "csv"), file_name=f"{stem}.csv", mime="text/csv",
                   on_click="ignore", key="own_dl_csv")
d2.download_button(t("own_dl_xlsx", L), lambda: owndata.render(b, result, "xlsx", created=dt.date.today()),
                   file_name=f"{stem}.xlsx", mime=XLSX_MIME, on_click="ignore", key="own_dl_xlsx")
d3.download_button(t("own_dl_geojson", L), lambda: owndata.render(b, result, "geojson"), file_name=f"{stem}.geojson",
                   mime="application/geo+json", on_click="ignore", key="own_dl_geojson")
d4.download_button(t("own_dl_png", L), lambda: png.render_png(view.areas, view.legend, title=title, source=source),
                   file_name=f"{stem}.png", mime="image/png", on_click="ignore", key="own_dl_png")
