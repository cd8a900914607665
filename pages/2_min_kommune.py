"""Min kommune: where one kommune belongs, its hospitals and psychiatry, and how it compares."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from geo import cards, readable, roles, safe
from geo.catalog import source_text
from geo.fmt import number
from geo.i18n import t
from geo.viewstate import KommuneState, MapState

# The copy button: the link travels as an HTML attribute (escaped); one delegated listener per page, which
# falls back to selecting the text field where the Clipboard API is missing (plain http off localhost).
COPY_BUTTON = (
    '<div class="kk-copy"><button type="button" class="kk-copy-button" data-url="{url}" data-done="{done}" '
    'data-failed="{failed}" style="font:inherit;padding:.25rem .75rem;border-radius:.5rem;'
    'border:1px solid rgba(49,51,63,.3);background:#fff;cursor:pointer;min-height:44px">{label}</button> '
    '<span class="kk-copy-status" role="status" aria-live="polite"></span></div>'
    "<script>(function(){{if(window.kkCopyBound)return;window.kkCopyBound=true;"
    "document.addEventListener('click',function(e){{var b=e.target.closest&&e.target.closest('.kk-copy-button');"
    "if(!b)return;var s=b.parentNode.querySelector('.kk-copy-status'),url=b.getAttribute('data-url');"
    "function ok(){{s.textContent=b.getAttribute('data-done');}}"
    "function fallback(){{var a=document.createElement('textarea');a.value=url;document.body.appendChild(a);"
    "a.select();var done=false;try{{done=document.execCommand('copy');}}catch(err){{}}a.remove();"
    "s.textContent=b.getAttribute(done?'data-done':'data-failed');}}"
    "if(navigator.clipboard&&window.isSecureContext){{navigator.clipboard.writeText(url).then(ok,fallback);}}"
    "else{{fallback();}}}});}})();</script>"
)

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
# A plain text field to copy from (st.code would make every first visit load a 1.56 MB syntax highlighter),
# and a button that copies it.
link = f"{base}?{query}"
st.text_input(t("share_link", L), value=link)
st.html(COPY_BUTTON.format(url=safe.html(link), label=safe.html(t("copy_link", L)),
                           done=safe.html(t("copied", L)), failed=safe.html(t("copy_failed", L))),
        unsafe_allow_javascript=True)
st.html(cards.narrow_css("mk_wide", "mk_narrow"))
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
hospitals = ui.hospitals_of(kode, care)
hospitals = hospitals.assign(role=[t("role_area" if basis == "area" else "role_unit", L, layer=ui.layer_names()[care])
                                   for basis in hospitals["basis"]])
nearest = ui.nearest_acute(kode)
if nearest is not None and nearest["site_id"] not in set(hospitals["site_id"]):
    hospitals = pd.concat([hospitals, nearest.to_frame().T.assign(role=t("role_nearest", L))], ignore_index=True)
hospital_table = pd.DataFrame({
    t("col_hospital", L): hospitals["name"],
    t("note", L): hospitals["note" if L == "da" else "note_en"],
    t("col_role", L): hospitals["role"],
    t("col_km", L): [number(km, 1, L) for km in hospitals["km"]],
    t("col_confidence", L): [readable.confidence_word(c, L) for c in hospitals["confidence"]],
})
# The wide table on a screen, the same rows as cards on a phone (no column cut off, no sideways scroll).
with st.container(key="mk_wide_hospitals"):
    st.dataframe(hospital_table, hide_index=True, width="stretch")
with st.container(key="mk_narrow_hospitals"):
    st.html(cards.cards_html(hospital_table, label=t("hospitals", L)))
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
with st.container(key="mk_wide_figures"):
    st.dataframe(table, hide_index=True, width="stretch")
with st.container(key="mk_narrow_figures"):
    st.html(cards.cards_html(table, label=t("key_figures", L)))
st.caption(t("age_caveat", L))

st.subheader(t("unit_map", L, layer=safe.md(ui.layer_names()[care])))
view_state = MapState(layer=care, on=day, lang=L, labels=True)
drawn = ui.national_map(view_state.drawn(), ui.map_bounds(care, tuple(own_units)), legend_hover=True)
ui.show_map(drawn, key=f"mk_map_{kode}", height=480, returned_objects=[],
            feature_group=ui.highlight_script(("kommune", (kode,))))
# The main map's colours and names; hovering an entry outlines its unit.
st.markdown(f"**{t('legend', L)}**")
st.markdown(ui.legend_html(ui.national_view(view_state).legend, hover=True), unsafe_allow_html=True)
st.caption(t("mk_map_note", L))
