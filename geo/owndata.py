"""A kommune table of one's own (Statistikbanken, eSundhed, Excel), read as people have it and summed
onto the units of any layer by the one rule of `geo.aggregate`.

Reading (`read_table`): CSV or XLSX within the upload limits of `geo.tables` (size before reading,
type, XLSX bombs, at most 10,000 rows and 50 columns). CSV may be UTF-8 (with or without BOM) or
Windows-1252/Latin-1, ``;``-, tab- or ``,``-separated; ``;`` and tab go with a decimal comma, ``,``
with a decimal point. Title lines above the header are skipped; the header is the line above the
first row that names a place. Kommuner are found by content: the column in which most distinct
kommuner are named, by code (``101``, ``0101``, ``101 København``, ``København (0101)``) or by name in
official and common spellings, compared without regard to case, spaces, hyphens, accents, the
Danish letters (``Århus`` = ``Aarhus``) or the words "Kommune"/"Regionskommune". Rows for Denmark
("Hele landet", "I alt"), regions, landsdele and Christiansø (0411, not a kommune) are ignored and
reported. A table is *wide* (years as columns), *long* (a year column, one row per kommune and
year) or *plain* (one row per kommune).

Choosing (`select`, with a `Measure`): the value column, the year, and what the values are:
a count (summed by share), a rate with a denominator column (Σ share·numerator / Σ share·denominator)
or a rate weighted by the population of a year. Every problem is named with line (or cell), column,
value and rule; a table is used whole or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import aggregate, catalog, classify, export, fmt, model, tables
from geo.bundle import Bundle
from geo.classify import MISSING_COLOUR, OUTSIDE_COLOUR, UNASSIGNED_COLOUR, LegendRow
from geo.config import CHRISTIANSOE
from geo.errors import ValidationError
from geo.i18n import t
from geo.mapbuild import tooltip_html

# What the values of the chosen column are (i18n: ``own_kind_<key>``); drives the CLI and the page.
BASES = ("count", "ratio", "weighted")
RESULT_COLUMNS = ["unit_id", "unit_navn", "value", "coverage", "n_kommuner", "missing_kommuner"]
MAX_SHOWN = 60  # characters of a cell quoted in a message
MISSING_MARKERS = frozenset({"..", ".", "...", ":", "na", "n/a", "n.a."})  # compared case-folded
YEAR_WORDS = frozenset({"år", "aar", "årstal", "aarstal", "year", "tid", "time", "periode", "period"})
_TIME = re.compile(r"(?:19|20)[0-9]{2}(?:[KQ][1-4]|M(?:0[1-9]|1[0-2])|H[12])?")
_CODE = re.compile(r"[0-9]{1,4}")
_CODE_NAME = re.compile(r"([0-9]{1,4})(?:\s*[-–:]\s*|\s+)(\S.*)")
_NAME_CODE = re.compile(r"(.+?)\s*\(([0-9]{1,4})\)")
_NUMBERISH = re.compile(r"[+-]?[0-9.,\s\u00a0]*[0-9][0-9.,\s\u00a0]*(?:[eE][+-]?[0-9]+)?\s*%?")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:([.,\s\u00a0])[0-9]{3})+(?:[.,][0-9]+)?")
_WORDS = re.compile(r"\b(?:regionskommune|kommune|municipality)\b")
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})

# Names that are not kommuner but name Denmark, a region or a landsdel (compared as `name_keys`).
NATIONAL_NAMES = ("Hele landet", "Landet i alt", "Hele Danmark", "Danmark", "Denmark", "All Denmark",
                  "Landstotal", "Alle kommuner", "All municipalities")
TOTAL_NAMES = ("I alt", "Total", "Alle", "All")
REGION_NAMES = ("Region Hovedstaden", "Hovedstaden", "Region Sjælland", "Sjælland", "Region Syddanmark",
                "Syddanmark", "Region Midtjylland", "Midtjylland", "Region Nordjylland", "Nordjylland",
                "Region Østdanmark", "Østdanmark", "Capital Region of Denmark", "Region Zealand",
                "Region of Southern Denmark", "Central Denmark Region", "North Denmark Region")
CHRISTIANSOE_NAMES = ("Christiansø", "Ertholmene")
REGION_CODES = frozenset({81, 82, 83, 84, 85, 1081, 1082, 1083, 1084, 1085})  # DST and DAGI region codes
# Other spellings of kommune names that the rules of `name_keys` do not already join
# (official names, former names, English names).
ALIASES: dict[str, tuple[str, ...]] = {
    "0101": ("Københavns Kommune", "Copenhagen"),
    "0169": ("Høje-Taastrup",),
    "0400": ("Bornholms Regionskommune",),
    "0751": ("Århus",),
    "0810": ("Brønderslev-Dronninglund",),
}


def name_keys(text: str) -> set[str]:
    """The forms a name is compared in: case-folded, without the words 'Kommune', 'Regionskommune'
    or 'Municipality', without accents, spaces, hyphens or punctuation; with æ ø å written both
    the Danish way (ae oe aa: 'Århus' = 'Aarhus') and stripped (ae o a: 'Koge' = 'Køge')."""
    base = _WORDS.sub(" ", unicodedata.normalize("NFKC", str(text)).casefold())
    keys = set()
    for letters in (_DANISH, _ASCII):
        folded = unicodedata.normalize("NFKD", base.translate(letters))
        key = re.sub(r"[^0-9a-z]", "", "".join(c for c in folded if not unicodedata.combining(c)))
        if key:
            keys.add(key)
    return keys


def _keys_of(names) -> set[str]:
    return {key for name in names for key in name_keys(name)}


_NATIONAL_KEYS = _keys_of(NATIONAL_NAMES)
_TOTAL_KEYS = _keys_of(TOTAL_NAMES)
_REGION_KEYS = _keys_of(REGION_NAMES)
_CHRISTIANSOE_KEYS = _keys_of(CHRISTIANSOE_NAMES)


@dataclass(frozen=True)
class Place:
    """What a cell of the kommune column names: ``kind`` is 'kommune', 'national', 'total',
    'region', 'landsdel', 'christiansoe', 'blank', 'unknown', 'ambiguous', 'badcode' or
    'mismatch'; ``code`` the kommune ('0101'), ``by`` 'code' or 'name'; ``note`` says more."""

    kind: str
    code: str = ""
    by: str = ""
    note: str = ""

    @property
    def aggregate(self) -> bool:
        return self.kind in ("national", "total", "region", "landsdel")


class KommuneIndex:
    """Kommune codes and every accepted spelling of their names, for `resolve`."""

    def __init__(self, kommuner: pd.DataFrame):
        self.names = dict(zip(kommuner["kommune_kode"], kommuner["kommune_navn"], strict=True))
        self.by_key: dict[str, set[str]] = {}
        for code, name in self.names.items():
            keys = name_keys(name) | _keys_of(ALIASES.get(code, ()))
            keys |= {k[:-1] for k in keys if k.endswith("s") and len(k) > 3}  # 'Nordfyns' = 'Nordfyn'
            for key in keys:
                self.by_key.setdefault(key, set()).add(code)
        self._memo: dict[str, Place] = {}

    def _by_name(self, text: str) -> Place:
        keys = name_keys(text)
        found = set().union(*(self.by_key.get(k, set()) for k in keys)) if keys else set()
        if not found:  # a genitive: 'Københavns Kommune', 'Bornholms Regionskommune'
            found = set().union(*(self.by_key.get(k[:-1], set()) for k in keys if k.endswith("s")))
        if len(found) == 1:
            return Place("kommune", found.pop(), "name")
        if len(found) > 1:
            named = ", ".join(f"{c} {self.names[c]}" for c in sorted(found))
            return Place("ambiguous", note=named)
        folded = unicodedata.normalize("NFKC", text).casefold().strip()
        if keys & _CHRISTIANSOE_KEYS:
            return Place("christiansoe", CHRISTIANSOE, "name")
        if keys & _NATIONAL_KEYS:
            return Place("national")
        if keys & _TOTAL_KEYS:
            return Place("total")
        if keys & _REGION_KEYS or folded.startswith("region "):
            return Place("region")
        if folded.startswith(("landsdel ", "province ")):
            return Place("landsdel")
        return Place("blank") if not keys else Place("unknown")  # 'Kommune' alone names none

    def _by_code(self, number: int) -> Place:
        if number == 0:
            return Place("national")
        if number in REGION_CODES:
            return Place("region")
        code = f"{number:04d}"
        if code == CHRISTIANSOE:
            return Place("christiansoe", code, "code")
        if code in self.names:
            return Place("kommune", code, "code")
        return Place("badcode", note=code)

    def resolve(self, cell: object) -> Place:
        """The place a cell names (see `Place`); the same text gives the same answer."""
        text = _text(cell).strip()
        if text not in self._memo:
            self._memo[text] = self._resolve(text)
        return self._memo[text]

    def _resolve(self, text: str) -> Place:
        if not text:
            return Place("blank")
        if _CODE.fullmatch(text):
            return self._by_code(int(text))
        match = _CODE_NAME.fullmatch(text) or _NAME_CODE.fullmatch(text)
        if match:
            code_text, name = match.groups() if match.re is _CODE_NAME else match.groups()[::-1]
            named = self._by_name(name)
            if named.aggregate:
                return named
            place = self._by_code(int(code_text))
            if place.kind == "kommune" and named.kind == "kommune" and named.code != place.code:
                return Place("mismatch", note=f"code {place.code} is {self.names[place.code]}, but the name "
                                              f"says {self.names[named.code]} ({named.code})")
            return place
        return self._by_name(text)


# --- reading -----------------------------------------------------------------------------------

def _text(cell: object) -> str:
    """A cell as text: numbers as written by `geo.fmt.plain` (2023.0 → '2023'), None as ''."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell).upper()
    if isinstance(cell, (int, float)):
        return fmt.plain(float(cell)) if isinstance(cell, float) else str(cell)
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.isoformat()
    return str(cell)


def _shown(value: object) -> str:
    """A cell quoted for a message: repr (control characters escaped), long text cut."""
    text = _text(value)
    return repr(text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…")


@dataclass(frozen=True)
class Grid:
    """The cells of a file before they are understood: ``rows`` of (line or row number, cells)."""

    name: str
    source: str  # 'csv' or 'xlsx'
    rows: list[tuple[int, list[object]]]
    separator: str = ""
    decimal: str = ""  # ',' or '.' for CSV; '' for XLSX (numbers are numbers, text may use either)
    encoding: str = ""
    sheet: str = ""
    formulas: int = 0


def _separator(text: str) -> str:
    """The separator that gives the most lines with the same number (≥ 2) of fields."""
    sample = text.splitlines()[:200]
    best, score = ",", -1
    for sep in (";", "\t", ","):
        counts: dict[int, int] = {}
        try:
            for row in csv.reader(sample, delimiter=sep):
                if len(row) > 1:
                    counts[len(row)] = counts.get(len(row), 0) + 1
        except csv.Error:
            continue
        top = max(counts.values(), default=0)
        if top > score:
            best, score = sep, top
    return best


def read_grid(source: bytes | str | Path, name: str) -> Grid:
    """The cells of a CSV or XLSX file within the upload limits (see `geo.tables.upload_bytes`).

    Raises
    ------
    ValidationError
        Naming the file and the rule: size, type, encoding, an unreadable or too large workbook, a
        field over csv's limit, more than `geo.tables.XLSX_MAX_ROWS` rows or
        `geo.tables.XLSX_MAX_COLUMNS` columns.
    """
    data, suffix = tables.upload_bytes(source, name)
    caps = f"at most {tables.XLSX_MAX_ROWS:,} rows and {tables.XLSX_MAX_COLUMNS} columns are read"
    if suffix == "xlsx":
        sheet = tables.xlsx_rows(data, name, what="a kommune table", formulas=True)
        rows = [(i, cells) for i, cells in enumerate(sheet.rows, start=1) if any(_text(c).strip() for c in cells)]
        return Grid(name, "xlsx", rows, sheet=sheet.title, formulas=sheet.formulas)
    text, encoding = tables.decode_text(data, name)
    if not text.strip():
        raise ValidationError(name, ["the file is empty: expected a header line and one row per kommune"])
    sep = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=sep)
    rows: list[tuple[int, list[object]]] = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                why = (f"a value is longer than {csv.field_size_limit():,} characters, the limit for one field "
                       "(is a closing quote missing?)")
            else:
                why = f"the line cannot be read as CSV ({exc})"
            raise ValidationError(name, [f"{name} line {start}: {why}"]) from None
        line, start = start, reader.line_num + 1
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(rows) == tables.XLSX_MAX_ROWS or len(cells) > tables.XLSX_MAX_COLUMNS:
            raise ValidationError(name, [f"{name} line {line}: beyond row {tables.XLSX_MAX_ROWS:,} or column "
                                         f"{tables.XLSX_MAX_COLUMNS}; {caps}"])
        rows.append((line, cells))
    return Grid(name, "csv", rows, separator=sep, decimal="," if sep in (";", "\t") else ".", encoding=encoding)


@dataclass(frozen=True)
class Ignored:
    """A row that is read but not used: its line, what it names and why (``national``, ``region``,
    ``landsdel``, ``christiansoe`` or ``note``)."""

    line: int
    text: str
    why: str


@dataclass(frozen=True)
class KommuneTable:
    """A kommune table as understood, before a column is chosen.

    ``rows`` has one row per kommune row of the file: ``kommune_kode``, ``_line``, ``_year`` (a long
    table's year, else '') and the raw cell of every value column under its header label.
    """

    name: str
    source: str
    rows: pd.DataFrame
    kommune_column: str
    matched_by: str  # 'code', 'name' or 'code and name'
    columns: tuple[str, ...]  # value columns that are not years
    year_columns: tuple[str, ...] = ()  # a wide table's years
    year_column: str | None = None  # a long table's year column
    text_columns: tuple[str, ...] = ()
    header_line: int = 1
    title_lines: int = 0
    n_rows: int = 0  # rows below the header (kommuner and ignored)
    ignored: tuple[Ignored, ...] = ()
    positions: dict[str, int] = field(default_factory=dict)  # column label → 0-based position
    separator: str = ""
    decimal: str = ""
    encoding: str = ""
    sheet: str = ""
    formulas: int = 0

    @property
    def shape(self) -> str:
        """'wide' (years as columns), 'long' (a year column) or 'plain'."""
        return "long" if self.year_column else ("wide" if self.year_columns else "plain")

    @property
    def years(self) -> tuple[str, ...]:
        """The table's years, oldest first."""
        if self.year_column:
            return tuple(sorted(set(self.rows["_year"])))
        return tuple(sorted(self.year_columns))

    @property
    def value_choices(self) -> tuple[str, ...]:
        """Every column that can be mapped: a wide table's years (newest first), then the others."""
        return (*sorted(self.year_columns, reverse=True), *self.columns)

    @property
    def kommuner(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.rows["kommune_kode"])))

    def where(self, line: int, column: str) -> str:
        """'t.csv line 7, column 'Antal'' or 't.xlsx row 7 (cell C7), column 'Antal''."""
        return where(self.name, self.source, self.positions.get(column), line, column)


def where(name: str, source: str, position: int | None, line: int, column: str) -> str:
    """A cell's place in a message: line and column of a CSV file, row, cell and column of a workbook."""
    if source == "xlsx":
        from openpyxl.utils import get_column_letter

        cell = f" (cell {get_column_letter(position + 1)}{line})" if position is not None else ""
        return f"{name} row {line}{cell}, column {column!r}"
    return f"{name} line {line}, column {column!r}"


def _numberish(cell: object) -> bool:
    """A cell that is (or tries to be) a number, a missing-value marker or a formula."""
    if isinstance(cell, tables.Formula) or (isinstance(cell, (int, float)) and not isinstance(cell, bool)):
        return True
    text = _text(cell).strip()
    return bool(text) and (text.casefold() in MISSING_MARKERS or text in ("-", "–") or text.startswith("=")
                           or bool(_NUMBERISH.fullmatch(text)))


def _labels(header: list[object], width: int, name: str, line: str) -> list[str]:
    """The header's column labels ('column N' where a cell is empty); a repeated label is refused."""
    labels = []
    for j in range(width):
        text = _text(header[j]).strip() if j < len(header) else ""
        labels.append(text or f"column {j + 1}")
    seen: dict[str, int] = {}
    problems = []
    for j, label in enumerate(labels):
        key = label.casefold()
        if key in seen:
            problems.append(f"{name} {line}: column {label!r} appears twice in the header (columns "
                            f"{seen[key] + 1} and {j + 1}); each column name may appear once (a table with more "
                            "than one header line, e.g. years and sex as columns, needs one value of each "
                            "variable but one)")
        seen.setdefault(key, j)
    if problems:
        raise ValidationError(name, problems)
    return labels


def _line_word(grid: Grid) -> str:
    return "row" if grid.source == "xlsx" else "line"


def _kommune_column(grid: Grid, index: KommuneIndex, width: int) -> int:
    """The column naming the most distinct kommuner, less its numbers that are no kommune code (so
    that a column of counts, some of which look like kommune codes, loses to the names); then the
    most rows for Denmark or regions; then names before codes, the leftmost first."""
    found = []  # (score, -position, position, distinct kommuner, aggregate rows)
    for j in range(width):
        codes, aggregates, by_code, stray = set(), 0, 0, 0
        for _, cells in grid.rows:
            if j >= len(cells):
                continue
            place = index.resolve(cells[j])
            if place.kind == "kommune":
                codes.add(place.code)
                by_code += place.by == "code"
            elif place.aggregate:
                aggregates += 1
            elif place.kind == "badcode":  # a number that is no kommune code: a value, not a code
                stray += 1
        found.append(((len(codes) - stray, aggregates, -by_code), -j, j, len(codes), aggregates))
    with_kommuner = [f for f in found if f[3]]
    if not with_kommuner:
        if any(f[4] for f in found):
            raise ValidationError(grid.name, [
                f"{grid.name}: the table has rows for Denmark or the regions only, and none for a kommune; "
                "Klyngekort needs one row per kommune (in Statistikbanken: choose the kommuner under 'område')"])
        raise ValidationError(grid.name, [
            f"{grid.name}: no column names kommuner; expected codes (101, 0101, '101 København') or names "
            "(København, Aarhus, Høje-Taastrup) in one column"])
    return max(with_kommuner)[2]


@dataclass(frozen=True)
class _Layout:
    """Where things are in a grid: the kommune column ``j``, the header and the column labels."""

    j: int
    first: int  # index in ``grid.rows`` of the first row below the header
    header_line: int
    labels: list[str]

    def at(self, grid: Grid, line: int, column: str) -> str:
        return where(grid.name, grid.source, self.labels.index(column), line, column)


def _layout(grid: Grid, index: KommuneIndex, width: int) -> _Layout:
    """The kommune column, and the header: the line above the first row naming a place."""
    j = _kommune_column(grid, index, width)

    def names_place(cells: list[object]) -> bool:
        place = index.resolve(cells[j]) if j < len(cells) else Place("blank")
        return place.kind in ("kommune", "christiansoe") or place.aggregate

    first = next(i for i, (_, cells) in enumerate(grid.rows) if names_place(cells))
    if first == 0:
        line, cells = grid.rows[0]
        raise ValidationError(grid.name, [f"{grid.name} {_line_word(grid)} {line}: the first line already names a "
                                          f"place ({_shown(cells[j])}); a header line naming the columns is needed "
                                          "above it"])
    header_line, header = grid.rows[first - 1]
    labels = _labels(header, width, grid.name, f"{_line_word(grid)} {header_line}")
    return _Layout(j, first, header_line, labels)


def _sort_rows(grid: Grid, index: KommuneIndex, layout: _Layout, width: int
               ) -> tuple[list[tuple[int, str, list[object]]], list[Ignored]]:
    """The rows below the header as kommune rows (line, code, cells) and ignored rows; every row
    that names no place but has figures is a problem (raised together)."""
    j, label = layout.j, layout.labels[layout.j]
    problems = tables.Problems()
    kept: list[tuple[int, str, list[object]]] = []
    ignored: list[Ignored] = []
    for line, row in grid.rows[layout.first:]:
        cells = row + [None] * (width - len(row))
        place = index.resolve(cells[j])
        if place.kind == "kommune":
            kept.append((line, place.code, cells))
            continue
        others = [c for k, c in enumerate(cells) if k != j]
        words = [_text(c).strip() for c in others if _text(c).strip() and not _numberish(c)]
        text = _text(cells[j]).strip()
        if place.kind == "christiansoe":
            ignored.append(Ignored(line, text, "christiansoe"))
            continue
        if place.kind in ("blank", "total") or place.aggregate:
            # e.g. eSundhed's "Region Hovedstaden | I alt" or "Hele landet | (blank)": another cell says which.
            kinds = {index.resolve(w).kind for w in words} | {place.kind}
            why = next((w for w in ("region", "landsdel") if w in kinds), "national" if kinds & {"national", "total"}
                       else "")
            if why:
                ignored.append(Ignored(line, text or (words[0] if words else ""), why))
                continue
        if not any(_numberish(c) for c in others):
            ignored.append(Ignored(line, text or " ".join(words), "note"))
            continue
        here = layout.at(grid, line, label)
        shown = _shown(cells[j])
        if place.kind == "blank":
            problems.append(f"{here}: the row has values but no kommune")
        elif place.kind == "badcode":
            problems.append(f"{here}: {shown}: {place.note} is not one of the {len(index.names)} kommune codes")
        elif place.kind == "ambiguous":
            problems.append(f"{here}: {shown} could be more than one kommune ({place.note}); write the kommune code")
        elif place.kind == "mismatch":
            problems.append(f"{here}: {shown}: {place.note}")
        else:
            why = tables.ascii_digit_problem(text)
            problems.append(f"{here}: {shown} is not a kommune" + (f": {why}" if why else
                            ": neither one of the 98 kommune codes nor a known name (e.g. København, "
                            "Københavns Kommune, Aarhus, Bornholms Regionskommune)"))
    if not kept and not problems:
        lines = ", ".join(str(i.line) for i in ignored[:10])
        problems.append(f"{grid.name}: the table has rows for Denmark or the regions only (lines {lines}), none for "
                        "a kommune; Klyngekort needs one row per kommune")
    if problems:
        raise problems.error(grid.name)
    return kept, ignored


def _year_column(kept: list[tuple[int, str, list[object]]], labels: list[str], others: list[int]) -> int | None:
    """A long table's year column: named as one (År, year, tid, …), or holding years only where
    kommuner repeat (or its header is empty)."""
    repeated = len({code for _, code, _ in kept}) < len(kept)
    for k in others:
        filled = [_text(cells[k]).strip() for _, _, cells in kept if _text(cells[k]).strip()]
        all_years = bool(filled) and all(_TIME.fullmatch(c) for c in filled)
        if labels[k].casefold() in YEAR_WORDS or (all_years and (repeated or labels[k] == f"column {k + 1}")):
            return k
    return None


def read_table(source: bytes | str | Path, name: str, kommuner: pd.DataFrame) -> KommuneTable:
    """Read and understand a kommune table (see the module's docstring for the accepted shapes).

    Parameters
    ----------
    source : bytes or path
        The file's bytes (an upload) or its path (refused by size before it is read).
    name : str
        The file's name: its suffix gives the type, and messages name it.
    kommuner : DataFrame
        ``kommune_kode`` and ``kommune_navn`` of the 98 kommuner.

    Raises
    ------
    ValidationError
        Listing every problem: the file (size, type, encoding, workbook), no header, no kommune
        column, only region rows, unknown or ambiguous kommune names, unknown codes, a row without
        a kommune, a year that is not a year, duplicated kommuner or kommune-year rows.
    """
    grid = read_grid(source, name)
    index = KommuneIndex(kommuner)
    if not grid.rows:
        raise ValidationError(name, [f"{name}: the file has no rows"])
    width = max(len(cells) for _, cells in grid.rows)
    layout = _layout(grid, index, width)
    labels = layout.labels
    kept, ignored = _sort_rows(grid, index, layout, width)
    others = [k for k in range(width) if k != layout.j]
    year_k = _year_column(kept, labels, others)
    year_columns = tuple(labels[k] for k in others if k != year_k and _TIME.fullmatch(labels[k]))
    columns, text_columns = [], []
    for k in others:
        if k == year_k or labels[k] in year_columns:
            continue
        filled = [cells[k] for _, _, cells in kept if _text(cells[k]).strip()]
        numeric = sum(_numberish(c) for c in filled)
        (columns if filled and numeric >= len(filled) - numeric else text_columns).append(labels[k])
    problems = tables.Problems()
    years = [""] * len(kept)
    if year_k is not None:
        for i, (line, _, cells) in enumerate(kept):
            years[i] = _text(cells[year_k]).strip()
            if not _TIME.fullmatch(years[i]):
                problems.append(f"{layout.at(grid, line, labels[year_k])}: {_shown(cells[year_k])} is not a year "
                                "(expected 2024, 2024K1, 2024M01 or 2024H1)")
    seen: dict[tuple[str, str], int] = {}
    for (line, code, _), year in zip(kept, years, strict=True):
        if (code, year) in seen:
            rule = "one row per kommune and year" if year_k is not None else "one row per kommune"
            problems.append(f"{name} lines {seen[(code, year)]} and {line}: {index.names[code]} ({code}) appears "
                            f"twice{f' for {year}' if year else ''}; {rule} is expected (a table with more "
                            "variables, e.g. sex or age, needs one value of each)")
        seen.setdefault((code, year), line)
    if problems:
        raise problems.error(name)
    frame = pd.DataFrame({"kommune_kode": [code for _, code, _ in kept], "_line": [line for line, _, _ in kept],
                          "_year": years})
    for k in others:
        if labels[k] in columns or labels[k] in year_columns:
            frame[labels[k]] = pd.Series([cells[k] for _, _, cells in kept], dtype=object)
    by_code = sum(index.resolve(cells[layout.j]).by == "code" for _, _, cells in kept)
    matched_by = "code" if by_code == len(kept) else ("name" if by_code == 0 else "code and name")
    return KommuneTable(
        name=name, source=grid.source, rows=frame, kommune_column=labels[layout.j], matched_by=matched_by,
        columns=tuple(columns), year_columns=year_columns,
        year_column=labels[year_k] if year_k is not None else None, text_columns=tuple(text_columns),
        header_line=layout.header_line, title_lines=layout.first - 1, n_rows=len(grid.rows) - layout.first,
        ignored=tuple(ignored), positions={c: i for i, c in enumerate(labels)}, separator=grid.separator,
        decimal=grid.decimal, encoding=grid.encoding, sheet=grid.sheet, formulas=grid.formulas,
    )


# --- choosing the column and what it is -----------------------------------------------------------

@dataclass(frozen=True)
class Measure:
    """What to map: the value column, the year, and what the values are.

    ``basis`` (one of `BASES`): 'count' (summed by share), 'ratio' (a rate: Σ share·value /
    Σ share·``denominator``) or 'weighted' (a rate weighted by the population of ``weight_year``).
    ``value`` and ``year`` may be left out when the table has one value column or years (the
    newest is taken).
    """

    basis: str = "count"
    value: str | None = None
    denominator: str | None = None
    weight_year: int | None = None
    year: str | None = None

    @property
    def kind(self) -> str:
        """The `geo.aggregate` kind: 'count' or 'rate'."""
        return "count" if self.basis == "count" else "rate"

    @classmethod
    def of(cls, kind: str | None, denominator: str | None = None, weight: str | None = None,
           value: str | None = None, year: str | None = None) -> Measure:
        """A measure from the command line's words: ``kind`` 'count' or 'rate' (None: a rate when a
        denominator or weight is given, else a count), ``weight`` 'population' or 'population:YEAR'.

        Raises
        ------
        ValueError
            A rate without a denominator or weight, a count with one, both, or a bad weight.
        """
        if kind not in (None, *aggregate.KINDS):
            raise ValueError(f"kind {kind!r} is not supported; expected one of {list(aggregate.KINDS)}")
        if denominator and weight:
            raise ValueError("give a rate either a denominator column or a population weight, not both")
        if kind == "count" and (denominator or weight):
            raise ValueError("a count is summed by share and takes no denominator or weight; "
                             "use --kind rate with --denominator or --weight")
        if kind == "rate" and not (denominator or weight):
            raise ValueError("a rate needs a denominator: give --denominator COLUMN (the unit's rate is "
                             "Σ share·value / Σ share·denominator) or --weight population:YEAR "
                             "(weighted by the population of that year)")
        weight_year = None
        if weight:
            match = re.fullmatch(r"population(?::([0-9]{4}))?", weight.strip())
            if not match:
                raise ValueError(f"--weight {weight!r}: expected population:YEAR, e.g. population:2024")
            weight_year = int(match.group(1)) if match.group(1) else 0  # 0: the latest year
        basis = "ratio" if denominator else ("weighted" if weight else "count")
        return cls(basis, value, denominator, weight_year, year)


@dataclass(frozen=True)
class Selection:
    """The chosen values of a table: per kommune (index ``kommune_kode``), ready for `aggregate_table`."""

    table: KommuneTable
    measure: Measure  # with ``value`` and ``year`` filled in
    values: pd.Series
    denominator: pd.Series | None
    weight_year: int | None
    n_missing: int  # kommune rows whose value (or denominator) is marked missing
    year_chosen: str = ""  # 'given', 'latest' or '' (no years)

    @property
    def missing(self) -> tuple[str, ...]:
        """Kommuner of the table whose value (or denominator) is missing."""
        has = self.values.notna()
        if self.denominator is not None:
            has &= self.denominator.notna()
        return tuple(sorted(self.values.index[~has]))


def _column(table: KommuneTable, name: str, what: str) -> str:
    wanted = name.strip().casefold()
    for label in (*table.value_choices, *table.text_columns, table.kommune_column):
        if label.casefold() == wanted:
            if label in table.text_columns:
                raise ValueError(f"{table.name}: the {what} column {label!r} holds text, not numbers; value "
                                 f"columns: {list(table.value_choices)}")
            if label == table.kommune_column:
                raise ValueError(f"{table.name}: {label!r} is the kommune column, not a {what} column; value "
                                 f"columns: {list(table.value_choices)}")
            return label
    raise ValueError(f"{table.name}: no column {name!r} (the {what} column); value columns: "
                     f"{list(table.value_choices)}")


def parse_number(cell: object, decimal: str) -> float:
    """A cell as a number (NaN for a missing-value marker such as ``..``).

    ``decimal`` is the file's decimal mark (',' or '.'), or '' where either is read (XLSX text
    cells; a number that could be read both ways, such as '1.234', is refused).

    Raises
    ------
    ValueError
        With the rule the cell breaks (not a number, a thousands separator, the other decimal
        mark, a formula, '-', a percent sign, non-ASCII digits, not finite).
    """
    if isinstance(cell, tables.Formula):
        raise ValueError(f"the cell holds the formula {_shown(cell.text)} and no saved value; Klyngekort never "
                         "computes formulas: open and save the workbook in Excel (which saves the values) or "
                         "paste the values")
    if isinstance(cell, bool):
        raise ValueError(f"{_shown(cell)} is not a number")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        text = _text(cell).strip()
        if not text or text.casefold() in MISSING_MARKERS:
            return math.nan
        value = _parse_text(text, decimal)
    if not math.isfinite(value):
        raise ValueError(f"{_shown(cell)} is not a finite number")
    return value


def _parse_text(text: str, decimal: str) -> float:
    shown = _shown(text)
    if why := tables.ascii_digit_problem(text):
        raise ValueError(f"{shown}: {why}")
    if text.startswith("="):
        raise ValueError(f"{shown} is a formula; Klyngekort reads values and never computes formulas: save the "
                         "values instead")
    if text in ("-", "–"):
        raise ValueError(f"{shown} is not a number (Statistics Denmark writes '-' for zero): write 0, or '..' "
                         "for a missing value")
    if text.endswith("%"):
        raise ValueError(f"{shown}: write the number without '%'")
    compact = text.replace(" ", "").replace("\u00a0", "")
    if compact != text or ("." in text and "," in text) or text.count(".") + text.count(",") > 1:
        if _GROUPED.fullmatch(text) or ("." in text and "," in text):
            raise ValueError(f"{shown} has a thousands separator; write the number without it")
        raise ValueError(f"{shown} is not a number")
    if not _PLAIN_NUMBER.fullmatch(text):
        mark = decimal or "',' or '.'"
        raise ValueError(f"{shown} is not a number (digits with {mark!r} as decimal mark, or '..' for a missing "
                         "value)" if decimal else f"{shown} is not a number (digits with {mark} as decimal mark, "
                         "or '..' for a missing value)")
    used = "," if "," in text else ("." if "." in text else "")
    if used and decimal and used != decimal:
        sep = "';'" if decimal == "," else "','"
        fixed = text.replace(used, decimal)
        raise ValueError(f"{shown} uses {used!r} as decimal mark, but a {sep}-separated file uses {decimal!r} "
                         f"(write {fixed}; a thousands separator is not accepted)")
    if used and not decimal and re.fullmatch(r"[+-]?[0-9]{1,3}[.,][0-9]{3}", text):
        whole = text.replace(used, "")
        raise ValueError(f"{shown} could be {whole} or {text.replace(',', '.')}: write it without a thousands "
                         "separator, or as a number cell")
    return float(text.replace(",", "."))


def select(table: KommuneTable, measure: Measure, population_years: list[int] | tuple[int, ...]) -> Selection:
    """The values of the chosen column (and year, and denominator), checked for its kind.

    Raises
    ------
    ValueError
        An unknown column or year, a year for a table without years, an unknown weight year.
    ValidationError
        Listing every cell that breaks a rule: not a number (see `parse_number`), a negative count
        or denominator, a denominator of 0 under a positive numerator.
    """
    if measure.basis not in BASES:
        raise ValueError(f"basis {measure.basis!r} is not supported; expected one of {list(BASES)}")
    years = sorted(int(y) for y in population_years)
    weight_year = None
    if measure.basis == "weighted":
        weight_year = measure.weight_year or max(years)
        if weight_year not in years:
            raise ValueError(f"population year {weight_year} is not available; expected one of {years}")
    value = _column(table, measure.value, "value") if measure.value else None
    year, chosen = measure.year.strip() if measure.year else None, "given" if measure.year else ""
    rows = table.rows
    if table.shape == "plain" and year:
        raise ValueError(f"{table.name}: the table has no years (neither a year column nor years as columns); "
                         "leave the year out")
    if table.shape == "wide":
        if value in table.year_columns:
            if year and year != value:
                raise ValueError(f"{table.name}: the value column {value!r} is a year, but the year {year!r} was "
                                 "asked for; give one of them")
            year, chosen = value, chosen or "given"
        elif value is None:
            if year and year not in table.year_columns:
                raise ValueError(f"{table.name}: no year {year!r}; the table's years: {list(table.years)}")
            year, chosen = (year, chosen) if year else (table.years[-1], "latest")
            value = year
        elif year:
            raise ValueError(f"{table.name}: the value column {value!r} is not one of the years "
                             f"{list(table.years)}; leave the year out")
    if table.shape == "long":
        if year and year not in table.years:
            raise ValueError(f"{table.name}: no year {year!r} in column {table.year_column!r}; the table's years: "
                             f"{list(table.years)}")
        year, chosen = (year, chosen) if year else (table.years[-1], "latest")
        rows = rows[rows["_year"] == year]
    denominator = _column(table, measure.denominator, "denominator") if measure.denominator else None
    if value is None:
        candidates = [c for c in table.columns if c != denominator]
        if len(candidates) != 1:
            which = f"several value columns {candidates}" if candidates else "no value column"
            raise ValueError(f"{table.name}: the table has {which}; choose the value column "
                             "(--value COLUMN on the command line)")
        value = candidates[0]
    if denominator == value:
        raise ValueError(f"{table.name}: the denominator column {denominator!r} is the value column; choose another")
    problems = tables.Problems()

    def numbers(column: str) -> pd.Series:
        out = []
        for line, cell in zip(rows["_line"], rows[column], strict=True):
            try:
                out.append(parse_number(cell, table.decimal))
            except ValueError as exc:
                problems.append(f"{table.where(line, column)}: {exc}")
                out.append(math.nan)
        return pd.Series(out, index=rows["kommune_kode"].to_numpy(), dtype=float, name=column)

    values = numbers(value)
    den = numbers(denominator) if denominator else None
    lines = dict(zip(rows["kommune_kode"], rows["_line"], strict=True))
    if measure.basis in ("count", "ratio"):
        what = "a count" if measure.basis == "count" else "the numerator of a rate"
        for code in values.index[values < 0]:
            problems.append(f"{table.where(lines[code], value)}: {fmt.plain(float(values[code]))} is negative; "
                            f"{what} is at least 0")
    if den is not None:
        for code in den.index[den < 0]:
            problems.append(f"{table.where(lines[code], denominator)}: the denominator {fmt.plain(float(den[code]))} "
                            "is negative; it must be at least 0")
        for code in den.index[(den == 0) & (values > 0)]:
            problems.append(f"{table.where(lines[code], denominator)}: the denominator is 0 while the numerator is "
                            f"{fmt.plain(float(values[code]))}; a rate needs a positive denominator")
    if problems:
        raise problems.error(table.name)
    missing = values.isna() if den is None else values.isna() | den.isna()
    resolved = replace(measure, value=value, denominator=denominator, year=year, weight_year=weight_year)
    return Selection(table, resolved, values, den, weight_year, int(missing.sum()), chosen)


# --- onto the units of a layer -----------------------------------------------------------------------

@dataclass(frozen=True)
class OwnResult:
    """A selection summed onto one layer: ``frame`` has `RESULT_COLUMNS` and ``n_with_data``,
    ``population``; ``national`` is Denmark's value over the table's kommuner and its coverage."""

    layer: str
    selection: Selection
    population_year: int
    frame: pd.DataFrame
    national: tuple[float, float]
    missing: tuple[str, ...] = ()  # kommuner of the layer without data ('Læsø (0825)'), by name


@dataclass(frozen=True)
class Geography:
    """What summing onto layers needs from a bundle, prepared once (see `aggregate_table`): each
    layer's memberships and unit names, the population of every year, the kommuner's names."""

    memberships: dict[str, pd.DataFrame]
    unit_names: dict[str, dict[str, str]]
    population: dict[int, pd.Series]
    kommune_names: dict[str, str]

    @classmethod
    def of(cls, bundle: Bundle) -> Geography:
        """Prepare the geography of ``bundle``; ValueError if a layer's unit has no name."""
        memberships, unit_names = {}, {}
        for layer in bundle.layers["layer"]:
            rows = model.layer_assignments(bundle.assignments, layer)[["kommune_kode", "unit_id", "share"]]
            memberships[layer] = rows.reset_index(drop=True)
            units = bundle.units[bundle.units["layer"] == layer]
            unit_names[layer] = dict(zip(units["unit_id"], units["unit_navn"], strict=True))
            unnamed = sorted(set(rows["unit_id"]) - set(unit_names[layer]))
            if unnamed:
                raise ValueError(f"layer {layer}: units without a name in units.csv: {unnamed}")
        years = sorted(int(y) for y in bundle.population["year"].unique())
        population = {y: catalog.population_total(bundle.population, y)[0] for y in years}
        names = dict(zip(bundle.kommuner["kommune_kode"], bundle.kommuner["kommune_navn"], strict=True))
        return cls(memberships, unit_names, population, names)


def aggregate_table(bundle: Bundle, layer: str, selection: Selection,
                    geography: Geography | None = None) -> OwnResult:
    """The selection's values on the units of ``layer`` by `geo.aggregate.aggregate_to_units`.

    The population of coverage (and the weights of a 'weighted' rate) is that of the weight year,
    or else the population year nearest the table's year (the latest without one). ``geography``
    (`Geography.of(bundle)`) may be passed by a caller that sums onto several layers.
    """
    geo = geography or Geography.of(bundle)
    if layer not in geo.memberships:
        bundle.layer(layer)  # names the valid layers
    year = selection.weight_year or catalog.weight_year(selection.measure.year or "", sorted(geo.population))
    population = geo.population[year]
    kind = selection.measure.kind
    agg = aggregate.aggregate_to_units(selection.values, geo.memberships[layer], population, kind,
                                       selection.denominator)
    frame = agg.assign(unit_navn=[geo.unit_names[layer][u] for u in agg["unit_id"]])
    national = aggregate.national_value(selection.values, population, kind, selection.denominator)
    names = geo.kommune_names
    codes = {c for text in frame["missing_kommuner"] for c in text.split(";") if c}
    missing = tuple(sorted((f"{names.get(c, c)} ({c})" for c in codes), key=str.casefold))
    cols = [*RESULT_COLUMNS, "n_with_data", "population"]
    return OwnResult(layer, selection, year, frame[cols], national, missing)


def result_table(result: OwnResult) -> pd.DataFrame:
    """The result as exported: `RESULT_COLUMNS`, one row per unit."""
    return result.frame[RESULT_COLUMNS].copy()


def sources_table(bundle: Bundle, result: OwnResult, created: dt.date | None = None) -> pd.DataFrame:
    """What an export of own numbers is made of (the ``sources`` sheet of the XLSX)."""
    s = result.selection
    row = bundle.layer(result.layer)
    rule = {"count": "count: summed by share (Σ share·value)",
            "ratio": f"rate: Σ share·{s.measure.value} / Σ share·{s.measure.denominator}",
            "weighted": f"rate: weighted by the population of {s.weight_year} (Σ share·pop·value / Σ share·pop)",
            }[s.measure.basis]
    items = [
        ("file", s.table.name),
        ("value column", s.measure.value or ""),
        ("year", s.measure.year or ""),
        ("rule", rule),
        ("layer", f"{result.layer} ({row.get('name_da', '')})"),
        ("layer source", str(row.get("source", ""))),
        ("coverage", f"share of the unit's population {result.population_year} in kommuner with data"),
        ("kommuner with data", str(len(s.values) - len(s.missing))),
        ("created", (created or dt.date.today()).isoformat()),
        ("made by", "Klyngekort (python -m geo aggregate / Egne tal)"),
        ("note", "Text cells that start with = + - @, tab or carriage return begin with ' so that a "
                 "spreadsheet shows them as text instead of running them as formulas."),
    ]
    return pd.DataFrame(items, columns=["item", "value"])


def unit_frame(bundle: Bundle, result: OwnResult) -> gpd.GeoDataFrame:
    """The result with each unit's geometry (EPSG:25832), for GeoJSON."""
    parts = model.layer_parts(bundle.kommuner, bundle.sub_areas, bundle.assignments, bundle.units, result.layer)
    geoms = model.unit_geometries(parts)[["unit_id", "geometry"]]
    out = geoms.merge(result_table(result), on="unit_id", validate="one_to_one")
    return gpd.GeoDataFrame(out[[*RESULT_COLUMNS, "geometry"]], geometry="geometry", crs=bundle.kommuner.crs)


FORMATS = ("csv", "geojson", "xlsx")


def render(bundle: Bundle, result: OwnResult, fmt_: str, created: dt.date | None = None) -> str | bytes:
    """The result in ``fmt_`` (one of `FORMATS`), written the way `geo.export` writes everything."""
    if fmt_ not in FORMATS:
        raise ValueError(f"format must be in the set: {list(FORMATS)}; got {fmt_!r}")
    if fmt_ == "csv":
        return export.to_csv(result_table(result))
    if fmt_ == "geojson":
        return export.to_geojson(unit_frame(bundle, result))
    return export.to_xlsx(result_table(result), sources_table(bundle, result, created), sheet="units")


# --- what the page shows ---------------------------------------------------------------------------

def value_decimals(values: pd.Series) -> int:
    """Decimals that show about three significant digits of the typical value (0 from 100 up)."""
    data = values.dropna().abs()
    data = data[data > 0]
    if data.empty:
        return 0
    typical = float(data.median())
    return int(min(6, max(0, 2 - math.floor(math.log10(typical)))))


@dataclass(frozen=True)
class OwnView:
    """What the page draws: areas with colours and tooltips, the legend and the ranking."""

    areas: gpd.GeoDataFrame
    legend: list[LegendRow]
    ranking: pd.DataFrame
    decimals: int
    missing_names: tuple[str, ...]


def own_view(bundle: Bundle, display, result: OwnResult, *, scheme: str = "quantiles", k: int = 5,
             palette: str = "blues", lang: str = "da") -> OwnView:
    """The result as a map: every kommune part of the layer coloured by its unit's class, parts of
    kommuner without data in the missing colour (`classify.MISSING_COLOUR`, with a legend row
    counting those kommuner); the ranking of the units (1 = highest value)."""
    layer = result.layer
    frame = result.frame.set_index("unit_id")
    dec = value_decimals(frame["value"])
    show = lambda x: fmt.number(x, dec, lang)  # noqa: E731
    no_data = t("own_missing_kommuner", lang)
    classes, legend = classify.classify(frame["value"], scheme, k, palette, None, show, no_data)
    legend = [row for row in legend if row.colour != MISSING_COLOUR]
    unit_colour = classes["colour"].to_dict()
    sel = result.selection
    kommune_value = sel.values
    missing = set(sel.missing) | (set(bundle.kommuner["kommune_kode"]) - set(sel.values.index))
    parts = model.layer_parts(display.kommuner, display.sub_areas, bundle.assignments, bundle.units, layer)
    parts["colour"] = [MISSING_COLOUR if kode in missing else unit_colour[u]
                       for kode, u in zip(parts["kommune_kode"], parts["unit_id"], strict=True)]
    tips = []
    for r in parts.itertuples():
        unit = frame.loc[r.unit_id]
        lines = [t("own_tip_unit", lang, unit=r.unit_navn, value=show(unit["value"])),
                 t("own_tip_cover", lang, n=str(int(unit["n_with_data"])), m=str(int(unit["n_kommuner"])),
                   pct=fmt.percent(unit["coverage"], lang))]
        if r.kommune_kode in missing:
            lines.append(t("own_tip_nodata", lang))
        else:
            lines.append(t("own_tip_kommune", lang, value=show(kommune_value[r.kommune_kode])))
        tips.append(tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})", lines))
    parts["tip"] = tips
    parts["shared"] = parts["shared"].astype(str)
    row = bundle.layer(layer)
    rest = display.kommuner[~display.kommuner["kommune_kode"].isin(parts["kommune_kode"])].copy()
    inside = [row["extent"] != "named" or reg == row["display_region"] for reg in rest["region"]] \
        if "region" in rest.columns else [False] * len(rest)
    rest["colour"] = [UNASSIGNED_COLOUR if i else OUTSIDE_COLOUR for i in inside]
    rest["tip"] = [tooltip_html(f"{r.kommune_navn} ({r.kommune_kode})",
                                [t("not_assigned_tip", lang) if i else t("outside_layer", lang)])
                   for r, i in zip(rest.itertuples(), inside, strict=True)]
    rest["shared"] = "False"
    cols = ["kommune_kode", "kommune_navn", "colour", "tip", "shared", "geometry"]
    areas = gpd.GeoDataFrame(pd.concat([parts[[*cols, "unit_id"]], rest[cols]], ignore_index=True),
                             geometry="geometry", crs=display.kommuner.crs)
    in_layer = set(parts["kommune_kode"])
    n_missing = len(missing & in_layer)
    if n_missing:
        legend.append(LegendRow(no_data, MISSING_COLOUR, n_missing))
    names = dict(zip(bundle.kommuner["kommune_kode"], bundle.kommuner["kommune_navn"], strict=True))
    ranked = result.frame.sort_values("value", ascending=False, na_position="last")
    ranking = pd.DataFrame({
        t("own_col_rank", lang): ranked["value"].rank(ascending=False, method="min").astype("Int64")
        .map(lambda v: "–" if pd.isna(v) else str(v)).tolist(),
        t("own_col_unit", lang): ranked["unit_navn"].tolist(),
        t("own_col_value", lang): [show(v) for v in ranked["value"]],
        t("own_col_coverage", lang): [fmt.percent(c, lang) for c in ranked["coverage"]],
        t("own_col_with_data", lang): [t("own_n_of_m", lang, n=str(int(a)), m=str(int(b)))
                                       for a, b in zip(ranked["n_with_data"], ranked["n_kommuner"], strict=True)],
        t("own_col_missing", lang): ["; ".join(names.get(c, c) for c in m.split(";")) if m else ""
                                     for m in ranked["missing_kommuner"]],
    })
    return OwnView(areas, legend, ranking, dec, result.missing)


# --- what was understood ----------------------------------------------------------------------------

def understood(table: KommuneTable, selection: Selection | None = None, result: OwnResult | None = None,
               lang: str = "da") -> list[str]:
    """What was read and how it is used, one sentence per line (plain text: escape it for Markdown)."""
    lines = []
    if table.source == "xlsx":
        lines.append(t("own_read_xlsx", lang, name=table.name, sheet=table.sheet))
    else:
        sep = {";": "';'", "\t": "tab", ",": "','"}[table.separator]
        lines.append(t("own_read_csv", lang, name=table.name, sep=sep, decimal=repr(table.decimal),
                       encoding=table.encoding))
    if table.title_lines:
        lines.append(t("own_titles", lang, n=str(table.title_lines), line=str(table.header_line)))
    by = t(f"own_by_{table.matched_by.replace(' ', '_')}", lang)
    lines.append(t("own_rows", lang, n=str(table.n_rows), k=str(len(table.kommuner)), column=repr(table.kommune_column),
                   by=by))
    groups: dict[str, list[Ignored]] = {}
    for item in table.ignored:
        groups.setdefault(item.why, []).append(item)
    for why, items in groups.items():
        shown = ", ".join(f"{i.line} ({i.text[:40]})" if i.text else str(i.line) for i in items[:8])
        more = t("own_and_more", lang, n=str(len(items) - 8)) if len(items) > 8 else ""
        lines.append(t(f"own_ignored_{why}", lang, n=str(len(items)), lines=shown + more))
    if table.shape == "wide":
        lines.append(t("own_wide", lang, years=", ".join(table.years)))
    elif table.shape == "long":
        lines.append(t("own_long", lang, column=repr(table.year_column), years=", ".join(table.years)))
    if table.text_columns:
        lines.append(t("own_text_columns", lang, columns=", ".join(repr(c) for c in table.text_columns)))
    if table.formulas:
        lines.append(t("own_formulas", lang, n=str(table.formulas)))
    if selection is not None:
        m = selection.measure
        if m.year:
            lines.append(t("own_year_latest" if selection.year_chosen == "latest" else "own_year_given", lang,
                           year=m.year))
        lines.append(t(f"own_value_{m.basis}", lang, value=repr(m.value), denominator=repr(m.denominator or ""),
                       year=str(selection.weight_year or "")))
        absent = len(selection.missing)
        lines.append(t("own_with_data", lang, n=str(len(selection.values) - absent), missing=str(absent)))
    if result is not None:
        if result.missing:
            shown = ", ".join(result.missing[:20])
            more = t("own_and_more", lang, n=str(len(result.missing) - 20)) if len(result.missing) > 20 else ""
            lines.append(t("own_missing_layer", lang, n=str(len(result.missing)), names=shown + more))
        lines.append(t("own_coverage_year", lang, year=str(result.population_year)))
    return lines
