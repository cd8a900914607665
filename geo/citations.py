"""Sources as citations: data/citations.csv maps every source text to publisher, title, date and link."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlparse

import pandas as pd

from geo import safe
from geo.config import CONFIDENCE_LEVELS
from geo.i18n import t

CITATION_COLUMNS = ["key", "publisher", "title", "title_en", "date", "url", "source", "confidence"]
SOURCE_SEPARATOR = " | "
CITED_TABLES = ("layers", "units", "assignments", "sites")


@dataclass(frozen=True)
class Citation:
    """One source as a reader sees it."""

    publisher: str
    title: str
    date: str = ""
    url: str = ""
    title_en: str = ""

    def text(self, lang: str = "da") -> str:
        """'Publisher: Title (2019)' in ``lang`` (plain text)."""
        title = self.title_en if lang != "da" and self.title_en else self.title
        date = self.date or t("undated", lang)
        return f"{self.publisher}: {title} ({date})"


def split_sources(field: str) -> list[str]:
    """The sources in a ``source`` field (separated by `` | ``), without blanks."""
    return [part.strip() for part in str(field or "").split(SOURCE_SEPARATOR) if part.strip()]


def is_web_address(url: str) -> bool:
    """True for an absolute http(s) address with a host."""
    parsed = urlparse(str(url))
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def validate_citations(citations: pd.DataFrame, table: str = "citations.csv") -> list[str]:
    """Problems in the citations table: columns, unique keys, links, confidence."""
    missing = [c for c in CITATION_COLUMNS if c not in citations.columns]
    if missing:
        return [f"{table}: missing column(s) {missing}"]
    problems = []
    for _, row in citations.iterrows():
        where = f"{table} line {row.get('_line', '?')}"
        if not row["key"].strip():
            problems.append(f"{where}, column key: empty; every citation needs the source text it cites")
        if not row["publisher"].strip() or not row["title"].strip():
            problems.append(f"{where}: publisher and title are required (key {row['key']!r})")
        if row["url"] and not is_web_address(row["url"]):
            problems.append(f"{where}, column url: {row['url']!r} is not an http(s) address")
        if row["confidence"] not in CONFIDENCE_LEVELS:
            problems.append(f"{where}, column confidence: {row['confidence']!r} must be in {list(CONFIDENCE_LEVELS)}")
    for key in citations.loc[citations["key"].duplicated(), "key"]:
        problems.append(f"{table}: key {key!r} appears more than once")
    return problems


def uncited(citations: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Every source text in the tables' ``source`` columns that citations.csv does not cover."""
    known = set(citations["key"])
    problems = []
    for name in CITED_TABLES:
        for _, row in tables[name].iterrows():
            for part in split_sources(row["source"]):
                if part not in known:
                    problems.append(f"{name}.csv line {row.get('_line', '?')}, column source: {part!r} has no "
                                    f"row in citations.csv (run tools/build_citations.py)")
    return problems


def citations_for(field: str, citations: pd.DataFrame) -> list[Citation]:
    """The citations of a ``source`` field, in its order; unknown texts get a plain citation."""
    by_key = citations.set_index("key")
    out = []
    for part in split_sources(field):
        if part in by_key.index:
            r = by_key.loc[part]
            out.append(Citation(r["publisher"], r["title"], r["date"], r["url"], r["title_en"]))
        else:
            out.append(Citation(part, "", "", part if is_web_address(part) else ""))
    return out


def _url_for_markdown(url: str) -> str:
    """The address percent-encoded so it cannot end the Markdown link early."""
    return quote(url, safe=":/?&=#%+,;@!$'*~.-_")


def citation_md(citation: Citation, lang: str = "da") -> str:
    """A citation as safe Markdown: escaped text, linked only to an http(s) address."""
    text = safe.md(citation.text(lang) if citation.title else citation.publisher)
    if citation.url and is_web_address(citation.url):
        return f"[{text}]({_url_for_markdown(citation.url)})"
    return text


def sources_md(field: str, citations: pd.DataFrame, lang: str = "da", limit: int | None = None) -> str:
    """A ``source`` field as '; '-joined Markdown citations (``limit`` first ones, then '+ n more')."""
    cited = citations_for(field, citations)
    shown = cited if limit is None else cited[:limit]
    text = "; ".join(citation_md(c, lang) for c in shown)
    if len(cited) > len(shown):
        text += " " + safe.md(t("more_sources", lang, n=len(cited) - len(shown)))
    return text


def sources_text(field: str, citations: pd.DataFrame, lang: str = "da") -> str:
    """A ``source`` field as plain '; '-joined citation texts (for tables and exports)."""
    return "; ".join(c.text(lang) if c.title else c.publisher for c in citations_for(field, citations))


# --------------------------------------------------------------------------- titles read from an address
# An address writes Danish letters in one of two ways ("første" as "foerste" or "forste", "på" as "paa" or
# "pa"); `slug_vocabulary` maps each written form back to the word, `readable_slug` puts the words back.
_FOLDS = ({"æ": "ae", "ø": "oe", "å": "aa"}, {"æ": "ae", "ø": "o", "å": "a"}, {"æ": "a", "ø": "o", "å": "a"})
_WORD = re.compile(r"[A-Za-zÆØÅæøåÄÖÜäöüé]+")
_ADDRESS = re.compile(r"\S*(?:https?://|www\.|\.dk\b|\.com\b|/)\S*")
# Words the project's own texts may lack; the tables and facts give the names of places and hospitals.
COMMON_WORDS = (  # one text, words separated by spaces
    "første åbent åbner åbningstid år års får går på så sådan fælles fællesskab sundhedsfællesskab "
    "sundhedsfællesskaber sundhedsråd sundhedsrådet næste nærmere nærhospital tættere tæt parløb "
    "børn børne hører høring fremtidens fødeafdeling står lån låner sygehusvæsen træder "
    "gøre gør kæmpestor sprænger ønske øerne fynboerne spørgsmål klinikforløb indlægges direktør "
    "hoftenære tværsektorielt undersøgelse planlægningsområder mødet møde hospitalerne få åbningen "
    "lægevagten psykiatriområdet regionsråd område områder kraft vej center hospital sygehus "
    "psykiatrien ungdomspsykiatrien sundheds akutklinikken psykiatrisygehus"
)


def _fold(word: str, table: dict[str, str]) -> str:
    return "".join(table.get(c, c) for c in word.lower())


def slug_vocabulary(texts) -> dict[str, str]:
    """From texts with Danish letters, each word's forms in an address (folded, lower case) → the word.

    A word written only with a capital (a place, a hospital) keeps it; a form two different words share
    is left out, so nothing is guessed.
    """
    seen: dict[str, set[str]] = {}
    plain: set[str] = set()  # words written without Danish letters ("for", "kraft", "Aarhus") stay as they are
    for text in [*texts, COMMON_WORDS]:
        for word in _WORD.findall(_ADDRESS.sub(" ", str(text))):
            if not any(c in word.lower() for c in "æøå"):
                plain.add(word.lower())
                continue
            seen.setdefault(word.lower(), set()).add(word)
    out: dict[str, str] = {}
    clash: set[str] = set()
    for lower, forms in seen.items():
        word = lower if lower in forms else sorted(forms)[0]
        for table in _FOLDS:
            key = _fold(lower, table)
            if key in out and out[key] != word:
                clash.add(key)
            out[key] = word
    return {k: v for k, v in out.items() if k not in clash and k not in plain and k != v.lower()}


def readable_slug(title: str, vocabulary: dict[str, str], names: dict[str, str] | None = None) -> str:
    """A title read from an address with its Danish letters and capitals back ('Forste spadestik til akut
    sygehus i kolding' → 'Første spadestik til akut sygehus i Kolding'): each word found in ``vocabulary``
    (see `slug_vocabulary`) or in ``names`` (see `place_names`) is replaced; a title that starts with a
    capital keeps it. Titles that are paths or addresses ('afpihl/sundhedsraad: data.json') stay as they are.
    """
    if _ADDRESS.search(str(title)):
        return str(title)

    def put_back(match: re.Match[str]) -> str:
        word = match.group(0)
        found = (names or {}).get(word.lower()) or vocabulary.get(word.lower())
        if found is None:
            return word
        if found[:1].islower() and (names or {}).get(found):
            found = names[found]
        return found[:1].upper() + found[1:] if word[:1].isupper() else found

    text = _WORD.sub(put_back, str(title))
    return text[:1].upper() + text[1:] if str(title)[:1].isupper() else text if str(title)[:1].isupper() else text


def place_names(names, texts) -> dict[str, str]:
    """The capitalised words of ``names`` (places, hospitals, units) that ``texts`` never write in lower
    case ('Kolding', 'Lillebælt', not 'Sygehus'): lower case, and each folded form → the name."""
    lower_words = {w for text in [*texts, COMMON_WORDS] for w in _WORD.findall(_ADDRESS.sub(" ", str(text)))
                   if w[:1].islower()}
    out: dict[str, str] = {}
    for name in names:
        for word in _WORD.findall(str(name)):
            if word[:1].isupper() and len(word) > 2 and word.lower() not in lower_words:
                for key in {word.lower(), *(_fold(word, table) for table in _FOLDS)}:
                    out.setdefault(key, word)
    return out
