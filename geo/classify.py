"""Values → classes → colours (mapclassify), with registries of schemes and palettes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

# Class schemes: key → (Danish label, English label, mapclassify name).
SCHEMES: dict[str, tuple[str, str, str]] = {
    "quantiles": ("Kvantiler (lige mange i hver klasse)", "Quantiles", "Quantiles"),
    "fisher_jenks": ("Fisher-Jenks (naturlige brud)", "Fisher-Jenks (natural breaks)", "FisherJenks"),
    "equal_interval": ("Lige store intervaller", "Equal intervals", "EqualInterval"),
    "user_defined": ("Egne klassegrænser", "User-defined breaks", "UserDefined"),
}

# Sequential palettes that stay readable with colour-vision deficiency (ColorBrewer, viridis family).
PALETTES: dict[str, tuple[str, str, str]] = {
    "blues": ("Blå", "Blues", "Blues"),
    "ylgnbu": ("Gul-grøn-blå", "Yellow-green-blue", "YlGnBu"),
    "viridis": ("Viridis", "Viridis", "viridis_r"),
    "cividis": ("Cividis", "Cividis", "cividis_r"),
    "purples": ("Lilla", "Purples", "Purples"),
}

# Okabe-Ito: a qualitative palette distinguishable with the common colour-vision deficiencies.
CATEGORICAL = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"]

MISSING_COLOUR = "#d4d4d4"  # "ingen data": its own class, never part of the computed classes
UNASSIGNED_COLOUR = "#ffffff"  # "ikke tildelt" in a layer whose source does not name the kommune
OUTSIDE_COLOUR = "#f4f4f4"  # outside a regional layer
K_RANGE = (2, 9)


@dataclass(frozen=True)
class LegendRow:
    """One legend entry: label, colour and how many features it has."""

    label: str
    colour: str
    count: int
    lower: float | None = None
    upper: float | None = None


def _check_choice(value: str, registry: dict, what: str) -> None:
    if value not in registry:
        raise ValueError(f"{what} must be in the set: {sorted(registry)}; got {value!r}")


def palette_colours(palette: str, k: int) -> list[str]:
    """``k`` colours from light to dark of a registered sequential palette."""
    _check_choice(palette, PALETTES, "palette")
    cmap = colormaps[PALETTES[palette][2]]
    # Keep away from the palette's near-white end so the lightest class is still visible.
    return [to_hex(cmap(x)) for x in np.linspace(0.18, 0.95, k)]


def classify(
    values: pd.Series,
    scheme: str,
    k: int,
    palette: str,
    breaks: list[float] | None = None,
    formatter: Callable[[float], str] = lambda x: f"{x:,.1f}",
    missing_label: str = "Ingen data",
) -> tuple[pd.DataFrame, list[LegendRow]]:
    """Classify values and colour them; missing values get `MISSING_COLOUR` and their own row.

    Parameters
    ----------
    values : Series
        Values to classify; NaN is "ingen data" and takes no part in the class computation.
    scheme : str
        A key of `SCHEMES`.
    k : int
        Number of classes (ignored for 'user_defined', which uses ``breaks``).
    palette : str
        A key of `PALETTES`.
    breaks : list of float, optional
        Upper bounds of the classes for 'user_defined'; the largest value closes the last class.
    formatter : callable
        Formats the class bounds in legend labels (e.g. Danish ``1.234,5``).
    missing_label : str
        The legend label of the missing-data class.

    Returns
    -------
    (DataFrame, list of LegendRow)
        The frame has the index of ``values`` and columns ``class`` (-1 = missing) and ``colour``.
    """
    _check_choice(scheme, SCHEMES, "scheme")
    data = values.dropna().astype(float)
    out = pd.DataFrame({"class": -1, "colour": MISSING_COLOUR}, index=values.index)
    legend: list[LegendRow] = []
    if len(data):
        if scheme == "user_defined":
            if not breaks:
                raise ValueError("user_defined needs breaks: a list of upper class bounds")
            bins = sorted(float(b) for b in breaks)
            if len(set(bins)) != len(bins):
                raise ValueError(f"breaks must be distinct; got {breaks}")
            classifier = mapclassify.UserDefined(data.values, bins=bins)
        else:
            if not K_RANGE[0] <= k <= K_RANGE[1]:
                raise ValueError(f"number of classes must be {K_RANGE[0]}-{K_RANGE[1]}; got {k}")
            k_eff = max(1, min(k, data.nunique()))
            classifier = mapclassify.classify(data.values, SCHEMES[scheme][2], k=k_eff)
        bins = list(classifier.bins)
        colours = palette_colours(palette, max(len(bins), 2))[: len(bins)]
        out.loc[data.index, "class"] = classifier.yb
        out.loc[data.index, "colour"] = [colours[c] for c in classifier.yb]
        lower = float(data.min())
        for i, upper in enumerate(bins):
            count = int((classifier.yb == i).sum())
            label = f"{formatter(lower)} – {formatter(upper)}"
            legend.append(LegendRow(label, colours[i], count, lower, float(upper)))
            lower = float(upper)
    n_missing = int(values.isna().sum())
    if n_missing:
        legend.append(LegendRow(missing_label, MISSING_COLOUR, n_missing))
    return out, legend


def membership_colours(units: gpd.GeoDataFrame) -> dict[str, str]:
    """A colour per unit such that units that touch never share a colour.

    Uses mapclassify's greedy colouring on queen contiguity of the unit geometries and the
    Okabe-Ito palette; ``units`` needs ``unit_id`` and geometry.
    """
    frame = units.reset_index(drop=True)
    if len(frame) == 1:
        return {frame["unit_id"].iloc[0]: CATEGORICAL[0]}
    colour_index = mapclassify.greedy(frame, strategy="balanced", min_colors=5)
    if colour_index.max() >= len(CATEGORICAL):
        raise ValueError(f"{colour_index.max() + 1} colours needed; the palette has {len(CATEGORICAL)}")
    return {uid: CATEGORICAL[int(c)] for uid, c in zip(frame["unit_id"], colour_index, strict=True)}
