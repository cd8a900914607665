"""Tables for a phone: the same rows as cards (one block per row, "column: value" lines) in HTML.

`cards_html` is pure; `NARROW_CSS` shows the cards instead of the wide table below `NARROW_PX`, so
neither the page nor the table scrolls sideways at 390 px. Every text is escaped by `geo.safe.html`.
"""

from __future__ import annotations

import pandas as pd

from geo import safe

NARROW_PX = 640
CARD_CSS = (
    ".kk-cards{list-style:none;margin:0!important;padding:0!important}"
    ".kk-card{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:.5rem .75rem!important;"
    "margin:0 0 .5rem!important}"
    ".kk-card-title{font-weight:600;margin:0 0 .25rem;overflow-wrap:anywhere}"
    ".kk-card dl{display:grid;grid-template-columns:minmax(5.5rem,auto) 1fr;gap:.1rem .75rem;"
    "margin:0!important;padding:0!important}"
    ".kk-card dt{color:rgba(49,51,63,.7);font-size:.875rem;margin:0!important;padding:0!important}"
    ".kk-card dd{margin:0!important;padding:0!important;overflow-wrap:anywhere}"
)


def narrow_css(wide_key: str, narrow_key: str) -> str:
    """A ``<style>`` that shows Streamlit containers whose key starts with ``narrow_key`` only below
    `NARROW_PX` and those whose key starts with ``wide_key`` only above it (Streamlit gives a keyed
    container the class ``st-key-<key>``)."""
    for name in (wide_key, narrow_key):
        if not name or not name.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"a container key must be letters, digits, '-' or '_'; got {name!r}")
    wide, narrow = (f'[class*="st-key-{name}"]' for name in (wide_key, narrow_key))
    return (f"<style>{CARD_CSS}"
            f"@media (max-width:{NARROW_PX}px){{{wide}{{display:none!important}}}}"
            f"@media (min-width:{NARROW_PX + 1}px){{{narrow}{{display:none!important}}}}</style>")


def cards_html(frame: pd.DataFrame, title: str | None = None, label: str = "") -> str:
    """The rows of ``frame`` as a list of cards: the ``title`` column (default the first) heads each
    card, the other columns follow as term and value; empty values are left out.

    Parameters
    ----------
    frame : DataFrame
        Display columns (already in the reader's language and formatted as text).
    title : str, optional
        The column that heads each card.
    label : str
        An accessible name for the list.
    """
    if frame.columns.empty:
        raise ValueError("cards need at least one column")
    head = title if title is not None else frame.columns[0]
    if head not in frame.columns:
        raise ValueError(f"title column {head!r} is not in the table; columns: {list(frame.columns)}")
    rest = [c for c in frame.columns if c != head]
    items = []
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row, strict=True))
        lines = "".join(f"<dt>{safe.html(c)}</dt><dd>{safe.html(values[c])}</dd>" for c in rest
                        if not _empty(values[c]))
        items.append(f'<li class="kk-card"><p class="kk-card-title">{safe.html(values[head])}</p>'
                     f"<dl>{lines}</dl></li>")
    aria = f' aria-label="{safe.html(label)}"' if label else ""
    return f'<ul class="kk-cards"{aria}>' + "".join(items) + "</ul>"


def _empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    return str(value).strip() == ""
