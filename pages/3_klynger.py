"""Klynger og ulighed: a unit's profile, all units ranked on an indicator, and two units compared."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

import ui
from geo import readable, roles, safe
from geo.aggregate import national_value
from geo.catalog import kommune_values, source_text, weights_for
from geo.fmt import decimals_for, number, percent
from geo.i18n import t
from geo.ulighed import chart_kind
from geo.ulighed import spread as unit_spread
from geo.viewstate import KlyngerState, layer_status_text, parse_kommune

VEGA_LOCALES = {"da": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " kr."]},
                "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " DKK"]}}

ui.through_app()
L = ui.lang()
b = ui.bundle()
day = ui.on()
reg = ui.registries()
fills = ui.fills()
layers = ui.layer_names()
numeric = [k for k, f in fills.items() if f.kind != "category"]
st.title(t("klynger_title", L))

# Session defaults once, from the URL (`geo.viewstate.KlyngerState`: one place reads and writes it).
if "kl_layer" not in st.session_state:
    first, problems = KlyngerState.from_query(st.query_params, reg, ui.common())
    st.session_state.update({"kl_layer": first.layer, "kl_fill": first.indicator, "kl_problems": problems,
                             "kl_first": first})
    if first.unit:
        st.session_state[f"kl_unit_{first.layer}"] = first.unit
    if first.other:
        st.session_state[f"kl_other_{first.layer}"] = first.other
    _, kommune_problem = parse_kommune(st.query_params.get("kommune"), reg.kommuner)
    if kommune_problem:
        st.session_state.kl_problems = [*problems, kommune_problem]
ui.show_url_problems(st.session_state.get("kl_problems", []))

c1, c2, c3 = st.columns(3)
layer = c1.selectbox(t("layer", L), list(layers), format_func=lambda v: ui.layer_label(v, L, day), key="kl_layer")
units = ui.unit_names(layer)
unit = c2.selectbox(t("unit", L), list(units), format_func=units.get, key=f"kl_unit_{layer}")
fill_key = c3.selectbox(t("indicator", L), numeric, format_func=lambda k: ui.fill_label(k, L), key="kl_fill")
fill = fills[fill_key]

# --- profile of the unit ---------------------------------------------------------------------
row = b.units[(b.units["layer"] == layer) & (b.units["unit_id"] == unit)].iloc[0]
members = ui.kommuner_in_unit(layer, unit, None)
year = int(b.population["year"].max())
m1, m2, m3 = st.columns(3)
m1.metric(t("unit_population", L, year=year), number(members["population"].sum(), 0, L))
m2.metric(t("members", L), len(members))
m3.metric(t("col_confidence", L), readable.confidence_word(row["confidence"], L))
if row["hospital"]:
    st.markdown(f"**{t('unit_hospitals', L)}:** {safe.md(row['hospital'])}")
unit_note = row.get("note" if L == "da" else "note_en", "")
if unit_note:
    st.caption(f"{t('note', L)}: {safe.md(unit_note)}")
st.markdown(f"{t('source', L)}: {ui.sources_md(row['source'], limit=4)}")  # links: full contrast
ui.profile_pdf_button("unit", f"{layer}/{unit}")
serving = b.registry.serving(layer, day)
if serving:
    ui.link_to_compare(layer, serving[0], unit)
st.subheader(t("members", L))
st.dataframe(pd.DataFrame({
    t("col_kommune", L): [f"{n} ({k})" for n, k in zip(members["kommune_navn"], members["kommune_kode"], strict=True)],
    t("col_share", L): [percent(s, L) for s in members["share"]],
    t("col_population_in", L, year=str(year)): [number(p, 0, L) for p in members["population"]],
    t("col_confidence", L): [readable.confidence_word(c, L) for c in members["confidence"]],
}), hide_index=True, width="stretch")

status = layer_status_text(b.registry.entry(layer), day, L)
if status:
    st.caption(f"{safe.md(layers[layer])}: {safe.md(status)}")
# Who serves the unit's residents on the date: the other roles in force, then what the unit becomes.
successor = b.registry.successor(layer)
for other in serving:
    if successor is not None and other == successor.layer:
        title = t("next_serving", L, date=roles.date_text(successor.valid_from, L))
    else:
        title = t("care_serving" if b.registry.entry(other).role == "care" else "psych_serving", L)
    share = ui.overlap(layer, unit, other)
    st.markdown(f"**{title} ({safe.md(layers[other])}):** "
                + "; ".join(f"{safe.md(n)} {safe.md(percent(s, L))}"
                            for n, s in zip(share["unit_navn"], share["share"], strict=True)))

# --- ulighed: all units ranked ------------------------------------------------------------
st.subheader(t("ulighed", L))
ranked = ui.unit_values(layer, fill_key)
values = kommune_values(fill_key, b.population, b.indicators)
national, _ = national_value(values, weights_for(fill, b.population), fill.kind)
spread = unit_spread(ranked)
s1, s2, s3, s4 = st.columns(4)
# Short metric labels (a long unit name was cut off); the unit's name goes under its value.
s1.metric(t("spread_max", L), ui.value_text(spread["max"], fill))
s1.caption(safe.md(spread["max_name"]))
s2.metric(t("spread_min", L), ui.value_text(spread["min"], fill))
s2.caption(safe.md(spread["min_name"]))
s3.metric(t("spread_diff", L), ui.value_text(spread["difference"], fill))
s4.metric(t("spread_ratio", L), number(spread["ratio"], 2, L) if spread["ratio"] else "–")

chart_data = ranked.assign(
    label=[ui.value_text(v, fill) for v in ranked["value"]],
    selected=ranked["unit_id"].eq(unit).map({True: "▶ ", False: ""}) + ranked["unit_navn"],
)
title = f"{ui.fill_label(fill_key)} ({fill.unit_in(L)})"
shape = chart_kind(ranked["value"], fill.kind)
# A count's national value is the sum of all units, not a level to compare with: no rule for counts.
show_national = fill.kind != "count"
reference = [national] if show_national else []
low, high = min([ranked["value"].min(), *reference]), max([ranked["value"].max(), *reference])
if shape == "bar":
    x_scale = alt.Scale(domain=[min(0, low), high * 1.08 if high > 0 else 0], nice=False, zero=True)
else:
    pad = (high - low) * 0.12 or abs(high) * 0.05
    x_scale = alt.Scale(domain=[low - pad, high + pad], nice=False, zero=False)
x_axis = alt.Axis(format=",.0f" if decimals_for(fill.unit, fill.kind) == 0 else ",.1f", labelFlush=False)
base = alt.Chart(chart_data).encode(
    y=alt.Y("selected:N", sort=None, title=None, axis=alt.Axis(labelLimit=260, labelOverlap=False)),
    x=alt.X("value:Q", title=title, scale=x_scale, axis=x_axis),
    tooltip=[alt.Tooltip("unit_navn:N"), alt.Tooltip("label:N", title=t("col_value", L))],
)
emphasis = alt.condition(alt.datum.unit_id == unit, alt.value(1), alt.value(0.55))
if shape == "bar":
    marks = base.mark_bar(color="#4a78a8").encode(opacity=emphasis)
else:
    marks = base.mark_circle(color="#4a78a8", size=110).encode(opacity=emphasis)
labels = base.mark_text(align="left", dx=7, fontSize=11).encode(text="label:N")
rule = alt.Chart(pd.DataFrame({"v": [national]})).mark_rule(color="#b2182b", strokeDash=[6, 3], size=2).encode(
    x=alt.X("v:Q", scale=x_scale))
national_text = t("national_line", L, value=ui.value_text(national, fill))
rule_label = alt.Chart(pd.DataFrame({"v": [national], "text": [national_text]})).mark_text(
    align="left", dx=4, dy=-6, color="#b2182b", fontSize=11).encode(x=alt.X("v:Q", scale=x_scale), y=alt.value(0),
                                                                      text="text:N")
# Axis numbers in the reader's locale (Vega-Lite's config.locale; Danish: decimal comma, thousands dot).
layers_ = [marks, labels, rule, rule_label] if show_national else [marks, labels]
chart = alt.layer(*layers_).properties(
    height=max(180, 22 * len(chart_data)), title=title,
).configure(locale={"number": VEGA_LOCALES[L]})
st.altair_chart(chart, width="stretch")
st.caption(t(f"chart_{shape}", L, what=safe.md(title)) + (" " + safe.md(national_text) if show_national else ""))
partial = int((ranked["coverage"] < 0.999).sum())
if partial:
    st.caption("⚠️ " + t("coverage_note", L, n=partial))
for note in fill.caveats_in(L):
    st.caption(f"⚠️ {note}")

st.markdown(f"**{t('kommuner_ranked', L, unit=safe.md(units[unit]))}**")
inside = ui.kommuner_in_unit(layer, unit, fill_key)
st.dataframe(pd.DataFrame({
    t("col_kommune", L): inside["kommune_navn"],
    t("col_value", L): [ui.value_text(v, fill) for v in inside["value"]],
    t("col_rank", L): [t("rank_of", L, rank=r, n=int(values.notna().sum())) if pd.notna(r) else "–"
                       for r in inside["rank_national"]],
    t("col_share", L): [percent(s, L) for s in inside["share"]],
}), hide_index=True, width="stretch")

# --- two units side by side -------------------------------------------------------------------
st.subheader(t("compare", L))
others = [u for u in units if u != unit]
other = st.selectbox(t("compare_with", L), others, format_func=units.get, key=f"kl_other_{layer}")
table = ui.compare(layer, unit, other, L)
st.dataframe(pd.DataFrame({
    t("col_indicator", L): table["label"],
    t("col_unit", L): table["unit"],
    units[unit]: ui.values_text(table["a"], table["key"]),
    units[other]: ui.values_text(table["b"], table["key"]),
    t("col_difference", L): ui.values_text(table["difference"], table["key"]),
    t("col_denmark", L): ui.values_text(table["danmark"], table["key"]),
}), hide_index=True, width="stretch")
st.caption(f"{t('source', L)}: " + safe.md("; ".join(sorted({source_text(fills[k].source, L) for k in numeric
                                                                if fills[k].source}))))

state = KlyngerState(layer=layer, unit=unit, indicator=fill_key, other=other)
ui.write_query(state.to_query(reg, ui.common()), KlyngerState.PARAMS)
if state != st.session_state.get("kl_first"):
    st.session_state.kl_problems = []
