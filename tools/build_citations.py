# ruff: noqa: E501  (a table of publishers and hand-written citations; one entry per line reads best)
"""Write data/citations.csv: one readable citation (publisher, title, date, link) per distinct source.

Every ``source`` field of layers.csv, units.csv, assignments.csv and sites.csv is a list of sources
separated by `` | ``; each distinct source becomes one row keyed by its exact text. Web addresses get
their publisher from `PUBLISHERS` (by host) and a title and year read from the address itself
(``source`` says so, confidence ``medium``) with its Danish letters and capitals put back from the
project's own names and words (`geo.citations.readable_slug`: "forste-spadestik-…-kolding" → "Første
spadestik … Kolding"); sources that are not web addresses are written by hand
in `BY_HAND` (confidence ``high``). Rows already in citations.csv are kept as they are, so titles
corrected by hand survive a re-run; keys no table uses any more are dropped.

Run: ``.venv/bin/python tools/build_citations.py``
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.citations import place_names, readable_slug, slug_vocabulary  # noqa: E402
from geo.files import atomic_write  # noqa: E402
from geo.i18n import TEXT  # noqa: E402

DATA = ROOT / "data"
TABLES = ("layers.csv", "units.csv", "assignments.csv", "sites.csv")
COLUMNS = ["key", "publisher", "title", "title_en", "date", "url", "source", "confidence"]
FROM_URL = "publisher from the host (tools/build_citations.py PUBLISHERS); title and year read from the address"
HAND = "written by hand from the source (tools/build_citations.py BY_HAND)"

PUBLISHERS = {
    "aalborguh.rn.dk": "Aalborg Universitetshospital", "aart.no": "AART architects", "abcdocz.com": "abcdocz.com",
    "amagerhospital.dk": "Amager og Hvidovre Hospital", "arkitema.com": "Arkitema", "berlingske.dk": "Berlingske",
    "billundonline.dk": "Billund Online", "bispebjerghospital.dk": "Bispebjerg og Frederiksberg Hospital",
    "building-supply.dk": "Building Supply DK", "byggeplads.dk": "Byggeplads.dk",
    "byghospitalsbyen.rn.dk": "Region Nordjylland (Hospitalsbyen)", "colab-denmark.dk": "CoLab Denmark",
    "da.m.wikipedia.org": "Wikipedia (dansk)", "da.wikipedia.org": "Wikipedia (dansk)",
    "dagensmedicin.dk": "Dagens Medicin", "danskeark.dk": "Danske Ark", "ddig.dk": "Det Digitale Vejle",
    "de.wikipedia.org": "Wikipedia (tysk)", "dit-frederiksberg.dk": "Dit Frederiksberg", "dknyt.dk": "DKnyt",
    "dkwiki.dk": "dkwiki.dk", "dnv.rm.dk": "Regionshospitalet Gødstrup (Region Midtjylland)",
    "dragoer-nyt.dk": "Dragør Nyt", "elindco.dk": "Elindco", "en.auh.dk": "Aarhus Universitetshospital",
    "en.wikipedia.org": "Wikipedia (engelsk)", "esbjerggrindstedsygehus.dk": "Esbjerg og Grindsted Sygehus",
    "fagperson.regionshospitalet-horsens.dk": "Regionshospitalet Horsens",
    "fks-h.dk": "Fælleskommunalt Sundhedssekretariat, Region Hovedstaden", "folkebladet.dk": "Folkebladet",
    "forsk.dk": "Forsk.dk", "fredericiaavisen.dk": "Fredericia Avisen",
    "frederiksberghospital.dk": "Bispebjerg og Frederiksberg Hospital", "fsta.dk": "FSTA", "fyens.dk": "Fyens Stiftstidende",
    "github.com": "GitHub", "godtsygehusbyggeri.dk": "Godt Sygehusbyggeri (Danske Regioner)",
    "haderslev.dk": "Haderslev Kommune", "horatio2019.dk": "Horatio 2019", "hospitalsenhedmidt.dk": "Hospitalsenhed Midt",
    "in-jet.eu": "In-Jet", "jorton.dk": "Jorton", "juliekierkegaard.dk": "Julie Kierkegaard", "jv.dk": "JydskeVestkysten",
    "jyllands-posten.dk": "Jyllands-Posten", "khr.dk": "KHR Arkitekter", "middelfartonline.dk": "Middelfart Online",
    "minbydronninglund.dk": "Min By Dronninglund", "mirror.wmcloud.org": "Wikipedia (dansk, arkiv 2007)",
    "new-in.hjoerring.dk": "Hjørring Kommune", "nn.m.wikipedia.org": "Wikipedia (nynorsk)", "nordjyske.dk": "Nordjyske",
    "nordsjaellandshospital.dk": "Nordsjællands Hospital", "nyhed24.dk": "Nyhed24", "odenseavisen.dk": "Odense Avisen",
    "ouh.dk": "Odense Universitetshospital", "projekter.herning.dk": "Herning Kommune",
    "psykiatri-regionh.dk": "Region Hovedstadens Psykiatri", "psykiatri.rn.dk": "Psykiatrien, Region Nordjylland",
    "psykiatrien.rm.dk": "Psykiatrien, Region Midtjylland", "psykiatrienisyddanmark.dk": "Psykiatrien i Region Syddanmark",
    "psykiatrienregsj.dk": "Psykiatrien, Region Sjælland", "regioner.dk": "Danske Regioner", "regionh.dk": "Region Hovedstaden",
    "regionsavisen.dk": "Regionsavisen", "regionshospitalet-randers.dk": "Regionshospitalet Randers",
    "regionsjaelland.dk": "Region Sjælland", "regionsyddanmark.dk": "Region Syddanmark",
    "rhnordjylland.rn.dk": "Regionshospital Nordjylland", "rigshospitalet.dk": "Rigshospitalet",
    "rm.dk": "Region Midtjylland", "rn.dk": "Region Nordjylland", "rudersdal.lokalavisen.dk": "Rudersdal Avis",
    "sagapedia.com": "Sagapedia", "sn.dk": "Sjællandske Medier (sn.dk)", "sundhed.dk": "sundhed.dk",
    "sundhedsaftalen.rm.dk": "Sundhedsaftalen, Region Midtjylland",
    "sundhedspolitisktidsskrift.dk": "Sundhedspolitisk Tidsskrift",
    "sundhedssekretariatnord.dk": "Sundhedssekretariat Nord", "sygehuslillebaelt.dk": "Sygehus Lillebælt",
    "sygehussonderjylland.dk": "Sygehus Sønderjylland", "test22.rm.dk": "Region Midtjylland",
    "test24.rm.dk": "Region Midtjylland", "trap.lex.dk": "Trap Danmark (lex.dk)", "tv2fyn.dk": "TV 2 Fyn",
    "tv2ostjylland.dk": "TV2 Østjylland", "tvsyd.dk": "TV SYD", "upday.com": "upday",
    "via.ritzau.dk": "Ritzau (pressemeddelelse)", "vilhelmlauritzen.com": "Vilhelm Lauritzen Architects",
    "wikimili.com": "WikiMili", "wikipedia2007.classicistranieri.com": "Wikipedia (tysk, arkiv 2007)",
    "yumpu.com": "Yumpu",
}

FACTS = "Klyngekort-projektet"
BY_HAND = {
    "../shared/data/facts/klynger (klynger.csv + membership.csv; NOTES.md)":
        (FACTS, "Sammenstillede fakta om sundhedsklyngerne og deres kommuner",
         "Compiled facts on the health clusters and their municipalities", "2026"),
    "../shared/data/facts/klynger/midt_2018.csv (NOTES.md §9)":
        (FACTS, "Sammenstillede fakta om Region Midtjyllands klynger 2018",
         "Compiled facts on Region Midtjylland's 2018 clusters", "2026"),
    "../shared/data/facts/psykiatri (units.csv + catchment.csv)":
        (FACTS, "Sammenstillede fakta om psykiatriens optageområder",
         "Compiled facts on the psychiatric catchments", "2026"),
    "../shared/data/facts/psykiatri (units.csv + catchment.csv; NOTES.md + NOTES-verification.md)":
        (FACTS, "Sammenstillede og efterprøvede fakta om voksenpsykiatriens optageområder",
         "Compiled and verified facts on the adult psychiatric catchments", "2026"),
    "../shared/data/facts/sundhedsraad (sundhedsraad.csv; NOTES.md)":
        (FACTS, "Sammenstillede fakta om sundhedsrådene fra 2027", "Compiled facts on the 2027 health councils", "2026"),
    "../shared/data/facts/sundhedsraad/sundhedsraad.csv (region_2027)":
        (FACTS, "Sammenstillede fakta om regionerne fra 2027", "Compiled facts on the 2027 regions", "2026"),
    "DAGI regioner (REGIONKODE/REGIONNAVN)":
        ("Geodatastyrelsen", "DAGI: regionsgrænser", "DAGI: regional boundaries", "2014"),
    "DAGI regioner + ../shared/data/facts/klynger/klynger.csv":
        ("Geodatastyrelsen og Klyngekort-projektet", "DAGI-regioner og klyngernes regioner",
         "DAGI regions and the clusters' regions", "2014/2026"),
    "facts/klynger/klynger.csv (region of the kommune's klynge); checked against DAGI regioner.geojson by the data tests":
        (FACTS, "Regionen for kommunens sundhedsklynge, kontrolleret mod DAGI's regionsgrænser",
         "The region of the municipality's health cluster, checked against DAGI's regional boundaries", "2026"),
    "RKKP Dansk Atrieflimren Database, årsrapport 2024 og 2025 (klyngenavne som gengivet i en offentlig wiki på GitHub)":
        ("RKKP", "Dansk Atrieflimren Database, årsrapport 2024 og 2025 (klyngenavne gengivet i en offentlig wiki)",
         "Danish Atrial Fibrillation Database, annual reports 2024 and 2025 (cluster names as quoted in a public wiki)",
         "2024-2025"),
    "Region Østdanmark = Hovedstaden + Sjælland (sundhedsreformen 2024); facts/sundhedsraad/sundhedsraad.csv column region_2027":
        ("Regeringen", "Sundhedsreformen 2024: Region Østdanmark = Hovedstaden + Sjælland",
         "The 2024 health reform: Region Østdanmark = Hovedstaden + Sjælland", "2024"),
    'Slides "Sundhedsklynger/Sundhedsfællesskaber: Hvad er det (løsningen på)?" (2018)':
        ("Region Midtjylland (oplæg)", "Sundhedsklynger/Sundhedsfællesskaber: Hvad er det (løsningen på)?",
         "", "2018"),
    'Slides "Sundhedsklynger/Sundhedsfællesskaber: Hvad er det (løsningen på)?" (2018), slide "Grundide (fort.)"':
        ("Region Midtjylland (oplæg)", "Sundhedsklynger/Sundhedsfællesskaber: Hvad er det (løsningen på)?, "
         "dias »Grundide (fort.)«", "", "2018"),
    "sundhedsreformen 2024": ("Regeringen", "Sundhedsreformen 2024", "The 2024 health reform", "2024"),
}
SKIP_SEGMENTS = {"sider", "pages", "default.aspx", "printpage", "artikel", "index.php", "en", "da", "dk", "se"}


def _title_from_url(url: str) -> str:
    parsed = urlparse(url)
    host = parsed.netloc.lower().removeprefix("www.")
    segments = [unquote(s) for s in parsed.path.split("/") if s]
    if host == "github.com" and len(segments) >= 2:
        path = "/".join(segments[4:]) if len(segments) > 4 else ""
        commit = segments[3][:7] if len(segments) > 3 and re.fullmatch(r"[0-9a-f]{40}", segments[3]) else ""
        return f"{segments[0]}/{segments[1]}" + (f": {path}" if path else "") + (f" (commit {commit})" if commit else "")
    words = [s for s in segments if s.lower() not in SKIP_SEGMENTS and not re.fullmatch(r"[\d.]+|ECE\d+|wm\d+", s)]
    if not words:
        query = parsed.query.split("=")[-1]
        return query or host
    best = max(words[-2:], key=lambda s: len(re.sub(r"[^A-Za-zæøåÆØÅ]", "", s)))
    text = re.sub(r"\.(aspx|html?|php|asp|json|7z)$", "", best)
    text = re.sub(r"[-_]+", " ", text).strip()
    return text[:1].upper() + text[1:]


def _year_from_url(url: str) -> str:
    """A year only where the address files the page under it (``/2019/07/``, ``/nyheder-2018/``)."""
    for segment in urlparse(url).path.split("/"):
        match = re.fullmatch(r"(?:[a-z]+[-_])?(19[89]\d|20[0-3]\d)", segment.lower())
        if match:
            return match.group(1)
    return ""


def citation(key: str) -> dict[str, str]:
    """A new citation row for a source text."""
    if key in BY_HAND:
        publisher, title, title_en, date = BY_HAND[key]
        return {"key": key, "publisher": publisher, "title": title, "title_en": title_en, "date": date, "url": "",
                "source": HAND, "confidence": "high"}
    if not key.startswith(("http://", "https://")):
        raise SystemExit(f"no citation for {key!r}: add it to BY_HAND in tools/build_citations.py")
    host = urlparse(key).netloc.lower().removeprefix("www.")
    if host not in PUBLISHERS:
        raise SystemExit(f"no publisher for host {host!r} ({key}): add it to PUBLISHERS")
    return {"key": key, "publisher": PUBLISHERS[host], "title": _title_from_url(key), "title_en": "",
            "date": _year_from_url(key), "url": key, "source": FROM_URL, "confidence": "medium"}


# Where the words of a title read from an address get their Danish letters and capitals back
# (`geo.citations.readable_slug`): the names in the project's tables (places, hospitals, units) and its prose.
NAME_COLUMNS = {"units.csv": ("unit_navn", "hospital", "region"), "sites.csv": ("name", "region")}
PROSE_COLUMNS = {"units.csv": ("note",), "sites.csv": ("note",), "assignments.csv": ("note", "why_da"),
                 "layers.csv": ("description_da",)}
KOMMUNE_NAMES = ROOT.parent / "shared" / "data" / "facts" / "klynger" / "membership.csv"


def _column_texts(columns: dict[str, tuple[str, ...]]) -> list[str]:
    out = []
    for name, cols in columns.items():
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            out += [row[c] for row in csv.DictReader(f) for c in cols]
    return out


def readable_titles() -> callable:
    """A function that gives a title read from an address its Danish letters and capitals back."""
    names = _column_texts(NAME_COLUMNS)
    if KOMMUNE_NAMES.exists():
        with KOMMUNE_NAMES.open(encoding="utf-8", newline="") as f:
            names += [row["kommune_name"] for row in csv.DictReader(f)]
    prose = [v for entry in TEXT.values() for v in entry.values()] + _column_texts(PROSE_COLUMNS)
    vocabulary, places = slug_vocabulary(prose + names), place_names(names, prose)
    return lambda title: readable_slug(title, vocabulary, places)


def main() -> None:
    readable = readable_titles()
    keys: list[str] = []
    for name in TABLES:
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                keys += [p.strip() for p in row["source"].split(" | ") if p.strip()]
    existing = {}
    path = DATA / "citations.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as f:
            existing = {row["key"]: row for row in csv.DictReader(f)}
    rows = [existing.get(k) or citation(k) for k in sorted(set(keys))]
    for row in rows:  # titles still as read from the address (not corrected by hand) get their letters back
        if row["source"] == FROM_URL and row["title"] in (_title_from_url(row["key"]), readable(row["title"])):
            row["title"] = readable(_title_from_url(row["key"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(path, out.getvalue().encode("utf-8"))
    print(f"citations.csv: {len(rows)} rows")


if __name__ == "__main__":
    main()
