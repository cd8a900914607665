"""Layer roles and validity: which layer plays which part of the geography on a given date.

Every layer of ``data/layers.csv`` has a ``role`` (a key of `ROLES`) and may have ``valid_from`` /
``valid_to`` (ISO dates, inclusive; blank: open). Within a role the validity periods do not
overlap, so on any date at most one layer of a role is *in force*: on 2026-12-31 the care
geography is the sundhedsklynger, on 2027-01-01 the sundhedsråd. Pages, the atlas and the CLI ask
the `Registry` instead of naming layer ids, so a new layer in ``data/`` shows up in its role.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_date

from geo.fmt import LOCALES

TIMEZONE = ZoneInfo("Europe/Copenhagen")
TODAY_ENV = "KLYNGEKORT_TODAY"  # YYYY-MM-DD: run as if it were that day (tests, previews of a date change)


@dataclass(frozen=True)
class Role:
    """One role a layer can play: its name in Danish and English, and whether a layer of the role
    can be *in force* (a historical plan never is: it was a proposal, not a geography in use)."""

    da: str
    en: str
    in_force: bool = True

    def name(self, lang: str = "da") -> str:
        return self.da if lang == "da" else self.en


# The roles, in the order a kommune's summary lists them.
ROLES: dict[str, Role] = {
    "care": Role("Sundhedssamarbejde (klynger, fra 2027 sundhedsråd)",
                 "Health cooperation (clusters, from 2027 health councils)"),
    "psych_adult": Role("Voksenpsykiatri", "Adult psychiatry"),
    "psych_child": Role("Børne- og ungdomspsykiatri", "Child and adolescent psychiatry"),
    "region": Role("Region", "Region"),
    "plan": Role("Historisk plan", "Historical plan", in_force=False),
}


def today() -> dt.date:
    """Today's date in Denmark (Europe/Copenhagen), whatever the server's time zone; ``$KLYNGEKORT_TODAY``
    (YYYY-MM-DD) sets another day, so tests and previews run on either side of a change."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        day = parse_date(fixed)
        if day is not None:
            return day
    return dt.datetime.now(TIMEZONE).date()


def parse_date(text: str | None) -> dt.date | None:
    """An ISO date ``YYYY-MM-DD`` (blank: None); ValueError naming the text otherwise."""
    value = "" if text is None else str(text).strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD (e.g. 2027-01-02)") from None


def date_text(day: dt.date, lang: str = "da") -> str:
    """A date for reading: '1. januar 2027' (da), '1 January 2027' (en)."""
    return format_date(day, format="long", locale=LOCALES.get(lang, LOCALES["da"]))


@dataclass(frozen=True)
class Entry:
    """One layer in the registry: its id, role, validity and names."""

    layer: str
    role: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    name_da: str
    name_en: str

    def name(self, lang: str = "da") -> str:
        return self.name_da if lang == "da" else self.name_en

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def status(self, day: dt.date) -> str:
        """``'current'``, ``'ended'`` (valid_to before ``day``) or ``'future'`` (starts after ``day``)."""
        if self.valid_to is not None and self.valid_to < day:
            return "ended"
        if self.valid_from is not None and day < self.valid_from:
            return "future"
        return "current"


@dataclass(frozen=True)
class Registry:
    """The layers with their roles and validity (from the validated ``layers.csv``), in file order."""

    entries: tuple[Entry, ...]

    @classmethod
    def from_frame(cls, layers: pd.DataFrame) -> Registry:
        """Build from a validated layers table (see `geo.tables.validate_layers`)."""
        return cls(tuple(
            Entry(r["layer"], r["role"], parse_date(r["valid_from"]), parse_date(r["valid_to"]), r["name_da"],
                  r["name_en"])
            for _, r in layers.iterrows()
        ))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.layer for e in self.entries)

    def entry(self, layer: str) -> Entry:
        """The entry of ``layer``; ValueError naming the valid layers otherwise."""
        for e in self.entries:
            if e.layer == layer:
                return e
        raise ValueError(f"layer {layer!r} is unknown; expected one of {list(self.ids)}")

    def of_role(self, role: str) -> list[Entry]:
        """The layers of ``role``, oldest first (open starts first)."""
        if role not in ROLES:
            raise ValueError(f"role {role!r} is unknown; expected one of {list(ROLES)}")
        rows = [e for e in self.entries if e.role == role]
        return sorted(rows, key=lambda e: e.valid_from or dt.date.min)

    def in_force(self, role: str, day: dt.date) -> str | None:
        """The layer that plays ``role`` on ``day`` (None: none does, or the role is never in force)."""
        if not ROLES[role].in_force:
            return None
        for e in self.of_role(role):
            if e.valid_on(day):
                return e.layer
        return None

    def layers_in_force(self, day: dt.date) -> dict[str, str]:
        """Role → the layer in force on ``day``, for every role that has one (in `ROLES` order)."""
        return {role: layer for role in ROLES if (layer := self.in_force(role, day))}

    def predecessor(self, layer: str) -> Entry | None:
        """The layer of the same role that ended before ``layer`` began (the latest such), if any."""
        me = self.entry(layer)
        if me.valid_from is None:
            return None
        earlier = [e for e in self.of_role(me.role) if e.valid_to is not None and e.valid_to < me.valid_from]
        return earlier[-1] if earlier else None

    def successor(self, layer: str) -> Entry | None:
        """The layer of the same role that begins after ``layer`` ends (the first such), if any."""
        me = self.entry(layer)
        if me.valid_to is None:
            return None
        later = [e for e in self.of_role(me.role) if e.valid_from is not None and e.valid_from > me.valid_to]
        return later[0] if later else None

    def main_layer(self, day: dt.date) -> str:
        """The layer a view shows unless asked otherwise: the care geography in force on ``day``; else
        the first layer in force on that date; else the first layer."""
        care = self.in_force("care", day)
        if care:
            return care
        current = [e.layer for e in self.entries if ROLES[e.role].in_force and e.valid_on(day)]
        return current[0] if current else self.entries[0].layer

    def serving(self, layer: str, day: dt.date) -> list[str]:
        """The other layers that serve the residents of ``layer``'s units on ``day``: the layers in force
        of the care and psychiatry roles (not ``layer`` itself or its role), then ``layer``'s successor
        (what its units become), if it has one."""
        me = self.entry(layer)
        out = [other for role, other in self.layers_in_force(day).items()
               if role in ("care", "psych_adult", "psych_child") and role != me.role and other != layer]
        nxt = self.successor(layer)
        if nxt is not None and nxt.layer not in out:
            out.append(nxt.layer)
        return out

    def comparisons(self, day: dt.date) -> list[tuple[str, str]]:
        """Pairs of layers worth setting side by side on ``day`` (the Sammenlign presets): care × adult
        psychiatry, adult × child psychiatry, and the care geography before × after its change."""
        force = self.layers_in_force(day)
        pairs = []
        for a, b in (("care", "psych_adult"), ("psych_adult", "psych_child")):
            if a in force and b in force:
                pairs.append((force[a], force[b]))
        care = force.get("care") or self.main_layer(day)
        before, after = self.predecessor(care), self.successor(care)
        if after is not None:
            pairs.append((care, after.layer))
        elif before is not None:
            pairs.append((before.layer, care))
        return list(dict.fromkeys(pairs))

    def change_pair(self, day: dt.date, role: str = "care") -> tuple[str, str] | None:
        """The (old, new) layers of ``role`` around its nearest change: the layer in force and its
        successor, or, once the change has happened, its predecessor and the layer in force."""
        current = self.in_force(role, day)
        if current is None:
            return None
        after = self.successor(current)
        if after is not None:
            return current, after.layer
        before = self.predecessor(current)
        return (before.layer, current) if before is not None else None


def validate(layers: pd.DataFrame, table: str = "layers.csv") -> list[str]:
    """Problems with roles and validity in a layers table (role known, dates ISO, from ≤ to, and no two
    layers of a role valid on the same day)."""
    problems: list[str] = []
    entries = []
    for _, row in layers.iterrows():
        where = f"{table} line {row.get('_line', '?')}"
        if row["role"] not in ROLES:
            problems.append(f"{where}, column role: {row['role']!r} is not a role; expected one of {list(ROLES)}")
            continue
        try:
            start, end = parse_date(row["valid_from"]), parse_date(row["valid_to"])
        except ValueError as exc:
            problems.append(f"{where}, column valid_from/valid_to: {exc}")
            continue
        if start and end and end < start:
            problems.append(f"{where}: valid_to {end} is before valid_from {start}")
            continue
        entries.append((where, Entry(row["layer"], row["role"], start, end, "", "")))
    for i, (where, a) in enumerate(entries):
        for _, b in entries[i + 1:]:
            if a.role != b.role:
                continue
            lo = max(a.valid_from or dt.date.min, b.valid_from or dt.date.min)
            hi = min(a.valid_to or dt.date.max, b.valid_to or dt.date.max)
            if lo <= hi:
                problems.append(f"{where}: layers {a.layer!r} and {b.layer!r} both play role {a.role!r} on {lo}; "
                                "the validity periods of one role must not overlap")
    if not (layers["role"] == "region").any():
        problems.append(f"{table}: no layer has role 'region' (the kommuner's regions come from it)")
    return problems
