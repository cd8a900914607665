"""The project's own tables in data/ (layers, units, assignments, sites): reading and validation."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd

from geo.config import CHRISTIANSOE, CONFIDENCE_LEVELS
from geo.errors import ValidationError
from geo.sources import normalise_kode

ASSIGNMENT_REQUIRED = ["layer", "kommune_kode", "unit_id", "share"]
ASSIGNMENT_OPTIONAL = ["basis", "sub_areas", "source", "confidence", "note"]
LAYER_COLUMNS = ["layer", "name_da", "name_en", "extent", "display_region", "source", "confidence"]
UNIT_COLUMNS = ["layer", "unit_id", "unit_navn", "region", "hospital", "site_ids", "source", "confidence"]
SITE_COLUMNS = ["site_id", "name", "kind", "lat", "lon", "source", "coord_source", "confidence"]
EXTENTS = ("all", "named")
SHARE_TOLERANCE = 1e-9
# Denmark with a margin (WGS84): a coordinate outside is a typo or swapped lat/lon.
DK_BOUNDS = {"lat": (54.4, 57.9), "lon": (7.9, 15.4)}


def read_csv_table(source: str | Path | bytes, table: str) -> pd.DataFrame:
    """Read a CSV table as text, tolerating what Excel writes.

    Accepts a UTF-8 BOM, Windows-1252 text, ``;`` or tab as separator (with decimal comma) and
    codes that lost their leading zero. Every value is a stripped string; the column ``_line``
    holds the line number in the file (the header is line 1), so messages can name it.

    Raises
    ------
    ValidationError
        If the file is empty, has no header, or a line has the wrong number of fields.
    """
    raw = Path(source).read_bytes() if isinstance(source, (str, Path)) else source
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError(table, ["the file is empty: expected a header line with columns"])
    header = lines[0]
    sep = max([",", ";", "\t"], key=header.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    columns = [c.strip().lstrip("\ufeff").lower() for c in rows[0]]
    problems = []
    records = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            problems.append(
                f"line {line_no}: {len(row)} fields, but the header has {len(columns)} "
                f"({sep!r} is the separator; a value that contains it must be in quotes)"
            )
            continue
        records.append([cell.strip() for cell in row] + [line_no])
    if problems:
        raise ValidationError(table, problems)
    df = pd.DataFrame(records, columns=[*columns, "_line"], dtype=object)
    df.attrs["separator"] = sep
    return df


def _number(text: str, decimal_comma: bool) -> float:
    if decimal_comma or ("," in text and "." not in text):
        text = text.replace(",", ".")
    return float(text)


def _where(table: str, row: pd.Series, column: str) -> str:
    return f"{table} line {row['_line']}, column {column}"


def prepare_assignments(df: pd.DataFrame, table: str) -> tuple[pd.DataFrame, list[str]]:
    """Normalise an assignment table read by `read_csv_table`; return it and the problems found.

    ``share`` becomes a float (NaN where unreadable), ``kommune_kode`` a 4-character code, and
    the optional columns are added empty where absent.
    """
    problems = []
    missing = [c for c in ASSIGNMENT_REQUIRED if c not in df.columns]
    if missing:
        found = [c for c in df.columns if c != "_line"]
        return df, [f"{table}: missing required column(s) {missing}; found {found}"]
    out = df.copy()
    for col in ASSIGNMENT_OPTIONAL:
        if col not in out.columns:
            out[col] = ""
    out["kommune_kode"] = normalise_kode(out["kommune_kode"].astype(str)).astype(object)
    decimal_comma = df.attrs.get("separator") == ";"
    shares = []
    for _, row in out.iterrows():
        try:
            value = _number(str(row["share"]), decimal_comma)
            if math.isnan(value):
                raise ValueError
        except ValueError:
            problems.append(f"{_where(table, row, 'share')}: {row['share']!r} is not a number")
            value = math.nan
        shares.append(value)
    out["share"] = pd.Series(shares, index=out.index, dtype=float)
    out.attrs = dict(df.attrs)
    return out, problems


def validate_assignments(
    df: pd.DataFrame,
    *,
    table: str,
    kommuner: pd.DataFrame,
    layers: pd.DataFrame,
    units: pd.DataFrame,
    sub_areas: pd.DataFrame,
) -> list[str]:
    """Every problem in a prepared assignment table, one message each (empty list: valid).

    Checks known layer, kommune and unit; 0 < share ≤ 1; no duplicate (layer, kommune, unit);
    shares per (layer, kommune) summing to 1 within 1e-9; every kommune of a layer's extent
    covered; sub-areas that exist and do not overlap between units; confidence levels.
    """
    if any(c not in df.columns for c in ASSIGNMENT_REQUIRED):
        return []  # prepare_assignments has already named the missing columns
    problems: list[str] = []
    known_layers = list(layers["layer"])
    codes = dict(zip(kommuner["kommune_kode"], kommuner["kommune_navn"], strict=True))
    units_of = units.groupby("layer")["unit_id"].apply(list).to_dict()
    subs_of = sub_areas.groupby("kommune_kode")["sub_area_id"].apply(set).to_dict()
    valid_rows = []
    for idx, row in df.iterrows():
        ok = True
        layer, kode, unit = row["layer"], row["kommune_kode"], row["unit_id"]
        if layer not in known_layers:
            problems.append(
                f"{_where(table, row, 'layer')}: unknown layer {layer!r}; expected one of {known_layers}"
            )
            ok = False
        if kode == CHRISTIANSOE:
            problems.append(
                f"{_where(table, row, 'kommune_kode')}: 0411 is Christiansø, which is not a kommune "
                "and has no memberships"
            )
            ok = False
        elif kode not in codes:
            problems.append(
                f"{_where(table, row, 'kommune_kode')}: {kode!r} is not one of the {len(codes)} "
                "kommune codes"
            )
            ok = False
        if layer in known_layers and unit not in units_of.get(layer, []):
            sample = ", ".join(units_of.get(layer, [])[:6])
            problems.append(
                f"{_where(table, row, 'unit_id')}: {unit!r} is not a unit of layer {layer!r} "
                f"(units include {sample}, ...)"
            )
            ok = False
        share = row["share"]
        if not math.isnan(share) and not 0 < share <= 1:
            problems.append(f"{_where(table, row, 'share')}: {share:g} must be > 0 and ≤ 1")
        conf = row.get("confidence", "")
        if conf and conf not in CONFIDENCE_LEVELS:
            problems.append(
                f"{_where(table, row, 'confidence')}: {conf!r}; expected one of {list(CONFIDENCE_LEVELS)}"
            )
        if row.get("sub_areas") and kode in codes:
            known = subs_of.get(kode, set())
            for sub in str(row["sub_areas"]).split(";"):
                if sub.strip() not in known:
                    have = sorted(known, key=int) if known else "none"
                    problems.append(
                        f"{_where(table, row, 'sub_areas')}: sub-area {sub.strip()!r} does not exist "
                        f"in kommune {kode} (known: {have})"
                    )
        if ok:
            valid_rows.append(idx)
    good = df.loc[valid_rows]
    dup = good[good.duplicated(["layer", "kommune_kode", "unit_id"], keep="first")]
    for _, row in dup.iterrows():
        problems.append(
            f"{table} line {row['_line']}: duplicate of an earlier row for "
            f"({row['layer']}, {row['kommune_kode']}, {row['unit_id']})"
        )
    for (layer, kode), group in good.groupby(["layer", "kommune_kode"]):
        total = group["share"].sum()
        if not math.isnan(total) and abs(total - 1) > SHARE_TOLERANCE:
            lines = ", ".join(str(x) for x in group["_line"])
            problems.append(
                f"{table} lines {lines}: shares of kommune {kode} ({codes[kode]}) in layer {layer} "
                f"sum to {total:.6g}, expected 1"
            )
        seen: dict[str, str] = {}
        for _, row in group.iterrows():
            for sub in filter(None, (s.strip() for s in str(row["sub_areas"]).split(";"))):
                if sub in seen and seen[sub] != row["unit_id"]:
                    problems.append(
                        f"{_where(table, row, 'sub_areas')}: sub-area {sub} of kommune {kode} is "
                        f"already assigned to unit {seen[sub]!r} in layer {layer}"
                    )
                seen[sub] = row["unit_id"]
    extent = dict(zip(layers["layer"], layers["extent"], strict=True))
    for layer in sorted(set(good["layer"])):
        if extent.get(layer) != "all":
            continue
        present = set(good.loc[good["layer"] == layer, "kommune_kode"])
        missing = sorted(set(codes) - present)
        if missing:
            named = ", ".join(f"{k} {codes[k]}" for k in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            problems.append(
                f"{table}: layer {layer} must cover all {len(codes)} kommuner; missing {named}{more}"
            )
    return problems


def _require_columns(df: pd.DataFrame, table: str, columns: list[str]) -> list[str]:
    missing = [c for c in columns if c not in df.columns]
    return [f"{table}: missing column(s) {missing}"] if missing else []


def validate_layers(layers: pd.DataFrame) -> list[str]:
    """Problems in data/layers.csv."""
    table = "layers.csv"
    problems = _require_columns(layers, table, LAYER_COLUMNS)
    if problems:
        return problems
    for _, row in layers.iterrows():
        if row["extent"] not in EXTENTS:
            problems.append(f"{_where(table, row, 'extent')}: {row['extent']!r}; expected one of {list(EXTENTS)}")
        if row["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(f"{_where(table, row, 'confidence')}: {row['confidence']!r}")
        if row["extent"] == "named" and not row["display_region"]:
            problems.append(f"{_where(table, row, 'display_region')}: a 'named' layer needs a display region")
    for layer in layers.loc[layers["layer"].duplicated(), "layer"]:
        problems.append(f"{table}: layer {layer!r} appears twice")
    return problems


def validate_units(units: pd.DataFrame, layers: pd.DataFrame, sites: pd.DataFrame) -> list[str]:
    """Problems in data/units.csv."""
    table = "units.csv"
    problems = _require_columns(units, table, UNIT_COLUMNS)
    if problems:
        return problems
    site_ids = set(sites["site_id"])
    for _, row in units.iterrows():
        if row["layer"] not in set(layers["layer"]):
            problems.append(f"{_where(table, row, 'layer')}: unknown layer {row['layer']!r}")
        if not row["unit_id"] or not row["unit_navn"]:
            problems.append(f"{table} line {row['_line']}: unit_id and unit_navn are required")
        if row["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(f"{_where(table, row, 'confidence')}: {row['confidence']!r}")
        for site in filter(None, row["site_ids"].split(";")):
            if site not in site_ids:
                problems.append(f"{_where(table, row, 'site_ids')}: unknown site {site!r}")
    for _, row in units[units.duplicated(["layer", "unit_id"])].iterrows():
        problems.append(f"{table} line {row['_line']}: unit {row['unit_id']!r} appears twice in {row['layer']}")
    return problems


def validate_sites(sites: pd.DataFrame) -> list[str]:
    """Problems in data/sites.csv: unique ids, coordinates in Denmark (or both blank)."""
    table = "sites.csv"
    problems = _require_columns(sites, table, SITE_COLUMNS)
    if problems:
        return problems
    for _, row in sites.iterrows():
        if row["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(f"{_where(table, row, 'confidence')}: {row['confidence']!r}")
        if bool(row["lat"]) != bool(row["lon"]):
            problems.append(f"{table} line {row['_line']}: lat and lon must both be given or both blank")
            continue
        if not row["lat"]:
            if not row["coord_source"]:
                problems.append(f"{_where(table, row, 'coord_source')}: blank coordinates need a reason")
            continue
        for axis in ("lat", "lon"):
            try:
                value = float(row[axis])
            except ValueError:
                problems.append(f"{_where(table, row, axis)}: {row[axis]!r} is not a number")
                continue
            low, high = DK_BOUNDS[axis]
            if not low <= value <= high:
                problems.append(f"{_where(table, row, axis)}: {value} is outside Denmark ({low}–{high})")
    for _, row in sites[sites["site_id"].duplicated()].iterrows():
        problems.append(f"{table} line {row['_line']}: site {row['site_id']!r} appears twice")
    return problems
