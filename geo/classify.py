"""Values → classes → colours (mapclassify), with registries of schemes and palettes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.colors import to_hex

_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")

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

# Okabe-Ito: a qualitative palette distinguishable with the common colour-vision deficiencies (black
# left out: outlines and labels are drawn in it). Eight colours: the most units of one layer within one
# region is six (voksenpsykiatri in Hovedstaden and Syddanmark), and membership_colours needs at most 7.
CATEGORICAL = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"]

MISSING_COLOUR = "#d4d4d4"  # "ingen data": its own class, never part of the computed classes
UNASSIGNED_COLOUR = "#ffffff"  # "ikke tildelt" in a layer whose source does not name the kommune
OUTSIDE_COLOUR = "#f4f4f4"  # outside a regional layer
K_RANGE = (2, 9)
MAX_BREAKS = 12


class BreaksError(ValueError):
    """User-defined class breaks that cannot be used; ``reason`` is an i18n key suffix
    ('not_number', 'too_many', 'duplicate') and ``value`` the offending text."""

    def __init__(self, reason: str, value: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.value = value


def check_breaks(breaks: list[float]) -> list[float]:
    """Sorted, validated user breaks: finite numbers, distinct, at most `MAX_BREAKS`.

    Raises
    ------
    BreaksError
        Naming the break and the rule.
    """
    if len(breaks) > MAX_BREAKS:
        raise BreaksError("too_many", str(len(breaks)), f"at most {MAX_BREAKS} breaks; got {len(breaks)}")
    values = []
    for b in breaks:
        try:
            value = float(b)
        except (TypeError, ValueError):
            value = float("nan")
        if isinstance(b, bool) or not np.isfinite(value):
            raise BreaksError("not_number", str(b), f"breaks must be finite numbers; {str(b)!r} is not")
        values.append(value)
    bins = sorted(values)
    dup = [b for i, b in enumerate(bins[1:]) if b == bins[i]]
    if dup:
        raise BreaksError("duplicate", f"{dup[0]:g}", f"breaks must be distinct; {dup[0]:g} appears twice")
    return bins


def parse_breaks(text: str) -> tuple[float, ...]:
    """Breaks typed as ``8; 10,5; 12`` (``;``-separated, decimal comma or point) → sorted floats.

    Only plain decimal numbers count: ``nan``, ``inf``, ``1e400`` and words are refused.

    Raises
    ------
    BreaksError
        Naming the first part that is not a number, too many breaks or a repeated break.
    """
    parts = [p.strip() for p in str(text).split(";") if p.strip()]
    if len(parts) > MAX_BREAKS:
        raise BreaksError("too_many", str(len(parts)), f"at most {MAX_BREAKS} breaks; got {len(parts)}")
    values = []
    for part in parts:
        plain = part.replace(" ", "").replace("\u00a0", "")
        if not _DECIMAL.fullmatch(plain):
            raise BreaksError("not_number", part, f"{part!r} is not a number")
        values.append(float(plain.replace(",", ".")))
    return tuple(check_breaks(values))


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
        Upper bounds of the classes for 'user_defined' (finite, distinct, at most `MAX_BREAKS`);
        values above the highest break get a class of their own, closed by the largest value.
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
        import mapclassify  # here, not at the top: it pulls in scipy, scikit-learn and pyplot (about 3 s to import)

        if scheme == "user_defined":
            if not breaks:
                raise ValueError("user_defined needs breaks: a list of upper class bounds")
            bins = check_breaks(list(breaks))
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


TOUCH_M = 1.0  # units closer than this (in a projected CRS, metres) are neighbours


def _neighbours(frame: gpd.GeoDataFrame) -> list[set[int]]:
    """Per unit (position) the positions of the units it touches (corners count: queen contiguity)."""
    geoms = np.asarray(frame.geometry.values)
    tree = shapely.STRtree(geoms)
    projected = frame.crs is not None and frame.crs.is_projected
    left, right = (tree.query(geoms, predicate="dwithin", distance=TOUCH_M) if projected
                   else tree.query(geoms, predicate="intersects"))
    out: list[set[int]] = [set() for _ in range(len(frame))]
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j:
            out[i].add(j)
            out[j].add(i)
    return out


def membership_colours(units: gpd.GeoDataFrame, regions: Mapping[str, Iterable[str]] | None = None
                       ) -> dict[str, str]:
    """A colour per unit from the colour-blind-safe `CATEGORICAL` palette such that every unit can
    be told from the others around it: units that touch never share a colour, and no colour is
    used twice within a region.

    Parameters
    ----------
    units : GeoDataFrame
        ``unit_id`` and geometry (a projected CRS in metres, e.g. EPSG:25832, or touching shapes);
        an optional ``regions`` column (what `geo.model.unit_geometries` gives when the parts carry
        the kommuner's ``region``) names each unit's regions.
    regions : mapping, optional
        unit id → the regions (the 2007 regions of its kommuner) it lies in; overrides the column.

    Returns
    -------
    dict
        unit id → colour. With no more units than colours every unit has its own colour; otherwise
        the units are coloured most constrained first (DSATUR), each taking the least used colour
        its neighbours and region mates leave, so the colours are spread evenly.

    Raises
    ------
    ValueError
        If the palette is too small for the constraints.
    """
    frame = units.reset_index(drop=True)
    ids = [str(u) for u in frame["unit_id"]]
    if regions is None and "regions" in frame.columns:
        regions = dict(zip(ids, frame["regions"], strict=True))
    if len(ids) <= len(CATEGORICAL):
        return {u: CATEGORICAL[i] for i, u in enumerate(ids)}
    conflicts = _neighbours(frame)
    members: dict[str, list[int]] = {}
    for i, u in enumerate(ids):
        for region in (regions or {}).get(u, ()) or ():
            members.setdefault(str(region), []).append(i)
    for group in members.values():
        for i in group:
            conflicts[i].update(j for j in group if j != i)
    colour: dict[int, int] = {}
    used = [0] * len(CATEGORICAL)
    while len(colour) < len(ids):
        todo = [i for i in range(len(ids)) if i not in colour]
        i = max(todo, key=lambda k: (len({colour[j] for j in conflicts[k] if j in colour}), len(conflicts[k]),
                                     -k))
        taken = {colour[j] for j in conflicts[i] if j in colour}
        free = [c for c in range(len(CATEGORICAL)) if c not in taken]
        if not free:
            raise ValueError(f"unit {ids[i]!r} touches or shares a region with units of all {len(CATEGORICAL)} "
                             "colours; the palette is too small")
        colour[i] = min(free, key=lambda c: (used[c], c))
        used[colour[i]] += 1
    return {u: CATEGORICAL[colour[i]] for i, u in enumerate(ids)}
