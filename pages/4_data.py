"""Data og downloads: exactly what the national map shows, as GeoJSON, CSV and PNG."""

from __future__ import annotations

import streamlit as st

import ui
from geo import safe
from geo.i18n import t

ui.through_app()
L = ui.lang()
ui.bundle()
choice = ui.shown_choice()
st.title(t("data_title", L))
st.markdown(t("data_intro", L, layer=safe.md(ui.layer_names()[choice["layer"]]),
               fill=safe.md(ui.fill_label(choice["fill_key"]))))
ui.download_section(choice)
view = ui.view_for(choice)
st.subheader(t("table", L))
ui.table(view.table, view.fill)
