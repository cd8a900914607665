"""The project's own tables in data/ (layers, units, assignments, sites): reading and validation; and the
bounded reading of tables people upload (size, type, XLSX bombs, row and column caps)."""

from __future__ import annotations

import csv
import io
import math
import re
import sys
import time
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

from geo import roles
from geo.config import CHRISTIANSOE, CONFIDENCE_LEVELS
from geo.errors import ValidationError
from geo.sources import normalise_kode

ASSIGNMENT_REQUIRED = ["layer", "kommune_kode", "unit_id", "share"]
ASSIGNMENT_OPTIONAL = ["basis", "sub_areas", "source", "confidence", "note", "why_da", "why_en"]
LAYER_COLUMNS = ["layer", "name_da", "name_en", "role", "extent", "display_region", "valid_from", "valid_to",
                 "description_da", "description_en", "source", "confidence"]
UNIT_COLUMNS = ["layer", "unit_id", "unit_navn", "region", "hospital", "site_ids", "source", "confidence"]
SITE_COLUMNS = ["site_id", "name", "kind", "lat", "lon", "source", "coord_source", "confidence"]
EXTENTS = ("all", "named")
SHARE_TOLERANCE = 1e-9
MIN_SHARE = 1e-9  # a smaller share (1e-300) is a typo or an attack, not a part of a kommune
# Denmark with a margin (WGS84): a coordinate outside is a typo or swapped lat/lon.
DK_BOUNDS = {"lat": (54.4, 57.9), "lon": (7.9, 15.4)}
MAX_FILE_BYTES = 20 * 2**20  # a table read by read_csv_table: refused above this, before reading
MAX_PROBLEMS = 200  # messages kept per table; the rest are counted
_LINE_END = re.compile(r"\r\n|\r|\n")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")
# A share: a fraction (0.577, 0,577) or a percentage (57.7%, 57.7 %); one syntax for --set and uploads.
SHARE_PATTERN = re.compile(r"(?P<number>" + _NUMBER.pattern + r")\s*(?P<percent>%?)")
ID_COLUMNS = ("layer", "kommune_kode", "unit_id", "share", "sub_areas", "confidence")
# Ids of layers, units and sites become folder names (the atlas) and URL values: names, never paths.
ID_PATTERN = re.compile(r"[a-z0-9_-]{1,64}")
MAX_ID_LENGTH = 64


class Problems(list):
    """Problem messages, of which the first ``limit`` are kept and the rest only counted.

    A list (``append``, ``extend`` and ``+=`` respect the limit), so a file with a million bad
    lines costs 200 messages of memory. ``total`` counts all; `lines` adds "and N more".
    """

    def __init__(self, items: Iterable[str] = (), limit: int = 0):
        super().__init__()
        self.limit = limit or MAX_PROBLEMS
        self.more = 0
        self.extend(items)

    @classmethod
    def from_error(cls, exc: ValidationError) -> Problems:
        """The problems carried by a `ValidationError` (with its count of those left out)."""
        out = cls(exc.problems)
        out.more += getattr(exc, "more", 0)
        return out

    @property
    def full(self) -> bool:
        """True when further messages are only counted (callers may skip formatting them)."""
        return len(self) >= self.limit

    def add_lazy(self, count: int, messages: Iterable[str]) -> None:
        """Add ``count`` problems whose messages ``messages`` yields; only those kept are formatted."""
        room = max(0, min(count, self.limit - len(self)))
        for _, message in zip(range(room), messages, strict=False):
            super().append(message)
        self.more += count - room

    def append(self, message: str) -> None:
        if len(self) < self.limit:
            super().append(message)
        else:
            self.more += 1

    def extend(self, messages: Iterable[str]) -> None:
        for message in messages:
            self.append(message)
        self.more += getattr(messages, "more", 0)

    def __iadd__(self, messages: Iterable[str]) -> Problems:
        self.extend(messages)
        return self

    @property
    def total(self) -> int:
        """How many problems were found, kept or not."""
        return len(self) + self.more

    def lines(self) -> list[str]:
        """The kept messages and, if some were left out, "and N more problem(s)"."""
        return [*self, *([f"and {self.more} more problem(s)"] if self.more else [])]

    def error(self, table: str) -> ValidationError:
        """A `ValidationError` with these problems."""
        return ValidationError(table, list(self), more=self.more)


def _refuse(table: str, message: str) -> ValidationError:
    return ValidationError(table, [message])


def _read_limited(source: str | Path | bytes, table: str) -> bytes:
    """The file's bytes, refusing a file over `MAX_FILE_BYTES` before reading it."""
    size = Path(source).stat().st_size if isinstance(source, (str, Path)) else len(source)
    if size > MAX_FILE_BYTES:
        raise _refuse(table, f"the file is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB "
                             "(an assignment table is a few hundred kB at most)")
    return Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)


def _decode(raw: bytes, table: str) -> str:
    """Text of a CSV file as UTF-8 (with or without BOM) or Windows-1252; UTF-16 and binary files
    are refused with a message that says what they are."""
    return decode_text(raw, table)[0]


def decode_text(raw: bytes, table: str) -> tuple[str, str]:
    """Text of a CSV file and the encoding it was read in ('UTF-8', 'UTF-8 with BOM' or
    'Windows-1252', which holds Latin-1's letters); UTF-16 and binary files are refused with a
    message that says what they are (see `read_csv_table`)."""
    save_as = "save it again as 'CSV UTF-8 (kommasepareret)' or 'CSV (semikolonsepareret)'"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        bom = " ".join(f"{b:02X}" for b in raw[:2])
        raise _refuse(table, f"{table} is UTF-16 text (byte order mark {bom}), not UTF-8 or Windows-1252: {save_as}")
    sample = raw[:4096]
    if b"\x00" in sample:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = max(1, len(sample) // 2)
        if max(even, odd) > 0.3 * half and min(even, odd) < 0.05 * half:
            raise _refuse(table, f"{table} is UTF-16 text (every other byte is zero), not UTF-8 or "
                                 f"Windows-1252: {save_as}")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise _refuse(table, f"{table} is not a text file: it contains binary data (byte 00 at offset {nul}); "
                             "expected a CSV file")
    try:
        text = raw.decode("utf-8-sig")
        encoding = "UTF-8 with BOM" if raw.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError as exc:
            raise _refuse(table, f"{table} is not a text file: byte {raw[exc.start]:02X} at offset {exc.start} "
                                 "is neither UTF-8 nor Windows-1252; expected a CSV file") from None
    return text, encoding


def read_csv_table(source: str | Path | bytes, table: str) -> pd.DataFrame:
    """Read a CSV table as text, tolerating what Excel writes.

    Accepts a UTF-8 BOM, Windows-1252 text, ``;`` or tab as separator (with decimal comma), CRLF,
    LF or CR-only line endings (Excel's "CSV (Macintosh)") and codes that lost their leading zero.
    Every value is a stripped string; the column ``_line`` holds the line number in the file where
    the row starts (the header is line 1), so messages can name it. Rows are read one at a time:
    a file with many bad lines keeps `MAX_PROBLEMS` messages and counts the rest.

    Raises
    ------
    ValidationError
        If the file is over `MAX_FILE_BYTES`, UTF-16 or binary, empty, has no header, a duplicated
        column name, no data rows, a field longer than csv's field limit, or a line with the wrong
        number of fields.
    """
    raw = _read_limited(source, table)
    text = _decode(raw, table)
    first = _LINE_END.split(text, maxsplit=1)[0]
    if not first.strip():
        raise _refuse(table, "the file is empty: expected a header line with columns")
    sep = max([",", ";", "\t"], key=first.count)
    # newline=None: \r\n, \r and \n all end a line (Excel for Mac writes \r only).
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep)
    problems = Problems()
    try:
        header = next(reader)
    except csv.Error as exc:
        raise _refuse(table, f"line 1: {_csv_error(exc)}") from None
    columns = [strip_invisible(c).lower() for c in header]
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        if name and name in seen:
            problems.append(f"line 1: column {name!r} appears twice in the header (columns {seen[name]} and "
                            f"{position}); each column name may appear once")
        seen.setdefault(name, position)
    if problems:
        raise problems.error(table)
    cells: list[list[str]] = [[] for _ in columns]
    lines: list[int] = []
    intern = sys.intern
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(f"line {start}: {_csv_error(exc)}; reading stopped here")
            break
        line_no, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            if problems.full:
                problems.more += 1
            else:
                problems.append(
                    f"line {line_no}: {len(row)} fields, but the header has {len(columns)} "
                    f"({sep!r} is the separator; a value that contains it must be in quotes)"
                )
            continue
        if not problems:
            for column, cell in zip(cells, row, strict=True):
                column.append(intern(cell.strip()))
            lines.append(line_no)
    if problems:
        raise problems.error(table)
    if not lines:
        raise _refuse(table, "the file has a header but no data rows")
    df = pd.DataFrame(dict(enumerate([*cells, lines])), dtype=object)
    df.columns = [*columns, "_line"]
    df.attrs["separator"] = sep
    return df


def _csv_error(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return (f"a value is longer than {csv.field_size_limit():,} characters, the limit for one field "
                "(is a closing quote missing?)")
    return f"the line cannot be read as CSV ({exc})"


def strip_invisible(text: str) -> str:
    """``text`` without invisible characters, stripped: format characters (Unicode category Cf:
    zero-width space and joiners, byte order mark, directional marks and overrides, soft hyphen)
    are removed and other spaces (no-break space U+00A0, narrow no-break space) count as spaces.

    For codes, ids and numbers, which are copied from web pages and spreadsheets with such
    characters attached (a zero-width space after ``0101`` must still find 0101); not for names.
    """
    return without_invisible(text).strip()


def without_invisible(text: str) -> str:
    """``text`` with format characters (category Cf) removed and other spaces (Zs) as ``' '``."""
    if text.isascii():
        return text
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in text if unicodedata.category(c) != "Cf")


def parse_share(text: str) -> float:
    """A share as written (`SHARE_PATTERN`) as a fraction: ``0.577``, ``0,577``, ``57.7%`` and
    ``57.7 %`` are all 0.577. Invisible characters are ignored (`strip_invisible`).

    Raises
    ------
    ValueError
        If ``text`` is not a number with an optional ``%`` (the message says why; non-ASCII digits
        are named by code point). The range (`MIN_SHARE` to 1) is checked by the callers.
    """
    clean = strip_invisible(str(text))
    match = SHARE_PATTERN.fullmatch(clean)
    if not match:
        why = ascii_digit_problem(clean)
        raise ValueError(f"{text!r}: {why}" if why else f"{text!r} is not a number (write 0.577 or 57.7 %)")
    return _share_value(match.group("number"), match.group("percent"))


def _share_value(number: str, percent: str) -> float:
    """The float of a matched share; a percentage divided in decimal, so ``57.7 %`` is 0.577 exactly
    as ``0.577`` is (not 0.5770000000000001)."""
    plain = number.replace(",", ".")
    return float(Decimal(plain) / 100) if percent else float(plain)


def ascii_digit_problem(text: str) -> str | None:
    """Why ``text`` is not written with ASCII digits, or None: the first non-ASCII digit by code
    point and name (``U+FF10 FULLWIDTH DIGIT ZERO is not an ASCII digit``)."""
    for char in text:
        if not char.isascii() and (char.isdigit() or unicodedata.category(char) == "Nd"):
            name = unicodedata.name(char, "a digit")
            return f"U+{ord(char):04X} {name} is not an ASCII digit (write 0-9)"
    return None


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an id of a layer, unit or site, or None when it can.

    An id is 1–`MAX_ID_LENGTH` characters from ``a-z 0-9 _ -`` (`ID_PATTERN`): it names a folder of
    the atlas and a value in URLs, so it is a name, never a path (no ``.``, ``/``, ``\\``).
    """
    if ID_PATTERN.fullmatch(value):
        return None
    rule = f"an id is 1–{MAX_ID_LENGTH} characters from a-z, 0-9, '_' and '-' (a name, never a path)"
    if not value:
        return f"is empty; {rule}"
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long; {rule}"
    bad = next(c for c in value if not ID_PATTERN.fullmatch(c))
    return f"contains {bad!r} (U+{ord(bad):04X}); {rule}"


def id_problems(frame: pd.DataFrame, table: str, columns: Iterable[str]) -> list[str]:
    """A message for every value of ``columns`` in ``frame`` that is not an id (see `id_problem`),
    naming the table, line, column and value."""
    problems = []
    for column in columns:
        for line, value in zip(frame["_line"], frame[column].astype(str), strict=True):
            if why := id_problem(value):
                problems.append(f"{_where(table, int(line), column)}: {value!r} is not an id: it {why}")
    return problems


def _where(table: str, row: pd.Series | int, column: str) -> str:
    line = row if isinstance(row, int) else row["_line"]
    return f"{table} line {line}, column {column}"


def prepare_assignments(df: pd.DataFrame, table: str) -> tuple[pd.DataFrame, Problems]:
    """Normalise an assignment table read by `read_csv_table`; return it and the problems found.

    ``share`` becomes a float (NaN where unreadable; `parse_share`'s syntax: ``0.577``, ``0,577``,
    ``57.7%``, ``57.7 %``), ``kommune_kode`` a 4-character code, and the optional columns are added
    empty where absent. Invisible characters are stripped from codes, ids and shares
    (`strip_invisible`). Codes and numbers must be written with ASCII digits: a full-width or
    Arabic-Indic digit is named by its code point.
    """
    problems = Problems()
    missing = [c for c in ASSIGNMENT_REQUIRED if c not in df.columns]
    if missing:
        found = [c for c in df.columns if c != "_line"]
        problems.append(f"{table}: missing required column(s) {missing}; found {found}")
        return df, problems
    out = df.copy()
    for col in ASSIGNMENT_OPTIONAL:
        if col not in out.columns:
            out[col] = ""
    lines = out["_line"].tolist()
    for col in ID_COLUMNS:
        out[col] = out[col].astype(object).astype(str).map(strip_invisible).astype(object)
    for col in ("kommune_kode", "sub_areas"):
        values = out[col].tolist()
        for line, value in zip(lines, values, strict=True):
            if not value.isascii() and (why := ascii_digit_problem(value)):
                problems.append(f"{_where(table, line, col)}: {value!r}: {why}")
    out["kommune_kode"] = normalise_kode(out["kommune_kode"].astype(str)).astype(object)
    text = out["share"].astype(object).astype(str)
    parts = text.str.extract(f"^(?:{SHARE_PATTERN.pattern})$")
    readable = parts["number"].notna()
    out["share"] = [_share_value(n, p) if ok else math.nan
                    for n, p, ok in zip(parts["number"], parts["percent"], readable, strict=True)]
    out["share"] = out["share"].astype(float)
    bad = [(line, value) for line, value, ok in zip(lines, text.tolist(), readable.tolist(), strict=True) if not ok]

    def share_messages():
        for line, value in bad:
            why = ascii_digit_problem(value)
            yield (f"{_where(table, line, 'share')}: {value!r}"
                   + (f": {why}" if why else " is not a number (write a fraction, 0.577, or a percentage, 57.7 %)"))

    problems.add_lazy(len(bad), share_messages())
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
) -> Problems:
    """Every problem in a prepared assignment table, one message each (empty: valid); at most
    `MAX_PROBLEMS` messages are kept, the rest counted (see `Problems`).

    Checks known layer, kommune and unit; `MIN_SHARE` ≤ share ≤ 1; no duplicate (layer, kommune, unit);
    shares per (layer, kommune) summing to 1 within 1e-9; every kommune of a layer's extent
    covered; sub-areas that exist and do not overlap between units; confidence levels.
    """
    problems = Problems()
    if any(c not in df.columns for c in ASSIGNMENT_REQUIRED):
        return problems  # prepare_assignments has already named the missing columns
    known_layers = list(layers["layer"])
    layer_set = set(known_layers)
    codes = dict(zip(kommuner["kommune_kode"], kommuner["kommune_navn"], strict=True))
    units_of = units.groupby("layer")["unit_id"].apply(list).to_dict()
    unit_sets = {layer: set(ids) for layer, ids in units_of.items()}
    subs_of = sub_areas.groupby("kommune_kode")["sub_area_id"].apply(set).to_dict()
    n = len(df)
    confs = df["confidence"] if "confidence" in df.columns else pd.Series([""] * n, index=df.index)
    subs = df["sub_areas"] if "sub_areas" in df.columns else pd.Series([""] * n, index=df.index)
    # Vectorised checks first; messages are formatted only for the problems that are kept.
    layer_col, kode_col, unit_col = (df[c].astype(object) for c in ("layer", "kommune_kode", "unit_id"))
    bad_layer = ~layer_col.isin(layer_set)
    christiansoe = kode_col == CHRISTIANSOE
    bad_kode = ~kode_col.isin(set(codes)) & ~christiansoe
    pairs = {(layer, unit) for layer, ids in unit_sets.items() for unit in ids}
    bad_unit = ~bad_layer & pd.Series([pair not in pairs for pair in zip(layer_col, unit_col, strict=True)],
                                      index=df.index, dtype=bool)
    share = df["share"].astype(float)
    bad_share = share.notna() & ~((share >= MIN_SHARE) & (share <= 1))
    conf_text = confs.astype(object).fillna("").astype(str)
    bad_conf = (conf_text != "") & ~conf_text.isin(CONFIDENCE_LEVELS)
    sub_text = subs.astype(object).fillna("").astype(str)
    check_subs = (sub_text != "") & kode_col.isin(set(codes))
    valid = ~(bad_layer | christiansoe | bad_kode | bad_unit)
    suspect = ~valid | bad_share | bad_conf | check_subs
    for idx, line, layer, kode, unit, value, conf, sub_value in zip(
        df.index[suspect], df["_line"][suspect], layer_col[suspect], kode_col[suspect], unit_col[suspect],
        share[suspect], conf_text[suspect], sub_text[suspect], strict=True,
    ):
        if problems.full:  # count the rest without formatting them
            tail = slice(df.index.get_loc(idx), None)
            problems.more += int(sum(m.to_numpy()[tail].sum() for m in (bad_layer, christiansoe, bad_unit,
                                                                         bad_share, bad_conf)))
            unknown = kode_col.to_numpy()[tail][bad_kode.to_numpy()[tail]]
            problems.more += sum(1 for k in unknown if k.isascii() or not ascii_digit_problem(k))
            with_subs = check_subs.to_numpy()[tail]
            for k, text in zip(kode_col.to_numpy()[tail][with_subs], sub_text.to_numpy()[tail][with_subs], strict=True):
                problems.more += sum(sub.strip() not in subs_of.get(k, set()) for sub in text.split(";"))
            break
        if bad_layer[idx]:
            problems.append(
                f"{_where(table, line, 'layer')}: unknown layer {layer!r}; expected one of {known_layers}"
            )
        if christiansoe[idx]:
            problems.append(
                f"{_where(table, line, 'kommune_kode')}: 0411 is Christiansø, which is not a kommune "
                "and has no memberships"
            )
        elif bad_kode[idx] and (kode.isascii() or not ascii_digit_problem(kode)):  # else named by prepare
            problems.append(
                f"{_where(table, line, 'kommune_kode')}: {kode!r} is not one of the {len(codes)} kommune codes"
            )
        if bad_unit[idx]:
            sample = ", ".join(units_of.get(layer, [])[:6])
            problems.append(
                f"{_where(table, line, 'unit_id')}: {unit!r} is not a unit of layer {layer!r} "
                f"(units include {sample}, ...)"
            )
        if bad_share[idx]:
            problems.append(f"{_where(table, line, 'share')}: {value:g} must be at least {MIN_SHARE:g} and at "
                            "most 1 (100 %)")
        if bad_conf[idx]:
            problems.append(
                f"{_where(table, line, 'confidence')}: {conf!r}; expected one of {list(CONFIDENCE_LEVELS)}"
            )
        if check_subs[idx]:
            known = subs_of.get(kode, set())
            for sub in sub_value.split(";"):
                if sub.strip() not in known:
                    have = sorted(known, key=int) if known else "none"
                    problems.append(
                        f"{_where(table, line, 'sub_areas')}: sub-area {sub.strip()!r} does not exist "
                        f"in kommune {kode} (known: {have})"
                    )
    valid_rows = df.index[valid]
    good = df.loc[valid_rows]
    dup = good[good.duplicated(["layer", "kommune_kode", "unit_id"], keep="first")]
    problems.add_lazy(len(dup), (
        f"{table} line {line}: duplicate of an earlier row for ({layer}, {kode}, {unit})"
        for line, layer, kode, unit in zip(dup["_line"], dup["layer"], dup["kommune_kode"], dup["unit_id"], strict=True)
    ))
    for (layer, kode), group in good.groupby(["layer", "kommune_kode"]):
        total = group["share"].sum()
        if not math.isnan(total) and abs(total - 1) > SHARE_TOLERANCE:
            shown = list(group["_line"][:20])
            lines = ", ".join(str(x) for x in shown) + (f" and {len(group) - 20} more" if len(group) > 20 else "")
            problems.append(
                f"{table} lines {lines}: shares of kommune {kode} ({codes[kode]}) in layer {layer} "
                f"sum to {total:.6g}, expected 1"
            )
        seen: dict[str, str] = {}
        for line, unit, sub_text in zip(group["_line"], group["unit_id"], group["sub_areas"], strict=True):
            for sub in filter(None, (s.strip() for s in str(sub_text).split(";"))):
                if sub in seen and seen[sub] != unit:
                    problems.append(
                        f"{_where(table, line, 'sub_areas')}: sub-area {sub} of kommune {kode} is "
                        f"already assigned to unit {seen[sub]!r} in layer {layer}"
                    )
                seen[sub] = unit
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
    problems += id_problems(layers, table, ["layer"])
    for _, row in layers.iterrows():
        if row["extent"] not in EXTENTS:
            problems.append(f"{_where(table, row, 'extent')}: {row['extent']!r}; expected one of {list(EXTENTS)}")
        if row["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(f"{_where(table, row, 'confidence')}: {row['confidence']!r}")
        if row["extent"] == "named" and not row["display_region"]:
            problems.append(f"{_where(table, row, 'display_region')}: a 'named' layer needs a display region")
    for layer in layers.loc[layers["layer"].duplicated(), "layer"]:
        problems.append(f"{table}: layer {layer!r} appears twice")
    problems += roles.validate(layers, table)
    return problems


def validate_units(units: pd.DataFrame, layers: pd.DataFrame, sites: pd.DataFrame) -> list[str]:
    """Problems in data/units.csv."""
    table = "units.csv"
    problems = _require_columns(units, table, UNIT_COLUMNS)
    if problems:
        return problems
    problems += id_problems(units, table, ["unit_id"])
    site_ids = set(sites["site_id"])
    for _, row in units.iterrows():
        if row["layer"] not in set(layers["layer"]):
            problems.append(f"{_where(table, row, 'layer')}: unknown layer {row['layer']!r}")
        if not row["unit_navn"]:
            problems.append(f"{_where(table, row, 'unit_navn')}: a unit needs a name")
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
    problems += id_problems(sites, table, ["site_id"])
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


# --- bounded reading of uploaded tables (Scenarier's assignment tables, Egne tal's kommune tables) ---

UPLOAD_MAX_MB = 2  # what the upload widgets say and `server.maxUploadSize` enforces
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
UPLOAD_TYPES = ("csv", "xlsx")
XLSX_MAX_UNPACKED = MAX_FILE_BYTES  # an XLSX file's members together, unpacked (as a CSV file's limit)
XLSX_MAX_RATIO = 100  # unpacked / packed above this (for more than 1 MB unpacked) is a decompression bomb
XLSX_MAX_ROWS = 10_000  # an assignment or kommune table has a few hundred rows
XLSX_MAX_COLUMNS = 50  # ... and a few dozen columns
XLSX_MAX_CELLS = 100_000  # cells read from the first sheet (rows × their width): a table has a few thousand
XLSX_MAX_SHARED_STRINGS = 50_000  # texts in the shared-strings part, counted before openpyxl loads them
XLSX_MAX_SHARED_BYTES = 4 * 2**20  # the shared-strings part unpacked
XLSX_MAX_MANIFEST = 2**20  # [Content_Types].xml unpacked
XLSX_MAX_CPU_SECONDS = 5.0  # CPU time of the reading thread (a table takes well under 0.1 s)


@dataclass(frozen=True)
class Formula:
    """An XLSX cell that holds a formula and no saved value (Klyngekort never computes formulas)."""

    text: str

    def __str__(self) -> str:
        return self.text


def upload_bytes(source: bytes | str | Path, name: str) -> tuple[bytes, str]:
    """The bytes of an uploaded table and its type (``csv`` or ``xlsx``, from the name).

    A file is refused by its size before it is read (a path is measured with ``stat``), and by
    its type before it is parsed.

    Raises
    ------
    ValidationError
        Naming the file and the rule (at most `UPLOAD_MAX_MB` MB, one of `UPLOAD_TYPES`).
    """
    size = Path(source).stat().st_size if isinstance(source, (str, Path)) else len(source)
    if size > UPLOAD_MAX_BYTES:
        raise ValidationError(name, [f"the file is {size / 1e6:.1f} MB; at most {UPLOAD_MAX_MB} MB is accepted"])
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in UPLOAD_TYPES:
        kind = suffix or "(none)"
        raise ValidationError(name, [f"type {kind!r} is not accepted; expected one of {list(UPLOAD_TYPES)}"])
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    return data, suffix


@dataclass(frozen=True)
class XlsxSheet:
    """The first sheet of a workbook as read by `xlsx_rows`.

    ``rows`` holds the cells as openpyxl gives them (None, str, int, float, bool, datetime) with
    trailing empty cells and rows dropped; a formula's saved value where it has one, a `Formula`
    where it has none (only when asked for). ``formulas`` counts the formula cells whose saved
    value was read; ``sheets`` names every sheet (only the first is read).
    """

    title: str
    rows: list[list[object]]
    formulas: int = 0
    sheets: list[str] = field(default_factory=list)  # the titles of all the workbook's sheets


def _shared_string_parts(archive: zipfile.ZipFile, refuse) -> list[str]:
    """The members holding the workbook's shared strings, as openpyxl finds them: by content type in
    ``[Content_Types].xml`` (any name may be used), else ``xl/sharedStrings.xml``."""
    import xml.etree.ElementTree as ET

    names = {m.filename for m in archive.infolist()}
    parts = []
    if "[Content_Types].xml" in names:
        info = archive.getinfo("[Content_Types].xml")
        if info.file_size > XLSX_MAX_MANIFEST:
            raise refuse(f"its [Content_Types].xml unpacks to {info.file_size:,} bytes; at most "
                         f"{XLSX_MAX_MANIFEST:,} are accepted")
        try:
            root = ET.fromstring(archive.read(info))
        except ET.ParseError:
            raise refuse("its [Content_Types].xml cannot be read") from None
        parts = [el.get("PartName", "").lstrip("/") for el in root.iter()
                 if el.tag.endswith("Override") and el.get("ContentType", "").endswith("sharedStrings+xml")]
    return [p for p in (parts or ["xl/sharedStrings.xml"]) if p in names]


def _check_shared_strings(archive: zipfile.ZipFile, refuse, what: str) -> None:
    """Refuse shared strings beyond `XLSX_MAX_SHARED_BYTES` (unpacked) or `XLSX_MAX_SHARED_STRINGS`
    before openpyxl loads them all into memory: the size from the zip directory, the count by
    streaming the part (at most `XLSX_MAX_SHARED_BYTES` read, elements discarded as they pass)."""
    import xml.etree.ElementTree as ET

    rule = (f"at most {XLSX_MAX_SHARED_STRINGS:,} texts and {XLSX_MAX_SHARED_BYTES // 2**20} MB of them are read "
            f"({what} has a few hundred)")
    for part in _shared_string_parts(archive, refuse):
        size = archive.getinfo(part).file_size
        if size > XLSX_MAX_SHARED_BYTES:
            raise refuse(f"its shared strings ({part}) unpack to {size / 2**20:.1f} MB; {rule}")
        count = elements = 0
        try:
            with archive.open(part) as stream:
                for _, el in ET.iterparse(stream, events=("end",)):
                    elements += 1
                    if el.tag.rsplit("}", 1)[-1] == "si":
                        count += 1
                        el.clear()
                    if count > XLSX_MAX_SHARED_STRINGS or elements > 8 * XLSX_MAX_SHARED_STRINGS:
                        raise refuse(f"its shared strings ({part}) hold more than {XLSX_MAX_SHARED_STRINGS:,} "
                                     f"texts; {rule}")
        except ET.ParseError:
            raise refuse(f"its shared strings ({part}) cannot be read") from None


def xlsx_rows(data: bytes, name: str, *, what: str = "an assignment table", formulas: bool = False) -> XlsxSheet:
    """The first sheet of an XLSX workbook, without unpacking more than the limits allow.

    The zip directory's sizes are checked before anything is unpacked (`zipfile` reads no more than
    a member's declared size): `XLSX_MAX_UNPACKED` in all, `XLSX_MAX_RATIO`, and the shared
    strings' size; their count is then streamed (`_check_shared_strings`) before openpyxl loads
    them. The sheet is read row by row (openpyxl read-only, saved values only: a formula is never
    evaluated), refusing its declared dimension or any cell beyond `XLSX_MAX_ROWS` ×
    `XLSX_MAX_COLUMNS`, more than `XLSX_MAX_CELLS` cells, or more than `XLSX_MAX_CPU_SECONDS` of this
    thread's CPU time. An empty first sheet is refused with the names of the workbook's sheets (only
    the first is read). With ``formulas``, a second read-only pass finds the formula cells, so that
    one without a saved value is a `Formula` instead of an empty cell.

    Raises
    ------
    ValidationError
        Naming the file and the rule (not a workbook, too large unpacked, a bomb, beyond the caps).
    """
    import openpyxl

    def refuse(rule: str) -> ValidationError:
        return ValidationError(name, [f"{name}: {rule}"])

    started = time.thread_time()

    def check_time() -> None:
        if time.thread_time() - started > XLSX_MAX_CPU_SECONDS:
            raise refuse(f"reading the workbook took more than {XLSX_MAX_CPU_SECONDS:g} s of CPU time, the limit "
                         f"({what} takes a fraction of a second)")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ValidationError(name, [f"not a readable Excel workbook ({type(exc).__name__})"]) from None
    with archive:
        unpacked = sum(m.file_size for m in members)
        packed = max(1, sum(m.compress_size for m in members))
        limit = f"{XLSX_MAX_UNPACKED // 2**20} MB"
        if unpacked > XLSX_MAX_UNPACKED:
            raise refuse(f"the workbook unpacks to {unpacked / 2**20:.1f} MB; at most {limit} is accepted "
                         f"({what} is a few hundred kB)")
        if unpacked > 2**20 and unpacked / packed > XLSX_MAX_RATIO:
            raise refuse(f"the workbook unpacks to {unpacked / packed:.0f} times its size; at most {XLSX_MAX_RATIO} "
                         f"times is accepted ({what} does not compress that well)")
        try:
            _check_shared_strings(archive, refuse, what)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
            raise ValidationError(name, [f"not a readable Excel workbook ({type(exc).__name__})"]) from None
    check_time()
    caps = f"at most {XLSX_MAX_ROWS:,} rows and {XLSX_MAX_COLUMNS} columns are read"
    sheets: list[str] = []

    def read(data_only: bool) -> tuple[str, list[list[object]]]:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
        try:
            sheets[:] = list(book.sheetnames)
            sheet = book.worksheets[0]
            if (sheet.max_row or 0) > XLSX_MAX_ROWS or (sheet.max_column or 0) > XLSX_MAX_COLUMNS:
                raise refuse(f"the first sheet is {sheet.max_row} rows × {sheet.max_column} columns; {caps}")
            sheet.reset_dimensions()  # a declared dimension can lie: each row is then as wide as its last cell
            rows: list[list[object]] = []
            cells_read = 0
            for values in sheet.iter_rows(min_row=1, max_row=XLSX_MAX_ROWS + 1, values_only=True):
                if len(rows) == XLSX_MAX_ROWS or len(values) > XLSX_MAX_COLUMNS:
                    raise refuse(f"the first sheet has a cell beyond row {XLSX_MAX_ROWS:,} or column "
                                 f"{XLSX_MAX_COLUMNS}; {caps}")
                cells_read += len(values)
                if cells_read > XLSX_MAX_CELLS:
                    raise refuse(f"the first sheet has more than {XLSX_MAX_CELLS:,} cells; at most "
                                 f"{XLSX_MAX_CELLS:,} are read ({what} has a few thousand)")
                if len(rows) % 256 == 0:
                    check_time()
                cells = list(values)
                while cells and (cells[-1] is None or cells[-1] == ""):
                    cells.pop()
                rows.append(cells)
            return sheet.title, rows
        finally:
            book.close()

    try:
        title, rows = read(data_only=True)
        saved = 0
        if formulas:
            _, written = read(data_only=False)
            for r, cells in enumerate(written):
                for c, cell in enumerate(cells):
                    if isinstance(cell, str) and cell.startswith("="):
                        if r < len(rows) and c < len(rows[r]) and rows[r][c] not in (None, ""):
                            saved += 1
                            continue
                        while len(rows) <= r:
                            rows.append([])
                        rows[r].extend([None] * (c + 1 - len(rows[r])))
                        rows[r][c] = Formula(cell)
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken workbook
        raise ValidationError(name, [f"not a readable Excel workbook ({type(exc).__name__})"]) from None
    check_time()
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        listed = ", ".join(repr(x) for x in sheets)
        raise refuse(f"the first sheet, {title!r}, is empty; only the first sheet is read (the workbook has "
                     f"{len(sheets)} sheet(s): {listed}): move the table to the first sheet")
    return XlsxSheet(title, rows, saved, list(sheets))
