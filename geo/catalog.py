"""The registry of what can fill a map: membership, population counts and indicator series."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

MEMBERSHIP = "membership"

POPULATION_GROUPS = {
    "population_total": ("i alt", "total"),
    "pop_0_17": ("0-17 år", "aged 0-17"),
    "pop_18_64": ("18-64 år", "aged 18-64"),
    "pop_65plus": ("65+ år", "aged 65+"),
    "pop_80plus": ("80+ år", "aged 80+"),
}

CAVEAT_AGE = "Aldersgrupper findes kun for 2020 (1. januar 2020)."
CAVEAT_DST_YEAR = (
    "Årstallet for Danmarks Statistiks socioøkonomiske indikatorer kan være én revision bagud "
    "(en senere udgivelse betegner de samme værdier 2024); året vises som i kilden."
)
CAVEAT_VEJEN = "Vejen er en reel outlier, drevet af få meget høje indkomster."
CAVEAT_LIFE = "Ikke offentliggjort for Ærø, Fanø, Læsø og Samsø (for få indbyggere)."

# Per indicator: which direction is better (for ranking words) and caveats to show.
INDICATOR_META: dict[str, dict] = {
    "sp_daglig_rygning": {"better": "low"},
    "sp_svaer_overvaegt": {"better": "low"},
    "sp_godt_selvvurderet_helbred": {"better": "high"},
    "sp_daarligt_mentalt_helbred": {"better": "low"},
    "sp_over_10_genstande_uge": {"better": "low"},
    "sp_ikke_who_fysisk_aktivitet": {"better": "low"},
    "sp_usundt_kostmoenster": {"better": "low"},
    "sp_ensomhed": {"better": "low"},
    "sp_aldrig_nogen_at_tale_med": {"better": "low"},
    "middellevetid_0aar_hisbk": {"better": "high", "caveats": [CAVEAT_LIFE]},
    "gini": {"better": "low", "caveats": [CAVEAT_DST_YEAR, CAVEAT_VEJEN]},
    "disponibel_indkomst_gns": {"better": "high", "caveats": [CAVEAT_DST_YEAR, CAVEAT_VEJEN]},
    "beskaeftigelsesfrekvens": {"better": "high", "caveats": [CAVEAT_DST_YEAR]},
    "boernefattigdom_0_17": {"better": "low", "caveats": [CAVEAT_DST_YEAR]},
    "relativ_fattigdom_alle": {"better": "low", "caveats": [CAVEAT_DST_YEAR]},
    "kun_grundskole_25_29": {"better": "low", "caveats": [CAVEAT_DST_YEAR]},
    "hjemmesygepleje_modtagere_pr_1000": {"better": None},
}


@dataclass(frozen=True)
class Fill:
    """One thing a map can be filled with.

    ``kind`` is 'count' (summed with shares), 'rate' (population-weighted mean) or 'category'.
    """

    key: str
    label_da: str
    label_en: str
    kind: str
    unit: str = ""
    year: str = ""
    source: str = ""
    group: str = ""
    better: str | None = None
    caveats: list[str] = field(default_factory=list)


def fill_catalog(population: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, Fill]:
    """Every available fill, keyed ``membership``, ``pop:<year>:<column>`` or ``ind:<series_id>``."""
    fills = {MEMBERSHIP: Fill(MEMBERSHIP, "Medlemskab", "Membership", "category", group="Lag")}
    for year in sorted(population["year"].unique(), reverse=True):
        rows = population[population["year"] == year]
        for col, (da, en) in POPULATION_GROUPS.items():
            if rows[col].isna().all():
                continue
            key = f"pop:{year}:{col}"
            fills[key] = Fill(
                key,
                f"Befolkning {da} ({year})",
                f"Population {en} ({year})",
                "count",
                unit="personer",
                year=str(year),
                source="; ".join(sorted(rows["source_table"].unique())),
                group="Befolkning",
                caveats=[CAVEAT_AGE] if col != "population_total" else [],
            )
    series = indicators.drop_duplicates("series_id").sort_values(["indicator_id", "year"])
    for _, row in series.iterrows():
        meta = INDICATOR_META.get(row["indicator_id"], {})
        key = f"ind:{row['series_id']}"
        short = re.sub(r"\s*\(.*\)$", "", row["name"]).strip()
        fills[key] = Fill(
            key,
            f"{short} ({row['year']})",
            f"{row['indicator_id']} ({row['year']})",
            "rate",
            unit=row["unit"],
            year=row["year"],
            source=row["source"].split(";")[0],
            group="Indikatorer",
            better=meta.get("better"),
            caveats=list(meta.get("caveats", [])),
        )
    return fills


def kommune_values(key: str, population: pd.DataFrame, indicators: pd.DataFrame) -> pd.Series:
    """Values of a numeric fill per kommune (index ``kommune_kode``); missing kommuner absent."""
    if key.startswith("pop:"):
        _, year, column = key.split(":", 2)
        rows = population[population["year"] == int(year)]
        return rows.set_index("kommune_kode")[column].dropna().rename(key)
    if key.startswith("ind:"):
        rows = indicators[indicators["series_id"] == key[4:]]
        if rows.empty:
            raise ValueError(f"indicator series {key[4:]!r} is unknown")
        return rows.set_index("kommune_kode")["value"].rename(key)
    raise ValueError(f"fill {key!r} is not numeric; expected 'pop:<year>:<column>' or 'ind:<series>'")


def weight_year(fill_year: str, available: list[int]) -> int:
    """The population year used to weight a rate: the available year nearest the series' last year."""
    years = [int(y) for y in re.findall(r"\d{4}", fill_year)]
    target = years[-1] if years else max(available)
    return min(available, key=lambda y: (abs(y - target), -y))


def weights_for(fill: Fill, population: pd.DataFrame) -> pd.Series:
    """Population per kommune used as weights (and for coverage) for a fill."""
    year = weight_year(fill.year, sorted(population["year"].unique()))
    rows = population[population["year"] == year]
    return rows.set_index("kommune_kode")["population_total"].rename(f"population_{year}")


def population_total(population: pd.DataFrame, year: int | None = None) -> tuple[pd.Series, int]:
    """Total population per kommune (index ``kommune_kode``) in ``year`` (default: the latest).

    Raises
    ------
    ValueError
        Naming the available years when ``year`` is not one of them.
    """
    years = sorted(int(y) for y in population["year"].unique())
    year = max(years) if year is None else int(year)
    if year not in years:
        raise ValueError(f"population year {year} is not available; expected one of {years}")
    rows = population[population["year"] == year]
    return rows.set_index("kommune_kode")["population_total"], year
