"""Klyngekort: entry point (page config and navigation only)."""

from __future__ import annotations

import streamlit as st

import ui
from geo.i18n import t

st.set_page_config(page_title=t("app_title"), page_icon="🗺️", layout="wide")
ui.ensure_assets()
page = st.navigation([st.Page("pages/1_kort.py", title=t("page_map", ui.lang()), default=True)])
page.run()
