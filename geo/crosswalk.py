"""The crosswalk between two geographies: which unit of the old layer each kommune's residents come
from and which unit of the new layer they go to (the sundhedsklynger → the sundhedsråd on 1 January
2027), and what that changes for one kommune or one unit.

One row per (kommune, old unit, new unit) with the share of the kommune's residents in that cell and
their number in a population year. A kommune split between units (København by bydele) is split as
both layers' assignment rows say (`geo.plans.kommune_overlap`: exact where one side's bydele contain
the other's). The people of each kommune are rounded to whole persons by the largest-remainder
method, so every kommune keeps its exact total and the table sums to the national total of the year.

Everything here is pure: functions take the `Bundle` and return frames or frozen values; sentences
are plain text (names from the data), to be escaped where they are shown.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import catalog, fmt, model, plans, profile, roles
from geo.bundle import Bundle
from geo.i18n import t
from geo.readable import confidence_word

COLUMNS = ["kommune_kode", "kommune_navn", "from_layer", "from_unit_id", "from_unit_navn", "to_layer",
           "to_unit_id", "to_unit_navn", "share", "population", "population_year", "sub_areas",
           "from_confidence", "to_confidence"]
SIDES = ("from", "to")


def largest_remainder(values: list[float] | np.ndarray, total: int) -> np.ndarray:
    """Whole numbers as close as possible to ``values`` that add up to exactly ``total``.

    Every value is rounded down; the persons left over go one each to the values with the largest
    remainders (ties: the first). ``values`` must be non-negative and sum to ``total`` within 1e-6
    of a person per value; ValueError otherwise.
    """
    raw = np.asarray(values, dtype=float)
    if raw.size == 0:
        if total:
            raise ValueError(f"cannot share {total} persons among no cells")
        return np.zeros(0, dtype=np.int64)
    if (raw < 0).any() or not np.isfinite(raw).all():
        raise ValueError(f"values to round must be finite and non-negative; got {raw.tolist()}")
    if abs(raw.sum() - total) > 1e-6 * raw.size + 1e-9 * max(total, 1):
        raise ValueError(f"values sum to {float(raw.sum())!r}, not to the total {total}")
    floors = np.floor(raw + 1e-9).astype(np.int64)
    left = int(total - floors.sum())
    if left < 0 or left > raw.size:
        raise ValueError(f"cannot round {raw.tolist()} to the total {total}")
    order = np.argsort(-(raw - floors), kind="stable")
    floors[order[:left]] += 1
    return floors


def _unit_names(bundle: Bundle, layer: str) -> dict[str, str]:
    units = bundle.units[bundle.units["layer"] == layer]
    return dict(zip(units["unit_id"], units["unit_navn"], strict=True))


def _subs(text: str) -> set[str]:
    return {s.strip() for s in str(text or "").split(";") if s.strip()}


def _cell_subs(a: str, b: str) -> str:
    """The bydele of a cell: those both rows name, or the one side's where only one names any."""
    sa, sb = _subs(a), _subs(b)
    common = sa & sb if sa and sb else sa or sb
    return ";".join(sorted(common, key=lambda s: (len(s), s)))


def crosswalk(bundle: Bundle, old: str, new: str, year: int | None = None) -> pd.DataFrame:
    """The crosswalk from layer ``old`` to layer ``new`` (`COLUMNS`), ordered by kommune code.

    A kommune that one layer does not name (a 'named' layer) gets a row with an empty unit on that
    side, so the population still sums to the national total. ``year`` is the population year
    (default the latest); ValueError naming the choices for an unknown layer or year, or the same
    layer twice.
    """
    bundle.layer(old)
    bundle.layer(new)
    if old == new:
        raise ValueError(f"a crosswalk needs two different layers; got {old!r} twice")
    pop, year = catalog.population_total(bundle.population, year)
    names = {"from": _unit_names(bundle, old), "to": _unit_names(bundle, new)}
    rows = {"from": model.layer_assignments(bundle.assignments, old),
            "to": model.layer_assignments(bundle.assignments, new)}
    by_kommune = {side: dict(tuple(frame.groupby("kommune_kode", sort=False))) for side, frame in rows.items()}
    empty = pd.DataFrame({"unit_id": [""], "share": [1.0], "sub_areas": [""], "confidence": [""]})
    records = []
    kommuner = bundle.kommuner.sort_values("kommune_kode")
    for kode, navn in zip(kommuner["kommune_kode"], kommuner["kommune_navn"], strict=True):
        if kode not in pop.index or pd.isna(pop[kode]):
            raise ValueError(f"kommune {kode} ({navn}) has no population in {year}")
        ra = by_kommune["from"].get(kode, empty).reset_index(drop=True)
        rb = by_kommune["to"].get(kode, empty).reset_index(drop=True)
        grid = plans.kommune_overlap(ra, rb)
        cells = [(i, j, float(grid[i, j])) for i in range(len(ra)) for j in range(len(rb)) if grid[i, j] > 1e-12]
        total = int(pop[kode])
        people = largest_remainder([share * total for _, _, share in cells], total)
        for (i, j, share), persons in zip(cells, people, strict=True):
            ua, ub = ra.loc[i], rb.loc[j]
            records.append({
                "kommune_kode": kode, "kommune_navn": navn,
                "from_layer": old, "from_unit_id": ua["unit_id"],
                "from_unit_navn": names["from"].get(ua["unit_id"], ""),
                "to_layer": new, "to_unit_id": ub["unit_id"], "to_unit_navn": names["to"].get(ub["unit_id"], ""),
                "share": round(share, 12), "population": int(persons), "population_year": year,
                "sub_areas": _cell_subs(ua["sub_areas"], ub["sub_areas"]),
                "from_confidence": ua["confidence"], "to_confidence": ub["confidence"],
            })
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def sources_rows(bundle: Bundle, old: str, new: str, year: int, created: dt.date) -> pd.DataFrame:
    """The ``sources`` sheet of a crosswalk workbook: both layers, their validity and sources, the
    population year and its tables, how København is split, and the date made."""
    items = [("export", "crosswalk")]
    for side, layer in (("from", old), ("to", new)):
        row, entry = bundle.layer(layer), bundle.registry.entry(layer)
        items += [(f"{side} layer", f"{layer} ({row.get('name_da', '')})"),
                  (f"{side} layer valid", f"{entry.valid_from or '…'} – {entry.valid_to or '…'}"),
                  (f"{side} layer source", str(row.get("source", "")))]
    rows = bundle.population[bundle.population["year"] == year]
    tables = sorted(rows["source_table"].unique()) if "source_table" in rows else []
    items += [
        ("population year", str(year)),
        ("population source", "Danmarks Statistik " + ", ".join(tables)),
        ("split kommuner", "shares and bydele as in the layers' assignment rows; persons rounded per kommune by "
                           "largest remainder, so each kommune and the whole country keep their exact totals"),
        ("created", created.isoformat()),
        ("made by", "Klyngekort (python -m geo export --what crosswalk)"),
        ("note", "Text cells that start with = + - @, tab or carriage return begin with ' so that a "
                 "spreadsheet shows them as text instead of running them as formulas."),
    ]
    return pd.DataFrame(items, columns=["item", "value"])


# --- one kommune -------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitFacts:
    """A unit on one side of the crosswalk: its id, name, residents in the year and hospital names.

    ``area``: the hospitals are the acute hospitals inside the unit's kommuner (its layer names none of
    its own, as the sundhedsråd do not; `geo.profile.unit_sites`), not the unit's own."""

    unit_id: str
    unit_navn: str
    population: int
    hospitals: tuple[str, ...]
    area: bool = False


@dataclass(frozen=True)
class KommuneChange:
    """What the change of geography means for one kommune.

    ``rows``: its crosswalk rows. ``old``/``new``: its units before and after (largest share first).
    ``before``/``after``: the other kommuner sharing a unit with it, before and after (codes, by name).
    ``gained``: grouped with it after but not before; ``left``: before but not after; ``kept``: both.
    """

    kommune_kode: str
    kommune_navn: str
    rows: pd.DataFrame
    old: tuple[UnitFacts, ...]
    new: tuple[UnitFacts, ...]
    shares_old: tuple[float, ...]
    shares_new: tuple[float, ...]
    before: tuple[str, ...]
    after: tuple[str, ...]
    gained: tuple[str, ...]
    left: tuple[str, ...]
    kept: tuple[str, ...]
    names: dict[str, str]

    @property
    def unchanged(self) -> bool:
        """Grouped with exactly the same kommuner before and after."""
        return not self.gained and not self.left


def _hospital_names(bundle: Bundle, layer: str) -> tuple[dict[str, tuple[str, ...]], bool]:
    """Unit → the names of its acute hospitals, and whether they are by area (the units name none)."""
    names = bundle.sites.set_index("site_id")["name"]
    units = bundle.units[bundle.units["layer"] == layer]
    area = not any(s for v in units.get("site_ids", pd.Series(dtype=str)).fillna("") for s in str(v).split(";") if s)
    return {unit: tuple(names[s] for s in sites if s in names.index)
            for unit, sites in profile.unit_sites(bundle, layer).items()}, area


def unit_populations(walk: pd.DataFrame, side: str) -> pd.Series:
    """Residents per unit of one side (``'from'`` or ``'to'``) of a crosswalk (index unit id)."""
    if side not in SIDES:
        raise ValueError(f"side must be in the set: {list(SIDES)}; got {side!r}")
    return walk.groupby(f"{side}_unit_id")["population"].sum()


def _members(walk: pd.DataFrame, side: str) -> dict[str, set[str]]:
    column = f"{side}_unit_id"
    return {u: set(g["kommune_kode"]) for u, g in walk[walk[column] != ""].groupby(column)}


def _by_name(codes: set[str], names: dict[str, str]) -> tuple[str, ...]:
    return tuple(sorted(codes, key=lambda c: (names.get(c, c), c)))


def _facts(bundle: Bundle, walk: pd.DataFrame, side: str, units: list[str]) -> tuple[UnitFacts, ...]:
    layer = walk[f"{side}_layer"].iloc[0]
    names = _unit_names(bundle, layer)
    pops = unit_populations(walk, side)
    hospitals, area = _hospital_names(bundle, layer)
    return tuple(UnitFacts(u, names.get(u, u), int(pops.get(u, 0)), hospitals.get(u, ()), area)
                 for u in units if u)


def kommune_change(bundle: Bundle, walk: pd.DataFrame, kode: str) -> KommuneChange:
    """What changes for kommune ``kode`` in the crosswalk ``walk`` (from `crosswalk`)."""
    mine = walk[walk["kommune_kode"] == kode]
    if mine.empty:
        raise ValueError(f"kommune {kode!r} is not in the crosswalk; give a kommunekode such as 0101")
    names = dict(zip(walk["kommune_kode"], walk["kommune_navn"], strict=False))
    shares = {side: mine.groupby(f"{side}_unit_id", sort=False)["share"].sum().sort_values(ascending=False)
              for side in SIDES}
    groups = {}
    for side in SIDES:
        members = _members(walk, side)
        groups[side] = set().union(*(members.get(u, set()) for u in shares[side].index)) - {kode}
    before, after = groups["from"], groups["to"]
    return KommuneChange(
        kommune_kode=kode, kommune_navn=names[kode], rows=mine.reset_index(drop=True),
        old=_facts(bundle, walk, "from", list(shares["from"].index)),
        new=_facts(bundle, walk, "to", list(shares["to"].index)),
        shares_old=tuple(float(s) for u, s in shares["from"].items() if u),
        shares_new=tuple(float(s) for u, s in shares["to"].items() if u),
        before=_by_name(before, names), after=_by_name(after, names),
        gained=_by_name(after - before, names), left=_by_name(before - after, names),
        kept=_by_name(before & after, names), names=names,
    )


# --- one unit ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitChange:
    """What the change means for one unit, seen from the old side (``side='from'``: where its kommuner
    go) or the new side (``'to'``: what it is made of).

    ``parts``: one row per unit of the other side that shares residents with it —
    ``unit_id, unit_navn, population`` (residents in common), ``share_of_unit`` (of this unit's
    residents), ``share_of_other`` (of that unit's), ``kommuner`` (codes in common, by name), ``whole``
    (every resident of that unit is in this one). ``outside``: kommuner of those other units that are not
    in this unit (from the old side: who joins its kommuner; from the new side: who went elsewhere).
    """

    side: str
    unit: UnitFacts
    layer: str
    other_layer: str
    members: tuple[str, ...]
    parts: pd.DataFrame
    others: tuple[UnitFacts, ...]
    outside: tuple[str, ...]
    names: dict[str, str]


def unit_change(bundle: Bundle, walk: pd.DataFrame, side: str, unit_id: str) -> UnitChange:
    """What changes for unit ``unit_id`` of the ``side`` (``'from'``: old, ``'to'``: new) layer of ``walk``."""
    if side not in SIDES:
        raise ValueError(f"side must be in the set: {list(SIDES)}; got {side!r}")
    other = "to" if side == "from" else "from"
    mine = walk[walk[f"{side}_unit_id"] == unit_id]
    if mine.empty or not unit_id:
        layer = walk[f"{side}_layer"].iloc[0] if len(walk) else "?"
        known = sorted(u for u in walk[f"{side}_unit_id"].unique() if u)
        raise ValueError(f"unit {unit_id!r} is not a unit of {layer!r}; expected one of {known}")
    names = dict(zip(walk["kommune_kode"], walk["kommune_navn"], strict=False))
    other_pops = unit_populations(walk, other)
    total = int(mine["population"].sum())
    other_names = _unit_names(bundle, walk[f"{other}_layer"].iloc[0])
    records = []
    for u, group in mine.groupby(f"{other}_unit_id"):
        people = int(group["population"].sum())
        whole = int(other_pops.get(u, 0))
        records.append({"unit_id": u, "unit_navn": other_names.get(u, ""), "population": people,
                        "share_of_unit": people / total if total else math.nan,
                        "share_of_other": people / whole if whole else math.nan,
                        "kommuner": _by_name(set(group["kommune_kode"]), names),
                        "whole": bool(u) and people == whole})
    parts = pd.DataFrame.from_records(records, columns=["unit_id", "unit_navn", "population", "share_of_unit",
                                                        "share_of_other", "kommuner", "whole"])
    parts = parts.sort_values(["population", "unit_navn"], ascending=[False, True]).reset_index(drop=True)
    members = set(mine["kommune_kode"])
    other_members = _members(walk, other)
    around = set().union(*(other_members.get(u, set()) for u in parts["unit_id"] if u))
    return UnitChange(
        side=side, unit=_facts(bundle, walk, side, [unit_id])[0], layer=walk[f"{side}_layer"].iloc[0],
        other_layer=walk[f"{other}_layer"].iloc[0], members=_by_name(members, names), parts=parts,
        others=_facts(bundle, walk, other, [u for u in parts["unit_id"] if u]),
        outside=_by_name(around - members, names), names=names,
    )


def summary(walk: pd.DataFrame) -> dict[str, int]:
    """Counts for the whole change: units on each side, kommuner whose company changes, residents."""
    before, after = _members(walk, "from"), _members(walk, "to")
    changed = 0
    for kode in walk["kommune_kode"].unique():
        mine = walk[walk["kommune_kode"] == kode]
        was = set().union(*(before.get(u, set()) for u in mine["from_unit_id"] if u)) - {kode}
        now = set().union(*(after.get(u, set()) for u in mine["to_unit_id"] if u)) - {kode}
        changed += was != now
    return {"n_from": len(before), "n_to": len(after), "n_kommuner": int(walk["kommune_kode"].nunique()),
            "n_changed": changed, "population": int(walk["population"].sum()),
            "year": int(walk["population_year"].iloc[0]) if len(walk) else 0}


# --- sentences ---------------------------------------------------------------------------------

def _joined(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {t('and', lang)} " + parts[-1]


def _people(n: int, lang: str) -> str:
    return t("ov_people", lang, n=fmt.number(n, 0, lang))


def _units_with_shares(units: tuple[UnitFacts, ...], shares: tuple[float, ...], lang: str) -> str:
    if not units:
        return t("ov_no_unit", lang)
    if len(units) == 1:
        return units[0].unit_navn
    return _joined([f"{u.unit_navn} ({fmt.percent(s, lang)})" for u, s in zip(units, shares, strict=True)], lang)


def _kommune_list(codes: tuple[str, ...], names: dict[str, str], lang: str) -> str:
    return _joined([names.get(c, c) for c in codes], lang)


def _hospitals(units: tuple[UnitFacts, ...], lang: str) -> str:
    """'Kolding Sygehus (Sundhedsklynge Lillebælt)'; '… (Sundhedsråd Lillebælt; akutsygehuse i området)'."""
    parts = []
    for u in units:
        key = "ov_hospital_none" if not u.hospitals else "ov_hospital_area" if u.area else "ov_hospital_of"
        parts.append(t(key, lang, list=", ".join(u.hospitals), unit=u.unit_navn))
    return "; ".join(parts)


def _count(n: int, what: str, lang: str) -> str:
    """'1 kommune' / '4 kommuner', '1 enhed' / '2 enheder' (``what``: 'kommuner' or 'units')."""
    return t(f"ov_n_{what}_one" if n == 1 else f"ov_n_{what}", lang, n=fmt.number(n, 0, lang))


def _sentence(text: str) -> str:
    """A sentence starts with a capital ('fra 1. januar 2027 …' → 'Fra 1. januar 2027 …')."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Dates:
    """When the old layer ends and the new one begins (either may be unknown)."""

    until: dt.date | None = None
    since: dt.date | None = None

    @classmethod
    def of(cls, bundle: Bundle, old: str, new: str) -> Dates:
        return cls(bundle.registry.entry(old).valid_to, bundle.registry.entry(new).valid_from)

    def since_text(self, lang: str) -> str:
        """'fra 1. januar 2027' (or 'efter skiftet' without a date)."""
        return (t("ov_from_date", lang, date=roles.date_text(self.since, lang)) if self.since
                else t("ov_after", lang))

    def until_text(self, lang: str) -> str:
        """'til og med 31. december 2026' (or 'før skiftet' without a date)."""
        return (t("ov_until_date", lang, date=roles.date_text(self.until, lang)) if self.until
                else t("ov_before", lang))


def kommune_sentences(change: KommuneChange, dates: Dates, year: int, lang: str = "da") -> list[str]:
    """The change for one kommune in plain sentences (plain text; escape where shown)."""
    c = change
    out = [t("ov_k_move", lang, navn=c.kommune_navn, kode=c.kommune_kode, until=dates.until_text(lang),
             old=_units_with_shares(c.old, c.shares_old, lang), since=dates.since_text(lang),
             new=_units_with_shares(c.new, c.shares_new, lang))]
    if c.unchanged:
        out.append(t("ov_k_same", lang, navn=c.kommune_navn, n=len(c.kept)))
    else:
        if c.gained:
            out.append(t("ov_k_gained", lang, navn=c.kommune_navn, n=len(c.gained),
                         list=_kommune_list(c.gained, c.names, lang)))
        else:
            out.append(t("ov_k_gained_none", lang, navn=c.kommune_navn))
        if c.left:
            out.append(t("ov_k_left", lang, navn=c.kommune_navn, n=len(c.left),
                         list=_kommune_list(c.left, c.names, lang)))
        else:
            out.append(t("ov_k_left_none", lang, navn=c.kommune_navn))
    pops = lambda units: _joined([f"{u.unit_navn} {_people(u.population, lang)}" for u in units], lang)  # noqa: E731
    out.append(t("ov_population", lang, year=year, old=pops(c.old), new=pops(c.new)))
    out.append(t("ov_hospitals", lang, old=_hospitals(c.old, lang), new=_hospitals(c.new, lang)))
    return [_sentence(x) for x in out]


def unit_sentences(change: UnitChange, dates: Dates, year: int, lang: str = "da") -> list[str]:
    """The change for one unit in plain sentences, from its own side (plain text; escape where shown)."""
    c = change
    n = len(c.members)
    facts = {u.unit_id: u for u in c.others}
    parts = []
    for r in c.parts.itertuples():
        where = t("ov_whole", lang) if r.whole else t("ov_part", lang, pct=fmt.percent(r.share_of_other, lang))
        name = facts[r.unit_id].unit_navn if r.unit_id in facts else t("ov_no_unit", lang)
        parts.append(t("ov_part_item", lang, unit=name, kommuner=_kommune_list(r.kommuner, c.names, lang),
                       people=_people(r.population, lang), where=where))
    listed = "; ".join(parts)
    same = len(c.parts) == 1 and bool(c.parts["whole"].iloc[0]) and not c.outside
    if c.side == "from":
        if len(c.parts) == 1:
            out = [t("ov_u_from_one", lang, unit=c.unit.unit_navn, kommuner=_count(n, "kommuner", lang),
                     since=dates.since_text(lang),
                     other=c.others[0].unit_navn if c.others else t("ov_no_unit", lang))]
        else:
            out = [t("ov_u_from_split", lang, unit=c.unit.unit_navn, kommuner=_count(n, "kommuner", lang),
                     since=dates.since_text(lang), m=_count(len(c.parts), "units", lang), list=listed)]
        if same:
            out.append(t("ov_u_from_same", lang, other=c.others[0].unit_navn))
        elif c.outside:
            out.append(t("ov_u_joined", lang, n=len(c.outside), list=_kommune_list(c.outside, c.names, lang)))
    else:
        out = [t("ov_u_to", lang, unit=c.unit.unit_navn, kommuner=_count(n, "kommuner", lang),
                 since=dates.since_text(lang), m=_count(len(c.parts), "units", lang), list=listed)]
        if same:
            out.append(t("ov_u_to_same", lang, other=c.others[0].unit_navn))
        elif c.outside:
            out.append(t("ov_u_left", lang, n=len(c.outside), list=_kommune_list(c.outside, c.names, lang)))
    others = _joined([f"{u.unit_navn} {_people(u.population, lang)}" for u in c.others], lang)
    out.append(t("ov_u_population", lang, year=year, unit=c.unit.unit_navn, people=_people(c.unit.population, lang),
                 others=others))
    mine = (c.unit,)
    old, new = (mine, c.others) if c.side == "from" else (c.others, mine)
    out.append(t("ov_hospitals", lang, old=_hospitals(old, lang), new=_hospitals(new, lang)))
    return [_sentence(x) for x in out]


def overview_sentence(walk: pd.DataFrame, dates: Dates, old_name: str, new_name: str, lang: str = "da") -> str:
    """One sentence on the whole change: how many units become how many, and how many kommuner change company."""
    s = summary(walk)
    return _sentence(t("ov_overview", lang, n_from=s["n_from"], old=old_name, n_to=s["n_to"], new=new_name,
                       since=dates.since_text(lang), changed=s["n_changed"], n=s["n_kommuner"]))


# --- what a page shows -------------------------------------------------------------------------

CHOICES = {"kommune": "kommune_kode", "fra": "from_unit_id", "til": "to_unit_id"}


def rows_for(walk: pd.DataFrame, mode: str, choice: str | None) -> pd.DataFrame:
    """The crosswalk rows of one choice: a kommune (``mode='kommune'``), a unit of the old layer (``'fra'``)
    or of the new one (``'til'``); no choice: every row."""
    if mode not in CHOICES:
        raise ValueError(f"mode must be in the set: {list(CHOICES)}; got {mode!r}")
    if not choice:
        return walk
    return walk[walk[CHOICES[mode]] == choice]


def units_of(rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The old and the new units that ``rows`` touch (unit ids, in order of appearance)."""
    return ([u for u in dict.fromkeys(rows["from_unit_id"]) if u],
            [u for u in dict.fromkeys(rows["to_unit_id"]) if u])


def display_table(walk: pd.DataFrame, bundle: Bundle, lang: str, old_name: str, new_name: str) -> pd.DataFrame:
    """Crosswalk rows for reading: headers in ``lang``, the share as a percentage and people by locale,
    København's bydele by name, the confidence of the less sure side in words."""
    subs = dict(zip(bundle.sub_areas["sub_area_id"].astype(str), bundle.sub_areas["sub_area_navn"], strict=False))
    rank = {"low": 0, "medium": 1, "high": 2}
    year = int(walk["population_year"].iloc[0]) if len(walk) else ""
    confidence = [min((c for c in (a, b) if c in rank), key=rank.get, default="")
                  for a, b in zip(walk["from_confidence"], walk["to_confidence"], strict=True)]
    bydele = [", ".join(subs.get(s, s) for s in str(v).split(";") if s) for v in walk["sub_areas"]]
    return pd.DataFrame({
        t("col_code", lang): walk["kommune_kode"],
        t("col_kommune_name", lang): walk["kommune_navn"],
        t("ov_col_from", lang, layer=old_name): [n or t("ov_no_unit", lang) for n in walk["from_unit_navn"]],
        t("ov_col_to", lang, layer=new_name): [n or t("ov_no_unit", lang) for n in walk["to_unit_navn"]],
        t("ov_col_share", lang): [fmt.percent(s, lang) for s in walk["share"]],
        t("ov_col_population", lang, year=year): [fmt.number(n, 0, lang) for n in walk["population"]],
        t("ov_col_bydele", lang): bydele,
        t("col_confidence", lang): [confidence_word(c, lang) if c else "" for c in confidence],
    })
