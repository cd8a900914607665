"""Load and validate everything the app needs into one `Bundle`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import citations, roles, sources, tables
from geo.config import CRS_DRAW, DATA_DIR, sources_dir
from geo.config import data_dir as default_data_dir
from geo.errors import ValidationError


@dataclass(frozen=True)
class Bundle:
    """Source data and project tables, loaded and validated.

    Geometries are in EPSG:25832. ``kommuner`` carries ``region`` (from the ``regioner`` layer).
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


def load_project_tables(data_dir: Path = DATA_DIR) -> dict[str, pd.DataFrame]:
    """Read data/layers.csv, units.csv, assignments.csv, sites.csv and citations.csv (unvalidated)."""
    names = ("layers", "units", "assignments", "sites", "citations")
    return {name: tables.read_csv_table(data_dir / f"{name}.csv", f"{name}.csv") for name in names}


def validate_project_tables(
    raw: dict[str, pd.DataFrame], kommuner: pd.DataFrame, sub_areas: pd.DataFrame
) -> pd.DataFrame:
    """Validate the project tables against the kommuner; return the prepared assignments.

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
            if row["confidence"] == "low" and not (row["why_da"].strip() and row["why_en"].strip()):
                problems.append(f"assignments.csv line {row['_line']}: a low-confidence row needs why_da and "
                                f"why_en (why the sources leave it uncertain); kommune {row['kommune_kode']}, "
                                f"unit {row['unit_id']}")
        problems += tables.validate_assignments(
            assignments,
            table="assignments.csv",
            kommuner=kommuner,
            layers=raw["layers"],
            units=raw["units"],
            sub_areas=sub_areas,
        )
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
    population = sources.load_population(directory, codes)
    indicators = sources.load_indicators(directory, codes)
    raw = load_project_tables(tables_dir)
    assignments = validate_project_tables(raw, kommuner, sub_areas)
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
    return Bundle(
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
    )
