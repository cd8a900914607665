"""A PNG of a map view for slides and reports, drawn on the server with the same classes and colours."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import matplotlib
import pandas as pd
from shapely.geometry import box

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import patheffects  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from geo import safe  # noqa: E402
from geo.classify import LegendRow  # noqa: E402

MAX_TEXT = 300  # characters of a title, legend label or source line in the image


def plain(text: object, limit: int = MAX_TEXT) -> str:
    """Text matplotlib draws as written: no control characters, ``$`` not read as mathtext, capped length."""
    value = safe.clean(text).replace("\n", " ")
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value.replace("$", r"\$")


def render_png(
    areas: gpd.GeoDataFrame,
    legend: list[LegendRow],
    *,
    title: str,
    source: str,
    outlines: gpd.GeoDataFrame | None = None,
    sites=None,
    stamp_date: date | None = None,
    dpi: int = 150,
    labels: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Draw ``areas`` (column ``colour``) with a legend, a title, a scale bar and a source/date line.

    ``labels``: points (the areas' CRS) with a ``text`` column (e.g. `geo.views.unit_labels`), drawn
    with a white halo so every unit can be named on paper. Geometry is drawn in its own CRS
    (EPSG:25832, Denmark's map projection). Returns PNG bytes.
    """
    fig, ax = plt.subplots(figsize=(10, 7.2), dpi=dpi)
    areas.plot(ax=ax, color=areas["colour"], edgecolor="#4d4d4d", linewidth=0.25)
    if outlines is not None and len(outlines):
        outlines.boundary.plot(ax=ax, color="#111111", linewidth=1.0, linestyle=(0, (4, 2)))
    if sites is not None and len(sites):
        pts = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326)
        pts.to_crs(areas.crs).plot(ax=ax, color="white", edgecolor="black", markersize=22, zorder=5)
    if labels is not None and len(labels):
        draw_labels(ax, labels.to_crs(areas.crs), "text", fontsize=6.5)
    ax.set_axis_off()
    ax.set_aspect("equal")
    scale_bar(ax)
    handles = [Patch(facecolor=r.colour, edgecolor="#555555", label=f"{plain(r.label, 60)} ({r.count})")
               for r in legend]
    columns = 1 if len(handles) <= 12 else 2
    ax.legend(handles=handles, loc="upper right", fontsize=7, frameon=True, ncol=columns,
              title=None, borderaxespad=0.2)
    ax.set_title(textwrap.fill(plain(title), 110, break_long_words=True), fontsize=12, loc="left")
    stamp = (stamp_date or date.today()).isoformat()
    fig.text(0.01, 0.01, f"{plain(source)} · Klyngekort {stamp}", fontsize=6.5, color="#333333", wrap=True)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


# --------------------------------------------------------------------------- labels, scale bar, unit maps

HALO = [patheffects.withStroke(linewidth=2.6, foreground="white")]
HOSPITAL_COLOUR = "#b3001b"
WASHED = 0.35  # opacity of the units around the one a unit map shows


def nice_length(span_m: float) -> float:
    """A round scale-bar length (metres) of about a fifth of ``span_m``: 1, 2, 5, 10, 20, 25, 50 … km."""
    target = max(span_m / 5, 1.0)
    steps = [1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000]
    fitting = [s for s in steps if s <= target]
    return float(fitting[-1] if fitting else steps[0])


def scale_bar(ax, unit: str = "km") -> None:
    """A two-segment scale bar in the lower left of ``ax`` (data in EPSG:25832 metres, equal aspect)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    x, y = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.012
    for i, face in enumerate(("#222222", "white")):
        ax.add_patch(Rectangle((x + i * length / 2, y), length / 2, h, facecolor=face, edgecolor="#222222",
                               linewidth=0.6, zorder=8))
    label = f"{length / 1000:g} {unit}"
    for pos, text in ((x, "0"), (x + length, label)):
        ax.text(pos, y + h * 1.8, text, fontsize=6.5, ha="center", va="bottom", zorder=8, path_effects=HALO)


def draw_labels(ax, points: gpd.GeoDataFrame, column: str = "text", *, fontsize: float = 7.5,
                style: str = "normal", weight: str = "normal", colour: str = "#111111",
                bounds: tuple[float, float] | None = None) -> None:
    """Text at each point (the point's geometry, the frame's CRS) with a white halo, clipped to the axes.

    ``bounds`` (west, east): a label in the outer fifth of that span is aligned away from the edge
    (left-aligned near the west edge, right-aligned near the east edge), so it is not cut off."""
    for geom, text in zip(points.geometry, points[column], strict=True):
        if geom is None or geom.is_empty:
            continue
        ha = "center"
        if bounds is not None:
            west, east = bounds
            fifth = (east - west) / 5
            ha = "left" if geom.x < west + fifth else "right" if geom.x > east - fifth else "center"
        ax.annotate(plain(text, 60), (geom.x, geom.y), fontsize=fontsize, ha=ha, va="center",
                    style=style, weight=weight, color=colour, path_effects=HALO, zorder=7,
                    annotation_clip=True)


@dataclass(frozen=True)
class UnitMapText:
    """The words of a unit map in the reader's language (everything drawn that is not data)."""

    unit: str  # legend: the unit(s) shown
    neighbours: str  # legend: the units around it
    hospital: str  # legend: acute hospital
    outline: str = ""  # legend: the kommune outlined (kommune maps)


def unit_map_png(parts: gpd.GeoDataFrame, focus: list[str], text: UnitMapText, *,
                 sites: pd.DataFrame | None = None, outline=None, dpi: int = 150,
                 size: tuple[float, float] = (6.9, 5.6), short=lambda name: name) -> bytes:
    """A map of the unit(s) ``focus`` for paper: the unit outlined, its kommuner labelled with a halo,
    the acute hospitals (``sites``: ``name``, ``lat``, ``lon``), the neighbouring units in their
    colours, paler and named, a legend and a scale bar.

    ``parts`` are the layer's kommune parts (`geo.model.layer_parts`, EPSG:25832) with ``colour`` (the
    main map's membership colours); ``outline`` an optional geometry drawn dashed (a kommune);
    ``short`` shortens the neighbours' names (e.g. `geo.views.short_name`). Returns PNG bytes. Names
    are drawn as plain text (`plain`).
    """
    own = parts[parts["unit_id"].isin(focus)]
    if own.empty:
        raise ValueError(f"no parts of the unit(s) {focus} to draw")
    west, south, east, north = own.total_bounds
    pad = max(east - west, north - south) * 0.12 + 4000
    west, south, east, north = west - pad, south - pad, east + pad, north + pad
    ratio = (north - south) / max(east - west, 1.0)
    width, height = size
    height = min(max(width * ratio, width * 0.6), height * 1.25)
    fig = Figure(figsize=(width, height), dpi=dpi)  # not pyplot: safe beside other threads
    ax = fig.subplots()
    view = box(west, south, east, north)
    around = parts[parts.intersects(view)]
    others = around[~around["unit_id"].isin(focus)]
    if len(others):
        others.plot(ax=ax, color=others["colour"], alpha=WASHED, edgecolor="#9a9a9a", linewidth=0.3)
    own.plot(ax=ax, color=own["colour"], edgecolor="#555555", linewidth=0.5)
    units = own.dissolve(by="unit_id", as_index=False)
    units.boundary.plot(ax=ax, color="#111111", linewidth=1.8)
    if outline is not None:
        gpd.GeoSeries([outline], crs=parts.crs).boundary.plot(ax=ax, color="#111111", linewidth=1.1,
                                                               linestyle=(0, (4, 2)))
    kommuner = own.dissolve(by="kommune_kode", aggfunc={"kommune_navn": "first"}, as_index=False)
    kommuner["geometry"] = kommuner.geometry.representative_point()
    draw_labels(ax, kommuner, "kommune_navn", fontsize=7.5, weight="bold")
    if len(others):
        near = others.dissolve(by="unit_id", aggfunc={"unit_navn": "first"}, as_index=False)
        near["geometry"] = near.geometry.intersection(view.buffer(-pad * 0.4)).representative_point()
        near = near[~near.geometry.is_empty]
        near["label"] = [short(n) for n in near["unit_navn"]]
        draw_labels(ax, near, "label", fontsize=6.8, style="italic", colour="#333333", bounds=(west, east))
    handles = [Patch(facecolor=c, edgecolor="#111111", linewidth=1.2, label=plain(n, 60))
               for n, c in dict(zip(units["unit_navn"], units["colour"], strict=True)).items()]
    if len(others):
        handles.append(Patch(facecolor="#cccccc", alpha=0.6, edgecolor="#9a9a9a", label=plain(text.neighbours)))
    if sites is not None and len(sites):
        pts = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326)
        pts = pts.to_crs(parts.crs)
        pts = pts[pts.within(view)]
        if len(pts):
            pts.plot(ax=ax, marker="P", color=HOSPITAL_COLOUR, edgecolor="white", linewidth=0.6, markersize=70,
                     zorder=6)
            for geom, name in zip(pts.geometry, pts["name"], strict=True):
                ax.annotate(plain(name, 50), (geom.x, geom.y), xytext=(6, -2), textcoords="offset points",
                            fontsize=6.3, color=HOSPITAL_COLOUR, path_effects=HALO, zorder=7, annotation_clip=True)
            handles.append(Line2D([], [], marker="P", linestyle="", color=HOSPITAL_COLOUR, markeredgecolor="white",
                                  markersize=8, label=plain(text.hospital)))
    if outline is not None and text.outline:
        handles.append(Line2D([], [], color="#111111", linewidth=1.1, linestyle=(0, (4, 2)), label=plain(text.outline)))
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.legend(handles=handles, loc="upper right", fontsize=6.5, frameon=True, framealpha=0.9, borderaxespad=0.3)
    scale_bar(ax)
    fig.subplots_adjust(left=0.005, right=0.995, bottom=0.005, top=0.995)  # no tight_layout: one draw, not two
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
