"""A PNG of a map view for slides and reports, drawn on the server with the same classes and colours."""

from __future__ import annotations

import io
import textwrap
from datetime import date

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

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
) -> bytes:
    """Draw ``areas`` (column ``colour``) with a legend, a title and a source/date line.

    Geometry is drawn in its own CRS (EPSG:25832, Denmark's map projection). Returns PNG bytes.
    """
    fig, ax = plt.subplots(figsize=(10, 7.2), dpi=dpi)
    areas.plot(ax=ax, color=areas["colour"], edgecolor="#4d4d4d", linewidth=0.25)
    if outlines is not None and len(outlines):
        outlines.boundary.plot(ax=ax, color="#111111", linewidth=1.0, linestyle=(0, (4, 2)))
    if sites is not None and len(sites):
        pts = gpd.GeoDataFrame(sites, geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=4326)
        pts.to_crs(areas.crs).plot(ax=ax, color="white", edgecolor="black", markersize=22, zorder=5)
    ax.set_axis_off()
    ax.set_aspect("equal")
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
