"""A corpus of hostile strings and a copy of the data with every name field made hostile.

`write_hostile_copies` writes a source-data directory, the project's tables and an evidence note
into a temporary directory; every name, description and source field starts with a string of the
corpus (the original value follows it, so names stay unique and joins keep working). Point
``KLYNGEKORT_SOURCES`` and ``KLYNGEKORT_DATA`` at the result to run the app on it.
"""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.citations import is_web_address, split_sources
from geo.config import DATA_DIR, SOURCE_FILES, sources_dir

LONG = "Langt navn " + "x" * 10_000
CORPUS = (
    "<img src=x onerror=alert(1)>",
    "</script><script>alert(2)</script>",
    "${alert(document.domain)}",
    "`x` ``y``",
    "[log ind](https://evil.example/login)",
    "![x](https://evil.example/p.png)",
    ":red[alarm] :material/warning:",
    "$x^2$ $$y$$",
    '=HYPERLINK("https://evil.example","klik")',
    "+45 1234 5678",
    "-2+3",
    "@SUM(A1:A9)",
    "kontrol\x07\x1b[31m\x7f\x08tegn",
    "\u202eadmin\u202c",
    "🏥 Sygehus",
    "{{ 7*7 }} {{ lipsum.__globals__ }}",
    "{% raw %} {# x",
    LONG,
)

# Substrings that only appear where a corpus string reached Markdown or HTML unescaped.
MARKUP = ("<img", "</script", "${", "](https://evil", "![x]", ":red[", "$x^2$", "\u202e")
EVIL_HOST = "evil.example"

# The text fields of every table and source that reach the page.
DATA_FIELDS = {
    "units.csv": ("unit_navn", "hospital", "region", "note"),
    "sites.csv": ("name", "address", "organisation"),
    "layers.csv": ("name_da", "name_en", "description_da", "source"),
}
EVIDENCE_NOTE = (
    "# Hostile note\n\nAn image from another host: ![pixel](https://evil.example/pixel.png)\n\n"
    "A reference image: ![ref][1]\n\n[1]: https://evil.example/ref.png\n"
)


@dataclass(frozen=True)
class HostileCopies:
    """Where the hostile copies are."""

    sources: Path
    data: Path
    facts: Path


def _hostile(values: pd.Series, offset: int) -> pd.Series:
    """Each distinct value prefixed by a corpus string (the same value gets the same string)."""
    distinct = sorted(set(values))
    cycle = itertools.cycle(CORPUS[offset % len(CORPUS):] + CORPUS[: offset % len(CORPUS)])
    mapping = {v: f"{next(cycle)} {v}".rstrip() for v in distinct}
    return values.map(mapping)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8")


def _hostile_geojson(src: Path, dst: Path, key: str, name: str, offset: int) -> None:
    data = json.loads(src.read_text(encoding="utf-8"))
    names = pd.Series([str(f["properties"][name]) for f in data["features"]])
    keys = [str(f["properties"][key]) for f in data["features"]]
    first = dict(zip(keys[::-1], names[::-1], strict=True))  # one name per key (the first)
    new = _hostile(pd.Series(first), offset)
    for feature, k in zip(data["features"], keys, strict=True):
        feature["properties"][name] = new[k]
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def write_hostile_copies(target: Path, sources: Path | None = None, data: Path = DATA_DIR) -> HostileCopies:
    """Write hostile copies of the sources and the project tables under ``target``."""
    src = sources or sources_dir()
    out_sources, out_data, facts = target / "sources", target / "data", target / "facts"
    for i, name in enumerate(("kommuner", "bydele")):
        key, field = ("KOMKODE", "KOMNAVN") if name == "kommuner" else ("bydel_nr", "name")
        _hostile_geojson(src / SOURCE_FILES[name], out_sources / SOURCE_FILES[name], key, field, i)
    shutil.copyfile(src / SOURCE_FILES["regioner"], out_sources / SOURCE_FILES["regioner"])
    # The bydel population names its bydele as the boundaries do: follow the hostile names, make the source hostile.
    bydele = json.loads((out_sources / SOURCE_FILES["bydele"]).read_text(encoding="utf-8"))
    renamed = {str(f["properties"]["bydel_nr"]): f["properties"]["name"] for f in bydele["features"]}
    by_bydel = _read(src / SOURCE_FILES["bydele_population"])
    by_bydel["bydel"] = [renamed.get(nr, name) for nr, name in zip(by_bydel["bydel_nr"], by_bydel["bydel"], strict=True)]
    by_bydel["source"] = _hostile(by_bydel["source"], 2)
    _write(by_bydel, out_sources / SOURCE_FILES["bydele_population"])
    population = _read(src / SOURCE_FILES["population"])
    for i, column in enumerate(("source_table", "source")):
        population[column] = _hostile(population[column], 3 + i)
    _write(population, out_sources / SOURCE_FILES["population"])
    indicators = _read(src / SOURCE_FILES["indicators"])
    # 'unit' is checked against a registry (geo.sources.INDICATOR_UNITS): hostile text is refused there.
    for i, column in enumerate(("indicator_name_da", "source")):
        indicators[column] = _hostile(indicators[column], 5 + i)
    _write(indicators, out_sources / SOURCE_FILES["indicators"])

    tables = {name: _read(data / name) for name in ("layers.csv", "units.csv", "sites.csv", "assignments.csv")}
    units = tables["units.csv"]
    regions = units["layer"] == "regioner"
    old_regions = units.loc[regions, "unit_navn"]
    for i, (table, columns) in enumerate(DATA_FIELDS.items()):
        for j, column in enumerate(columns):
            tables[table][column] = _hostile(tables[table][column], 7 * i + j)
    # A 'named' layer is shown in the region of that name: follow the renamed region.
    renamed = dict(zip(old_regions, units.loc[regions, "unit_navn"], strict=True))
    layers = tables["layers.csv"]
    layers["display_region"] = layers["display_region"].map(lambda r: renamed.get(r, r))
    # Every source text needs a citation: the hostile ones get citations made of the same hostile text.
    citations = _read(data / "citations.csv")
    known = set(citations["key"])
    new = sorted({part for frame in tables.values() for field in frame["source"]
                  for part in split_sources(field)} - known)
    rows = pd.DataFrame({"key": new, "publisher": new, "title": new, "title_en": "", "date": "",
                         "url": [k if is_web_address(k) else "" for k in new], "source": "hostile copy",
                         "confidence": "medium"})
    tables["citations.csv"] = pd.concat([citations, rows], ignore_index=True)
    for name, frame in tables.items():
        _write(frame, out_data / name)

    note = facts / "hostile" / "NOTES.md"
    note.parent.mkdir(parents=True, exist_ok=True)
    note.write_text(EVIDENCE_NOTE, encoding="utf-8")
    return HostileCopies(out_sources, out_data, facts)
