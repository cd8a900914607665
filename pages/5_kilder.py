"""Kilder: every table and series with origin, licence, vintage, caveats and confidence; the evidence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from geo import citations, readable, safe
from geo.catalog import INDICATOR_META, source_text, unit_text, year_text
from geo.config import SOURCE_FILES
from geo.i18n import t
from geo.sources import caveats, source_meta

ui.through_app()
L = ui.lang()
b = ui.bundle()
layers = ui.layer_names()
st.title(t("sources_title", L))

st.subheader(t("sources_files_plain", L))
meta = [source_meta(k, L) for k in SOURCE_FILES]
st.dataframe(pd.DataFrame({
    t("col_what", L): [m["what"] for m in meta],
    t("col_vintage", L): [m["vintage"] for m in meta],
    t("col_origin", L): [m["origin"] for m in meta],
}), hide_index=True, width="stretch")

st.subheader(t("sources_caveats", L))
st.markdown("\n".join(f"- {safe.md(c)}" for c in caveats(L)))

st.subheader(t("sources_series", L))
series = b.indicators.groupby("series_id").agg(indicator=("indicator_id", "first"), name=("name", "first"),
                                                unit=("unit", "first"), year=("year", "first"),
                                                source=("source", "first"),
                                                n=("kommune_kode", "nunique")).reset_index()
st.dataframe(pd.DataFrame({
    t("col_indicator", L): [INDICATOR_META.get(i, {}).get(L) or n for i, n in zip(series["indicator"], series["name"],
                                                                                   strict=True)],
    t("col_unit", L): [unit_text(u, L) for u in series["unit"]],
    t("col_year", L): [year_text(y, L) for y in series["year"]],
    t("col_n", L): series["n"],
    t("col_source", L): [source_text(s.split(";")[0], L) for s in series["source"]],
}), hide_index=True, width="stretch")

st.subheader(t("sources_tables", L))
st.markdown(f"**{t('conf_counts_title', L)}**")
st.dataframe(readable.confidence_counts(b.assignments, layers, L), hide_index=True, width="stretch")
st.markdown("\n".join(
    f"- **{safe.md(layers[row.layer])}** ({t('col_confidence', L).lower()}: "
    f"{readable.confidence_word(row.confidence, L)}): {ui.sources_md(row.source)}"
    for row in b.layers.itertuples()))
st.markdown(f"**{t('hospitals', L)}** — {t('col_confidence', L).lower()}: {ui.confidence_counts(b.sites)}")

st.subheader(t("sources_low", L))
low = b.assignments[b.assignments["confidence"] == "low"]
names = ui.kommune_names()
units = b.units.set_index(["layer", "unit_id"])["unit_navn"]
st.markdown("\n".join(
    f"- **{safe.md(names[r.kommune_kode])}** → {safe.md(units[(r.layer, r.unit_id)])} ({safe.md(layers[r.layer])}): "
    f"{safe.md(r.why_da if L == 'da' else r.why_en)}"
    for r in low.itertuples()))

st.subheader(t("sources_citations", L))
st.caption(t("sources_citations_note", L))
cited = b.citations.sort_values(["publisher", "title"])
st.dataframe(pd.DataFrame({
    t("col_publisher", L): cited["publisher"],
    t("col_title", L): [te if L != "da" and te else ti
                        for ti, te in zip(cited["title"], cited["title_en"], strict=True)],
    t("col_date", L): [d or t("undated", L) for d in cited["date"]],
    t("col_link", L): [u if citations.is_web_address(u) else None for u in cited["url"]],
}), hide_index=True, width="stretch", column_config={t("col_link", L): st.column_config.LinkColumn()})
st.subheader(t("sources_evidence", L))
facts = b.sources_dir.parent / "facts"
if not facts.is_dir():
    st.warning(t("sources_missing", L))
else:
    st.caption(t("sources_no_images", L))
    for note in sorted(facts.glob("*/NOTES*.md")):
        with st.expander(safe.md(f"{note.parent.name}/{note.name}")):
            st.markdown(safe.md_without_images(note.read_text(encoding="utf-8")))
