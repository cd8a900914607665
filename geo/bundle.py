"""Load and validate everything the app needs into one `Bundle`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import citations, roles, sources, split, tables
from geo.config import CRS_DRAW, DATA_DIR, sources_dir
from geo.config import data_dir as default_data_dir
from geo.errors import ValidationError


@dataclass(frozen=True)
class Bundle:
    """Source data and project tables, loaded and validated.

    Geometries are in EPSG:25832. ``kommuner`` carries ``region`` (from the ``regioner`` layer).

    ``assignments`` holds the shares for the latest population year: a kommune split by sub-areas
    with population figures (København by bydele) has the shares of that year's split
    (`geo.split`). ``assignments_encoded`` is data/assignments.csv as written; `assignments_for`
    gives the assignments of any population year. ``sub_area_population`` is the population per
    sub-area and year (``kommune_kode, sub_area_id, sub_area_navn, year, population,
    kommune_total, source``; `geo.sources.load_sub_area_population`).
    """

    kommuner: gpd.GeoDataFrame
    sub_areas: gpd.GeoDataFrame
    population: pd.DataFrame
    indicators: pd.DataFrame
    layers: pd.DataFrame
    units: pd.DataFrame
    assignments: pd.DataFrame
    sites: pd.DataFrame
    sources_dir: Path
    citations: pd.DataFrame | None = None
    sub_area_population: pd.DataFrame | None = None
    assignments_encoded: pd.DataFrame | None = None
    _splits: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property
    def registry(self) -> roles.Registry:
        """The layers' roles and validity (`geo.roles.Registry`): which layer is in force on a date."""
        return roles.Registry.from_frame(self.layers)

    @cached_property
    def site_kommuner(self) -> pd.Series:
        """The kommune each site with coordinates lies in (index ``site_id``; sites at sea or abroad are
        left out), found by point in polygon in EPSG:25832."""
        sites = self.sites[self.sites["lat"] != ""]
        points = gpd.GeoDataFrame(
            sites[["site_id"]], crs=CRS_DRAW,
            geometry=gpd.points_from_xy(sites["lon"].astype(float), sites["lat"].astype(float)),
        ).to_crs(self.kommuner.crs)
        hits = gpd.sjoin(points, self.kommuner[["kommune_kode", "geometry"]], predicate="within", how="inner")
        return hits.drop_duplicates("site_id").set_index("site_id")["kommune_kode"]

    def layer(self, layer: str) -> pd.Series:
        """The layers.csv row of ``layer``; ValueError naming the valid layers otherwise."""
        match = self.layers[self.layers["layer"] == layer]
        if match.empty:
            raise ValueError(f"layer {layer!r} is unknown; expected one of {list(self.layers['layer'])}")
        return match.iloc[0]

    def latest_year(self) -> int:
        """The latest population year (what every view shows unless it names a year)."""
        return int(self.population["year"].max())

    def split_years(self, year: int | None = None) -> dict[str, int]:
        """Per kommune with sub-area population figures, the year its split uses for population
        year ``year`` (None: the latest): that year, else the nearest earlier one, else the earliest."""
        return split.split_years(self.sub_area_population, self.latest_year() if year is None else int(year))

    def split_year(self, year: int | None = None, kommune_kode: str | None = None) -> int | None:
        """The year the split by sub-areas uses for population year ``year`` (None: the latest).

        Without ``kommune_kode``: the year shared by every split kommune (ValueError if they differ);
        None when no kommune has sub-area population figures.
        """
        years = self.split_years(year)
        if kommune_kode is not None:
            if kommune_kode not in years:
                raise ValueError(f"kommune {kommune_kode!r} has no sub-area population figures; "
                                 f"kommuner with them: {sorted(years)}")
            return years[kommune_kode]
        used = set(years.values())
        if len(used) > 1:
            raise ValueError(f"the split kommuner use different years for {year}: {years}; name the kommune")
        return used.pop() if used else None

    def assignments_for(self, year: int | None = None) -> pd.DataFrame:
        """The assignments with the shares of population year ``year`` (None: the latest), cached
        per split year; `split_year` says which year of the sub-area figures they use.

        The frame is shared between callers: do not modify it (copy it first).
        """
        years = self.split_years(year)
        key = tuple(sorted(years.items()))
        if key not in self._splits:
            encoded = self.assignments if self.assignments_encoded is None else self.assignments_encoded
            self._splits[key] = split.split_shares(encoded, self.sub_area_population,
                                                   self.latest_year() if year is None else int(year))[0]
        return self._splits[key]


def load_project_tables(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """Read data/layers.csv, units.csv, assignments.csv, sites.csv and citations.csv (unvalidated)."""
    names = ("layers", "units", "assignments", "sites", "citations")
    return {name: tables.read_csv_table(data_dir / f"{name}.csv", f"{name}.csv") for name in names}


def validate_project_tables(
    raw: dict[str, pd.DataFrame], kommuner: pd.DataFrame, sub_areas: pd.DataFrame,
    sub_area_population: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate the project tables against the kommuner; return the prepared assignments (as encoded).

    With ``sub_area_population``, a kommune split by sub-areas must list every one of its
    sub-areas once between its rows, so that its shares can follow the population year.

    Raises
    ------
    ValidationError
        Listing every problem in every table.
    """
    problems = tables.validate_layers(raw["layers"])
    problems += tables.validate_sites(raw["sites"])
    problems += tables.validate_units(raw["units"], raw["layers"], raw["sites"])
    assignments, more = tables.prepare_assignments(raw["assignments"], "assignments.csv")
    problems += more
    problems += citations.validate_citations(raw["citations"])
    if not problems:
        problems += citations.uncited(raw["citations"], raw)
    if not more:
        for _, row in assignments.iterrows():
            has_da, has_en = bool(row["why_da"].strip()), bool(row["why_en"].strip())
            if row["confidence"] == "low" and not (has_da and has_en):
                problems.append(f"assignments.csv line {row['_line']}: a low-confidence row needs why_da and "
                                f"why_en (why the sources leave it uncertain); kommune {row['kommune_kode']}, "
                                f"unit {row['unit_id']}")
            elif has_da != has_en:
                problems.append(f"assignments.csv line {row['_line']}: the reason for the confidence is given in "
                                f"{'why_da' if has_da else 'why_en'} only; give it in both languages; kommune "
                                f"{row['kommune_kode']}, unit {row['unit_id']}")
        problems += tables.validate_assignments(
            assignments,
            table="assignments.csv",
            kommuner=kommuner,
            layers=raw["layers"],
            units=raw["units"],
            sub_areas=sub_areas,
        )
        problems += split.incomplete_splits(assignments, sub_area_population)
        used = set(zip(assignments["layer"], assignments["unit_id"], strict=True))
        for _, row in raw["units"].iterrows():
            if (row["layer"], row["unit_id"]) not in used:
                problems.append(f"units.csv line {row['_line']}: unit {row['unit_id']!r} of "
                                f"{row['layer']} has no kommune in assignments.csv")
    if problems:
        raise ValidationError("data/", problems)
    return assignments


def load_bundle(source_dir: Path | None = None, data_dir: Path | None = None) -> Bundle:
    """Load the source data and the project tables, validating both.

    Parameters
    ----------
    source_dir : Path, optional
        The source-data directory; default ``$KLYNGEKORT_SOURCES`` or ``../shared/data/sources``.
    data_dir : Path, optional
        The project's tables; default ``$KLYNGEKORT_DATA`` or the repository's ``data/``.
    """
    directory = source_dir or sources_dir()
    tables_dir = data_dir or default_data_dir()
    sources.check_sources_dir(directory)
    kommuner = sources.load_kommuner(directory)
    sources.check_kommuner_cover_regioner(kommuner, sources.load_regioner(directory), directory)
    codes = set(kommuner["kommune_kode"])
    sub_areas = sources.load_sub_areas(directory, kommuner)
    sub_area_population = sources.load_sub_area_population(directory, sub_areas)
    population = sources.load_population(directory, codes)
    indicators = sources.load_indicators(directory, codes)
    raw = load_project_tables(tables_dir)
    encoded = validate_project_tables(raw, kommuner, sub_areas, sub_area_population)
    latest = int(population["year"].max())
    assignments, used = split.split_shares(encoded, sub_area_population, latest)
    # ``region``: the oldest region layer (the five regions of 2007, in which 'named' layers such as
    # Region Midtjylland's 2018 klynger are drawn); views show the region in force on their date.
    home = roles.Registry.from_frame(raw["layers"]).of_role("region")[0].layer
    region = assignments.loc[assignments["layer"] == home, ["kommune_kode", "unit_id"]]
    names = raw["units"].loc[raw["units"]["layer"] == home, ["unit_id", "unit_navn"]]
    region = region.merge(names, on="unit_id", validate="many_to_one")
    kommuner = kommuner.merge(
        region.rename(columns={"unit_navn": "region"})[["kommune_kode", "region"]],
        on="kommune_kode",
        how="left",
        validate="one_to_one",
    )
    bundle = Bundle(
        kommuner=kommuner,
        sub_areas=sub_areas,
        population=population,
        indicators=indicators,
        layers=raw["layers"],
        units=raw["units"],
        assignments=assignments,
        sites=raw["sites"],
        sources_dir=directory,
        citations=raw["citations"],
        sub_area_population=sub_area_population,
        assignments_encoded=encoded,
    )
    bundle._splits[tuple(sorted(used.items()))] = assignments  # assignments_for(None) is this frame
    return bundle
