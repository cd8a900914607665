"""Problem messages in the page's language. `geo` raises its problems in English (the command line's
language, and what the tests and the README quote); a Danish page says the known phrases in Danish with
`say`. A phrase not known here stays as written, so a message is never lost, only partly translated.
Values quoted from a file or a link (``'…'``) are kept as they are."""

from __future__ import annotations

import re

# (English pattern, Danish replacement), applied in order to each message on a Danish page.
_DA: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in [
    (r"the file is ([\d.]+) MB; at most (\d+) MB is accepted", r"filen fylder \1 MB; højst \2 MB modtages"),
    (r"the file is empty: expected a header line with columns",
     "filen er tom: der skal være en overskriftslinje med kolonnenavne"),
    (r"the file has a header but no data rows", "filen har en overskriftslinje, men ingen rækker med data"),
    (r"missing required column\(s\) (\[.*?\]); found (\[.*?\])", r"mangler kolonnen/kolonnerne \1; fandt \2"),
    (r"is not a unit of layer '([^']*)' \(units include ", r"er ikke en enhed i laget '\1' (enheder er fx "),
    (r"is not a unit of layer", "er ikke en enhed i laget"),
    (r"is not one of the (\d+) kommune codes", r"er ikke en af de \1 kommunekoder"),
    (r"shares of kommune (\d{4}) \(([^)]*)\) in layer (\S+) sum to (\S+), expected 1",
     r"andelene for kommune \1 (\2) i laget \3 giver \4 tilsammen, ikke 1"),
    (r"layer (\S+) must cover all (\d+) kommuner; missing", r"laget \1 skal dække alle \2 kommuner; mangler"),
    (r"is not a number \(write a fraction, 0\.577, or a percentage, 57\.7 %\)",
     "er ikke et tal (skriv en brøk, 0.577, eller en procent, 57,7 %)"),
    (r"is not a number \(write 0\.577 or 57\.7 %\)", "er ikke et tal (skriv 0.577 eller 57,7 %)"),
    (r"is not a finite number", "er ikke et endeligt tal"),
    (r"is not a number", "er ikke et tal"),
    (r"must be at least (\S+) and at most (\S+)", r"skal være mindst \1 og højst \2"),
    (r"appears twice in the header", "står to gange i overskriften"),
    (r"\(columns (\d+) and (\d+)\)", r"(kolonne \1 og \2)"),
    (r"the row has values but no kommune", "rækken har tal, men ingen kommune"),
    (r"could be more than one kommune", "kan være mere end én kommune"),
    (r"write the kommune code", "skriv kommunekoden"),
    (r"is not a kommune", "er ikke en kommune"),
    (r"is not an id: it", "er ikke et id: det"),
    (r"a unit appears twice", "en enhed står to gange"),
    (r"the table has rows for Denmark or the regions only( \(lines [^)]*\))?,( and)? none for a kommune; Klyngekort "
     r"needs one row per kommune( \(in Statistikbanken: choose the kommuner under 'område'\))?",
     r"tabellen har kun rækker for hele landet eller regionerne\1, ingen for en kommune; Klyngekort skal have én "
     r"række pr. kommune (i Statistikbanken: vælg kommunerne under 'område')"),
    (r"is negative; it must be at least 0", "er negativ; den skal være mindst 0"),
    (r"is negative", "er negativ"),
    (r"reading stopped here", "læsningen stoppede her"),
    (r"\band (\d+) more( problem\(s\))?", r"og \1 til"),
    (r"\bline (\d+), column ", r"linje \1, kolonne "),
    (r"\blines (\d[\d, ]*)", r"linjer \1"),
    (r"\bline (\d+)", r"linje \1"),
    (r"\bcolumn '", "kolonnen '"),
]]


def say(text: str, lang: str = "da") -> str:
    """``text`` (a problem `geo` wrote in English) in ``lang``: Danish for the phrases known here;
    English (and any other language) unchanged."""
    if lang != "da":
        return text
    out = str(text)
    for pattern, replacement in _DA:
        out = pattern.sub(replacement, out)
    return out


def say_all(problems, lang: str = "da") -> list[str]:
    """Each problem of a list in ``lang`` (see `say`)."""
    return [say(p, lang) for p in problems]
