"""The static atlas: a self-contained website written from the same core and tables as the app.

``python -m geo site --out DIR`` writes Danish pages at the root and English ones under ``en/``:
the national map per layer, one page per kommune and per unit of every layer, and ``data/`` with
the CLI's exports. Leaflet comes from the site itself (no CDN, no tiles); maps are GeoJSON drawn by
a small shared script with colours computed here. Every HTML, CSS, JS and map file is also written
gzip-compressed beside it (``.gz``) for servers that serve pre-compressed files.

Safety: a non-empty ``DIR`` that is not a previous atlas (no `MARKER` file) is refused; the site is
built in a temporary sibling directory and swapped in with renames, so a failed build leaves the
previous atlas as it was; files in ``DIR`` that the atlas did not write (``.git/``, ``CNAME``) are
kept; folders left by killed builds are removed by the next one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import gzip
import multiprocessing
import os
import posixpath
import re
import shutil
import signal
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from geo import assets, citations, export, files, fmt, model, profile, roles, safe, ulighed, views, viewstate
from geo.bundle import Bundle
from geo.classify import UNASSIGNED_COLOUR
from geo.errors import KlyngekortError
from geo.i18n import t
from geo.mapbuild import LEAFLET_DIR, draw_frame, label_points

MARKER = ".klyngekort-atlas"
LANGS = ("da", "en")
RESERVED = {"assets", "data", "en", "kommune", "layer", "map"}
TOLERANCES = (100.0, 200.0, 400.0)  # metres: display simplification levels (coverage-preserving)
PIXELS = 500  # a map shows its extent over about this many pixels: tolerance ≈ extent / PIXELS
PRECISION = 4  # decimals of degrees in drawn coordinates (≈ 7-11 m)
NEIGHBOUR_GAP = 1000.0  # metres: kommuner this close to a shown unit are drawn as its neighbours
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
GZIP_SUFFIXES = (".html", ".css", ".js", ".json")
GZIP_LEVEL = 6  # level 9 cost twice the CPU for about 1 % smaller files
JOBS = 2  # processes writing the kommune and unit pages (the machine's two cores); 1 writes in this process
KOMMUNE_CHUNK = 10  # kommune pages per task of a worker process
TEMPLATES = Path(__file__).parent / "templates"
PDF_NAME = "datapakke.pdf"  # site --pdf: beside each kommune and unit page


class AtlasError(KlyngekortError):
    """The atlas cannot be written where it was asked to be."""


# --------------------------------------------------------------------------- target directory

def check_target(out: Path) -> None:
    """Refuse an ``out`` that is a file, or a non-empty directory without the atlas `MARKER`."""
    if out.exists() and not out.is_dir():
        raise AtlasError(f"--out {out}: is a file, not a directory; choose a directory for the atlas")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise AtlasError(f"--out {out}: the directory is not empty and is not a previous atlas (no {MARKER} "
                         "file); nothing was written. Choose an empty or new directory.")


def inside(root: Path, rel: str) -> Path:
    """``root / rel`` resolved (symbolic links followed); AtlasError unless it lies inside ``root``.

    Every file of the atlas is written through this, so an id that became a path (``../x``, an
    absolute path) cannot write outside the build directory and so outside ``--out``, even where
    the tables' validation (`geo.tables.id_problem`) was bypassed.
    """
    base = Path(root).resolve()
    path = (base / rel).resolve()
    if path == base or not path.is_relative_to(base):
        raise AtlasError(f"refusing to write {rel!r}: it resolves to {path}, outside the atlas directory "
                         f"{base} (--out); ids in the tables must be names, never paths")
    return path


MARKER_HEAD = ("Klyngekort static atlas (python -m geo site); safe to replace.\n"
               "A rebuild replaces the entries listed here and keeps every other file (.git, CNAME, ...).\n")
ENTRY = "entry: "


def marker_text(entries: set[str] | list[str]) -> str:
    """The `MARKER` file's text: what it is, and the top-level entries the atlas wrote (one per line)."""
    return MARKER_HEAD + "".join(f"{ENTRY}{name}\n" for name in sorted(set(entries) - {MARKER}))


def own_entries(out: Path) -> set[str]:
    """The top-level entries of the atlas in ``out`` that the atlas wrote (its `MARKER` lists them;
    a marker of an older build lists none)."""
    try:
        text = (out / MARKER).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {line[len(ENTRY):] for line in text.splitlines() if line.startswith(ENTRY) and line[len(ENTRY):]}


def _names(directory: Path) -> set[str]:
    return {p.name for p in directory.iterdir()} if directory.is_dir() else set()


def _swap_in(new: Path, out: Path) -> None:
    """Replace the atlas's own entries in ``out`` by those of ``new``; keep everything else.

    The atlas's own entries are those ``new`` has, those the previous `MARKER` lists, and the
    atlas's folders (`RESERVED`); everything else in ``out`` (``.git/``, ``CNAME``, a file a user
    put there) stays where it is and is never moved. The previous marker first lists both builds'
    entries, so a build killed half-way leaves a directory the next build recognises and finishes;
    a failure rolls back. The previous entries are removed only afterwards.
    """
    if not out.exists():
        os.rename(new, out)
        return
    incoming = _names(new) - {MARKER}
    ours = (own_entries(out) | incoming | RESERVED) & _names(out)
    ours.discard(MARKER)
    files.atomic_write(out / MARKER, marker_text(ours | incoming))
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    old.mkdir()
    retired: list[str] = []
    placed: list[str] = []
    try:
        for name in sorted(ours):
            os.rename(out / name, old / name)
            retired.append(name)
        for name in sorted(incoming):
            os.rename(new / name, out / name)
            placed.append(name)
        os.replace(new / MARKER, out / MARKER)
    except BaseException:
        for name in reversed(placed):
            os.rename(out / name, new / name)
        for name in reversed(retired):
            os.rename(old / name, out / name)
        raise
    new.rmdir()
    shutil.rmtree(old, ignore_errors=True)


def _remove_stale(out: Path) -> list[str]:
    """Remove the build and retired folders (``.NAME.building-*``, ``.NAME.old-*``) that killed builds
    left beside ``out``; call only while holding `_build_lock`. They hold only the atlas's own files."""
    removed = []
    for pattern in (f".{out.name}.building-*", f".{out.name}.old-*"):
        for path in out.parent.glob(pattern):
            if path.is_symlink() or not path.is_dir():
                path.unlink(missing_ok=True)
            else:
                shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


@contextlib.contextmanager
def _interrupts_held():
    """Hold SIGINT and SIGTERM for the block (delivered after it), so a clean-up runs to its end."""
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _build_lock(parent: Path):
    """An exclusive lock (``flock``) on the directory that holds ``--out``: one build at a time there,
    so folders of other builds found beside ``--out`` are stale. Writes no file; released on exit,
    also when the process is killed."""
    fd = os.open(parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AtlasError(f"another atlas build is running in {parent}; wait for it to finish") from None
        yield
    finally:
        os.close(fd)


def build_site(bundle: Bundle, out: str | Path, *, today: dt.date | None = None, on: dt.date | None = None,
               log: Callable[[str], None] | None = None, pdf: bool = False) -> dict:
    """Write the atlas to ``out`` (both languages) as on the date ``on`` (default: today in Denmark);
    return counts and the build time. The home page and the kommune pages lead with the geography in
    force on ``on``; layers that ended before it keep their pages, marked historical.

    A previous atlas in ``out`` is replaced entry by entry once the new one is complete (see
    `_swap_in`); files it did not write are kept. Folders left by killed builds are removed.

    Raises
    ------
    AtlasError
        When ``out`` is a file or a non-empty directory that is not a previous atlas, or another
        build is running beside it.
    """
    start, cpu = time.perf_counter(), _cpu_seconds()
    log = log or (lambda _m: None)
    out = Path(out).absolute()
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(out.parent):
        for name in _remove_stale(out):
            log(f"  removed {name} (left by an interrupted build)")
        try:  # the folder is made inside: an interrupt between making and entering would leave it
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
            today = today or roles.today()
            stats = write_site(bundle, tmp, today, log, on or today, pdf=pdf)
            os.sync()  # once, not per file: the pages are plain writes into the build folder, swapped in whole
            files.atomic_write(tmp / MARKER, marker_text(_names(tmp)))
            os.chmod(tmp, 0o755)
            _swap_in(tmp, out)
        except BaseException:
            with _interrupts_held():  # a second Ctrl-C does not cut the clean-up short
                _remove_stale(out)  # this build's folders: the lock makes every such folder ours or stale
            raise
    stats["seconds"] = time.perf_counter() - start
    stats["cpu_seconds"] = _cpu_seconds() - cpu
    return stats


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


# --------------------------------------------------------------------------- computed once

@dataclass
class Atlas:
    """What every page shares, computed once per build."""

    bundle: Bundle
    today: dt.date
    on: dt.date  # the date the atlas shows: which layers are in force, which historical
    layers: pd.DataFrame
    fills: dict[str, profile.FillValues]
    built: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    aggregates: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    colours: dict[str, dict[str, str]] = field(default_factory=dict)
    displays: dict[float, views.Display] = field(default_factory=dict)
    parts: dict[tuple[str, float], tuple[gpd.GeoDataFrame, list[str]]] = field(default_factory=dict)
    outlines: dict[float, dict[str, str]] = field(default_factory=dict)
    national_views: dict[str, views.MapView] = field(default_factory=dict)
    sites: pd.DataFrame | None = None
    pdf: bool = False  # site --pdf: a datapakke (PDF) beside every kommune and unit page (`geo.profile_doc`)
    unit_labels: dict[str, dict[str, tuple[dict, str]]] = field(default_factory=dict)

    def labels(self, layer: str) -> dict[str, tuple[dict, str]]:
        """Per unit of ``layer``: the map label (properties ``l`` short name, ``n`` name, ``c`` colour and
        ``r`` rank, larger units first) and its point as GeoJSON text, as the app's maps label them."""
        if layer not in self.unit_labels:
            parts, _ = self.layer_parts(layer, TOLERANCES[-1])
            points = label_points(model.unit_geometries(parts)).to_crs(4326)
            colours = self.colour(layer)
            ranks = points["area"].rank(ascending=False, method="first").astype(int)
            self.unit_labels[layer] = {
                r.unit_id: ({"l": views.short_name(r.unit_navn), "n": r.unit_navn, "c": colours.get(r.unit_id, ""),
                             "r": int(rank)},
                            f'{{"type":"Point","coordinates":[{round(r.geometry.x, 5)},{round(r.geometry.y, 5)}]}}')
                for r, rank in zip(points.itertuples(), ranks, strict=True)}
        return self.unit_labels[layer]

    def display(self, tol: float) -> views.Display:
        if tol not in self.displays:
            self.displays[tol] = views.make_display(self.bundle, tol)
        return self.displays[tol]

    def view(self, layer: str) -> views.MapView:
        """The app's national membership view of ``layer`` (its colours are the site's colours).

        Computed once, in Danish: the legend differs between languages only in the label of
        unassigned kommuner, which `legend` translates.
        """
        if layer not in self.national_views:
            state = viewstate.MapState(layer=layer, on=self.on, lang="da", labels=False, markers=())
            self.national_views[layer] = views.national_view(self.bundle, self.display(TOLERANCES[-1]), state)
        return self.national_views[layer]

    def colour(self, layer: str) -> dict[str, str]:
        if layer not in self.colours:
            areas = self.view(layer).areas
            rows = areas.dropna(subset=["unit_id"])
            self.colours[layer] = dict(zip(rows["unit_id"], rows["colour"], strict=True))
        return self.colours[layer]

    def layer_parts(self, layer: str, tol: float) -> tuple[gpd.GeoDataFrame, list[str]]:
        """The layer's parts at a simplification level (EPSG:25832, for geometry questions) and
        their GeoJSON geometry text (WGS84, rounded), in the same order."""
        if (layer, tol) not in self.parts:
            d = self.display(tol)
            parts = model.layer_parts(d.kommuner, d.sub_areas, self.bundle.assignments, self.bundle.units, layer)
            self.parts[(layer, tol)] = (parts, geometry_texts(parts))
        return self.parts[(layer, tol)]

    def kommune_geometries(self, tol: float) -> dict[str, str]:
        """GeoJSON geometry text of every kommune at a simplification level."""
        if tol not in self.outlines:
            kommuner = self.display(tol).kommuner
            self.outlines[tol] = dict(zip(kommuner["kommune_kode"], geometry_texts(kommuner), strict=True))
        return self.outlines[tol]

    def unit_aggregates(self, layer: str) -> dict[str, pd.DataFrame]:
        if layer not in self.aggregates:
            self.aggregates[layer] = profile.unit_aggregates(self.bundle, layer, self.fills)
        return self.aggregates[layer]

    def layer_name(self, layer: str, lang: str) -> str:
        row = self.layers.loc[layer]
        return row["name_da"] if lang == "da" else row["name_en"]

    def layer_status(self, layer: str, lang: str) -> str:
        """'' for a layer in force on the atlas's date, else 'historisk (til og med …)' / 'fra …'."""
        return viewstate.layer_status_text(self.bundle.registry.entry(layer), self.on, lang)

    @property
    def main_layer(self) -> str:
        """The layer the home and kommune pages lead with: the care geography in force on the date."""
        return self.bundle.registry.main_layer(self.on)


def _tolerance(extent_m: float) -> float:
    """The coarsest level that stays below a pixel or so for a map of this extent."""
    fitting = [tol for tol in TOLERANCES if tol <= extent_m / PIXELS]
    return fitting[-1] if fitting else TOLERANCES[0]


def _da_sort_key(name: str) -> str:
    return name.translate(str.maketrans({"Æ": "Z{", "Ø": "Z|", "Å": "Z}", "æ": "z{", "ø": "z|", "å": "z}"}))


# --------------------------------------------------------------------------- map data

def geometry_texts(frame: gpd.GeoDataFrame) -> list[str]:
    """GeoJSON geometry text per row, drawn the app's way (`mapbuild.draw_frame`: WGS84, rounded)."""
    return list(shapely.to_geojson(draw_frame(frame, [], PRECISION).geometry.values))


def map_json(features: list[tuple[dict, str]]) -> str:
    """A FeatureCollection from (properties, geometry text) pairs. Properties go through
    `geo.safe.js`, so the text is safe inside ``<script>``; geometry text holds only numbers."""
    body = ",".join(f'{{"type":"Feature","properties":{safe.js(props)},"geometry":{geom}}}'
                    for props, geom in features)
    return f'{{"type":"FeatureCollection","features":[{body}]}}'


def local_map(atlas: Atlas, layer: str, unit_ids: list[str], outline_kode: str | None = None,
              site_ids: list[str] | None = None) -> str:
    """GeoJSON text for a map of some units of ``layer``: their parts (focus, ``f``), the parts
    of the kommuner around them (pale), an optional kommune outline (``o``) and hospital points.

    Geometry is simplified for the extent shown (see `TOLERANCES`) and rounded to `PRECISION`.
    """
    coarse, _ = atlas.layer_parts(layer, TOLERANCES[-1])
    west, south, east, north = coarse[coarse["unit_id"].isin(unit_ids)].total_bounds
    tol = _tolerance(max(east - west, north - south) * 1.2)
    parts, geoms = atlas.layer_parts(layer, tol)
    colours = atlas.colour(layer)
    focus = parts["unit_id"].isin(unit_ids).to_numpy()
    _, hits = parts.sindex.query(parts.geometry.values[focus], predicate="dwithin", distance=NEIGHBOUR_GAP)
    near = set(parts["kommune_kode"].iloc[hits])
    shown = focus | parts["kommune_kode"].isin(near).to_numpy()
    out = []
    for i in shown.nonzero()[0]:
        kode, navn, uid, unit = parts.iloc[i][["kommune_kode", "kommune_navn", "unit_id", "unit_navn"]]
        props = {"t": f"{navn} ({kode}): {unit}", "c": colours[uid], "k": kode}
        if focus[i]:
            props["f"] = 1
        out.append((props, geoms[i]))
    if outline_kode:
        outline = atlas.kommune_geometries(tol)[outline_kode]
        out.append(({"o": 1}, outline))
    sites = atlas.sites
    for s in sites[sites["site_id"].isin(site_ids or [])].itertuples():
        out.append(({"t": s.name}, f'{{"type":"Point","coordinates":[{round(s.lon, 5)},{round(s.lat, 5)}]}}'))
    labels = atlas.labels(layer)  # the units shown, named on the map and in its legend (site.js)
    out += [labels[u] for u in dict.fromkeys(parts["unit_id"].to_numpy()[shown]) if u in labels]
    return map_json(out)


def national_map(atlas: Atlas, layer: str) -> str:
    """GeoJSON text of the national membership map of ``layer`` (every kommune; unassigned pale)."""
    areas = atlas.view(layer).areas
    names = atlas.bundle.units[atlas.bundle.units["layer"] == layer].set_index("unit_id")["unit_navn"]
    out = []
    for r, geom in zip(areas.itertuples(), geometry_texts(areas), strict=True):
        unit = names.get(r.unit_id, "") if isinstance(r.unit_id, str) else ""
        text = f"{r.kommune_navn} ({r.kommune_kode})" + (f": {unit}" if unit else "")
        out.append(({"t": text, "c": r.colour, "k": r.kommune_kode, "f": 1}, geom))
    out += list(atlas.labels(layer).values())  # every unit named on the map (site.js)
    return map_json(out)


# --------------------------------------------------------------------------- templates

def _finalize(value: object) -> Markup:
    """Every ``{{ value }}`` goes through `geo.safe.html` unless it is already markup."""
    if isinstance(value, Markup):
        return value
    return Markup(safe.html("" if value is None else value))


def environment() -> Environment:
    """Jinja environment: autoescaping, `geo.safe.html` on every value, ``|js`` for JSON in scripts."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=_finalize,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["js"] = lambda value: Markup(safe.js(value))
    return env


# --------------------------------------------------------------------------- pages

@dataclass
class Writer:
    """Writes pages into the build directory; relative links from each page's location."""

    root: Path
    env: Environment
    atlas: Atlas
    count: int = 0

    def write(self, rel: str, data: str | bytes) -> None:
        """Write one file (and its ``.gz``) into the build folder: plain writes, no sync per file — a
        build that fails is removed whole and a finished one is synced once and swapped in (`build_site`)."""
        path = inside(self.root, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        path.write_bytes(payload)
        if rel.endswith(GZIP_SUFFIXES):
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(payload, GZIP_LEVEL, mtime=0))
        self.count += 1

    def page(self, template: str, path: str, lang: str, **context) -> None:
        """Render ``template`` to ``path`` (Danish path; English pages live under ``en/``)."""
        here = path if lang == "da" else f"en/{path}"
        other = "en" if lang == "da" else "da"
        there = f"en/{path}" if other == "en" else path

        def rel(target: str) -> str:
            return posixpath.relpath("/" + target, "/" + posixpath.dirname(here))

        def p(target: str) -> str:
            return rel(target if lang == "da" else f"en/{target}")

        html = self.env.get_template(template).render(
            lang=lang, other=other, other_url=rel(there), a=rel, p=p, built=self.atlas.built[lang],
            t=lambda key, **kw: t(key, lang, **kw), **context)
        self.write(here, html)


def _num(value: float | None, fill, lang: str) -> str:
    """A value with the decimals of its fill, in the locale of ``lang``."""
    return fmt.number(None if pd.isna(value) else float(value), fmt.decimals_for(fill.unit, fill.kind), lang)


def _downloads(layer: str, lang: str) -> list[dict]:
    return [{"href": f"data/{layer}-{what}.{ext}",
             "label": t("site_dl_name", lang, what=t(f"site_what_{what}", lang), fmt=ext.upper())}
            for what in export.WHATS for ext in ("geojson", "csv")]


def write_layer_pages(w: Writer) -> None:
    """The index and one page per layer (national map, legend linking the units, downloads), and the
    national map of every layer as a shared file in ``map/``."""
    atlas = w.atlas
    ordered = sorted(atlas.bundle.kommuner[["kommune_kode", "kommune_navn"]].itertuples(index=False),
                     key=lambda r: _da_sort_key(r.kommune_navn))
    kommuner = [{"kode": k, "navn": n, "href": f"kommune/{k}/index.html"} for k, n in ordered]
    for layer in atlas.layers.index:
        w.write(f"map/{layer}.json", national_map(atlas, layer))
    for lang in LANGS:
        for layer in atlas.layers.index:
            units = atlas.bundle.units[atlas.bundle.units["layer"] == layer].set_index("unit_navn")["unit_id"]
            legend = []
            for row in atlas.view(layer).legend:
                unit = row.colour != UNASSIGNED_COLOUR and row.label in units
                legend.append({"label": row.label if unit else t("not_assigned", lang), "colour": row.colour,
                               "count": row.count, "href": f"{layer}/{units[row.label]}/index.html" if unit else None})
            for home in ([True, False] if layer == atlas.main_layer else [False]):
                path = "index.html" if home else f"layer/{layer}/index.html"
                layers = [{"name": atlas.layer_name(key, lang), "href": f"layer/{key}/index.html",
                           "status": atlas.layer_status(key, lang), "current": key == layer}
                          for key in atlas.layers.index]
                name = atlas.layer_name(layer, lang)
                description = atlas.layers.loc[layer, f"description_{lang}"]
                w.page("layer.html", path, lang, title=t("map_title", lang) if home else name, home=home,
                       layer_name=name, status=atlas.layer_status(layer, lang), intro=_intro(atlas, lang),
                       description=description, layers=layers, kommuner=kommuner,
                       legend=legend, downloads=_downloads(layer, lang), sources=atlas.sources, has_map=True,
                       geo=f"map/{layer}.json",
                       caption=t("site_map_of", lang, layer=name))


def _intro(atlas: Atlas, lang: str) -> list[str]:
    """The home page's introduction on the atlas's date: the care geography in force, and the change
    before or after it (e.g. the klynger give way to the sundhedsråd on 1 January 2027)."""
    reg, main = atlas.bundle.registry, atlas.main_layer
    lines = [t("site_intro_now", lang, layer=atlas.layer_name(main, lang),
               description=atlas.layers.loc[main, f"description_{lang}"])]
    after, before = reg.successor(main), reg.predecessor(main)
    if after is not None and after.valid_from is not None:
        lines.append(t("site_intro_next", lang, date=roles.date_text(after.valid_from, lang),
                       old=atlas.layer_name(main, lang), new=atlas.layer_name(after.layer, lang)))
    elif before is not None and before.valid_to is not None:
        lines.append(t("site_intro_before", lang, date=roles.date_text(before.valid_to, lang),
                       old=atlas.layer_name(before.layer, lang), new=atlas.layer_name(main, lang)))
    return lines


def write_kommune_pages(w: Writer, codes: list[str] | None = None) -> None:
    """One page per kommune (of ``codes``; default all): summary, hospitals, map of its unit(s) in force,
    its units, key figures."""
    atlas, b = w.atlas, w.atlas.bundle
    main = atlas.main_layer
    aggregates = atlas.unit_aggregates(main)
    for kode, navn in zip(b.kommuner["kommune_kode"], b.kommuner["kommune_navn"], strict=True):
        if codes is not None and kode not in codes:
            continue
        rows = profile.memberships_of(b, kode)
        hospitals = profile.hospitals_of(b, kode, main, rows=rows)
        nearest = profile.nearest_acute(b, kode)
        own = rows[rows["layer"] == main]
        site_ids = list(hospitals["site_id"]) + ([] if nearest is None else [nearest["site_id"]])
        mapdata = local_map(atlas, main, list(own["unit_id"]), outline_kode=kode, site_ids=site_ids)
        for lang in LANGS:
            facts = profile.summary(b, kode, lang, atlas.on, rows=rows, hospitals=hospitals, nearest=nearest)
            role = [t("role_area" if basis == "area" else "role_unit", lang, layer=atlas.layer_name(main, lang))
                    for basis in hospitals["basis"]]
            table = [{"name": h.name, "role": r, "km": fmt.number(h.km, 1, lang),
                      "confidence": views.confidence_word(h.confidence, lang)}
                     for h, r in zip(hospitals.itertuples(), role, strict=True)]
            if nearest is not None and nearest["site_id"] not in set(hospitals["site_id"]):
                table.append({"name": nearest["name"], "role": t("role_nearest", lang),
                              "km": fmt.number(nearest["km"], 1, lang),
                              "confidence": views.confidence_word(nearest["confidence"], lang)})
            figures = profile.key_figures(b, kode, main, lang, fills=atlas.fills, aggregates=aggregates)
            unit_cols = list(own["unit_navn"])
            fig_rows = []
            for r in figures.to_dict("records"):
                fill = atlas.fills[r["key"]].fill
                fig_rows.append({"label": r["label"], "unit": r["unit"], "kommune": _num(r["kommune"], fill, lang),
                                 "units": [_num(r[c], fill, lang) for c in unit_cols],
                                 "danmark": _num(r["danmark"], fill, lang),
                                 "rank": t("rank_of", lang, rank=r["rank"], n=r["n_ranked"])
                                 if pd.notna(r["rank"]) else "–", "source": r["source"]})
            units = [{"layer": atlas.layer_name(r.layer, lang), "navn": r.unit_navn,
                      "status": atlas.layer_status(r.layer, lang), "href": f"{r.layer}/{r.unit_id}/index.html",
                      "share": fmt.percent(r.share, lang) if r.share < 1 else ""}
                     for r in rows.itertuples() if r.layer in atlas.layers.index]
            units.sort(key=lambda u, order=list(atlas.layers.index): order.index(u["href"].split("/")[0]))
            caption = t("site_kommune_map", lang, units=", ".join(own["unit_navn"]), navn=navn)
            w.page("kommune.html", f"kommune/{kode}/index.html", lang, title=f"{navn} ({kode})", navn=navn, kode=kode,
                   facts=facts, hospitals=table, figures=fig_rows, unit_cols=unit_cols, units=units,
                   map_title=t("unit_map", lang, layer=atlas.layer_name(main, lang)),
                   pdf_href=f"kommune/{kode}/{PDF_NAME}" if atlas.pdf else None,
                   mapdata=Markup(mapdata), has_map=True, geo="#mapdata", caption=caption)


def _citations(source: str, table: pd.DataFrame, lang: str) -> list[dict]:
    """A ``source`` field as readable citations (`geo.citations`), linked where they have an http(s) address."""
    return [{"text": c.text(lang), "href": c.url if citations.is_web_address(c.url) else None}
            for c in citations.citations_for(source, table)]


def write_unit_pages(w: Writer, layers: list[str] | None = None) -> None:
    """One page per unit of every layer (of ``layers``; default all): members, hospital, serving
    psychiatry and councils, map, indicators beside Denmark, sources."""
    atlas, b = w.atlas, w.atlas.bundle
    pop_year = int(b.population["year"].max())
    for layer in atlas.layers.index if layers is None else layers:
        aggregates = atlas.unit_aggregates(layer)
        pop_key = f"pop:{pop_year}:population_total"
        for unit in b.units[b.units["layer"] == layer].itertuples():
            if not SAFE_ID.match(unit.unit_id):
                raise AtlasError(f"units.csv: unit id {unit.unit_id!r} of {layer} cannot be a path; "
                                 "use letters, digits, '_' and '-'")
            members = ulighed.kommuner_in_unit(b, layer, unit.unit_id, year=pop_year)
            successor = b.registry.successor(layer)
            overlaps = {other: ulighed.overlap(b, layer, unit.unit_id, other, pop_year)
                        for other in b.registry.serving(layer, atlas.on)}
            site_ids = [s for s in str(unit.site_ids or "").split(";") if s]
            mapdata = local_map(atlas, layer, [unit.unit_id], site_ids=site_ids)
            population = aggregates[pop_key].loc[unit.unit_id, "value"] if pop_key in aggregates else None
            for lang in LANGS:
                member_rows = [{"kode": m.kommune_kode, "navn": m.kommune_navn,
                                "href": f"kommune/{m.kommune_kode}/index.html",
                                "subs": m.sub_areas.replace(";", ", ") if m.sub_areas else "",
                                "share": fmt.percent(m.share, lang), "population": fmt.number(m.population, 0, lang),
                                "confidence": views.confidence_word(m.confidence, lang)}
                               for m in members.itertuples()]
                serving = [{"title": _serving_title(atlas, other, successor, lang),
                            "layer": atlas.layer_name(other, lang),
                            "units": [{"navn": o.unit_navn, "href": f"{other}/{o.unit_id}/index.html",
                                       "share": fmt.percent(o.share, lang),
                                       "population": fmt.number(o.population, 0, lang)} for o in frame.itertuples()]}
                           for other, frame in overlaps.items()]
                indicators = []
                for key, fv in atlas.fills.items():
                    agg = aggregates[key].loc[unit.unit_id]
                    indicators.append({"label": fv.fill.label(lang),
                                       "unit": fv.fill.unit_in(lang), "value": _num(agg["value"], fv.fill, lang),
                                       "danmark": _num(fv.national, fv.fill, lang),
                                       "coverage": f"{int(agg['n_with_data'])}/{int(agg['n_kommuner'])}"})
                name = atlas.layer_name(layer, lang)
                w.page("unit.html", f"{layer}/{unit.unit_id}/index.html", lang, title=f"{unit.unit_navn} ({name})",
                       navn=unit.unit_navn, layer_name=name, layer_href=f"layer/{layer}/index.html",
                       status=atlas.layer_status(layer, lang),
                       hospital=unit.hospital or t("site_no_hospital", lang), year=pop_year,
                       population=fmt.number(population, 0, lang), members=member_rows, serving=serving,
                       indicators=indicators, citations=_citations(unit.source, b.citations, lang),
                       mapdata=Markup(mapdata), pdf_href=f"{layer}/{unit.unit_id}/{PDF_NAME}" if atlas.pdf else None,
                       has_map=True, geo="#mapdata", caption=t("site_unit_map", lang, unit=unit.unit_navn))


def _serving_title(atlas: Atlas, other: str, successor: roles.Entry | None, lang: str) -> str:
    if successor is not None and other == successor.layer and successor.valid_from is not None:
        return t("next_serving", lang, date=roles.date_text(successor.valid_from, lang))
    return t("care_serving" if atlas.bundle.registry.entry(other).role == "care" else "psych_serving", lang)


def write_data(w: Writer, layers: list[str] | None = None) -> None:
    """The CLI's exports of every layer (of ``layers``; default all): `geo.export`, the same bytes as
    ``python -m geo export``."""
    for layer in w.atlas.layers.index if layers is None else layers:
        for what in export.WHATS:
            frame = export.frame_for(w.atlas.bundle, layer, what)
            for ext in ("geojson", "csv"):
                w.write(f"data/{layer}-{what}.{ext}", export.render(frame, ext))


def write_assets(w: Writer) -> None:
    """Leaflet (from the installed package), one CSS file (Leaflet's and ours) and the site script."""
    for rel in assets.wanted():  # leaflet.js and its images; its CSS goes into site.css
        if rel.name != "leaflet.css":
            w.write(f"assets/{rel.as_posix()}", (LEAFLET_DIR / rel).read_bytes())
    own_css = (TEMPLATES / "site.css").read_text(encoding="utf-8")
    w.write("assets/site.css", (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8") + own_css)
    w.write("assets/site.js", (TEMPLATES / "site.js").read_bytes())


def _built_lines(b: Bundle, fills: dict[str, profile.FillValues], today: dt.date, on: dt.date) -> dict[str, str]:
    years = sorted({int(y) for fv in fills.values() if fv.fill.key.startswith("ind:")
                    for y in re.findall(r"\d{4}", fv.fill.year)})
    span = f"{years[0]}–{years[-1]}" if years else "–"
    pop_year = int(b.population["year"].max())
    return {lang: t("date_shown", lang, date=roles.date_text(on, lang)) + ". "
            + t("site_built", lang, date=today.isoformat(), year=pop_year, years=span) for lang in LANGS}


def write_pdfs(w: Writer) -> None:
    """``site --pdf``: the datapakke of every kommune and unit in both languages, beside its page
    (`geo.profile_doc.site_pdfs`, two processes)."""
    from geo import profile_doc

    b = w.atlas.bundle
    def where(lang: str, path: str) -> str:
        return f"{'' if lang == 'da' else 'en/'}{path}/{PDF_NAME}"

    jobs = [("kommune", kode, lang, where(lang, f"kommune/{kode}"))
            for kode in b.kommuner["kommune_kode"] for lang in LANGS]
    jobs += [("unit", f"{u.layer}/{u.unit_id}", lang, where(lang, f"{u.layer}/{u.unit_id}"))
             for u in b.units.itertuples() if u.layer in w.atlas.layers.index for lang in LANGS]
    for rel, payload in profile_doc.site_pdfs(b, jobs, w.atlas.on, w.atlas.today):
        w.write(rel, payload)


def write_site(bundle: Bundle, root: Path, today: dt.date, log: Callable[[str], None],
               on: dt.date | None = None, pdf: bool = False) -> dict:
    """Write every page, map, asset and export of the atlas into ``root`` (an empty directory)."""
    layers = bundle.layers.set_index("layer")
    clash = sorted(set(layers.index) & RESERVED)
    if clash:
        raise AtlasError(f"layers.csv: layer name(s) {clash} clash with the atlas' own folders {sorted(RESERVED)}")
    fills = profile.fill_values(bundle)
    sites = bundle.sites[bundle.sites["lat"] != ""].assign(lat=lambda s: s["lat"].astype(float),
                                                           lon=lambda s: s["lon"].astype(float))
    on = on or today
    atlas = Atlas(bundle, today, on, layers, fills, sites=sites, pdf=pdf)
    atlas.built = _built_lines(bundle, fills, today, on)
    atlas.sources = sorted({fv.fill.source for fv in fills.values() if fv.fill.source})
    w = Writer(root, environment(), atlas)
    steps = (("assets", write_assets), ("layer pages", write_layer_pages),
             ("kommune and unit pages, data", write_pages)) + ((("PDFs", write_pdfs),) if pdf else ())
    for name, step in steps:
        t0, c0 = time.perf_counter(), _cpu_seconds()
        step(w)
        log(f"  {name}: {time.perf_counter() - t0:.1f} s ({_cpu_seconds() - c0:.1f} s CPU)")
    return {"files": w.count, "kommuner": len(bundle.kommuner), "units": len(bundle.units)}


# --------------------------------------------------------------------------- both cores

_WORKER: Writer | None = None  # the writer a forked worker process inherits (set before the fork)


def _ignore_interrupts() -> None:
    """Worker processes leave Ctrl-C to the build: it stops them and removes the build folder."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


TASKS = {"unit": write_unit_pages, "kommune": write_kommune_pages, "data": write_data}


def _run_task(w: Writer, task: tuple[str, list[str]]) -> int:
    """Write one task's files; return how many."""
    kind, items = task
    before = w.count
    TASKS[kind](w, items)
    return w.count - before


def _page_task(task: tuple[str, list[str]]) -> int:
    return _run_task(_WORKER, task)  # in a worker process: the writer inherited from the build


def page_tasks(atlas: Atlas) -> list[tuple[str, list[str]]]:
    """The kommune and unit pages and the exports as tasks (`TASKS`): the units of one layer per task
    (they share the layer's geometry and aggregates), the kommuner in chunks of `KOMMUNE_CHUNK`, the
    exports of one layer."""
    codes = list(atlas.bundle.kommuner["kommune_kode"])
    return ([("unit", [layer]) for layer in atlas.layers.index]
            + [("kommune", codes[i:i + KOMMUNE_CHUNK]) for i in range(0, len(codes), KOMMUNE_CHUNK)]
            + [("data", [layer]) for layer in atlas.layers.index])


def write_pages(w: Writer, jobs: int | None = None) -> None:
    """The kommune and unit pages and the exports (`page_tasks`), written by ``jobs`` (default `JOBS`)
    forked processes at once.

    The processes inherit everything computed so far (the bundle, the displays and the layer views of
    the layer pages). An error in one stops the others and is raised here; so is Ctrl-C, after the
    workers have been stopped (so none writes into a build folder that is being removed). Where
    processes cannot be forked, or with one job, the pages are written in this process.
    """
    global _WORKER
    jobs = JOBS if jobs is None else jobs
    tasks = page_tasks(w.atlas)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for task in tasks:
            _run_task(w, task)
        return
    _WORKER = w
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_interrupts)
    try:
        w.count += sum(pool.imap_unordered(_page_task, tasks))
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
        _WORKER = None
