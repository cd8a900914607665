"""The datapakke: a printable profile (A4 PDF, 2–4 pages) of one unit of any layer or of one kommune.

`unit_doc` and `kommune_doc` gather what the document shows (header, map, members with shares and
population, the population by age, the indicators beside Denmark with rank and spread, who serves
the residents, the confidence of each membership, the sources), as on a date ``on`` and for a
population year, in Danish or English. `render_html` writes it through the atlas's Jinja
environment (`geo.site.environment`: every value escaped) and `pdf_bytes` turns that HTML into PDF
with WeasyPrint, whose `LocalOnlyFetcher` refuses every URL but the project's templates and the
``data:`` images made here: text from the data stays text, and rendering makes no outside request.

Geometry questions are answered in EPSG:25832; the map is `geo.png.unit_map_png`.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo import catalog, citations, fmt, model, png, profile, readable, roles, ulighed, views, viewstate
from geo.bundle import Bundle
from geo.classify import membership_colours
from geo.errors import KlyngekortError
from geo.i18n import t

TEMPLATES = Path(__file__).parent / "templates"
DRAW_TOLERANCE = 100.0  # metres: the geometry of the map on paper
COLOUR_TOLERANCE = views.DISPLAY_TOLERANCE  # the national map's geometry: the same colours as the app
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
ACCENT = "#0a4f96"


class PdfEngineError(KlyngekortError):
    """WeasyPrint, Pango or a font is missing: the PDF cannot be made."""


# --------------------------------------------------------------------------- computed once per bundle

@dataclass
class Context:
    """What every document of one bundle shares: fills, unit aggregates, map geometry and colours."""

    bundle: Bundle
    fills: dict[str, profile.FillValues] = field(default_factory=dict)
    aggregates: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    parts: dict[str, pd.DataFrame] = field(default_factory=dict)
    _displays: dict[float, views.Display] = field(default_factory=dict)

    @classmethod
    def of(cls, bundle: Bundle) -> Context:
        return cls(bundle, profile.fill_values(bundle))

    def display(self, tol: float) -> views.Display:
        if tol not in self._displays:
            self._displays[tol] = views.make_display(self.bundle, tol)
        return self._displays[tol]

    def unit_aggregates(self, layer: str) -> dict[str, pd.DataFrame]:
        if layer not in self.aggregates:
            self.aggregates[layer] = profile.unit_aggregates(self.bundle, layer, self.fills)
        return self.aggregates[layer]

    def layer_parts(self, layer: str):
        """The layer's kommune parts for drawing, with the national map's membership colours."""
        if layer not in self.parts:
            b = self.bundle
            coarse = self.display(COLOUR_TOLERANCE)
            units = model.unit_geometries(model.layer_parts(coarse.kommuner, coarse.sub_areas, b.assignments,
                                                            b.units, layer))
            colours = membership_colours(units)
            d = self.display(DRAW_TOLERANCE)
            parts = model.layer_parts(d.kommuner, d.sub_areas, b.assignments, b.units, layer)
            parts["colour"] = parts["unit_id"].map(colours)
            self.parts[layer] = parts
        return self.parts[layer]


# --------------------------------------------------------------------------- small charts (SVG, numbers only)

def _svg(width: int, height: int, body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(label)}">{body}</svg>')


def dot_plot(values: list[float], own: float | None, national: float | None, label: str) -> str:
    """A dot plot on one line from the lowest to the highest value (the row's spread, written beside it):
    every unit (or kommune) a grey dot, Denmark a black tick, this one a large blue dot. Only positions,
    no bars or areas, so an axis that does not start at zero misleads no one."""
    width, height, left, right = 190, 22, 6, 6
    data = [v for v in values if v is not None and not pd.isna(v)]
    marks = [v for v in (*data, own, national) if v is not None and not pd.isna(v)]
    low, top = (min(marks), max(marks)) if marks else (0.0, 1.0)
    span = (top - low) or 1.0

    def x(v: float) -> float:
        return round(left + (v - low) / span * (width - left - right), 1)

    body = [f'<line x1="{x(low)}" y1="15" x2="{x(top)}" y2="15" stroke="#888" stroke-width="0.8"/>']
    if data:  # one path for every dot (round caps on short strokes): a light page for the PDF engine
        dots = " ".join(f"M{x(v)} 15h0.1" for v in data)
        body.append(f'<path d="{dots}" stroke="#8c8c8c" stroke-opacity="0.55" stroke-width="4.6" '
                    'stroke-linecap="round" fill="none"/>')
    if national is not None and not pd.isna(national):
        body.append(f'<line x1="{x(national)}" y1="5" x2="{x(national)}" y2="21" stroke="#111" stroke-width="1.6"/>')
    if own is not None and not pd.isna(own):
        body.append(f'<circle cx="{x(own)}" cy="15" r="4.2" fill="{ACCENT}" stroke="#fff" stroke-width="0.8"/>')
    return _svg(width, height, "".join(body), label)


def bar_pair(own: float | None, national: float | None, label: str) -> str:
    """Two bars from zero, this one (blue) above Denmark (grey), on a 0–100 % axis."""
    width, height = 150, 20

    def w(v: float | None) -> float:
        return 0.0 if v is None or pd.isna(v) else round(max(0.0, min(1.0, v)) * (width - 2), 1)

    body = (f'<rect x="1" y="2" width="{w(own)}" height="7" fill="{ACCENT}"/>'
            f'<rect x="1" y="11" width="{w(national)}" height="7" fill="#8c8c8c"/>'
            f'<line x1="1" y1="0" x2="1" y2="{height}" stroke="#444" stroke-width="0.8"/>')
    return _svg(width, height, body, label)


def data_uri(payload: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


GENERATED = "generated"  # the document's images: <img src="generated/map.png"> is served from memory


@dataclass(frozen=True)
class Image:
    """An image made for one document: served to the PDF engine by `local_only_fetcher` from memory
    (a large data: URI in the HTML would make the HTML parser crawl); ``str()`` is its ``src``."""

    name: str
    payload: bytes
    mime: str = "image/png"

    def __str__(self) -> str:
        return f"{GENERATED}/{self.name}"

    def as_data_uri(self) -> str:
        return data_uri(self.payload, self.mime)


# --------------------------------------------------------------------------- the parts of a document

def _num(value, fill: catalog.Fill, lang: str) -> str:
    return fmt.number(None if value is None or pd.isna(value) else float(value),
                      fmt.decimals_for(fill.unit, fill.kind), lang)


def _pop_year(bundle: Bundle, year: int | None) -> int:
    _, used = catalog.population_total(bundle.population, year)  # ValueError naming the years
    return used


def _citation_rows(fields: list[str], bundle: Bundle, lang: str) -> list[dict]:
    """Citations of ``fields`` (source fields), without repeats, linked where they have a web address."""
    seen, out = set(), []
    for source in fields:
        for c in citations.citations_for(source, bundle.citations):
            text = c.text(lang)
            if text not in seen:
                seen.add(text)
                out.append({"text": text, "href": c.url if citations.is_web_address(c.url) else None})
    return out


def _indicator_sources(ctx: Context, lang: str) -> list[dict]:
    seen = dict.fromkeys(catalog.source_text(fv.fill.source, lang) for fv in ctx.fills.values() if fv.fill.source)
    return [{"text": s, "href": None} for s in seen]


def _dates(on: dt.date, year: int, lang: str, today: dt.date) -> dict:
    return {"shown": t("date_shown", lang, date=roles.date_text(on, lang)),
            "year": t("pdf_pop_year", lang, year=year),
            "built": t("pdf_built", lang, date=roles.date_text(today, lang))}


def _why_of(rows: pd.DataFrame, lang: str) -> pd.Series:
    column = "why_da" if lang == "da" else "why_en"
    return rows[column].fillna("") if column in rows.columns else pd.Series("", index=rows.index)


def age_year(ctx: Context, year: int) -> int | None:
    """The year whose age groups a document shows: ``year`` where it has them, else the latest earlier
    year with them, else the earliest later one (the sources have age groups for 2020 only)."""
    have = sorted({int(k.split(":")[1]) for k in ctx.fills if k.startswith("pop:") and
                   not k.endswith(":population_total")})
    if not have:
        return None
    earlier = [y for y in have if y <= year]
    return earlier[-1] if earlier else have[0]


def _age_groups(ctx: Context, values: dict[str, float], year: int | None, lang: str) -> list[dict]:
    """Each age group of ``year`` with data: this one's count and share beside Denmark's share."""
    out = []
    if year is None:
        return out
    total_key = f"pop:{year}:population_total"
    total = values.get(total_key)
    national_total = ctx.fills[total_key].national if total_key in ctx.fills else None
    for col, (da, en) in catalog.POPULATION_GROUPS.items():
        key = f"pop:{year}:{col}"
        if col == "population_total" or key not in ctx.fills:
            continue
        own, dk = values.get(key), ctx.fills[key].national
        share = own / total if own is not None and total else None
        dk_share = dk / national_total if national_total else None
        name = da if lang == "da" else en
        out.append({"label": name, "value": fmt.number(own, 0, lang), "share": fmt.percent(share, lang, 1),
                    "danmark": fmt.percent(dk_share, lang, 1),
                    "chart": bar_pair(share, dk_share, t("pdf_bar_label", lang, group=name))})
    return out


def _indicators(ctx: Context, values: dict[str, float], ranks: dict[str, tuple[int | None, int]],
                everyone: dict[str, pd.Series], names: dict[str, pd.Series], lang: str) -> list[dict]:
    rows = []
    for key, fv in ctx.fills.items():
        if not key.startswith("ind:"):
            continue
        fill, own = fv.fill, values.get(key)
        all_values = everyone[key].dropna()
        rank, n = ranks.get(key, (None, 0))
        spread = ""
        if len(all_values):
            hi, lo = all_values.idxmax(), all_values.idxmin()
            spread = t("pdf_spread", lang, lo=_num(all_values[lo], fill, lang), lo_name=names[key].get(lo, lo),
                       hi=_num(all_values[hi], fill, lang), hi_name=names[key].get(hi, hi))
        rows.append({"label": fill.label(lang), "unit": fill.unit_in(lang), "value": _num(own, fill, lang),
                     "danmark": _num(fv.national, fill, lang),
                     "rank": t("rank_of", lang, rank=rank, n=n) if rank is not None else "–",
                     "spread": spread,
                     "chart": dot_plot(list(all_values), own, fv.national, t("pdf_dot_label", lang,
                                                                             label=fill.label(lang)))})
    return rows


def _serving_title(bundle: Bundle, other: str, layer: str, lang: str) -> str:
    nxt = bundle.registry.successor(layer)
    if nxt is not None and other == nxt.layer and nxt.valid_from is not None:
        return t("next_serving", lang, date=roles.date_text(nxt.valid_from, lang))
    return t("care_serving" if bundle.registry.entry(other).role == "care" else "psych_serving", lang)


def _layer_line(bundle: Bundle, layer: str, on: dt.date, lang: str) -> str:
    """'Enhed i laget Sundhedsklynger (2022), gældende fra 1. juli 2022 (historisk …)'."""
    entry = bundle.registry.entry(layer)
    line = t("site_layer_of", lang, layer=entry.name(lang))
    if entry.valid_from is not None:
        line += ", " + t("pdf_valid_from", lang, date=roles.date_text(entry.valid_from, lang))
    if entry.valid_to is not None:
        line += ", " + t("pdf_valid_to", lang, date=roles.date_text(entry.valid_to, lang))
    status = entry.status(on)  # the dates are on the line already: say only whether it is in force
    return f"{line} ({t('pdf_status_' + status, lang)})" if status in ("ended", "future") else line


def _sites_frame(bundle: Bundle, site_ids: list[str]) -> pd.DataFrame:
    sites = bundle.sites[(bundle.sites["lat"] != "") & bundle.sites["site_id"].isin(site_ids)]
    return pd.DataFrame({"name": sites["name"].to_numpy(), "lat": sites["lat"].astype(float).to_numpy(),
                         "lon": sites["lon"].astype(float).to_numpy()})


def _map(ctx: Context, layer: str, focus: list[str], site_ids: list[str], lang: str, outline=None) -> Image:
    parts = ctx.layer_parts(layer)
    text = png.UnitMapText(unit=t("pdf_map_unit", lang), neighbours=t("pdf_map_neighbours", lang),
                           hospital=t("pdf_map_hospital", lang), outline=t("pdf_map_outline", lang))
    image = png.unit_map_png(parts, focus, text, sites=_sites_frame(ctx.bundle, site_ids), outline=outline,
                             short=views.short_name)
    return Image("map.png", image)


# --------------------------------------------------------------------------- the documents

def unit_doc(ctx: Context, layer: str, unit_id: str, lang: str = "da", on: dt.date | None = None,
             year: int | None = None, today: dt.date | None = None) -> dict:
    """The profile of unit ``unit_id`` of ``layer`` as on ``on`` (default: today in Denmark) with the
    population of ``year`` (default: the latest): a dict for the ``profile.html`` template."""
    b = ctx.bundle
    on, today = on or roles.today(), today or roles.today()
    b.layer(layer)
    units = b.units[(b.units["layer"] == layer) & (b.units["unit_id"] == unit_id)]
    if units.empty:
        known = ", ".join(b.units.loc[b.units["layer"] == layer, "unit_id"])
        raise ValueError(f"unit {unit_id!r} is not a unit of {layer!r}; expected one of {known}")
    unit = units.iloc[0]
    year = _pop_year(b, year)
    members = ulighed.kommuner_in_unit(b, layer, unit_id, year=year)
    rows = model.layer_assignments(b.assignments_for(year), layer)
    rows = rows[rows["unit_id"] == unit_id].set_index("kommune_kode")
    why = _why_of(rows, lang)
    subs = b.sub_areas.set_index(["kommune_kode", "sub_area_id"])["sub_area_navn"]
    member_rows, shaky = [], []
    for m in members.itertuples():
        sub_names = [subs.get((m.kommune_kode, s), s) for s in str(m.sub_areas or "").split(";") if s]
        reason = why.get(m.kommune_kode, "")
        member_rows.append({"navn": m.kommune_navn, "kode": m.kommune_kode, "subs": ", ".join(sub_names),
                            "share": fmt.percent(m.share, lang), "population": fmt.number(m.population, 0, lang),
                            "confidence": readable.confidence_word(m.confidence, lang), "level": m.confidence})
        if m.confidence != "high":
            shaky.append({"what": m.kommune_navn, "level": readable.confidence_word(m.confidence, lang),
                          "why": reason or t("pdf_no_reason", lang)})
    aggregates = ctx.unit_aggregates(layer)
    values = {key: aggregates[key].loc[unit_id, "value"] for key in ctx.fills}
    everyone = {key: aggregates[key]["value"] for key in ctx.fills}
    ranks = {}
    for key, series in everyone.items():
        ranked = series.dropna().rank(ascending=False, method="min")
        ranks[key] = (int(ranked[unit_id]) if unit_id in ranked else None, len(ranked))
    unit_names = b.units[b.units["layer"] == layer].set_index("unit_id")["unit_navn"]
    names = {key: unit_names.map(views.short_name) for key in ctx.fills}  # the spread names the units shortly
    total = values.get(f"pop:{year}:population_total")
    sites = profile.unit_sites(b, layer).get(unit_id, [])
    site_names = b.sites.set_index("site_id")["name"]
    serving = []
    for other in b.registry.serving(layer, on):
        frame = ulighed.overlap(b, layer, unit_id, other, year)
        serving.append({"title": _serving_title(b, other, layer, lang),
                        "layer": b.registry.entry(other).name(lang),
                        "units": [{"navn": o.unit_navn, "share": fmt.percent(o.share, lang),
                                   "population": fmt.number(o.population, 0, lang)} for o in frame.itertuples()]})
    sources = [unit["source"], b.layer(layer)["source"], *rows["source"].tolist()]
    return {
        "kind": "unit", "lang": lang, "title": unit["unit_navn"], "subtitle": _layer_line(b, layer, on, lang),
        "hospitals": [site_names[s] for s in sites if s in site_names.index] or [unit["hospital"]
                                                                                 or t("site_no_hospital", lang)],
        "hospitals_label": t("pdf_hospitals" if b.registry.entry(layer).role == "care" else "unit_hospitals", lang),
        "dates": _dates(on, year, lang, today),
        "population": fmt.number(total, 0, lang), "year": year,
        "lead": t("pdf_unit_lead", lang, n=len(member_rows), population=fmt.number(total, 0, lang), year=year),
        "map": _map(ctx, layer, [unit_id], sites, lang),
        "map_caption": t("pdf_map_caption_unit", lang, unit=unit["unit_navn"]),
        "members": member_rows, "ages": _age_groups(ctx, values, age_year(ctx, year), lang),
        "age_year": age_year(ctx, year),
        "indicators": _indicators(ctx, values, ranks, everyone, names, lang),
        "compared": t("pdf_compared_units", lang, n=len(unit_names)),
        "serving": serving, "shaky": shaky, "facts": [], "hospital_rows": [], "bydele": [],
        "citations": _citation_rows(sources, b, lang), "indicator_sources": _indicator_sources(ctx, lang),
    }


def kommune_doc(ctx: Context, kode: str, lang: str = "da", on: dt.date | None = None, year: int | None = None,
                today: dt.date | None = None) -> dict:
    """The profile of kommune ``kode`` as on ``on`` with the population of ``year`` (see `unit_doc`)."""
    b = ctx.bundle
    on, today = on or roles.today(), today or roles.today()
    kommuner = b.kommuner.set_index("kommune_kode")
    if kode not in kommuner.index:
        raise ValueError(f"kommune {kode!r} is unknown: give a kommunekode such as 0101 or 0410")
    navn = kommuner.loc[kode, "kommune_navn"]
    year = _pop_year(b, year)
    reg = b.registry
    care = reg.main_layer(on)
    rows = profile.memberships_of(b, kode)
    hospitals = profile.hospitals_of(b, kode, care, rows=rows)
    nearest = profile.nearest_acute(b, kode)
    facts = profile.summary(b, kode, lang, on, rows=rows, hospitals=hospitals, nearest=nearest)
    shown = list(reg.layers_in_force(on).values())
    nxt = reg.successor(care)
    if nxt is not None:
        shown.append(nxt.layer)
    why = _why_of(rows, lang)
    member_rows, shaky = [], []
    for r, reason in zip(rows.itertuples(), why, strict=True):
        if r.layer not in shown:
            continue
        entry = reg.entry(r.layer)
        status = viewstate.layer_status_text(entry, on, lang)
        member_rows.append({"order": shown.index(r.layer),
                            "layer": entry.name(lang) + (f" ({status})" if status else ""), "navn": r.unit_navn,
                            "subs": r.sub_area_names, "share": fmt.percent(r.share, lang),
                            "confidence": readable.confidence_word(r.confidence, lang), "level": r.confidence})
        if r.confidence != "high":
            shaky.append({"what": f"{entry.name(lang)}: {r.unit_navn}",
                          "level": readable.confidence_word(r.confidence, lang),
                          "why": reason or t("pdf_no_reason", lang)})
    member_rows.sort(key=lambda m: m["order"])  # stable: within a layer, the larger share first
    hospital_rows = [{"name": h.name, "km": fmt.number(h.km, 1, lang),
                      "role": t("role_area" if h.basis == "area" else "role_unit", lang,
                                layer=reg.entry(care).name(lang))} for h in hospitals.itertuples()]
    if nearest is not None and nearest["site_id"] not in set(hospitals["site_id"]):
        hospital_rows.append({"name": nearest["name"], "km": fmt.number(nearest["km"], 1, lang),
                              "role": t("role_nearest", lang)})
    values, everyone, ranks, names = {}, {}, {}, {}
    kommune_names = kommuner["kommune_navn"]
    for key, fv in ctx.fills.items():
        values[key] = fv.values.get(kode)
        everyone[key] = fv.values
        ranks[key] = (int(fv.ranks[kode]) if kode in fv.ranks else None, int(fv.values.notna().sum()))
        names[key] = kommune_names
    bydele = []
    pop = b.sub_area_population
    if pop is not None and kode in set(pop["kommune_kode"]):
        split_year = b.split_year(year, kode)
        here = pop[(pop["kommune_kode"] == kode) & (pop["year"] == split_year)]
        care_rows = rows[rows["layer"] == care]
        owner = {s: u for u, v in zip(care_rows["unit_navn"], care_rows["sub_areas"], strict=True)
                 for s in str(v).split(";") if s}
        bydele = [{"navn": r.sub_area_navn, "population": fmt.number(r.population, 0, lang),
                   "unit": owner.get(r.sub_area_id, "–")} for r in here.itertuples()]
        bydele_year = split_year
    own = rows[rows["layer"] == care]
    site_ids = list(hospitals["site_id"]) + ([] if nearest is None else [nearest["site_id"]])
    outline = kommuner.geometry[kode]
    total = values.get(f"pop:{year}:population_total")
    region = views.regions_on(b, on).get(kode, "")
    sources = [b.layer(layer)["source"] for layer in shown] + rows.loc[rows["layer"].isin(shown), "source"].tolist()
    return {
        "kind": "kommune", "lang": lang, "title": f"{navn} ({kode})",
        "subtitle": t("pdf_kommune_what", lang, region=region),
        "hospitals": [], "dates": _dates(on, year, lang, today),
        "population": fmt.number(total, 0, lang), "year": year,
        "lead": t("pdf_kommune_lead", lang, population=fmt.number(total, 0, lang), year=year),
        "map": _map(ctx, care, list(own["unit_id"]), site_ids, lang, outline=outline),
        "map_caption": t("pdf_map_caption_kommune", lang, units=", ".join(own["unit_navn"]), navn=navn),
        "members": member_rows, "ages": _age_groups(ctx, values, age_year(ctx, year), lang),
        "age_year": age_year(ctx, year),
        "indicators": _indicators(ctx, values, ranks, everyone, names, lang),
        "compared": t("pdf_compared_kommuner", lang, n=len(kommuner)),
        "serving": [], "shaky": shaky, "facts": facts, "hospital_rows": hospital_rows,
        "bydele": bydele, "bydele_year": bydele_year if bydele else None,
        "citations": _citation_rows(sources, b, lang), "indicator_sources": _indicator_sources(ctx, lang),
    }


# --------------------------------------------------------------------------- HTML and PDF

def render_html(doc: dict) -> str:
    """The document as HTML (the ``profile.html`` template, every value escaped by the atlas's environment)."""
    from geo.site import environment

    lang = doc["lang"]
    return environment().get_template("profile.html").render(
        doc=doc, lang=lang, t=lambda key, **kw: t(key, lang, **kw))


class _Engine:
    """WeasyPrint loaded once per process, with one font configuration (faster for many documents)."""

    module = None
    fonts = None


def engine():
    """The weasyprint module; `PdfEngineError` naming the Debian packages when Pango or a font is missing."""
    if _Engine.module is None:
        try:
            import weasyprint
            from weasyprint.text.fonts import FontConfiguration
        except (OSError, ImportError) as exc:
            raise PdfEngineError(
                f"cannot make PDF: WeasyPrint or the Pango library it needs is missing ({exc}). Install the "
                f"Debian packages {SYSTEM_PACKAGES} (apt-get install {SYSTEM_PACKAGES}) and the Python "
                "requirements (bash scripts/setup.sh)") from None
        _Engine.module, _Engine.fonts = weasyprint, FontConfiguration()
    return _Engine.module


def local_only_fetcher(images: list[Image] | tuple[Image, ...] = ()):
    """A WeasyPrint URL fetcher that serves ``data:`` URIs, the document's ``images`` (``generated/NAME``)
    and files inside `TEMPLATES` (the print stylesheet), and refuses everything else (http, https, ftp,
    other files). Its ``refused`` list names what it refused."""
    weasyprint = engine()
    from urllib.request import url2pathname

    own = {(TEMPLATES / GENERATED / i.name).resolve(): i for i in images}

    class LocalOnlyFetcher(weasyprint.URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            ok = url.startswith("data:")
            if url.startswith("file:"):
                path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if path in own:
                    image = own[path]
                    return weasyprint.urls.URLFetcherResponse(url, image.payload, {"Content-Type": image.mime})
                ok = path.is_relative_to(TEMPLATES.resolve()) and path.is_file()
            if not ok:
                self.refused.append(url)
                raise ValueError(f"refused to fetch {url[:80]!r}: a profile uses only its own files")
            return super().fetch(url, headers)

    return LocalOnlyFetcher()


def pdf_bytes(page: str, fetcher=None, images: list[Image] | tuple[Image, ...] = ()) -> bytes:
    """The HTML ``page`` as an A4 PDF (fonts embedded, text selectable), with `local_only_fetcher`
    serving ``images``."""
    weasyprint = engine()
    fetcher = fetcher or local_only_fetcher(images)
    try:
        document = weasyprint.HTML(string=page, base_url=str(TEMPLATES) + "/", url_fetcher=fetcher)
        return document.write_pdf(font_config=_Engine.fonts)
    except OSError as exc:
        raise PdfEngineError(f"cannot make PDF ({exc}); are the fonts installed? Debian: {SYSTEM_PACKAGES}") from None


def unit_pdf(ctx: Context, layer: str, unit_id: str, lang: str = "da", on: dt.date | None = None,
             year: int | None = None, today: dt.date | None = None) -> bytes:
    """The datapakke of one unit as PDF bytes (see `unit_doc`)."""
    doc = unit_doc(ctx, layer, unit_id, lang, on, year, today)
    return pdf_bytes(render_html(doc), images=[doc["map"]])


def kommune_pdf(ctx: Context, kode: str, lang: str = "da", on: dt.date | None = None, year: int | None = None,
                today: dt.date | None = None) -> bytes:
    """The datapakke of one kommune as PDF bytes (see `kommune_doc`)."""
    doc = kommune_doc(ctx, kode, lang, on, year, today)
    return pdf_bytes(render_html(doc), images=[doc["map"]])


# --------------------------------------------------------------------------- many documents (site --pdf, bench)

PROCESSES = 2  # the machine's cores; each process keeps its own Context and font configuration
_WORKER: dict = {}


def _init_worker() -> None:
    _WORKER["ctx"] = Context.of(_WORKER["bundle"])


def _job(job: tuple[str, str, str, str]) -> tuple[str, bytes]:
    """One document of `site_pdfs`: (kind, id, lang, rel) → (rel, PDF bytes)."""
    kind, ident, lang, rel = job
    ctx, on, today = _WORKER["ctx"], _WORKER["on"], _WORKER["today"]
    if kind == "kommune":
        return rel, kommune_pdf(ctx, ident, lang, on, today=today)
    layer, unit_id = ident.split("/", 1)
    return rel, unit_pdf(ctx, layer, unit_id, lang, on, today=today)


def site_pdfs(bundle: Bundle, jobs: list[tuple[str, str, str, str]], on: dt.date, today: dt.date,
              processes: int = PROCESSES):
    """Yield (rel, PDF bytes) for every job (``('kommune', '0101', 'da', rel)`` or ``('unit',
    'layer/unit_id', 'en', rel)``), in order, rendered in ``processes`` forked processes that share the
    loaded bundle (one process: in this one)."""
    engine()  # a missing Pango is said once, here
    _WORKER.update(bundle=bundle, on=on, today=today)
    if processes <= 1 or len(jobs) < 2 * processes:
        _init_worker()
        for job in jobs:
            yield _job(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                             initializer=_init_worker) as pool:
        yield from pool.map(_job, jobs, chunksize=4)
