"""Text from data, files and URLs is data, never markup: one place that escapes it.

Every value that did not come from the project's own source code goes through one of these
before it reaches HTML, a JavaScript string, Markdown or a spreadsheet cell.

- `clean`: drops control characters and bidirectional overrides (they can hide or reorder text).
- `html`: for HTML text and attributes *and* for HTML that folium pastes into a JavaScript template
  string (tooltips, popups): besides ``<>&"'`` it escapes `` ` ``, ``$``, ``\\``, ``{`` and ``}``
  (folium/branca run every map script through Jinja a second time, so ``{{ … }}`` in a name would
  be evaluated on the server and ``{% raw %}`` would break the map).
- `no_template`: JSON text (GeoJSON handed to folium) in which no Jinja delimiter can form.
- `md`: for Streamlit's Markdown (``st.markdown``, ``st.error``, ``st.caption``, labels):
  every ASCII punctuation character is backslash-escaped, so no link, image, emphasis, colour
  directive, LaTeX or HTML can form; an invisible word joiner keeps bare URLs and e-mail
  addresses from becoming links; line breaks become spaces.
- `html_in_md`: HTML text that sits inside Markdown (``st.markdown(..., unsafe_allow_html=True)``):
  every character that could start markup becomes a numeric character reference and line breaks
  become spaces (a blank line would end the HTML block), so neither HTML, a template string nor
  Markdown can see markup in it.
- `md_code`: a fenced Markdown code block that the text cannot close (error details).
- `md_without_images`: trusted Markdown documents (the evidence notes) with image syntax
  disarmed, so rendering them never loads anything from another host.
- `js`: a JSON literal safe inside ``<script>`` (``<``, ``>``, ``&`` and U+2028/9 escaped) and
  inside a Jinja template (no ``{{``, ``{%`` or ``{#``).
- `cell`: a spreadsheet cell that cannot start a formula.
"""

from __future__ import annotations

import html as _html
import json
import re
import string

# C0/C1 controls except tab and newline; bidi embeddings, overrides and isolates; zero-width marks.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
WORD_JOINER = "\u2060"
# Where GFM's autolink literals start: '://' (after the colon), 'www.' (before the dot), '@' (after it).
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=@)")
_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
# What HTML, a template string or Markdown could read as markup (not . , - % / ; which numbers use).
_MARKUP = frozenset("<>&\"'`$\\[](){}*_~:!#|=+@^")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean(value: object) -> str:
    """``value`` as text without control characters or bidirectional overrides."""
    return _CONTROL.sub("", "" if value is None else str(value))


def html(value: object) -> str:
    """Escape for HTML and for HTML inside a JavaScript template string (folium tooltips)."""
    text = _html.escape(clean(value), quote=True)
    for char, code in (("\\", "&#92;"), ("`", "&#96;"), ("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;")):
        text = text.replace(char, code)
    return text


_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def no_template(json_text: str) -> str:
    """JSON text with every ``{`` that would open a Jinja tag (``{{``, ``{%``, ``{#``) written ``\\u007b``.

    Such a brace can only stand inside a JSON string (an object opens with ``{"`` or ``{}``), where
    ``\\u007b`` is the same character, so the data is unchanged for every JSON reader.
    """
    return _JINJA_OPEN.sub(r"\\u007b", json_text)


def md(value: object) -> str:
    """Escape for Streamlit Markdown: the text shows exactly as written, on one line.

    Besides the backslash escapes, an invisible word joiner (U+2060) goes after ``:`` in ``://``,
    after ``www`` before ``.`` and after ``@``: GitHub-flavoured Markdown turns bare URLs and
    e-mail addresses in the *unescaped* text into links, which escaping alone cannot prevent.
    """
    text = clean(value).replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = _AUTOLINK.sub(WORD_JOINER, text)
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_in_md(value: object) -> str:
    """Escape for HTML that Streamlit's Markdown renders (the legend): markup characters as ``&#NN;``."""
    text = clean(value).replace("\r", " ").replace("\n", " ")
    return "".join(f"&#{ord(c)};" if c in _MARKUP else c for c in text)


def md_code(value: object, info: str = "") -> str:
    """``value`` as a fenced code block; the fence is longer than any run of backticks inside."""
    text = clean(value)
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


_IMAGE = re.compile(r"!\[")
_FENCE = re.compile(r"^\s*(```|~~~)")


def md_without_images(text: str) -> str:
    """Markdown with every image (``![alt](url)``, ``![alt][ref]``) turned into a plain link.

    Raw HTML is not rendered by ``st.markdown`` anyway; fenced code blocks are left unchanged.
    """
    lines, in_code = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_code = not in_code
        lines.append(line if in_code else _IMAGE.sub(r"\\![", line))
    return "\n".join(lines)


def js(value: object) -> str:
    """A JSON literal of ``value`` that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return no_template(text)


def cell(value: object) -> object:
    """A spreadsheet-safe cell: text that starts with ``= + - @``, tab or CR gets a leading ``'``.

    Numbers and missing values are returned unchanged (a negative number is not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
