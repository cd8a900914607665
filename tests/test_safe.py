"""The one escaping rule (geo.safe) and atomic, formula-safe files (geo.files)."""

from __future__ import annotations

import json
import os
import re

import pandas as pd
import pytest

from geo import files, safe


@pytest.mark.parametrize("text", ["${alert(1)}", "`x`", "a\\u0041", "<img src=x onerror=alert(1)>"])
def test_html_leaves_nothing_that_html_or_a_template_string_would_run(text):
    out = safe.html(text)
    for bad in ("<", ">", "`", "${", "\\"):
        assert bad not in out


def test_html_keeps_danish_letters_readable():
    assert safe.html("Ærø & Fanø") == "Ærø &amp; Fanø"


@pytest.mark.parametrize("text", ["[log ind](https://evil.example)", "![x](https://evil.example/p.png)",
                                  ":red[alarm]", "$x^2$", "**fed**", "<b>x</b>", "# overskrift"])
def test_md_escapes_every_markdown_construct(text):
    out = safe.md(text)
    assert re.search(r"(?<!\\)[^\w\s\\\u2060]", out) is None, out  # every punctuation mark is escaped


def test_clean_drops_controls_and_bidi_overrides():
    assert safe.clean("a\u202eb\x00c\u2066d") == "abcd"


def test_js_is_safe_inside_a_script_element():
    out = safe.js("</script><script>alert(1)</script>\u2028")
    assert "<" not in out and "\u2028" not in out
    assert json.loads(out) == "</script><script>alert(1)</script>\u2028"


@pytest.mark.parametrize(("value", "expected"), [("=1+1", "'=1+1"), ("+45", "'+45"), ("-x", "'-x"),
                                                ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
                                                ("Aarhus", "Aarhus"), (-3.5, -3.5), (None, None)])
def test_cell_neutralises_formula_prefixes_only_in_text(value, expected):
    assert safe.cell(value) == expected


def test_neutralise_frame_returns_a_copy():
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "ok"], "value": [-1.0, 2.0]})
    out = files.neutralise_frame(frame)
    assert list(out["name"]) == ["'=HYPERLINK(\"x\")", "ok"] and list(out["value"]) == [-1.0, 2.0]
    assert frame.loc[0, "name"].startswith("=")


def test_atomic_write_replaces_or_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    files.atomic_write(target, "new")
    assert target.read_text(encoding="utf-8") == "new"

    def broken_fsync(_fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        files.atomic_write(target, "half")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_atomic_write_into_a_missing_directory_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        files.atomic_write(tmp_path / "nope" / "out.csv", "x")


def test_atomic_write_to_a_device_writes_through_and_reports_a_full_disk():
    with pytest.raises(OSError):
        files.atomic_write("/dev/full", "x")
    assert not os.path.isfile("/dev/full")


@pytest.mark.parametrize("text", ["[log ind](https://evil.example)", "<img src=x onerror=alert(1)>", "${alert(1)}",
                                  ":red[x]", "`x`", "a\n\nb"])
def test_html_in_md_leaves_no_markup_for_html_template_strings_or_markdown(text):
    out = safe.html_in_md(text)
    assert not set(out) & set("<>`$[]():\n\\")
    assert "&#" in out or text == "a\n\nb"


def test_html_in_md_keeps_numbers_readable():
    assert safe.html_in_md("40.000 – 80,5 %") == "40.000 – 80,5 %"


def test_md_code_cannot_be_closed_by_the_text():
    out = safe.md_code("a ```` b")
    fence = out.split("\n")[0]
    assert fence == "`````" and out.endswith("\n" + fence)


def test_md_without_images_turns_images_into_links_outside_code():
    text = "x ![p](https://evil.example/p.png) ![r][1]\n```\n![kode](y)\n```"
    out = safe.md_without_images(text)
    assert re.findall(r"(?<!\\)!\[", out) == ["!["]  # only the one inside the code block
    assert "\\![p](https://evil.example/p.png)" in out


@pytest.mark.parametrize("text", ["https://evil.example/login", "se www.evil.example", "skriv til a@evil.example"])
def test_md_breaks_bare_urls_and_addresses_that_gfm_would_link(text):
    shown = re.sub(r"\\(.)", r"\1", safe.md(text))  # the text after Markdown's escapes
    assert shown.replace(safe.WORD_JOINER, "") == text
    assert not re.search(r"https?://|www\.|\w@\w", shown), shown


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{% raw %}", "{# c #}", "{{{x}}}"])
def test_no_jinja_tag_survives_html_or_js(text):
    assert not re.search(r"\{[{%#]", safe.html(text))
    out = safe.js({"name": text, "nested": {"k": [text]}})
    assert not re.search(r"\{[{%#]", out)
    assert json.loads(out) == {"name": text, "nested": {"k": [text]}}
