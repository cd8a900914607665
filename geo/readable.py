"""Tables as a reader sees them: headers in the reader's language and values formatted by locale.

`display_table` turns a view table (machine column names, raw values) into a display table; it is
pure and never changes its input.
"""

from __future__ import annotations

import pandas as pd

from geo import fmt
from geo.catalog import Fill
from geo.config import CONFIDENCE_LEVELS
from geo.i18n import t

# Column of a view table -> (text key of its header, how its values are shown). ``None`` drops it.
COLUMNS: dict[str, tuple[str, str] | None] = {
    "kommune_kode": ("col_code", "text"),
    "kommune_navn": ("col_kommune_name", "text"),
    "region": ("col_region", "text"),
    "unit_navne": ("col_units", "list"),
    "unit_navn": ("col_unit_name", "text"),
    "shares": ("col_share", "shares"),
    "share": ("col_share", "percent"),
    "confidence": ("col_confidence", "confidence"),
    "value": ("col_value", "value"),
    "n_kommuner": ("col_n_kommuner", "int"),
    "population": ("col_population", "int"),
    "coverage": ("col_coverage", "percent"),
    "unit_id": None,
    "unit_ids": None,
    "lines": None,
    "population_year": None,  # said in the population column's header ("Befolkning 2026")
}


def confidence_word(level: str, lang: str = "da") -> str:
    """'høj'/'middel'/'lav' (or English); unknown levels are returned as given."""
    return t(f"conf_{level}", lang) if level in CONFIDENCE_LEVELS else level


def _list(value: object, formatter) -> str:
    parts = [p for p in str(value or "").split(";") if p.strip()]
    return "; ".join(formatter(p.strip()) for p in parts)


def _share(text: str, lang: str) -> str:
    try:
        return fmt.percent(float(text), lang)
    except ValueError:
        return text


def value_header(fill: Fill | None, lang: str) -> str:
    """'Middellevetid ved fødslen (2019-2023), år' — the value column's header for a fill."""
    if fill is None:
        return t("col_value", lang)
    unit = fill.unit_in(lang)
    return f"{fill.label(lang)}, {unit}" if unit else fill.label(lang)


def display_table(table: pd.DataFrame, lang: str = "da", fill: Fill | None = None) -> pd.DataFrame:
    """A view table for reading: known columns renamed into ``lang`` and formatted by its locale.

    Parameters
    ----------
    table : DataFrame
        A view table with columns from `COLUMNS` (unknown columns are kept unchanged).
    lang : {'da', 'en'}
    fill : Fill, optional
        The fill of a ``value`` column: its decimals, unit and name.

    Returns
    -------
    DataFrame
        New frame of text columns; ``;``-joined lists become '; '-joined, shares percentages,
        confidence levels words, numbers locale-formatted, missing values an en dash.
    """
    decimals = fmt.decimals_for(fill.unit, fill.kind) if fill is not None else 1
    out = {}
    for column in table.columns:
        spec = COLUMNS.get(column, (None, "keep"))
        if spec is None:
            continue
        key, how = spec
        values = table[column]
        if how == "list":
            shown = [_list(v, lambda p: p) for v in values]
        elif how == "shares":
            shown = [_list(v, lambda p: _share(p, lang)) for v in values]
        elif how == "percent":
            shown = [fmt.percent(v, lang) for v in values]
        elif how == "confidence":
            shown = [confidence_word(v, lang) if v else "" for v in values]
        elif how == "int":
            shown = [fmt.number(v, 0, lang) for v in values]
        elif how == "value":
            shown = [fmt.number(v, decimals, lang) for v in values]
        else:
            shown = list(values)
        header = value_header(fill, lang) if how == "value" else (t(key, lang) if key else column)
        if column == "population" and "population_year" in table.columns and table["population_year"].nunique() == 1:
            header = t("col_population_in", lang, year=str(table["population_year"].iloc[0]))
        out[header] = shown
    return pd.DataFrame(out, index=range(len(table)))


def confidence_counts(assignments: pd.DataFrame, layer_names: dict[str, str], lang: str = "da") -> pd.DataFrame:
    """Rows per layer and confidence, columns in the order høj | middel | lav, layers by name."""
    counts = (assignments.groupby(["layer", "confidence"]).size().unstack(fill_value=0)
              .reindex(columns=list(CONFIDENCE_LEVELS), fill_value=0))
    order = [layer for layer in layer_names if layer in counts.index]
    counts = counts.loc[order]
    out = pd.DataFrame({t("col_layer", lang): [layer_names[x] for x in counts.index]})
    for level in CONFIDENCE_LEVELS:
        out[confidence_word(level, lang)] = [fmt.number(n, 0, lang) for n in counts[level]]
    return out
