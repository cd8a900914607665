"""Klyngekort: entry point (page config, language, date and navigation only)."""

from __future__ import annotations

import streamlit as st

import ui
from geo.i18n import t

st.set_page_config(page_title=t("app_title"), page_icon="🗺️", layout="wide")
ui.ensure_assets()
ui.init_language()
ui.init_date()
L = ui.lang()
# The map is the app's root page; its own path /kort (a link someone shares) runs the same page,
# hidden from the menu, instead of showing "Page not found".
page = st.navigation([
    st.Page("pages/1_kort.py", title=t("page_map", L), url_path="danmarkskort", default=True),
    st.Page("pages/1_kort.py", title=t("page_map", L), url_path="kort", visibility="hidden"),
    st.Page("pages/2_min_kommune.py", title=t("page_kommune", L), url_path="min_kommune"),
    st.Page("pages/3_klynger.py", title=t("page_klynger", L), url_path="klynger"),
    st.Page("pages/4_data.py", title=t("page_data", L), url_path="data"),
    st.Page("pages/5_kilder.py", title=t("page_sources", L), url_path="kilder"),
    st.Page("pages/6_scenarier.py", title=t("page_scenarios", L), url_path="scenarier"),
    st.Page("pages/7_sammenlign.py", title=t("page_compare", L), url_path="sammenlign"),
    st.Page("pages/8_egne_tal.py", title=t("page_own", L), url_path="egne_tal"),
    st.Page("pages/9_overgang.py", title=t("page_transition", L), url_path="overgang"),
])
ui.language_switch()
# The other language one tap away in the main area: on a phone the sidebar (and its switch) is folded away.
with st.container(horizontal=True, horizontal_alignment="right", key="lang_header"):
    st.button(t("other_language", L), key="lang_toggle", type="tertiary", icon=":material/translate:",
              help=t("other_language_help", L), on_click=ui.toggle_language)
ui.date_switch()
ui.uploader_in_language(L)
ui.show_date_problem()
page.run()
