"""Kilder: every table and series with origin, licence, vintage, caveats and confidence; the evidence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from geo import safe, views
from geo.config import SOURCE_FILES
from geo.i18n import t
from geo.sources import CAVEATS, SOURCE_META

L = ui.lang()
b = ui.bundle()
st.title(t("sources_title", L))

st.subheader(t("sources_files", L, path=safe.md(b.sources_dir)))
st.dataframe(pd.DataFrame({
    t("col_file", L): list(SOURCE_FILES.values()),
    t("col_what", L): [SOURCE_META[k][0] for k in SOURCE_FILES],
    t("col_vintage", L): [SOURCE_META[k][1] for k in SOURCE_FILES],
    t("col_origin", L): [SOURCE_META[k][2] for k in SOURCE_FILES],
}), hide_index=True, width="stretch")

st.subheader(t("sources_caveats", L))
st.markdown("\n".join(f"- {c}" for c in CAVEATS))

st.subheader(t("sources_series", L))
series = b.indicators.groupby("series_id").agg(name=("name", "first"), unit=("unit", "first"),
                                                year=("year", "first"), source=("source", "first"),
                                                n=("kommune_kode", "nunique")).reset_index()
st.dataframe(pd.DataFrame({
    t("col_indicator", L): series["name"], t("col_unit", L): series["unit"], t("col_year", L): series["year"],
    t("col_n", L): series["n"], t("col_source", L): series["source"],
}), hide_index=True, width="stretch")

st.subheader(t("sources_tables", L))
layers = ui.layer_names()
counts = (b.assignments.assign(conf=[views.confidence_word(c, L) for c in b.assignments["confidence"]])
          .pivot_table(index="layer", columns="conf", values="unit_id", aggfunc="count", fill_value=0))
counts.index = [layers[i] for i in counts.index]
st.markdown(f"**{t('sources_confidence', L)}** (data/assignments.csv)")
st.dataframe(counts, width="stretch")
st.dataframe(pd.DataFrame({
    t("col_layer", L): [layers[x] for x in b.layers["layer"]],
    t("col_source", L): b.layers["source"],
    t("col_confidence", L): [views.confidence_word(c, L) for c in b.layers["confidence"]],
}), hide_index=True, width="stretch")
st.markdown(f"**data/sites.csv** — {t('sources_confidence', L)}: {ui.confidence_counts(b.sites)}")

st.subheader(t("sources_evidence", L))
facts = b.sources_dir.parent / "facts"
if not facts.is_dir():
    st.warning(t("sources_missing", L, path=safe.md(facts)))
else:
    st.caption(t("sources_no_images", L))
    for note in sorted(facts.glob("*/NOTES*.md")):
        with st.expander(safe.md(f"{note.parent.name}/{note.name}")):
            st.markdown(safe.md_without_images(note.read_text(encoding="utf-8")))
