"""Encode the compiled facts (../shared/data/facts) as tables in the format of data/.

This wrote the first version of data/ (2026-11-23). Since issue 7 the tables in data/ are
maintained by hand: unit and site names were cleaned of research notes (moved to ``note`` /
``note_en``), layers got ``description_en``, low-confidence memberships got ``why_da`` / ``why_en``
and every source a row in citations.csv (`tools/build_citations.py`). None of that is in the facts,
so this script no longer writes into data/: it writes to ``out/encoded-facts/`` (or OUT_DIR) for a
comparison when the facts change (``diff -r out/encoded-facts data``), and the changes are carried
into data/ by hand.

The reasons for a confidence level that the facts give only in their ``NOTES.md`` (not in a CSV
column) are written from `REASONS` into ``why_da`` / ``why_en``; each names the level it explains,
and the script stops if the facts now give another level, so a stale reason is never encoded.

Run: ``python tools/encode_facts.py [FACTS_DIR [OUT_DIR]]``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACTS = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "facts"
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "out" / "encoded-facts"

CONF_ORDER = {"high": 3, "medium": 2, "low": 1}

# Reasons for a membership's confidence that the facts give in NOTES.md, not in their CSV, keyed by
# (layer, kommune code): the level they explain, a note, and the reason in Danish and English.
REASONS = {
    ("sundhedsraad-2027", "0410"): {
        "confidence": "medium",
        "note": "(confidence raised from low to medium on 2026-12-02: seat counts, facts/sundhedsraad/NOTES.md "
                "'Update 2026-12-02')",
        "why_da": "Sædetallene peger på Lillebælt: i medlemsdatasættet afpihl/sundhedsraad (medlemmerne tilføjet fra "
                  "rådenes første referater) har hvert råd ét regionalt medlem mere end kommunale, og hver kommune "
                  "har mindst én plads. Sundhedsråd Lillebælt har Vejle 2, Kolding 2, Fredericia 1 og Middelfart 1 "
                  "(Karin Riishede, V); Sundhedsråd Fyn har 10 pladser til 9 kommuner og intet medlem fra Middelfart. "
                  "Datasættets kommuneliste, der sætter Middelfart under Fyn, er uændret fra før referaterne blev "
                  "brugt og gentager sandsynligvis udspillet fra september 2024.",
        "why_en": "The seat counts point to Lillebælt: in the afpihl/sundhedsraad member dataset (members added from "
                  "the councils' first minutes) every council has one more regional than municipal member, and every "
                  "member municipality has at least one seat. Sundhedsråd Lillebælt has Vejle 2, Kolding 2, "
                  "Fredericia 1 and Middelfart 1 (Karin Riishede, V); Sundhedsråd Fyn has 10 seats for 9 "
                  "municipalities and no member from Middelfart. The dataset's municipality list, which puts "
                  "Middelfart under Fyn, has not changed since before the minutes were used and most likely repeats "
                  "the proposal of September 2024.",
    },
    ("sundhedsraad-2027", "0530"): {
        "confidence": "medium",
        "note": "(confidence raised from low to medium on 2026-12-02: seat counts, facts/sundhedsraad/NOTES.md "
                "'Update 2026-12-02')",
        "why_da": "Sædetallene peger på Sydvestjylland: i medlemsdatasættet afpihl/sundhedsraad (medlemmerne tilføjet "
                  "fra rådenes første referater) har hvert råd ét regionalt medlem mere end kommunale, og hver kommune "
                  "har mindst én plads. Sundhedsråd Sydvestjylland har Esbjerg 2 og Fanø, Varde, Vejen og Billund 1 "
                  "hver (Birthe Nielsen, A, Billund), og planen fra 2019 lagde også Billund under Sydvestjysk "
                  "Sygehus. Datasættets kommuneliste, der sætter Billund under Lillebælt, er uændret fra før "
                  "referaterne blev brugt.",
        "why_en": "The seat counts point to Sydvestjylland: in the afpihl/sundhedsraad member dataset (members added "
                  "from the councils' first minutes) every council has one more regional than municipal member, and "
                  "every member municipality has at least one seat. Sundhedsråd Sydvestjylland has Esbjerg 2 and "
                  "Fanø, Varde, Vejen and Billund 1 each (Birthe Nielsen, A, Billund), and the 2019 plan also put "
                  "Billund under Sydvestjysk Sygehus. The dataset's municipality list, which puts Billund under "
                  "Lillebælt, has not changed since before the minutes were used.",
    },
}

# København's bydele by number (see ../shared/data/README.md): which bydele each unit covers.
KBH_SUB_AREAS = {
    ("sundhedsklynger", "h_byen"): "1;2;3;6;7;8",
    ("sundhedsklynger", "h_syd"): "4;5;9;10",
    ("psykiatri-voksen", "rh_pc_koebenhavn"): "1;2;3;6;7;8",
    ("psykiatri-voksen", "rh_pc_amager"): "4;9;10",
    ("psykiatri-voksen", "rh_pc_glostrup"): "5",
}

# The acute hospital site(s) of each klynge (site ids of data/sites.csv), from klynger.csv
# columns akutsygehus/hospital_sites matched to hospitals/akutsygehuse.csv.
KLYNGE_SITES = {
    "h_nord": "nordsjaellands-hospital-hilleroed",
    "h_midt": "herlev-hospital",
    "h_byen": "bispebjerg-hospital",
    "h_syd": "hvidovre-hospital",
    "h_bornholm": "bornholms-hospital",
    "sj_holbaek": "holbaek-sygehus",
    "sj_slagelse": "slagelse-sygehus",
    "sj_suh": "suh-koege",
    "sj_nykobing": "suh-nykoebing-falster",
    "sd_fyn": "ouh-odense;ouh-svendborg",
    "sd_lillebaelt": "slb-kolding",
    "sd_sydvest": "esbjerg-sygehus",
    "sd_sonderjylland": "shs-aabenraa",
    "m_aarhus": "auh-aarhus",
    "m_randers": "rh-randers",
    "m_horsens": "rh-horsens",
    "m_midt": "rh-viborg",
    "m_godstrup": "rh-goedstrup",
    "n_nord": "rhn-hjoerring",
    "n_midt": "auh-aalborg-hospitalsbyen",
    "n_syd": "auh-aalborg-hospitalsbyen",
    "n_vest": "auh-thisted",
}

DECK_2018 = 'Slides "Sundhedsklynger/Sundhedsfællesskaber: Hvad er det (løsningen på)?" (2018)'
MIDT_2018_UNITS = [
    ("m18_aarhus", "Aarhusklyngen (2018)", "Aarhus Universitetshospital", "auh-aarhus"),
    ("m18_horsens", "Horsensklyngen (2018)", "Regionshospitalet Horsens", "rh-horsens"),
    ("m18_midt", "Midtklyngen (2018)", "Hospitalsenhed Midt (Viborg)", "rh-viborg"),
    ("m18_randers", "Randersklyngen (2018)", "Regionshospitalet Randers", "rh-randers"),
    (
        "m18_vest",
        "Vestklyngen (2018)",
        "Hospitalsenheden Vest (Herning/Holstebro)",
        "rh-herning-tidligere;rh-holstebro-tidligere",
    ),
]

REGIONS = {
    "Region Nordjylland": "1081",
    "Region Midtjylland": "1082",
    "Region Syddanmark": "1083",
    "Region Hovedstaden": "1084",
    "Region Sjælland": "1085",
}
REGIONS_2027 = {
    "Region Østdanmark": "oestdanmark",
    "Region Syddanmark": "syddanmark",
    "Region Midtjylland": "midtjylland",
    "Region Nordjylland": "nordjylland",
}

# Coordinates with an independent cross-check within 50 m (hospitals/NOTES.md, verification table).
SITES_CROSS_CHECKED = {"herlev-hospital", "bornholms-hospital", "esbjerg-sygehus", "auh-aarhus"}


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(name: str, rows: list[dict], columns: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / name).open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({c: row.get(c, "") for c in columns})
    print(f"{name}: {len(rows)} rows")


def sources(text: str) -> str:
    parts = [p.strip() for chunk in text.split(" | ") for p in chunk.split(";")]
    return " | ".join(p for p in parts if p)


def confidence(text: str) -> tuple[str, str]:
    """Normalise a confidence text to high/medium/low (the lowest named) and keep the original."""
    found = [c for c in CONF_ORDER if c in text]
    if not found:
        raise ValueError(f"no confidence level in {text!r}")
    lowest = min(found, key=CONF_ORDER.get)
    return lowest, ("" if text.strip() == lowest else f"confidence in source: {text.strip()}")


def note(*texts: str) -> str:
    return " | ".join(t.strip() for t in texts if t and t.strip())


def reason(layer: str, kode: str, level: str) -> dict[str, str]:
    """The note and ``why_da`` / ``why_en`` of `REASONS` for a row; ValueError if the facts now give
    another confidence than the reason explains."""
    found = REASONS.get((layer, kode))
    if found is None:
        return {"note": "", "why_da": "", "why_en": ""}
    if found["confidence"] != level:
        raise ValueError(f"{layer} {kode}: the facts say {level!r}, but REASONS explains {found['confidence']!r}; "
                         "update REASONS from the facts' NOTES.md")
    return {k: found[k] for k in ("note", "why_da", "why_en")}


def main() -> None:
    klynger = read(FACTS / "klynger" / "klynger.csv")
    membership = read(FACTS / "klynger" / "membership.csv")
    midt18 = read(FACTS / "klynger" / "midt_2018.csv")
    p_units = read(FACTS / "psykiatri" / "units.csv")
    p_catch = read(FACTS / "psykiatri" / "catchment.csv")
    raad = read(FACTS / "sundhedsraad" / "sundhedsraad.csv")
    akut = read(FACTS / "hospitals" / "akutsygehuse.csv")
    other = read(FACTS / "hospitals" / "other_sites.csv")

    units: list[dict] = []
    assignments: list[dict] = []

    # --- sundhedsklynger ---------------------------------------------------------------
    klynge_region = {}
    for k in klynger:
        klynge_region[k["klynge_id"]] = k["region"]
        units.append(
            {
                "layer": "sundhedsklynger",
                "unit_id": k["klynge_id"],
                "unit_navn": k["klynge_name"],
                "region": k["region"],
                "hospital": k["akutsygehus"],
                "site_ids": KLYNGE_SITES[k["klynge_id"]],
                "source": sources(k["source_urls"]),
                "confidence": "high",
                "note": f"Matrikler: {k['hospital_sites']}",
            }
        )
    for m in membership:
        conf, conf_note = confidence(m["confidence"])
        assignments.append(
            {
                "layer": "sundhedsklynger",
                "kommune_kode": m["kommune_code"],
                "unit_id": m["klynge_id"],
                "share": m["share"],
                "basis": "bydele (befolkning 2019)" if m["split_basis"] == "bydele" else "hel kommune",
                "sub_areas": KBH_SUB_AREAS.get(("sundhedsklynger", m["klynge_id"]), "")
                if m["split_basis"] == "bydele"
                else "",
                "source": sources(m["source_urls"]),
                "confidence": conf,
                "note": note(conf_note, m["split_detail"]),
            }
        )

    # --- psykiatri-voksen / psykiatri-boern ------------------------------------------
    layer_of_kind = {"adult": "psykiatri-voksen", "child": "psykiatri-boern"}
    with_catchment = {(c["kind"], c["unit_id"]) for c in p_catch}
    for u in p_units:
        if (u["kind"], u["unit_id"]) not in with_catchment:
            continue  # specialised centres without a geographic catchment: sites only
        units.append(
            {
                "layer": layer_of_kind[u["kind"]],
                "unit_id": u["unit_id"],
                "unit_navn": u["unit_name"],
                "region": u["region"],
                "hospital": u["main_site_address"],
                "site_ids": u["unit_id"],
                "source": sources(u["source_urls"]),
                "confidence": "high",
                "note": "",
            }
        )
    for c in p_catch:
        layer = layer_of_kind[c["kind"]]
        split = c["kommune_code"] == "0101" and layer == "psykiatri-voksen"
        conf, conf_note = confidence(c["confidence"])
        assignments.append(
            {
                "layer": layer,
                "kommune_kode": c["kommune_code"],
                "unit_id": c["unit_id"],
                "share": c["share"],
                "basis": "bydele (befolkning 2019)" if split else "hel kommune",
                "sub_areas": KBH_SUB_AREAS[(layer, c["unit_id"])] if split else "",
                "source": sources(c["source_urls"]),
                "confidence": conf,
                "note": note(conf_note, c["split_detail"]),
            }
        )

    # --- midt-2018 ---------------------------------------------------------------------
    for uid, name, hosp, sites in MIDT_2018_UNITS:
        units.append(
            {
                "layer": "midt-2018",
                "unit_id": uid,
                "unit_navn": name,
                "region": "Region Midtjylland",
                "hospital": hosp,
                "site_ids": sites,
                "source": DECK_2018,
                "confidence": "medium",
                "note": "Historisk lag: Region Midtjyllands kommune-klynger som beskrevet i 2018",
            }
        )
    for m in midt18:
        if m["klynge_id"] == "unassigned":
            continue  # not named by the source: shown as "ikke tildelt" (layers.csv, extent=named)
        conf, conf_note = confidence(m["confidence"])
        assignments.append(
            {
                "layer": "midt-2018",
                "kommune_kode": m["kommune_code"],
                "unit_id": m["klynge_id"],
                "share": m["share"],
                "basis": "hel kommune",
                "sub_areas": "",
                "source": sources(m["source_urls"]),
                "confidence": conf,
                "note": note(conf_note, m["split_detail"]),
            }
        )

    # --- regioner (2007-2026) ---------------------------------------------------------
    for name, code in REGIONS.items():
        units.append(
            {
                "layer": "regioner",
                "unit_id": code,
                "unit_navn": name,
                "region": name,
                "hospital": "",
                "site_ids": "",
                "source": "DAGI regioner (REGIONKODE/REGIONNAVN)",
                "confidence": "high",
                "note": "Niveauet for sundhedssamarbejdsudvalget",
            }
        )
    seen = set()
    for m in membership:
        if m["kommune_code"] in seen:
            continue
        seen.add(m["kommune_code"])
        region = klynge_region[m["klynge_id"]]
        assignments.append(
            {
                "layer": "regioner",
                "kommune_kode": m["kommune_code"],
                "unit_id": REGIONS[region],
                "share": "1.0",
                "basis": "hel kommune",
                "sub_areas": "",
                "source": "facts/klynger/klynger.csv (region of the kommune's klynge); "
                "checked against DAGI regioner.geojson by the data tests",
                "confidence": "high",
                "note": "",
            }
        )

    # --- sundhedsraad-2027 and regioner-2027 --------------------------------------------
    seen_raad: dict[str, dict] = {}
    for r in raad:
        seen_raad.setdefault(r["sundhedsraad_id"], r)
        conf, conf_note = confidence(r["confidence"])
        why = reason("sundhedsraad-2027", r["kommune_code"], conf)
        assignments.append(
            {
                "layer": "sundhedsraad-2027",
                "kommune_kode": r["kommune_code"],
                "unit_id": r["sundhedsraad_id"],
                "share": "1.0",
                "basis": "hel kommune",
                "sub_areas": "",
                "source": sources(r["source_urls"]),
                "confidence": conf,
                "note": note(conf_note, why["note"]),
                "why_da": why["why_da"],
                "why_en": why["why_en"],
            }
        )
        assignments.append(
            {
                "layer": "regioner-2027",
                "kommune_kode": r["kommune_code"],
                "unit_id": REGIONS_2027[r["region_2027"]],
                "share": "1.0",
                "basis": "hel kommune",
                "sub_areas": "",
                "source": "Region Østdanmark = Hovedstaden + Sjælland (sundhedsreformen 2024); "
                "facts/sundhedsraad/sundhedsraad.csv column region_2027",
                "confidence": "high",
                "note": "",
            }
        )
    for rid, r in seen_raad.items():
        units.append(
            {
                "layer": "sundhedsraad-2027",
                "unit_id": rid,
                "unit_navn": r["sundhedsraad_name"],
                "region": r["region_2027"],
                "hospital": "",
                "site_ids": "",
                "source": sources(r["source_urls"]),
                "confidence": "high" if rid == "amager-og-vestegnen" else "medium",
                "note": "Afløser sundhedsklyngerne 1. januar 2027",
            }
        )
    for name, uid in REGIONS_2027.items():
        units.append(
            {
                "layer": "regioner-2027",
                "unit_id": uid,
                "unit_navn": name,
                "region": name,
                "hospital": "",
                "site_ids": "",
                "source": "https://en.wikipedia.org/wiki/Region_of_Eastern_Denmark | sundhedsreformen 2024",
                "confidence": "high",
                "note": "Fra 1. januar 2027",
            }
        )

    # --- sites -----------------------------------------------------------------------------
    sites: list[dict] = []
    for s in akut + other:
        coord = s["coord_source"]
        if not s["lat"]:
            conf = "low"
        elif s["site_id"] in SITES_CROSS_CHECKED:
            conf = "high"
        elif "proxy" in coord.lower() or s["site_id"] in {"rh-goedstrup", "ouh-odense"}:
            conf = "low"
        else:
            conf = "medium"
        sites.append(
            {
                "site_id": s["site_id"],
                "name": s["name"],
                "organisation": s["hospital_org"],
                "region": s["region"],
                "kind": s["kind"],
                "address": f"{s['address']}, {s['postcode']} {s['city']}".strip(", "),
                "lat": s["lat"],
                "lon": s["lon"],
                "source": sources(s["source_urls"]),
                "coord_source": coord,
                "confidence": conf,
            }
        )
    kind_of = {"adult": "psykiatri_voksen", "child": "psykiatri_boern"}
    for u in p_units:
        coord = u["coord_source"]
        conf = "low" if (not u["lat"] or coord.startswith("PROXY")) else "medium"
        sites.append(
            {
                "site_id": u["unit_id"],
                "name": u["unit_name"],
                "organisation": u["unit_name"],
                "region": u["region"],
                "kind": kind_of[u["kind"]],
                "address": u["main_site_address"],
                "lat": u["lat"],
                "lon": u["lon"],
                "source": sources(u["source_urls"]),
                "coord_source": coord,
                "confidence": conf,
            }
        )

    unit_cols = ["layer", "unit_id", "unit_navn", "region", "hospital", "site_ids", "source",
                 "confidence", "note"]
    assign_cols = ["layer", "kommune_kode", "unit_id", "share", "basis", "sub_areas", "source",
                   "confidence", "note", "why_da", "why_en"]
    unused = set(REASONS) - {(a["layer"], a["kommune_kode"]) for a in assignments}
    if unused:
        raise ValueError(f"REASONS names rows the facts no longer have: {sorted(unused)}")
    site_cols = ["site_id", "name", "organisation", "region", "kind", "address", "lat", "lon",
                 "source", "coord_source", "confidence"]
    write("units.csv", units, unit_cols)
    write("assignments.csv", assignments, assign_cols)
    write("sites.csv", sites, site_cols)


if __name__ == "__main__":
    main()
