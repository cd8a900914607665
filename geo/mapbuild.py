"""The folium map builder: choropleth fill, outline overlay, sites — and no external requests.

Leaflet 1.9.4 comes from the PyPI package ``django-js-lib-leaflet`` and is served by the app
itself; there is no CDN and, by default, no tile server.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import folium
import geopandas as gpd
import js_lib_leaflet
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure, MacroElement
from folium.plugins import DualMap
from jinja2 import Template
from shapely.ops import polylabel

from geo import safe
from geo.config import CRS_DRAW
from geo.sources import polygonal

LEAFLET_VERSION = "1.9.4"
LEAFLET_DIR = Path(js_lib_leaflet.__file__).parent / "static" / "js_lib_leaflet"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
DK_BOUNDS = [[54.55, 8.05], [57.76, 15.2]]
BACKGROUND = "#e8eef3"
SITE_STYLE = {"akutsygehus": ("#111111", "#ffffff", 6)}
SITE_DEFAULT_STYLE = ("#6a3d9a", "#f2e6ff", 5)
# Every national map starts over Denmark; zoom in quarter steps.
MAP_OPTIONS = {"location": [56.1, 10.9], "zoom_start": 7, "tiles": None, "control_scale": True, "zoom_snap": 0.25}


def _accessible_map_template() -> Template:
    """folium.Map's own macros, with the header's viewport meta no longer forbidding zoom."""
    template = Template(
        "{% macro header(this, kwargs) %}{{ base.header(this, kwargs)"
        "|replace('maximum-scale=1.0, user-scalable=no', 'maximum-scale=5.0') }}{% endmacro %}"
        "{% macro html(this, kwargs) %}{{ base.html(this, kwargs) }}{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ base.script(this, kwargs) }}{% endmacro %}"
    )
    template.globals["base"] = folium.Map._template.module
    return template


class AccessibleMap(folium.Map):
    """folium.Map whose page lets people zoom: folium's ``maximum-scale=1.0, user-scalable=no``
    fails WCAG 1.4.4 (Resize Text), as axe-core reports in the browser tests."""

    _template = _accessible_map_template()


def draw_frame(gdf: gpd.GeoDataFrame, columns: list[str], precision: int = 4) -> gpd.GeoDataFrame:
    """A copy for drawing: WGS84, coordinates rounded to ``precision`` decimals, only ``columns``.

    Odd dtypes (categories, booleans, numpy scalars) are cast to JSON-safe types. Text columns are
    HTML for tooltips or style keys: any ``{`` left in them becomes ``&#123;``, because folium runs
    the map's script, GeoJSON included, through Jinja again (see `geo.safe.html`).
    """
    out = gdf[[*columns, "geometry"]].to_crs(CRS_DRAW)
    geoms = shapely.transform(out.geometry.values, lambda xy: np.round(xy, precision))
    geoms = [polygonal(g) if g.geom_type not in ("Point", "MultiPoint") else g
             for g in shapely.make_valid(geoms)]
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=CRS_DRAW))
    for col in columns:
        if not (pd.api.types.is_float_dtype(out[col]) or pd.api.types.is_integer_dtype(out[col])):
            out[col] = out[col].astype(str).str.replace("{", "&#123;", regex=False)
    return out


def _area_style(feature: dict) -> dict:
    props = feature["properties"]
    style = {"fillColor": props["colour"], "color": "#4d4d4d", "weight": 0.6, "fillOpacity": 0.88}
    if props.get("shared") == "True":
        style.update({"weight": 1.6, "dashArray": "4 3"})
    return style


def _outline_style(_feature: dict) -> dict:
    return {"fill": False, "color": "#111111", "weight": 2.2, "dashArray": "7 4", "opacity": 0.9}


def _highlight_style(_feature: dict) -> dict:
    return {"fill": False, "color": "#d00000", "weight": 3.5, "opacity": 1}


def _unit_highlight_style(_feature: dict) -> dict:
    return {"fill": True, "fillColor": "#000000", "fillOpacity": 0.12, "color": "#000000", "weight": 4,
            "opacity": 1}


HIGHLIGHT_STYLES = {"kommune": _highlight_style, "unit": _unit_highlight_style}

LABEL_CSS = (
    "<style>.unit-label-icon{background:none;border:none}"
    ".unit-label{position:absolute;left:0;top:0;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:600 11px/1.15 'Helvetica Neue',Arial,sans-serif;color:#111;pointer-events:none;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,1px 1px 1px #fff,-1px -1px 1px #fff}"
    ".unit-leader{position:absolute;left:0;top:0;height:0;border-top:1px solid #222;transform-origin:0 0;"
    "pointer-events:none;display:none}"
    ".unit-leader-dot{position:absolute;left:-2px;top:-2px;width:4px;height:4px;border-radius:2px;"
    "background:#222;pointer-events:none;display:none}</style>"
)


class LabelDeclutter(folium.MacroElement):
    """Place every unit label where it can be read at the current zoom, larger units first.

    A label sits on its unit's point (or a little above or below it) when it fits the unit's extent
    on screen (``data-bbox``, south,west,north,east) and overlaps no label placed before it nor a
    site marker; a label cut by the map's edge is moved inside. A label that does not fit (København's
    Byen, Midt and Syd at national zoom) or finds no free place on its unit is drawn beside it with a
    leader line from the unit's point; only if no place is free either is it hidden until the reader
    zooms in. Runs when the map
    is ready and after every zoom or pan.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function(){var map={{ this._parent.get_name() }};"
        "var offsets=[[0,0],[0,-13],[0,13],[0,-26],[0,26]];var leaders=[];"
        "[35,60,90,125,165,210].forEach(function(d){[0,-20,20,-40,40,180,160,200,-65,65,-90,90,-115,115,-140,140].forEach(function(a){"
        "var r=a*Math.PI/180;leaders.push([d*Math.cos(r),d*Math.sin(r)]);});});"
        "function overlaps(r,k){return r.left<k.right&&r.right>k.left&&r.top<k.bottom&&r.bottom>k.top;}"
        "function fits(el,r){var b=(el.dataset.bbox||'').split(',').map(Number);if(b.length!==4)return true;"
        "var p=map.latLngToContainerPoint([b[0],b[1]]),q=map.latLngToContainerPoint([b[2],b[3]]);"
        "return r.width<=1.25*Math.abs(q.x-p.x)+8&&r.height<=1.25*Math.abs(p.y-q.y)+4;}"
        "function part(el,cls){var m=el.parentNode.querySelector('.'+cls);if(!m){m=document.createElement('span');"
        "m.className=cls;el.parentNode.appendChild(m);}return m;}"
        "function leader(el,show,x,y){var line=part(el,'unit-leader'),dot=part(el,'unit-leader-dot');"
        "line.style.display=dot.style.display=show?'block':'none';if(!show)return;"
        "line.style.width=Math.sqrt(x*x+y*y)+'px';"
        "line.style.transform='rotate('+Math.atan2(y,x)+'rad)';el.classList.add('unit-label-led');}"
        "function declutter(){var els=Array.prototype.slice.call("
        "map.getContainer().querySelectorAll('.unit-label'));"
        "els.sort(function(a,b){return a.dataset.rank-b.dataset.rank;});"
        "var c=map.getContainer().getBoundingClientRect();"
        "var kept=Array.prototype.map.call(map.getContainer().querySelectorAll('.site-marker'),"
        "function(m){return m.getBoundingClientRect();});"
        "function inside(r){return r.left>=c.left&&r.right<=c.right&&r.top>=c.top&&r.bottom<=c.bottom;}"
        "function put(el,dx,dy){el.style.transform='translate(-50%,-50%) translate('+dx+'px,'+dy+'px)';"
        "return el.getBoundingClientRect();}"
        "els.forEach(function(el){var placed=false;el.classList.remove('unit-label-led');leader(el,false);"
        "var r=put(el,0,0),small=!fits(el,r);"
        "for(var i=0;i<offsets.length&&!placed&&!small;i++){var dx=offsets[i][0];r=put(el,dx,offsets[i][1]);"
        "var shift=(r.right>c.left&&r.left<c.right&&r.bottom>c.top&&r.top<c.bottom)?"
        "Math.min(0,c.right-2-r.right)+Math.max(0,c.left+2-r.left):0;"
        "if(shift){dx+=shift;r=put(el,dx,offsets[i][1]);}"
        "if(!kept.some(function(k){return overlaps(r,k);})){kept.push(r);placed=true;}}"
        "if(!placed){var w=r.width/2,h=r.height/2,a0=put(el,0,0);"
        "var onView=a0.right>c.left&&a0.left<c.right&&a0.bottom>c.top&&a0.top<c.bottom;"
        "for(var j=0;j<leaders.length&&!placed&&onView;j++){var lx=leaders[j][0],ly=leaders[j][1];"
        "var cx=lx+(lx>1?w:lx<-1?-w:0),cy=ly+(Math.abs(lx)<=1?(ly>0?h:-h):0);r=put(el,cx,cy);"
        "if(inside(r)&&!kept.some(function(k){return overlaps(r,k);})){kept.push(r);placed=true;"
        "leader(el,true,lx,ly);}}"
        "if(!placed){put(el,0,0);}}"
        "el.style.visibility=placed?'visible':'hidden';});}"
        "map.on('moveend',declutter);map.whenReady(function(){setTimeout(declutter,0);});})();"
        "{% endmacro %}"
    )


def label_points(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A point inside each unit where its name can be drawn: the pole of inaccessibility of the
    unit's largest polygon (the point farthest from its edges), computed in the frame's CRS.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in a projected CRS (EPSG:25832); other columns are kept.

    Returns
    -------
    GeoDataFrame
        A copy with point geometry, ``area`` (m², of the whole unit) for ranking labels and ``extent``
        (the unit's bounds, minx, miny, maxx, maxy in the frame's CRS) for judging whether a label fits.
    """
    if units.crs is None or not units.crs.is_projected:
        raise ValueError(f"label points need a projected CRS (EPSG:25832); got {units.crs}")
    points, areas = [], []
    for geom in units.geometry:
        parts = list(getattr(geom, "geoms", [geom]))
        largest = max(parts, key=lambda g: g.area)
        tolerance = max(1.0, largest.area ** 0.5 / 200)
        points.append(polylabel(largest, tolerance=tolerance))
        areas.append(geom.area)
    out = units.drop(columns="geometry").assign(area=areas,
                                                extent=[tuple(g.bounds) for g in units.geometry])
    return gpd.GeoDataFrame(out, geometry=points, crs=units.crs)


def _extent_texts(extents, crs) -> list[str]:
    """Units' bounds (minx, miny, maxx, maxy in ``crs``) as 'south,west,north,east' in WGS84."""
    boxes = gpd.GeoSeries([shapely.box(*e) for e in extents], crs=crs).to_crs(CRS_DRAW).bounds
    return [f"{b.miny:.4f},{b.minx:.4f},{b.maxy:.4f},{b.maxx:.4f}" for b in boxes.itertuples()]


def add_labels(fmap: folium.Map, labels: gpd.GeoDataFrame) -> folium.Map:
    """Draw ``labels`` (points with a ``text`` column and optionally ``area``) as map labels.

    Text is escaped with `geo.safe.html`; labels are not interactive (a click reaches the area
    beneath), and larger units win where labels would overlap.
    """
    fmap.get_root().header.add_child(folium.Element(LABEL_CSS))
    drawn = labels.to_crs(CRS_DRAW)
    order = drawn["area"].rank(ascending=False, method="first") if "area" in drawn else range(len(drawn))
    extents = _extent_texts(labels["extent"], labels.crs) if "extent" in labels else [None] * len(drawn)
    for (_, row), rank, extent in zip(drawn.iterrows(), order, extents, strict=True):
        bbox = f' data-bbox="{extent}"' if extent else ""
        html_text = (f'<span class="unit-label" data-rank="{int(rank)}"{bbox}>'
                     f'{safe.html(row["text"])}</span>')
        folium.Marker(
            location=[round(row.geometry.y, 5), round(row.geometry.x, 5)],
            icon=folium.DivIcon(html=html_text, icon_size=(0, 0), class_name="unit-label-icon"),
            interactive=False,
            keyboard=False,
        ).add_to(fmap)
    fmap.add_child(LabelDeclutter())
    return fmap


class IconPath(MacroElement):
    """Tell Leaflet where its marker images are (``L.Icon.Default.imagePath``), before any marker is made.

    Leaflet guesses the folder from leaflet.css; when the stylesheet is not applied yet it takes the
    link's address minus ``/leaflet.css`` and loses the slash, so every map asked for
    ``…/leafletmarker-icon.png`` and ``…/leafletmarker-shadow.png`` (404). folium's markers (the unit
    labels) are made with the default icon before their own is set.
    """

    _template = Template("{% macro script(this, kwargs) %}L.Icon.Default.imagePath = {{ this.path|tojson }};"
                         "{% endmacro %}")

    def __init__(self, path: str) -> None:  # noqa: D107 - see the class
        super().__init__()
        self._name = "IconPath"
        self.path = path


def _local_map(fmap: folium.Map, assets_url: str) -> folium.Map:
    """Point a map at the app's own Leaflet (no CDN), with its marker images, and give it the app's background."""
    fmap.add_child(IconPath(f"{assets_url}/images/"))  # first: before any marker
    fmap.default_js = [("leaflet", f"{assets_url}/leaflet.js")]
    fmap.default_css = [("leaflet_css", f"{assets_url}/leaflet.css")]
    fmap.get_root().header.add_child(
        folium.Element(f"<style>.leaflet-container{{background:{BACKGROUND}}}</style>")
    )
    return fmap


def draw_layers(
    fmap: folium.Map,
    areas: gpd.GeoDataFrame,
    *,
    outlines: gpd.GeoDataFrame | None = None,
    sites: pd.DataFrame | None = None,
    bounds: list[list[float]] | None = None,
    basemap: bool = False,
    precision: int = 4,
    labels: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Draw areas, outlines, sites and labels on ``fmap`` and fit it to ``bounds`` (see `build_map`)."""
    if basemap:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)").add_to(fmap)
    columns = ["tip", "colour"] + (["shared"] if "shared" in areas.columns else [])
    folium.GeoJson(
        draw_frame(areas, columns, precision).to_json(drop_id=True),
        name="areas",
        style_function=_area_style,
        highlight_function=lambda _f: {"weight": 2.5, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
        zoom_on_click=False,
    ).add_to(fmap)
    if outlines is not None and len(outlines):
        folium.GeoJson(
            draw_frame(outlines, [], precision).to_json(drop_id=True),
            name="outlines",
            style_function=_outline_style,
            interactive=False,
        ).add_to(fmap)
    if sites is not None:
        for _, site in sites.dropna(subset=["lat", "lon"]).iterrows():
            stroke, fill, radius = SITE_STYLE.get(site["kind"], SITE_DEFAULT_STYLE)
            folium.CircleMarker(
                location=[float(site["lat"]), float(site["lon"])],
                radius=radius,
                color=stroke,
                weight=2,
                fill=True,
                fill_color=fill,
                fill_opacity=1,
                tooltip=site["tip"],
                class_name="site-marker",
            ).add_to(fmap)
    if labels is not None and len(labels):
        add_labels(fmap, labels)
    fmap.fit_bounds(bounds or DK_BOUNDS)
    return fmap


def build_map(
    areas: gpd.GeoDataFrame,
    *,
    assets_url: str,
    outlines: gpd.GeoDataFrame | None = None,
    sites: pd.DataFrame | None = None,
    bounds: list[list[float]] | None = None,
    basemap: bool = False,
    precision: int = 4,
    labels: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Build the map from frames that already carry their colours and tooltip text.

    Parameters
    ----------
    areas : GeoDataFrame
        Filled polygons with columns ``colour`` (hex), ``tip`` (tooltip HTML) and optionally
        ``shared`` (drawn dashed). Any CRS; drawn in WGS84.
    assets_url : str
        Where the app serves ``leaflet.js`` and ``leaflet.css`` (no trailing slash).
    outlines : GeoDataFrame, optional
        A second layer drawn as outlines (not clickable).
    sites : DataFrame, optional
        Points with ``lat``, ``lon``, ``kind`` and ``tip``; rows without coordinates are skipped.
    bounds : [[south, west], [north, east]], optional
        The view; default Denmark.
    basemap : bool
        Add OpenStreetMap tiles (an online request; off by default).
    labels : GeoDataFrame, optional
        Points with ``text`` (and ``area`` for ranking), e.g. from `label_points`: unit names.
    """
    fmap = _local_map(AccessibleMap(**MAP_OPTIONS), assets_url)
    return draw_layers(fmap, areas, outlines=outlines, sites=sites, bounds=bounds, basemap=basemap,
                       precision=precision, labels=labels)


class SyncedMaps(DualMap):
    """Two maps side by side that pan and zoom together: folium's `DualMap` with the app's own Leaflet,
    `AccessibleMap` pages and Leaflet.Sync served by the app (``sync_url``) instead of a CDN.

    Without ``sync_url`` (the plug-in is not installed) the maps are drawn but move on their own; the
    script that joins them only runs where ``L.Map.prototype.sync`` exists, so nothing fails.
    `streamlit_folium.st_folium` draws a `DualMap` as ``map_div`` and ``map_div2``.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "if (L.Map.prototype.sync) { "
        "{{ this.m1.get_name() }}.sync({{ this.m2.get_name() }});"
        "{{ this.m2.get_name() }}.sync({{ this.m1.get_name() }});}"
        "{% endmacro %}"
    )

    def __init__(self, *, assets_url: str, sync_url: str | None) -> None:  # noqa: D107 - see the class
        MacroElement.__init__(self)
        self._name = "DualMap"
        placed = {"height": "100%", "top": "0%", "position": "absolute", "width": "50%"}
        self.m1 = _local_map(AccessibleMap(left="0%", **placed, **MAP_OPTIONS), assets_url)
        self.m2 = _local_map(AccessibleMap(left="50%", **placed, **MAP_OPTIONS), assets_url)
        figure = Figure()
        figure.add_child(self.m1)
        figure.add_child(self.m2)
        figure.add_child(self)  # last, as DualMap does: its script runs once both maps exist
        self.children_for_m2 = []
        self.children_for_m2_copied = []
        self.default_js = [("leaflet_sync", f"{sync_url}/L.Map.Sync.js")] if sync_url else []
        self.default_css = []


def build_dual_map(left: dict, right: dict, *, assets_url: str, sync_url: str | None,
                   bounds: list[list[float]] | None = None) -> SyncedMaps:
    """Two maps side by side that pan and zoom together (`SyncedMaps`).

    ``left`` and ``right`` hold what `draw_layers` takes for each map (``areas`` and optionally
    ``outlines``, ``sites``, ``labels``, ``precision``); both are fitted to ``bounds`` (default
    Denmark) and ``highlight`` (a feature group from `highlight_group`) is drawn on top where given.
    """
    pair = SyncedMaps(assets_url=assets_url, sync_url=sync_url)
    for fmap, spec in ((pair.m1, left), (pair.m2, right)):
        spec = dict(spec)
        highlight = spec.pop("highlight", None)
        draw_layers(fmap, spec.pop("areas"), bounds=bounds, **spec)
        if highlight is not None:
            highlight.add_to(fmap)
    return pair


def bounds_union(boxes: list[list[list[float]]]) -> list[list[float]]:
    """The [[south, west], [north, east]] that holds every one of ``boxes`` (same form)."""
    if not boxes:
        raise ValueError("bounds_union needs at least one box")
    return [[min(bx[0][0] for bx in boxes), min(bx[0][1] for bx in boxes)],
            [max(bx[1][0] for bx in boxes), max(bx[1][1] for bx in boxes)]]


def highlight_group(areas: gpd.GeoDataFrame, precision: int = 4, kind: str = "kommune") -> folium.FeatureGroup:
    """A feature group outlining ``areas`` (a kommune in red, a unit in black with a light shade);
    added to a drawn map without redrawing it."""
    if kind not in HIGHLIGHT_STYLES:
        raise ValueError(f"kind must be in the set: {sorted(HIGHLIGHT_STYLES)}; got {kind!r}")
    group = folium.FeatureGroup(name=f"selection_{kind}")
    folium.GeoJson(
        draw_frame(areas, [], precision).to_json(drop_id=True),
        style_function=HIGHLIGHT_STYLES[kind],
        interactive=False,
    ).add_to(group)
    return group


def tooltip_html(title: str, lines: list[str]) -> str:
    """Tooltip markup: a bold title and lines, every text escaped by `geo.safe.html` (folium pastes
    tooltips into JavaScript template strings)."""
    body = "".join(f"<br>{safe.html(line)}" for line in lines)
    return f"<b>{safe.html(title)}</b>{body}"


def external_urls(fmap: folium.Map) -> list[str]:
    """Every http(s) URL the rendered map would load (should be empty without a basemap)."""
    import re

    text = fmap.get_root().render()
    return sorted(set(re.findall(r"(?:src|href)=[\"'](https?://[^\"']+)", text)))


def legend_key(label: str) -> str:
    """The key that joins a legend entry to the outline of its unit on the map: a short hash of the
    entry's label, so no name has to pass through HTML attributes and JavaScript as text."""
    return "k" + hashlib.sha1(str(label).encode("utf-8")).hexdigest()[:12]


class LegendHover(folium.MacroElement):
    """Hovering (or focusing) an element with ``data-legend-key`` outlines the unit with that key.

    The elements may be in the map's own page or in the page that holds the map's frame (the app's
    legend beside the map, drawn by Streamlit): one delegated listener on each document, removed when
    the map's page goes away. Nothing but the hashed keys (`legend_key`) passes between them.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function(){var layer={{ this.layer.get_name() }};"
        "var shown={opacity:1,weight:4,color:'#000000',fill:true,fillColor:'#000000',fillOpacity:0.12};"
        "var hidden={opacity:0,weight:0,fill:false,fillOpacity:0};"
        "function show(key){layer.eachLayer(function(f){var on=key&&f.feature.properties.key===key;"
        "f.setStyle(on?shown:hidden);if(on&&f.bringToFront){f.bringToFront();}});}"
        "function over(e){var el=e.target&&e.target.closest?e.target.closest('[data-legend-key]'):null;"
        "if(el){show(el.getAttribute('data-legend-key'));}}"
        "function out(e){var el=e.target&&e.target.closest?e.target.closest('[data-legend-key]'):null;"
        "if(el){show(null);}}"
        "var docs=[document];"
        "try{if(window.parent!==window&&window.parent.document){docs.push(window.parent.document);}}"
        "catch(err){}"
        "docs.forEach(function(d){d.addEventListener('mouseover',over);d.addEventListener('mouseout',out);"
        "d.addEventListener('focusin',over);d.addEventListener('focusout',out);});"
        "window.addEventListener('pagehide',function(){docs.forEach(function(d){"
        "d.removeEventListener('mouseover',over);d.removeEventListener('mouseout',out);"
        "d.removeEventListener('focusin',over);d.removeEventListener('focusout',out);});});})();"
        "{% endmacro %}"
    )

    def __init__(self, layer: folium.GeoJson) -> None:  # noqa: D107 - see the class
        super().__init__()
        self._name = "LegendHover"
        self.layer = layer


def add_legend_hover(fmap: folium.Map, units: gpd.GeoDataFrame, precision: int = 4) -> folium.Map:
    """Let the legend outline each unit: ``units`` (polygons with a ``label`` column, the text of its
    legend entry) are drawn invisible and not clickable, keyed by `legend_key`; an element carrying
    ``data-legend-key`` (see `legend_item_attrs`) outlines its unit while it is hovered or focused."""
    frame = units[["label", "geometry"]].assign(key=[legend_key(v) for v in units["label"]])
    outlines = folium.GeoJson(
        draw_frame(frame, ["key"], precision).to_json(drop_id=True),
        name="legend_outlines",
        style_function=lambda _f: {"opacity": 0, "weight": 0, "fill": False, "fillOpacity": 0},
        interactive=False,
    )
    outlines.add_to(fmap)
    fmap.add_child(LegendHover(outlines))
    return fmap


def legend_item_attrs(label: str) -> str:
    """The attributes that make a legend entry outline its unit on a map with `add_legend_hover`."""
    return f'data-legend-key="{legend_key(label)}" tabindex="0"'
