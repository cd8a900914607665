"""Data og downloads: exactly what the national map shows, as GeoJSON, CSV and PNG."""

from __future__ import annotations

import streamlit as st

import ui
from geo import roles, safe
from geo.i18n import t

ui.through_app()
L = ui.lang()
ui.bundle()
state = ui.shown_state()
st.title(t("data_title", L))
st.markdown(t("data_intro", L, layer=safe.md(ui.layer_names()[state.layer]), fill=safe.md(ui.fill_label(state.fill))))
st.caption(t("date_shown", L, date=roles.date_text(state.on, L)))
ui.download_section(state)
view = ui.national_view(state)
st.subheader(t("table", L))
ui.table(view.table, view.fill)
