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

# Fill groups (shown as a prefix in the fill selector) and units, in Danish and English.
GROUPS = {"layer": ("Lag", "Layer"), "population": ("Befolkning", "Population"),
          "indicators": ("Indikatorer", "Indicators")}
UNITS = {
    "personer": ("personer", "people"),
    "år": ("år", "years"),
    "%": ("%", "%"),
    "kr.": ("kr.", "DKK"),
    "pr. 1.000 indb.": ("pr. 1.000 indb.", "per 1,000 residents"),
    "pr. 1.000": ("pr. 1.000", "per 1,000"),
    "point (0-100)": ("point (0-100)", "points (0-100)"),
}

CAVEAT_AGE = ("Aldersgrupper findes kun for 2020 (1. januar 2020).",
              "Age groups are only available for 2020 (1 January 2020).")
CAVEAT_DST_YEAR = (
    "Årstallet for Danmarks Statistiks socioøkonomiske indikatorer kan være én revision bagud "
    "(en senere udgivelse betegner de samme værdier 2024); året vises som i kilden.",
    "The year of Statistics Denmark's socio-economic indicators may be one revision behind "
    "(a later release labels the same values 2024); the year is shown as in the source.",
)
CAVEAT_VEJEN = ("Vejen er en reel outlier, drevet af få meget høje indkomster.",
                "Vejen is a real outlier, driven by a few very high incomes.")
CAVEAT_LIFE = ("Ikke offentliggjort for Ærø, Fanø, Læsø og Samsø (for få indbyggere).",
               "Not published for Ærø, Fanø, Læsø and Samsø (too few residents).")

# Per indicator (``indicator_id`` of indicators.csv): a short name in Danish and English, which
# direction is better (for ranking words) and caveats to show. Every indicator id must be here.
INDICATOR_META: dict[str, dict] = {
    "sp_daglig_rygning": {"da": "Dagligrygere, 16+ år", "en": "Daily smokers, aged 16+", "better": "low"},
    "sp_svaer_overvaegt": {"da": "Svær overvægt (BMI ≥ 30), 16+ år", "en": "Obesity (BMI ≥ 30), aged 16+",
                           "better": "low"},
    "sp_godt_selvvurderet_helbred": {"da": "Godt selvvurderet helbred, 16+ år",
                                     "en": "Good self-rated health, aged 16+", "better": "high"},
    "sp_daarligt_mentalt_helbred": {"da": "Dårligt mentalt helbred, 16+ år", "en": "Poor mental health, aged 16+",
                                    "better": "low"},
    "sp_over_10_genstande_uge": {"da": "Over 10 genstande om ugen, 16+ år",
                                 "en": "More than 10 drinks a week, aged 16+", "better": "low"},
    "sp_ikke_who_fysisk_aktivitet": {"da": "Under WHO's anbefaling for fysisk aktivitet, 16+ år",
                                     "en": "Below WHO's physical activity recommendation, aged 16+",
                                     "better": "low"},
    "sp_usundt_kostmoenster": {"da": "Usundt kostmønster, 16+ år", "en": "Unhealthy diet, aged 16+",
                               "better": "low"},
    "sp_ensomhed": {"da": "Ensomhed, 16+ år", "en": "Loneliness, aged 16+", "better": "low"},
    "sp_aldrig_nogen_at_tale_med": {"da": "Aldrig nogen at tale med, 16+ år",
                                    "en": "Never anyone to talk to, aged 16+", "better": "low"},
    "middellevetid_0aar_hisbk": {"da": "Middellevetid ved fødslen", "en": "Life expectancy at birth",
                                 "better": "high", "caveats": [CAVEAT_LIFE]},
    "gini": {"da": "Gini-koefficient (disponibel indkomst)", "en": "Gini coefficient (disposable income)",
             "better": "low", "caveats": [CAVEAT_DST_YEAR, CAVEAT_VEJEN]},
    "disponibel_indkomst_gns": {"da": "Gennemsnitlig disponibel indkomst", "en": "Average disposable income",
                                "better": "high", "caveats": [CAVEAT_DST_YEAR, CAVEAT_VEJEN]},
    "beskaeftigelsesfrekvens": {"da": "Beskæftigelsesfrekvens, 16-64 år", "en": "Employment rate, aged 16-64",
                                "better": "high", "caveats": [CAVEAT_DST_YEAR]},
    "boernefattigdom_0_17": {"da": "Børn i relativ fattigdom, 0-17 år", "en": "Children in relative poverty, 0-17",
                             "better": "low", "caveats": [CAVEAT_DST_YEAR]},
    "relativ_fattigdom_alle": {"da": "Relativ fattigdom, alle aldre", "en": "Relative poverty, all ages",
                               "better": "low", "caveats": [CAVEAT_DST_YEAR]},
    "kun_grundskole_25_29": {"da": "Kun grundskole, 25-29 år", "en": "Primary school only, aged 25-29",
                             "better": "low", "caveats": [CAVEAT_DST_YEAR]},
    "hjemmesygepleje_modtagere_pr_1000": {"da": "Modtagere af hjemmesygepleje", "en": "Home nursing recipients",
                                          "better": None},
}


def unit_text(unit: str, lang: str = "da") -> str:
    """A unit in the reader's language ('personer' → 'people'); unknown units are returned as given."""
    pair = UNITS.get(unit)
    return unit if pair is None else pair[0 if lang == "da" else 1]


def source_text(source: str, lang: str = "da") -> str:
    """A statistics source in short readable form: 'DST RAS200' → 'Danmarks Statistik, RAS200'
    ('Statistics Denmark, RAS200'); the health profile without its retrieval details."""
    profile = re.match(r"(Den Nationale Sundhedsprofil \d{4})", source)
    if profile:
        return profile.group(1) + (" (Sundhedsstyrelsen/SIF)" if lang == "da" else
                                   " (Danish Health Authority/SIF)")
    name = "Danmarks Statistik" if lang == "da" else "Statistics Denmark"
    tables = re.findall(r"\bDST\s+([A-Z0-9]+)", source)
    return f"{name}, {', '.join(dict.fromkeys(tables))}" if tables else source


def year_text(year: str, lang: str = "da") -> str:
    """A year label in the reader's language ('2025 (foreløbig)' → '2025 (provisional)')."""
    return year if lang == "da" else year.replace("foreløbig", "provisional")


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
    group_en: str = ""
    caveats_en: list[str] = field(default_factory=list)

    def label(self, lang: str = "da") -> str:
        """The fill's name in ``lang``."""
        return self.label_da if lang == "da" else self.label_en

    def unit_in(self, lang: str = "da") -> str:
        """The fill's unit in ``lang``."""
        return unit_text(self.unit, lang)

    def group_in(self, lang: str = "da") -> str:
        """The fill's group ('Befolkning' / 'Population') in ``lang``."""
        return self.group if lang == "da" else (self.group_en or self.group)

    def caveats_in(self, lang: str = "da") -> list[str]:
        """The fill's caveats in ``lang``."""
        return list(self.caveats if lang == "da" else self.caveats_en)


def fill_catalog(population: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, Fill]:
    """Every available fill, keyed ``membership``, ``pop:<year>:<column>`` or ``ind:<series_id>``."""
    fills = {MEMBERSHIP: Fill(MEMBERSHIP, "Medlemskab", "Membership", "category", group=GROUPS["layer"][0],
                              group_en=GROUPS["layer"][1])}
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
                group=GROUPS["population"][0],
                group_en=GROUPS["population"][1],
                caveats=[CAVEAT_AGE[0]] if col != "population_total" else [],
                caveats_en=[CAVEAT_AGE[1]] if col != "population_total" else [],
            )
    series = indicators.drop_duplicates("series_id").sort_values(["indicator_id", "year"])
    for _, row in series.iterrows():
        meta = INDICATOR_META.get(row["indicator_id"], {})
        key = f"ind:{row['series_id']}"
        short = meta.get("da") or re.sub(r"\s*\(.*\)$", "", row["name"]).strip()
        fills[key] = Fill(
            key,
            f"{short} ({row['year']})",
            f"{meta.get('en') or short} ({year_text(row['year'], 'en')})",
            "rate",
            unit=row["unit"],
            year=row["year"],
            source=row["source"].split(";")[0],
            group=GROUPS["indicators"][0],
            group_en=GROUPS["indicators"][1],
            better=meta.get("better"),
            caveats=[c[0] for c in meta.get("caveats", [])],
            caveats_en=[c[1] for c in meta.get("caveats", [])],
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
