"""All UI text in one place: ``t(key)`` in the session's language (Danish by default)."""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"da": "Klyngekort", "en": "Klyngekort"},
    "page_map": {"da": "Danmarkskort", "en": "Map of Denmark"},
    "map_title": {"da": "Sundhedsklynger og optageområder i Danmark",
                  "en": "Health clusters and catchments in Denmark"},
    "layer": {"da": "Lag", "en": "Layer"},
    "fill": {"da": "Farvelæg efter", "en": "Fill by"},
    "level": {"da": "Vis værdier for", "en": "Show values for"},
    "scheme": {"da": "Klasseinddeling", "en": "Classification"},
    "k": {"da": "Antal klasser", "en": "Number of classes"},
    "breaks": {"da": "Egne klassegrænser (øvre grænser, adskilt af ;)",
               "en": "Own class breaks (upper bounds, separated by ;)"},
    "palette": {"da": "Farveskala", "en": "Palette"},
    "overlay": {"da": "Omrids af andet lag", "en": "Outline of another layer"},
    "none": {"da": "Ingen", "en": "None"},
    "show_hospitals": {"da": "Vis akutsygehuse", "en": "Show acute hospitals"},
    "show_psych": {"da": "Vis psykiatriske enheder", "en": "Show psychiatric units"},
    "basemap": {"da": "Online baggrundskort (OpenStreetMap)", "en": "Online basemap (OpenStreetMap)"},
    "basemap_help": {"da": "Henter kortfliser fra internettet; slået fra som standard.",
                     "en": "Loads map tiles from the internet; off by default."},
    "legend": {"da": "Signaturforklaring", "en": "Legend"},
    "source": {"da": "Kilde", "en": "Source"},
    "year": {"da": "År", "en": "Year"},
    "national": {"da": "Hele landet", "en": "Denmark"},
    "covers": {"da": "dækker {pct} af befolkningen", "en": "covers {pct} of the population"},
    "pick_kommune": {"da": "Vælg kommune (eller klik på kortet)", "en": "Choose a municipality (or click the map)"},
    "selected_memberships": {"da": "{navn} ({kode}) i laget {layer}", "en": "{navn} ({kode}) in layer {layer}"},
    "table": {"da": "Tabel over det viste (kan sorteres)", "en": "Table of what is shown (sortable)"},
    "layer_info": {"da": "Om laget", "en": "About the layer"},
    "confidence_of_layer": {"da": "Sikkerhed for lagets rækker", "en": "Confidence of the layer's rows"},
    "outline_note": {"da": "Stiplede streger: enheder i laget {layer}.",
                     "en": "Dashed lines: units of layer {layer}."},
    "shared_note": {"da": "Stiplet kant: hele kommunen vises, fordi delområderne ikke kendes.",
                    "en": "Dashed border: whole kommune shown because its sub-areas are unknown."},
    "marker_note": {"da": "Hvide cirkler: akutsygehuse (fælles akutmodtagelse). Lilla: psykiatri.",
                    "en": "White circles: acute hospitals. Purple: psychiatry."},
    "error_data": {"da": "Data kunne ikke indlæses", "en": "The data could not be loaded"},
    "bad_breaks": {"da": "Klassegrænserne skal være tal adskilt af ;", "en": "Breaks must be numbers separated by ;"},
    # --- summaries (geo.profile) ---
    "conf_phrase_high": {"da": "sikkerhed: høj", "en": "confidence: high"},
    "conf_phrase_medium": {"da": "sikkerhed: middel", "en": "confidence: medium"},
    "conf_phrase_low": {"da": "sikkerhed: lav – usikkert, bygger på et skøn",
                        "en": "confidence: low – uncertain, an estimate"},
    "share_of_citizens": {"da": "{pct} af borgerne", "en": "{pct} of residents"},
    "share_short": {"da": "{pct}", "en": "{pct}"},
    "sub_areas_named": {"da": "bydelene {names}", "en": "districts {names}"},
    "and": {"da": "og", "en": "and"},
    "summary_klynge": {"da": "{navn} ({kode}) hører til {units}.", "en": "{navn} ({kode}) belongs to {units}."},
    "summary_hospital": {"da": "Akutsygehus: {list} i lige linje.", "en": "Acute hospital: {list} in a straight line."},
    "summary_nearest": {"da": "Nærmeste akutsygehus er dog {name} ({km} km).",
                        "en": "The nearest acute hospital is however {name} ({km} km)."},
    "summary_psych_adult": {"da": "Voksenpsykiatri: {units}.", "en": "Adult psychiatry: {units}."},
    "summary_psych_child": {"da": "Børne- og ungdomspsykiatri: {units}.",
                            "en": "Child and adolescent psychiatry: {units}."},
    "summary_2027": {"da": "Fra 1. januar 2027: {units}, {region}.", "en": "From 1 January 2027: {units}, {region}."},
}


def t(key: str, lang: str = "da", **kwargs: str) -> str:
    """The text for ``key`` in ``lang`` (falls back to Danish), formatted with ``kwargs``."""
    entry = TEXT[key]
    return entry.get(lang, entry["da"]).format(**kwargs)
