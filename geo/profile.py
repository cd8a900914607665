"""One kommune: its memberships in every layer, a plain-language summary, hospitals, key figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo import aggregate, catalog, fmt, model, roles
from geo.bundle import Bundle
from geo.config import CRS_DRAW, CRS_WORK
from geo.i18n import t

# The summary line of each role after the care geography (roles without a line are not summarised).
ROLE_LINES = {"psych_adult": "summary_psych_adult", "psych_child": "summary_psych_child"}


@dataclass(frozen=True)
class Fact:
    """One sentence of the summary with the confidence of the rows it rests on.

    ``text`` is plain text (it holds kommune, unit and hospital names from the data): whoever
    renders it escapes it, e.g. ``st.markdown(geo.safe.md(fact.text))``.
    """

    key: str
    text: str
    confidence: str
    why: str = ""


def memberships_of(bundle: Bundle, kode: str) -> pd.DataFrame:
    """Every assignment row of one kommune, with unit names, sub-area names and the unit's sites."""
    rows = bundle.assignments[bundle.assignments["kommune_kode"] == kode].copy()
    units = bundle.units[["layer", "unit_id", "unit_navn", "hospital", "site_ids"]]
    rows = rows.merge(units, on=["layer", "unit_id"], how="left", validate="many_to_one")
    subs = bundle.sub_areas[bundle.sub_areas["kommune_kode"] == kode]
    names = dict(zip(subs["sub_area_id"], subs["sub_area_navn"], strict=True))
    rows["sub_area_names"] = [
        ", ".join(names[s] for s in str(v).split(";") if s in names) for v in rows["sub_areas"]
    ]
    return rows.sort_values(["layer", "share"], ascending=[True, False]).reset_index(drop=True)


def _confidence_phrase(level: str, lang: str) -> str:
    return t(f"conf_phrase_{level}", lang)


def _unit_list(rows: pd.DataFrame, lang: str, *, confidence: bool = True) -> str:
    """'Unit A (58 % af borgerne, bydelene X, Y; sikkerhed: middel) og Unit B (...)'."""
    parts = []
    for i, r in enumerate(rows.itertuples()):
        details = []
        if len(rows) > 1:
            details.append(t("share_of_citizens" if i == 0 else "share_short", lang, pct=fmt.percent(r.share, lang)))
        if r.sub_area_names:
            details.append(t("sub_areas_named", lang, names=r.sub_area_names))
        if confidence:
            details.append(_confidence_phrase(r.confidence, lang))
        parts.append(f"{r.unit_navn} ({'; '.join(details)})" if details else str(r.unit_navn))
    return _joined(parts, lang)


def _joined(parts: list[str], lang: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {t('and', lang)} " + parts[-1]


def _why(rows: pd.DataFrame, lang: str) -> str:
    """The reasons given for the rows among ``rows`` that are not *high* (in ``lang``), joined: why a
    *low* row is uncertain, or what a *medium* row rests on where the data say so."""
    column = "why_da" if lang == "da" else "why_en"
    if column not in rows.columns:
        return ""
    shaky = rows[(rows["confidence"] != "high") & (rows[column].fillna("") != "")]
    return " ".join(dict.fromkeys(shaky[column]))


def _lowest(levels: pd.Series) -> str:
    order = {"low": 0, "medium": 1, "high": 2}
    return min(levels, key=lambda c: order.get(c, -1))


def _region_part(rows: pd.DataFrame, layer: str | None) -> str:
    """', Region Syddanmark' for the kommune's unit of the region layer ``layer`` ('' without one)."""
    names = rows.loc[rows["layer"] == layer, "unit_navn"] if layer else []
    return ", " + ", ".join(names) if len(names) else ""


def _with_hospitals(bundle: Bundle, kode: str, rows: pd.DataFrame, layer: str, lang: str) -> str:
    """'Sundhedsklynge Lillebælt (akutsygehus: Kolding Sygehus)' for the kommune's units of ``layer``."""
    sites = unit_sites(bundle, layer)
    names = bundle.sites.set_index("site_id")["name"]
    parts = []
    for r in rows.itertuples():
        listed = [names[s] for s in sites.get(r.unit_id, [])]
        if listed:
            key = "unit_hospitals_short" if len(listed) > 1 else "unit_hospital_short"
            parts.append(f"{r.unit_navn} ({t(key, lang, list=', '.join(listed))})")
        else:
            parts.append(str(r.unit_navn))
    return _joined(parts, lang)


def summary(bundle: Bundle, kode: str, lang: str = "da", on: dt.date | None = None, *,
            rows: pd.DataFrame | None = None, hospitals: pd.DataFrame | None = None,
            nearest: pd.Series | None = None) -> list[Fact]:
    """The plain-language summary of a kommune on a date, one `Fact` per sentence.

    It leads with the geography in force on ``on`` (default: today in Denmark; `geo.roles`): the care
    geography (the sundhedsklynger until 31 December 2026, the sundhedsråd from 1 January 2027) and
    the region, then what it replaced or what replaces it, the acute hospital(s), the nearest one,
    and the psychiatry.

    ``rows``, ``hospitals`` and ``nearest`` are what `memberships_of`, `hospitals_of` (of the care layer
    in force) and `nearest_acute` return for ``kode``; a caller that already has them (the static atlas
    writes every kommune in two languages) passes them in instead of computing them again.
    """
    on = on or roles.today()
    reg = bundle.registry
    rows = memberships_of(bundle, kode) if rows is None else rows
    name = bundle.kommuner.set_index("kommune_kode").loc[kode, "kommune_navn"]
    force = reg.layers_in_force(on)
    care = force.get("care") or reg.main_layer(on)
    region = force.get("region")
    facts = []
    own = rows[rows["layer"] == care]
    entry = reg.entry(care)
    since = (t("summary_since_part", lang, date=roles.date_text(entry.valid_from, lang))
             if entry.valid_from is not None else "")
    lead = t("summary_lead", lang, navn=name, kode=kode, units=_unit_list(own, lang),
             region=_region_part(rows, region), since=since)
    facts.append(Fact("care", lead, _lowest(own["confidence"]), _why(own, lang)))
    before, after = reg.predecessor(care), reg.successor(care)
    if before is not None and before.valid_to is not None:
        old = rows[rows["layer"] == before.layer]
        if len(old):
            facts.append(Fact("care_before", t("summary_until", lang, date=roles.date_text(before.valid_to, lang),
                                                  units=_with_hospitals(bundle, kode, old, before.layer, lang)),
                              _lowest(old["confidence"]), _why(old, lang)))
    hospitals = hospitals_of(bundle, kode, care, rows=rows) if hospitals is None else hospitals
    if not hospitals.empty:
        listed = ", ".join(f"{h.name} ({fmt.number(h.km, 0, lang)} km)" for h in hospitals.itertuples())
        plural = "s" if len(hospitals) > 1 else ""
        area = (hospitals["basis"] == "area").all() if "basis" in hospitals.columns else False
        key = f"summary_hospital{plural}_area" if area else f"summary_hospital{plural}"
        facts.append(Fact("hospital", t(key, lang, list=listed), _lowest(own["confidence"])))
    nearest = nearest_acute(bundle, kode) if nearest is None else nearest
    if nearest is not None and nearest["site_id"] not in set(hospitals["site_id"]):
        facts.append(Fact("nearest", t("summary_nearest", lang, name=nearest["name"],
                                       km=fmt.number(nearest["km"], 0, lang)), "high"))
    if after is not None and after.valid_from is not None:
        new = rows[rows["layer"] == after.layer]
        later_region = reg.in_force("region", after.valid_from)
        if len(new):
            text = t("summary_from", lang, date=roles.date_text(after.valid_from, lang), units=_unit_list(new, lang),
                     region=_region_part(rows, later_region))
            facts.append(Fact("care_after", text, _lowest(new["confidence"]), _why(new, lang)))
    for role, key in ROLE_LINES.items():
        sel = rows[rows["layer"] == force.get(role)]
        if len(sel):
            facts.append(Fact(role, t(key, lang, units=_unit_list(sel, lang)), _lowest(sel["confidence"]),
                              _why(sel, lang)))
    return facts


def _points_25832(lat: pd.Series, lon: pd.Series) -> gpd.GeoSeries:
    pts = gpd.GeoSeries([Point(x, y) for x, y in zip(lon.astype(float), lat.astype(float), strict=True)],
                        index=lat.index, crs=CRS_DRAW)
    return pts.to_crs(CRS_WORK)


def origin_point(bundle: Bundle, kode: str) -> Point:
    """Where distances start: the kommune's representative point in EPSG:25832.

    No population grid is among the sources, so a population-weighted centre is not available.
    """
    geom = bundle.kommuner.set_index("kommune_kode").geometry[kode]
    return geom.representative_point()


def site_distances(bundle: Bundle, kode: str, site_ids: list[str] | None = None,
                   kinds: tuple[str, ...] = ("akutsygehus",)) -> pd.DataFrame:
    """Straight-line distance in km (EPSG:25832) from the kommune to sites with coordinates."""
    sites = bundle.sites[(bundle.sites["lat"] != "") & bundle.sites["kind"].isin(kinds)]
    if site_ids is not None:
        sites = sites[sites["site_id"].isin(site_ids)]
    origin = origin_point(bundle, kode)
    notes = [c for c in ("note", "note_en") if c in sites.columns]
    out = sites[["site_id", "name", "kind", "confidence", *notes]].copy()
    out["km"] = _points_25832(sites["lat"], sites["lon"]).distance(origin).values / 1000
    return out.sort_values("km").reset_index(drop=True)


def unit_sites(bundle: Bundle, layer: str) -> dict[str, list[str]]:
    """The acute hospital sites of each unit of ``layer`` (unit id → site ids).

    Units that name their sites in ``units.csv`` (``site_ids``: the klynger's acute hospitals) keep
    them. A layer whose units name none (the 2027 sundhedsråd: a council has no hospital of its own)
    gets the acute hospitals that lie inside the unit's kommuner (`Bundle.site_kommuner`).
    """
    units = bundle.units[bundle.units["layer"] == layer]
    named = {r.unit_id: [s for s in str(r.site_ids).split(";") if s] for r in units.itertuples()}
    if any(named.values()):
        return named
    where = bundle.site_kommuner
    acute = set(bundle.sites.loc[bundle.sites["kind"] == "akutsygehus", "site_id"])
    rows = model.layer_assignments(bundle.assignments, layer)
    out: dict[str, list[str]] = {u: [] for u in units["unit_id"]}
    for site, kode in where.items():
        if site in acute:
            for unit in rows.loc[rows["kommune_kode"] == kode, "unit_id"]:
                out[unit].append(site)
    return out


def hospitals_of(bundle: Bundle, kode: str, layer: str, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The acute hospital site(s) of the kommune's unit(s) of ``layer``, with distance and ``basis``:
    ``'unit'`` where the unit names them, ``'area'`` where they are the acute hospitals inside the
    unit's kommuner (see `unit_sites`). ``rows``: the kommune's `memberships_of`, when the caller has it."""
    rows = memberships_of(bundle, kode) if rows is None else rows
    named = any(s for v in rows.loc[rows["layer"] == layer, "site_ids"] for s in str(v).split(";") if s)
    sites = unit_sites(bundle, layer)
    ids = [s for u in rows.loc[rows["layer"] == layer, "unit_id"] for s in sites.get(u, [])]
    out = site_distances(bundle, kode, list(dict.fromkeys(ids)))
    out["basis"] = "unit" if named else "area"
    return out


def nearest_acute(bundle: Bundle, kode: str) -> pd.Series | None:
    """The nearest acute hospital (any klynge)."""
    dist = site_distances(bundle, kode)
    return None if dist.empty else dist.iloc[0]


@dataclass(frozen=True)
class FillValues:
    """One numeric fill computed once for every kommune: values, weights, Denmark and ranks."""

    fill: catalog.Fill
    values: pd.Series
    weights: pd.Series
    national: float
    ranks: pd.Series


def fill_values(bundle: Bundle) -> dict[str, FillValues]:
    """Every numeric fill of the catalog with its kommune values, weights, national value and
    ranks (1 = highest), computed once (key → `FillValues`)."""
    out = {}
    for key, fill in catalog.fill_catalog(bundle.population, bundle.indicators).items():
        if fill.kind == "category":
            continue
        values = catalog.kommune_values(key, bundle.population, bundle.indicators)
        weights = catalog.weights_for(fill, bundle.population)
        national, _ = aggregate.national_value(values, weights, fill.kind)
        out[key] = FillValues(fill, values, weights, national, values.rank(ascending=False, method="min"))
    return out


def unit_aggregates(bundle: Bundle, layer: str, fills: dict[str, FillValues]) -> dict[str, pd.DataFrame]:
    """Share-weighted unit values of ``layer`` for every fill (key → frame indexed by ``unit_id``)."""
    members = model.layer_assignments(bundle.assignments, layer)
    return {key: aggregate.aggregate_to_units(fv.values, members, fv.weights, fv.fill.kind).set_index("unit_id")
            for key, fv in fills.items()}


def key_figures(bundle: Bundle, kode: str, layer: str, lang: str = "da",
                fills: dict[str, FillValues] | None = None,
                aggregates: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Population and every indicator for the kommune, its unit(s) of ``layer`` (share-weighted),
    Denmark, and the kommune's rank among the kommuner with data (1 = highest value).

    ``fills`` and ``aggregates`` (from `fill_values` and `unit_aggregates`) may be passed by a
    caller that shows many kommuner; they are computed here otherwise.

    Returns
    -------
    DataFrame
        ``key``, ``label``, ``unit``, ``year``, ``kommune``, one column per unit name, ``danmark``,
        ``rank``, ``n_ranked``, ``better``, ``source``.
    """
    fills = fill_values(bundle) if fills is None else fills
    aggregates = unit_aggregates(bundle, layer, fills) if aggregates is None else aggregates
    members = model.layer_assignments(bundle.assignments, layer)
    own = members[members["kommune_kode"] == kode].sort_values("share", ascending=False)
    names = bundle.units.set_index(["layer", "unit_id"])["unit_navn"]
    unit_cols = {u: names[(layer, u)] for u in own["unit_id"]}
    records = []
    for key, fv in fills.items():
        fill, values, ranks = fv.fill, fv.values, fv.ranks
        agg = aggregates[key]
        record = {
            "key": key,
            "label": fill.label(lang),
            "unit": fill.unit_in(lang),
            "year": fill.year,
            "kommune": values.get(kode),
            "danmark": fv.national,
            "rank": int(ranks[kode]) if kode in ranks else None,
            "n_ranked": int(values.notna().sum()),
            "better": fill.better,
            "kind": fill.kind,
            "source": fill.source,
        }
        for uid, uname in unit_cols.items():
            record[uname] = agg.loc[uid, "value"]
        records.append(record)
    return pd.DataFrame.from_records(records)
