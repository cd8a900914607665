"""Plans, scenarios and comparisons: every layer is a plan; a scenario is a base layer plus changes.

A *plan* is a set of assignment rows in the project's assignment format (``kommune_kode, unit_id,
share`` with ``sub_areas, basis, source, confidence``) whose units are those of one layer. A
*scenario* is a layer with some kommuner re-assigned (`Change`), or a whole uploaded table.

What does not depend on the plan (population vectors, indicator matrices, the neighbour graph,
distances from every kommune to every hospital) is computed once in a `Context`, so recomputing
every unit's metrics after a change is a handful of matrix products.

Contiguity: kommuner are neighbours when they touch (within `TOUCH_M`); or when the shortest line
between them is at most `WATER_GAP_M` long and crosses no third kommune (a strait: Lillebælt
Middelfart–Fredericia 0.7 km, Storebælt Nyborg–Slagelse 6.5 km); or when one of them is an island
kommune (it touches no other) within `WATER_GAP_M` (Læsø–Frederikshavn 18.6 km, Samsø–Aarhus 16.7 km
past Tunø, Samsø–Kalundborg 15.3 km, Fanø–Esbjerg 1.1 km, Ærø–Svendborg 2.2 km). Bornholm (128 km
of sea from any kommune) has no neighbour and is never counted as a piece of its own when other
kommuner share its unit (`DETACHED`).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from geo import catalog, fmt, model, overlap, split, tables
from geo.bundle import Bundle
from geo.config import CRS_DRAW, CRS_WORK
from geo.errors import ValidationError

TOUCH_M = 50.0  # boundaries closer than this touch (digitising tolerance)
WATER_GAP_M = 20_000.0  # widest sea crossing joined: Læsø–Frederikshavn (18.6 km)
OVERLAND_M = 100.0  # a shortest line that runs this far through a third kommune is not a sea crossing
DETACHED = {"0400": "Bornholm: 128 km of sea from the nearest kommune; never its own piece"}
AGE_YEAR = 2020  # age groups exist for 1 January 2020 only
AGE_COLUMNS = {"pop_65plus": f"pop_65plus_{AGE_YEAR}", "pop_80plus": f"pop_80plus_{AGE_YEAR}"}
SCENARIO_SOURCE = "Klyngekort scenario"
MAX_TABLE_BYTES = tables.UPLOAD_MAX_BYTES  # the upload limits are shared with Egne tal (geo.tables)
TABLE_TYPES = tables.UPLOAD_TYPES
MAX_XLSX_UNPACKED = tables.XLSX_MAX_UNPACKED
MAX_XLSX_RATIO = tables.XLSX_MAX_RATIO
MAX_XLSX_ROWS = tables.XLSX_MAX_ROWS
MAX_XLSX_COLUMNS = tables.XLSX_MAX_COLUMNS
MAX_XLSX_CELLS = tables.XLSX_MAX_CELLS
MAX_XLSX_SHARED_STRINGS = tables.XLSX_MAX_SHARED_STRINGS
URL_VERSION = "v1"
MAX_TOKEN_CHARS = 16_000  # a scenario link's token (the nginx front's header buffers are sized for it)
PLAN_COLUMNS = ["layer", "kommune_kode", "unit_id", "share", "basis", "sub_areas", "source", "confidence"]
_SET_RE = re.compile(r"^\s*([0-9]{1,4})\s*=\s*(.+?)\s*$")
_ID_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_SUB_RE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Change:
    """One kommune re-assigned: ``shares`` is ((unit_id, share), ...) summing to 1 (within
    `geo.tables.SHARE_TOLERANCE`); ``sub_areas`` is empty, or one tuple of sub-area ids (København's
    bydele) per entry of ``shares`` (an empty tuple where that unit lists none)."""

    kommune_kode: str
    shares: tuple[tuple[str, float], ...]
    sub_areas: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        subs = tuple(tuple(s) for s in self.sub_areas)
        if subs and len(subs) != len(self.shares):
            raise ValueError(f"{self.kommune_kode}: {len(subs)} sub-area lists for {len(self.shares)} units")
        object.__setattr__(self, "sub_areas", subs if any(subs) else ())  # none listed: one form only

    def subs_of(self, i: int) -> tuple[str, ...]:
        """The sub-areas of the ``i``-th unit (empty when none are listed)."""
        return self.sub_areas[i] if self.sub_areas else ()

    def text(self) -> str:
        """The change in the ``KODE=UNIT`` / ``KODE=UNIT:SHARE,UNIT:SHARE`` syntax, a unit's sub-areas
        after ``@`` joined by ``+`` (``0101=h_byen:0.577@1+2+3+6+7+8,h_syd:0.423@4+5+9+10``); shares as
        the shortest text that reads back as the same float (`geo.fmt.plain`), so `parse_change`
        returns this change."""
        if len(self.shares) == 1 and not self.sub_areas:
            return f"{self.kommune_kode}={self.shares[0][0]}"
        parts = []
        for i, (unit, share) in enumerate(self.shares):
            subs = self.subs_of(i)
            parts.append(f"{unit}:{fmt.plain(float(share))}" + (f"@{'+'.join(subs)}" if subs else ""))
        return f"{self.kommune_kode}=" + ",".join(parts)


@dataclass(frozen=True)
class Plan:
    """Assignment rows (``PLAN_COLUMNS``) using the units of ``layer``; ``name`` is shown."""

    layer: str
    name: str
    rows: pd.DataFrame


@dataclass(frozen=True)
class Context:
    """Everything the metrics and comparisons need that does not depend on the plan."""

    codes: tuple[str, ...]
    index: dict[str, int]
    names: dict[str, str]
    population: dict[int, np.ndarray]
    ages: dict[str, np.ndarray]
    fill_keys: tuple[str, ...]
    fill_kinds: tuple[str, ...]
    fill_values: np.ndarray  # kommuner × fills, 0 where missing
    fill_has: np.ndarray  # kommuner × fills, 1.0 where a value exists
    fill_weights: np.ndarray  # kommuner × fills, population weight of each fill
    neighbours: tuple[frozenset[int], ...]  # per kommune (index), its neighbours' indices
    site_index: dict[str, int]
    dist_km: np.ndarray  # kommuner × sites with coordinates
    unit_names: dict[str, dict[str, str]]
    unit_sites: dict[str, dict[str, tuple[int, ...]]]
    sub_area_population: pd.DataFrame | None = None  # shares of split kommuner follow it (`for_year`)
    sub_areas: dict[str, frozenset[str]] = field(default_factory=dict)  # kommune → its sub-area ids


@dataclass(frozen=True)
class Comparison:
    """Plan A against plan B.

    ``matrix``: ``a_unit_id, a_unit_navn, b_unit_id, b_unit_navn, population, share_of_a,
    share_of_b`` (non-zero cells; ``population`` in whole residents, each kommune's cells rounded
    by the largest remainder to its population, `geo.overlap.kommune_people`); ``congruence``: per
    A unit its largest B unit and the share of its residents there; ``mismatches``: kommuner whose
    B unit is not where most of their A unit goes (``population`` whole); ``year``: the population
    year; ``split_years``: per kommune split by bydele, the year of the bydel figures its shares use.
    """

    matrix: pd.DataFrame
    congruence: pd.DataFrame
    mismatches: pd.DataFrame
    year: int
    split_years: dict[str, int] = field(default_factory=dict)


# --- the neighbour graph ----------------------------------------------------------------------

def neighbour_pairs(kommuner: pd.DataFrame, water_gap_m: float = WATER_GAP_M) -> list[tuple[str, str, float]]:
    """Pairs of kommuner that are neighbours, with the gap in metres (0 when they touch).

    See the module docstring for the rule. Geometry must be in EPSG:25832.
    """
    if kommuner.crs is None or kommuner.crs.to_string() != CRS_WORK:
        raise ValueError(f"neighbours are measured in {CRS_WORK}; got {kommuner.crs}")
    codes = list(kommuner["kommune_kode"])
    geoms = shapely.simplify(np.asarray(kommuner.geometry.values), 20)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=water_gap_m)
    touching = tree.query(geoms, predicate="dwithin", distance=TOUCH_M)
    island = np.bincount(touching[0][touching[0] != touching[1]], minlength=len(codes)) == 0
    pairs = []
    for i, j in zip(left, right, strict=True):
        if i >= j or codes[i] in DETACHED or codes[j] in DETACHED:
            continue
        gap = float(shapely.distance(geoms[i], geoms[j]))
        if gap > TOUCH_M and not (island[i] or island[j]):
            line = shapely.shortest_line(geoms[i], geoms[j])
            crossed = sum(shapely.intersection(line, geoms[k]).length
                          for k in tree.query(line, predicate="intersects") if k not in (i, j))
            if crossed > OVERLAND_M:
                continue
        pairs.append((codes[i], codes[j], gap))
    return pairs


def _points(sites: pd.DataFrame) -> np.ndarray:
    import geopandas as gpd

    pts = gpd.GeoSeries(gpd.points_from_xy(sites["lon"].astype(float), sites["lat"].astype(float)), crs=CRS_DRAW)
    return np.asarray(pts.to_crs(CRS_WORK).values, dtype=object)


def build_context(bundle: Bundle) -> Context:
    """Precompute what every plan shares (about a second for Denmark; cache it)."""
    kommuner = bundle.kommuner.sort_values("kommune_kode").reset_index(drop=True)
    codes = tuple(kommuner["kommune_kode"])
    index = {c: i for i, c in enumerate(codes)}
    pop = bundle.population
    population = {int(y): rows.set_index("kommune_kode")["population_total"].reindex(codes).fillna(0).to_numpy(float)
                  for y, rows in pop.groupby("year")}
    age_rows = pop[pop["year"] == AGE_YEAR].set_index("kommune_kode")
    ages = {name: age_rows[col].reindex(codes).fillna(0).to_numpy(float) if col in age_rows else np.zeros(len(codes))
            for col, name in AGE_COLUMNS.items()}
    fills = catalog.fill_catalog(bundle.population, bundle.indicators)
    keys = [k for k, f in fills.items() if k.startswith("ind:")]
    values = np.zeros((len(codes), len(keys)))
    has = np.zeros_like(values)
    weights = np.zeros_like(values)
    for j, key in enumerate(keys):
        series = catalog.kommune_values(key, bundle.population, bundle.indicators).reindex(codes)
        has[:, j] = series.notna().to_numpy(float)
        values[:, j] = series.fillna(0).to_numpy(float)
        weights[:, j] = catalog.weights_for(fills[key], bundle.population).reindex(codes).fillna(0).to_numpy(float)
    pairs = neighbour_pairs(kommuner)
    links: list[set[int]] = [set() for _ in codes]
    for a, b, _ in pairs:
        links[index[a]].add(index[b])
        links[index[b]].add(index[a])
    neighbours = tuple(frozenset(x) for x in links)
    sites = bundle.sites[bundle.sites["lat"].astype(str) != ""].reset_index(drop=True)
    site_index = {s: i for i, s in enumerate(sites["site_id"])}
    origins = shapely.points(shapely.get_coordinates(kommuner.geometry.representative_point().values))
    if len(sites):
        dist = shapely.distance(origins[:, None], _points(sites)[None, :]) / 1000
    else:
        dist = np.zeros((len(codes), 0))
    unit_names: dict[str, dict[str, str]] = {}
    unit_sites: dict[str, dict[str, tuple[int, ...]]] = {}
    units = bundle.units
    site_col = units["site_ids"] if "site_ids" in units else pd.Series("", index=units.index)
    for (layer, unit, navn), sids in zip(zip(units["layer"], units["unit_id"], units["unit_navn"], strict=True),
                                         site_col.fillna(""), strict=True):
        unit_names.setdefault(layer, {})[unit] = navn
        unit_sites.setdefault(layer, {})[unit] = tuple(site_index[s] for s in str(sids).split(";")
                                                       if s in site_index)
    return Context(codes, index, dict(zip(kommuner["kommune_kode"], kommuner["kommune_navn"], strict=True)),
                   population, ages, tuple(keys), tuple(fills[k].kind for k in keys), values, has, weights,
                   neighbours, site_index, np.asarray(dist, dtype=float), unit_names, unit_sites,
                   bundle.sub_area_population,
                   {k: frozenset(g) for k, g in bundle.sub_areas.groupby("kommune_kode")["sub_area_id"]})


# --- plans and scenarios ----------------------------------------------------------------------

def _frame(rows: pd.DataFrame, layer: str) -> pd.DataFrame:
    out = rows.copy()
    for col in PLAN_COLUMNS:
        if col not in out:
            out[col] = ""
    out["layer"] = layer
    out["share"] = out["share"].astype(float)
    for col in ("basis", "sub_areas", "source", "confidence"):
        out[col] = out[col].fillna("").astype(str)
    return out[PLAN_COLUMNS].sort_values(["kommune_kode", "unit_id"]).reset_index(drop=True)


def layer_plan(bundle: Bundle, layer: str, year: int | None = None) -> Plan:
    """The plan of a layer (its assignment rows), with the shares of population year ``year`` for a
    kommune split by bydele (default: the latest year)."""
    row = bundle.layer(layer)
    rows = model.layer_assignments(bundle.assignments_for(year), layer)
    return Plan(layer, str(row["name_da"]), _frame(rows, layer))


def for_year(ctx: Context, plan: Plan, year: int) -> tuple[Plan, dict[str, int]]:
    """The plan with the shares of population year ``year`` where it splits a kommune by sub-areas
    with population figures (`geo.split.split_shares`), and the split year per such kommune.

    Rows without sub-areas (whole kommuner, a scenario's own split) keep their shares.
    """
    rows, years = split.split_shares(plan.rows, ctx.sub_area_population, year)
    return Plan(plan.layer, plan.name, rows), years


def parse_change(text: str) -> Change:
    """``KODE=UNIT`` or ``KODE=UNIT:SHARE,UNIT:SHARE`` → `Change` (ValueError naming the rule).

    Shares are fractions (``0.6``) or percentages (``60%``, ``60 %``), the syntax of an uploaded
    table (`geo.tables.parse_share`); each is at least `geo.tables.MIN_SHARE` and they sum to 1
    (100 %) within `geo.tables.SHARE_TOLERANCE`, the tolerance of an uploaded table. A unit's
    sub-areas follow ``@``, joined by ``+`` (``h_byen:0.577@1+2+3``). Digits must be ASCII;
    invisible characters (zero-width space, BOM, no-break space, directional marks) are ignored.
    """
    raw = text or ""
    if why := tables.ascii_digit_problem(raw):
        raise ValueError(f"{text!r}: {why}")
    match = _SET_RE.match(tables.without_invisible(raw))
    if not match:
        raise ValueError(f"{text!r}: expected KODE=UNIT or KODE=UNIT:SHARE,UNIT:SHARE")
    kode, rest = match.group(1).zfill(4), match.group(2)
    parts = [p.strip() for p in rest.split(",")]
    if len(parts) == 1 and ":" not in parts[0] and "@" not in parts[0]:
        parts = [parts[0] + ":1"]
    shares, subs = [], []
    for part in parts:
        head, at, sub_text = part.partition("@")
        unit, _, value = head.partition(":")
        unit = unit.strip()
        if not _ID_RE.match(unit):
            raise ValueError(f"{text!r}: {unit!r} is not a unit id")
        try:
            share = tables.parse_share(value) if value.strip() else math.nan
        except ValueError:
            raise ValueError(f"{text!r}: share {value.strip()!r} of {unit} is not a number "
                             "(write a fraction, 0.6, or a percentage, 60%)") from None
        if math.isnan(share):
            raise ValueError(f"{text!r}: {unit} needs a share (UNIT:SHARE)")
        if share > 1:
            raise ValueError(f"{text!r}: share of {unit} is {fmt.plain(share)}, more than 1: write a fraction "
                             f"({fmt.plain(share / 100)}) or a percentage ({fmt.plain(share)}%)")
        if not share >= tables.MIN_SHARE:
            raise ValueError(f"{text!r}: share of {unit} must be at least {tables.MIN_SHARE:g}")
        names = tuple(s.strip() for s in sub_text.split("+")) if at else ()
        bad = [s for s in names if not _SUB_RE.match(s)]
        if bad or (at and not names):
            raise ValueError(f"{text!r}: sub-areas of {unit} must be ids joined by '+' (@1+2+3); got {sub_text!r}")
        shares.append((unit, share))
        subs.append(names)
    if len({u for u, _ in shares}) != len(shares):
        raise ValueError(f"{text!r}: a unit appears twice")
    total = math.fsum(s for _, s in shares)
    if abs(total - 1) > tables.SHARE_TOLERANCE:
        raise ValueError(f"{text!r}: shares sum to {fmt.plain(total)}, expected 1")
    return Change(kode, tuple(shares), tuple(subs))


def default_percents(n: int) -> list[int]:
    """Whole percents for ``n`` units that sum to 100, as even as they can be (largest remainder,
    the first units get the extra points): ``[34, 33, 33]`` for three; ``[]`` for none."""
    from geo.counts import whole_counts

    return [int(v) for v in whole_counts([100 / n] * n, 100)] if n > 0 else []


def add_change(changes: list[Change] | tuple[Change, ...], change: Change) -> list[Change]:
    """The changes with ``change`` added: an earlier change of the same kommune is replaced (the
    kommune's change moves to the end), so repeated moves do not lengthen the scenario.

    Raises
    ------
    ScenarioTooLong
        When the changes would no longer fit in a link (`MAX_TOKEN_CHARS`); ``changes`` is unchanged.
    """
    out = [c for c in changes if c.kommune_kode != change.kommune_kode] + [change]
    encode_changes(out)  # raises ScenarioTooLong past the limit
    return out


def apply_changes(plan: Plan, changes: list[Change] | tuple[Change, ...], ctx: Context,
                  name: str | None = None) -> Plan:
    """A new plan with each change applied in order (a later change of a kommune wins).

    Raises
    ------
    ValueError
        Naming every unknown kommune or unit (nothing is applied then).
    """
    units = ctx.unit_names.get(plan.layer, {})
    problems = []
    for ch in changes:
        if ch.kommune_kode not in ctx.index:
            problems.append(f"{ch.text()}: {ch.kommune_kode!r} is not a kommune code")
        problems += [f"{ch.text()}: {u!r} is not a unit of layer {plan.layer!r}"
                     for u, _ in ch.shares if u not in units]
        known = ctx.sub_areas.get(ch.kommune_kode, frozenset())
        seen: dict[str, str] = {}
        for i, (unit, _) in enumerate(ch.shares):
            for sub in ch.subs_of(i):
                if sub not in known:
                    have = ", ".join(sorted(known, key=lambda x: (len(x), x))) or "none"
                    problems.append(f"{ch.text()}: sub-area {sub!r} does not exist in kommune {ch.kommune_kode} "
                                    f"(known: {have})")
                elif seen.setdefault(sub, unit) != unit:
                    problems.append(f"{ch.text()}: sub-area {sub} is given to both {seen[sub]} and {unit}")
    if problems:
        raise ValueError("; ".join(problems))
    rows = plan.rows
    latest = {ch.kommune_kode: ch for ch in changes}
    keep = rows[~rows["kommune_kode"].isin(list(latest))]
    new = [{"layer": plan.layer, "kommune_kode": ch.kommune_kode, "unit_id": u, "share": s, "basis": "scenarie",
            "sub_areas": ";".join(ch.subs_of(i)), "source": SCENARIO_SOURCE, "confidence": "low"}
           for ch in latest.values() for i, (u, s) in enumerate(ch.shares)]
    if new:
        out = pd.concat([keep, pd.DataFrame(new, columns=PLAN_COLUMNS).astype(keep.dtypes.to_dict())],
                        ignore_index=True)
        out = out.sort_values(["kommune_kode", "unit_id"], ignore_index=True)
    else:
        out = keep.reset_index(drop=True)
    return Plan(plan.layer, name or plan.name, out)


def changed_kommuner(a: Plan, b: Plan) -> list[str]:
    """Kommuner whose units, shares or sub-areas differ between two plans (sorted codes)."""
    def sig(rows: pd.DataFrame) -> dict[str, tuple]:
        return {k: tuple(sorted((u, round(float(s), 9), tuple(sorted(overlap.sub_area_set(x))))
                                for u, s, x in zip(g["unit_id"], g["share"], g["sub_areas"], strict=True)))
                for k, g in rows.groupby("kommune_kode")}
    sa, sb = sig(a.rows), sig(b.rows)
    return sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))


def changes_between(base: Plan, scenario: Plan) -> list[Change]:
    """The changes that turn ``base`` into ``scenario`` (one per changed kommune, with the
    scenario's sub-areas, so an uploaded table keeps København's bydele).

    A kommune the scenario leaves out cannot be expressed as a change; ValueError names it.
    """
    out = []
    for kode in changed_kommuner(base, scenario):
        rows = scenario.rows[scenario.rows["kommune_kode"] == kode]
        if rows.empty:
            raise ValueError(f"kommune {kode} is in the base but not in the scenario")
        subs = tuple(tuple(x.strip() for x in str(text or "").split(";") if x.strip()) for text in rows["sub_areas"])
        out.append(Change(kode, tuple(zip(rows["unit_id"], rows["share"].astype(float), strict=True)), subs))
    return out


def to_assignment_csv(plan: Plan) -> str:
    """The plan as a complete assignment table (CSV, RFC 4180 with CRLF like every export, sub-areas
    kept) that `validate-assignments` and the Scenarier page's upload accept.

    Cells are neutralised for spreadsheets; valid codes and ids never start with ``= + - @``, so
    they are written unchanged.
    """
    from geo.files import to_csv

    rows = plan.rows.copy()
    rows["share"] = [fmt.plain(float(s)) for s in rows["share"]]
    return to_csv(rows[PLAN_COLUMNS])


def read_table(data: bytes, name: str) -> pd.DataFrame:
    """Read an uploaded assignment table (CSV or XLSX, at most 2 MB) like `geo.tables.read_csv_table`.

    An XLSX file's first sheet is read as text and then parsed exactly like a CSV file (`_xlsx_csv`,
    bounded before and while unpacking); ``attrs['sheet']`` and ``attrs['sheets']`` then name the
    sheet that was read and all the workbook's sheets.

    Raises
    ------
    ValidationError
        Naming the file and the rule it breaks (size, type, unreadable or oversized workbook, an
        empty first sheet, bad lines).
    """
    data, suffix = tables.upload_bytes(data, name)
    if suffix != "xlsx":
        return tables.read_csv_table(data, name)
    text, sheet, sheets = _xlsx_csv(data, name)
    try:
        frame = tables.read_csv_table(text, name)
    except ValidationError as exc:
        raise ValidationError(name, [*exc.problems, sheet_note(name, sheet, sheets)], more=exc.more) from None
    frame.attrs.update(sheet=sheet, sheets=sheets)
    return frame


def sheet_note(name: str, sheet: str, sheets: list[str]) -> str:
    """Which sheet of a workbook was read, and which it has (added to the problems of an XLSX upload)."""
    listed = ", ".join(repr(x) for x in sheets)
    return (f"{name}: the table was read from the first sheet, {sheet!r}; only the first sheet is read "
            f"(the workbook has {len(sheets)} sheet(s): {listed})")


def _xlsx_cell(value) -> str:
    """A cell as `pandas.read_excel(dtype=str)` gave it: whole numbers without '.0', nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_csv(data: bytes, name: str) -> tuple[bytes, str, list[str]]:
    """The first sheet of an XLSX workbook (`geo.tables.xlsx_rows`, bounded before and while unpacking)
    as CSV bytes, its title and the titles of all sheets."""
    book = tables.xlsx_rows(data, name)
    rows = [[_xlsx_cell(v) for v in cells] for cells in book.rows]
    sheets = book.sheets
    width = max((len(r) for r in rows), default=0)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(r + [""] * (width - len(r)) for r in rows)
    return out.getvalue().encode("utf-8"), sheets[0], sheets


def plan_from_table(bundle: Bundle, raw: pd.DataFrame, table: str, name: str | None = None
                    ) -> tuple[Plan | None, list[str]]:
    """A plan from a table read by `geo.tables.read_csv_table`: validated, one layer only.

    Returns ``(plan, [])`` or ``(None, problems)`` with every problem found.
    """
    prepared, problems = tables.prepare_assignments(raw, table)
    if problems and any("missing required column" in p for p in problems):
        if raw.attrs.get("sheets"):
            problems.append(sheet_note(table, raw.attrs["sheet"], raw.attrs["sheets"]))
        return None, problems
    problems += tables.validate_assignments(prepared, table=table, kommuner=bundle.kommuner, layers=bundle.layers,
                                            units=bundle.units, sub_areas=bundle.sub_areas)
    layers = sorted(set(prepared["layer"]))
    if len(layers) != 1:
        problems.append(f"{table}: a scenario uses the units of one layer; the table has {layers or 'none'}")
    if problems:
        return None, problems
    return Plan(layers[0], name or table, _frame(prepared, layers[0])), []


# --- the URL form -----------------------------------------------------------------------------

class ScenarioTooLong(ValueError):
    """A scenario whose link token would exceed `MAX_TOKEN_CHARS` (``length`` characters)."""

    def __init__(self, length: int):
        self.length = length
        self.limit = MAX_TOKEN_CHARS
        super().__init__(f"the scenario is too long for a link: {length:,} characters, at most {MAX_TOKEN_CHARS:,}; "
                         "undo some changes, or download the scenario as a table and upload it later")


def encode_changes(changes: list[Change] | tuple[Change, ...]) -> str:
    """``v1.<base64url of 'KODE=UNIT;KODE=UNIT:SHARE@SUB+SUB,UNIT:SHARE'>`` (no padding); '' for none.

    Raises
    ------
    ScenarioTooLong
        When the token would be longer than `MAX_TOKEN_CHARS`.
    """
    if not changes:
        return ""
    text = ";".join(ch.text() for ch in changes)
    token = f"{URL_VERSION}." + base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
    if len(token) > MAX_TOKEN_CHARS:
        raise ScenarioTooLong(len(token))
    return token


def decode_changes(token: str) -> list[Change]:
    """The changes of an `encode_changes` token; ValueError saying what is wrong with it.

    Tokens written before sub-areas existed read as they always did (the grammar only grew ``@``).
    """
    version, dot, body = (token or "").partition(".")
    if not dot or version != URL_VERSION:
        raise ValueError(f"the scenario version {version[:10]!r} is not supported (expected {URL_VERSION})")
    if len(token) > MAX_TOKEN_CHARS:
        raise ScenarioTooLong(len(token))
    try:
        padded = (body + "=" * (-len(body) % 4)).encode("ascii")
        text = base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        raise ValueError("the scenario is not valid base64url") from None
    return [parse_change(part) for part in text.split(";") if part.strip()]


# --- metrics ----------------------------------------------------------------------------------

def membership_matrix(ctx: Context, plan: Plan) -> tuple[list[str], np.ndarray]:
    """Unit ids (those with rows, sorted) and the units × kommuner matrix of shares."""
    rows = plan.rows
    unit_ids = sorted(set(rows["unit_id"]))
    uidx = {u: i for i, u in enumerate(unit_ids)}
    m = np.zeros((len(unit_ids), len(ctx.codes)))
    np.add.at(m, (rows["unit_id"].map(uidx).to_numpy(), rows["kommune_kode"].map(ctx.index).to_numpy()),
              rows["share"].to_numpy(float))
    return unit_ids, m


def _pieces(ctx: Context, members: np.ndarray) -> int:
    nodes = {int(i) for i in members if ctx.codes[i] not in DETACHED}
    if not nodes:
        return 1 if len(members) else 0
    pieces = 0
    while nodes:
        pieces += 1
        stack = [nodes.pop()]
        while stack:
            here = ctx.neighbours[stack.pop()] & nodes
            nodes -= here
            stack.extend(here)
    return pieces


def population(ctx: Context, year: int | None) -> tuple[np.ndarray, int]:
    """Population per kommune (in ``ctx.codes`` order) of ``year`` (default: the latest)."""
    years = sorted(ctx.population)
    year = max(years) if year is None else int(year)
    if year not in ctx.population:
        raise ValueError(f"population year {year} is not available; expected one of {years}")
    return ctx.population[year], year


def unit_metrics(ctx: Context, plan: Plan, year: int | None = None) -> pd.DataFrame:
    """Metrics per unit of a plan.

    Returns
    -------
    DataFrame
        ``unit_id, unit_navn, population`` (share-weighted, ``year``), ``pop_65plus_2020,
        pop_80plus_2020`` (age groups exist for 2020 only), ``n_kommuner``, ``pieces`` (connected
        pieces under the neighbour rule; 1 = contiguous), ``dist_max_km`` and ``dist_mean_km``
        (from each member kommune's representative point to the nearest of the unit's acute
        hospitals; mean weighted by share × population; NaN for units without hospitals), then
        one column per indicator (``ind:...``, share-weighted population-weighted means). A
        kommune split by bydele is split with the bydel figures of ``year`` (`for_year`);
        ``attrs`` holds ``year`` and ``split_years``.
    """
    pop, year = population(ctx, year)
    plan, used = for_year(ctx, plan, year)
    unit_ids, m = membership_matrix(ctx, plan)
    present = m > 0
    weighted = m * pop
    out = pd.DataFrame({"unit_id": unit_ids})
    out["unit_navn"] = out["unit_id"].map(ctx.unit_names.get(plan.layer, {}))
    out["population"] = weighted.sum(axis=1)
    for name, values in ctx.ages.items():
        out[name] = m @ values
    out["n_kommuner"] = present.sum(axis=1)
    out["pieces"] = [_pieces(ctx, np.flatnonzero(row)) for row in present]
    sites = ctx.unit_sites.get(plan.layer, {})
    dmax, dmean = [], []
    for i, unit in enumerate(unit_ids):
        idx = sites.get(unit, ())
        if not idx:
            dmax.append(math.nan)
            dmean.append(math.nan)
            continue
        d = ctx.dist_km[:, list(idx)].min(axis=1)
        members = present[i]
        dmax.append(float(d[members].max()))
        w = weighted[i]
        dmean.append(float((d * w).sum() / w.sum()) if w.sum() > 0 else math.nan)
    out["dist_max_km"] = dmax
    out["dist_mean_km"] = dmean
    sw = m @ (ctx.fill_weights * ctx.fill_has)
    num = m @ (ctx.fill_weights * ctx.fill_has * ctx.fill_values)
    with np.errstate(invalid="ignore", divide="ignore"):
        rates = np.where(sw > 0, num / np.where(sw > 0, sw, 1), np.nan)
    out = pd.concat([out, pd.DataFrame(rates, columns=list(ctx.fill_keys))], axis=1)
    out.attrs["year"] = year
    out.attrs["split_years"] = used
    return out


def balance(metrics: pd.DataFrame, column: str = "population") -> dict:
    """Largest and smallest unit, their ratio and the coefficient of variation (std/mean, population std)."""
    data = metrics.dropna(subset=[column])
    data = data[data[column] > 0]
    if data.empty:
        raise ValueError("no units with a value to balance")
    hi, lo = data.loc[data[column].idxmax()], data.loc[data[column].idxmin()]
    values = data[column].to_numpy(float)
    return {"largest": float(hi[column]), "largest_id": hi["unit_id"], "largest_navn": hi["unit_navn"],
            "smallest": float(lo[column]), "smallest_id": lo["unit_id"], "smallest_navn": lo["unit_navn"],
            "ratio": float(hi[column] / lo[column]), "cv": float(values.std() / values.mean()),
            "n_units": len(data)}


def metrics_change(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Population, kommuner, pieces and hospital distance per unit before and after, with the change.

    Units present on one side only get 0 population / kommuner on the other.
    """
    cols = ["population", "n_kommuner", "pieces", "dist_mean_km"]
    left = before.set_index("unit_id")[["unit_navn", *cols]]
    right = after.set_index("unit_id")[["unit_navn", *cols]]
    out = left.add_suffix("_before").join(right.add_suffix("_after"), how="outer")
    out["unit_navn"] = out["unit_navn_after"].fillna(out["unit_navn_before"])
    for col in ("population", "n_kommuner", "pieces"):
        out[[f"{col}_before", f"{col}_after"]] = out[[f"{col}_before", f"{col}_after"]].fillna(0)
    out["population_change"] = out["population_after"] - out["population_before"]
    out["n_kommuner_change"] = out["n_kommuner_after"] - out["n_kommuner_before"]
    out = out.reset_index()
    order = ["unit_id", "unit_navn", "population_before", "population_after", "population_change",
             "n_kommuner_before", "n_kommuner_after", "n_kommuner_change", "pieces_before", "pieces_after",
             "dist_mean_km_before", "dist_mean_km_after"]
    return out[order].sort_values("unit_navn").reset_index(drop=True)


# --- comparison -------------------------------------------------------------------------------

def kommune_overlap(rows_a: pd.DataFrame, rows_b: pd.DataFrame) -> np.ndarray:
    """Share of one kommune's population in each (A row, B row) pair (`geo.overlap.kommune_overlap`,
    the one rule); rows sum to A's shares and columns to B's shares."""
    return overlap.kommune_overlap(rows_a["share"].astype(float).tolist(),
                                   [overlap.sub_area_set(x) for x in rows_a["sub_areas"]],
                                   rows_b["share"].astype(float).tolist(),
                                   [overlap.sub_area_set(x) for x in rows_b["sub_areas"]])


def _by_kommune(plan: Plan) -> dict[str, list[tuple[str, float, frozenset[str]]]]:
    out: dict[str, list[tuple[str, float, frozenset[str]]]] = {}
    rows = plan.rows
    for kode, unit, share, subs in zip(rows["kommune_kode"], rows["unit_id"], rows["share"], rows["sub_areas"],
                                       strict=True):
        out.setdefault(kode, []).append((unit, float(share), overlap.sub_area_set(subs)))
    return out


def compare(ctx: Context, a: Plan, b: Plan, year: int | None = None) -> Comparison:
    """The population overlap of two plans, each A unit's congruence, and the mismatching kommuner.

    Kommuner that only one plan covers (a 'named' layer) are left out of the matrix; the matrix
    sums to the population both plans cover. Kommuner split by bydele are split with the bydel
    figures of ``year`` on both sides (`for_year`).
    """
    pop, year = population(ctx, year)
    a, used = for_year(ctx, a, year)
    b, _ = for_year(ctx, b, year)
    ga, gb = _by_kommune(a), _by_kommune(b)
    cells: dict[tuple[str, str], list] = {}  # (A unit, B unit) -> [whole residents, exact residents]
    by_kommune: dict[str, dict[tuple[str, str], tuple[float, int]]] = {}
    for kode in sorted(set(ga) & set(gb)):
        ra, rb = ga[kode], gb[kode]
        grid = overlap.kommune_overlap([r[1] for r in ra], [r[2] for r in ra], [r[1] for r in rb], [r[2] for r in rb])
        people = pop[ctx.index[kode]]
        whole = overlap.kommune_people(grid, people)
        own: dict[tuple[str, str], tuple[float, int]] = {}
        for i, (ua, _, _) in enumerate(ra):
            for j, (ub, _, _) in enumerate(rb):
                if grid[i, j] > 0:
                    cell = cells.setdefault((ua, ub), [0, 0.0])
                    cell[0] += int(whole[i, j])
                    cell[1] += grid[i, j] * people
                    share, count = own.get((ua, ub), (0.0, 0))
                    own[(ua, ub)] = (share + grid[i, j], count + int(whole[i, j]))
        by_kommune[kode] = own
    na, nb = ctx.unit_names.get(a.layer, {}), ctx.unit_names.get(b.layer, {})
    matrix = pd.DataFrame([(ua, na.get(ua, ua), ub, nb.get(ub, ub), n, x) for (ua, ub), (n, x) in cells.items()],
                          columns=["a_unit_id", "a_unit_navn", "b_unit_id", "b_unit_navn", "population", "exact"])
    matrix["population"] = matrix["population"].astype("int64")
    matrix["share_of_a"] = matrix["exact"] / matrix.groupby("a_unit_id")["exact"].transform("sum")
    matrix["share_of_b"] = matrix["exact"] / matrix.groupby("b_unit_id")["exact"].transform("sum")
    matrix = (matrix.sort_values(["a_unit_navn", "exact"], ascending=[True, False]).drop(columns="exact")
              .reset_index(drop=True))
    top = matrix.loc[matrix.groupby("a_unit_id")["population"].idxmax()]
    congruence = pd.DataFrame({
        "a_unit_id": top["a_unit_id"], "a_unit_navn": top["a_unit_navn"],
        "population": top["a_unit_id"].map(matrix.groupby("a_unit_id")["population"].sum()),
        "main_b_unit_id": top["b_unit_id"], "main_b_unit_navn": top["b_unit_navn"],
        "congruence": top["share_of_a"],
        "n_b_units": top["a_unit_id"].map(matrix.groupby("a_unit_id")["b_unit_id"].nunique()),
    }).sort_values("a_unit_navn").reset_index(drop=True)
    main_b = dict(zip(congruence["a_unit_id"], congruence["main_b_unit_id"], strict=True))
    records = []
    for kode, own in by_kommune.items():
        for (ua, ub), (share, count) in own.items():
            if ub != main_b[ua]:
                records.append((kode, ctx.names[kode], ua, na.get(ua, ua), ub, nb.get(ub, ub), main_b[ua],
                                nb.get(main_b[ua], main_b[ua]), share, count))
    mismatches = pd.DataFrame(records, columns=["kommune_kode", "kommune_navn", "a_unit_id", "a_unit_navn",
                                                "b_unit_id", "b_unit_navn", "expected_b_unit_id",
                                                "expected_b_unit_navn", "share", "population"])
    return Comparison(matrix, congruence, mismatches.sort_values(["kommune_kode", "b_unit_id"]).reset_index(drop=True),
                      year, used)


def intersections(bundle: Bundle, a: Plan, b: Plan, comparison: Comparison):
    """The comparison's cells as geometry: each A part intersected with each B part (EPSG:25832).

    Returns a GeoDataFrame with the matrix columns and the geometry of the (A unit ∩ B unit).
    """
    import geopandas as gpd

    def parts(plan: Plan) -> gpd.GeoDataFrame:
        units = bundle.units[bundle.units["layer"] == plan.layer]
        p = model.layer_parts(bundle.kommuner, bundle.sub_areas, plan.rows, units, plan.layer)
        return p.dissolve(by="unit_id", as_index=False)[["unit_id", "geometry"]]

    pa = parts(a).rename(columns={"unit_id": "a_unit_id"})
    pb = parts(b).rename(columns={"unit_id": "b_unit_id"})
    inter = gpd.overlay(pa, pb, how="intersection", keep_geom_type=True)
    inter = inter[inter.area > 1.0]
    out = comparison.matrix.merge(inter, on=["a_unit_id", "b_unit_id"], how="left", validate="one_to_one")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=bundle.kommuner.crs)
    return out[~out.geometry.isna()].reset_index(drop=True)
