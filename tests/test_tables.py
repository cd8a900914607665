"""Reading tables the way Excel writes them, and every validation message."""

from __future__ import annotations

import pytest

from geo.errors import ValidationError
from geo.tables import prepare_assignments, read_csv_table, validate_assignments, validate_sites

HEADER = "layer,kommune_kode,unit_id,share,sub_areas,confidence\n"
GOOD = (
    "klynger,0001,u1,0.6,1,high\n"
    "klynger,0001,u2,0.4,2,low\n"
    "klynger,0002,u2,1,,\n"
    "klynger,0003,u3,1,,medium\n"
)


def problems_for(tiny, text: str, encoding: str = "utf-8") -> list[str]:
    df = read_csv_table(text.encode(encoding), "t.csv")
    prepared, problems = prepare_assignments(df, "t.csv")
    return problems + validate_assignments(
        prepared, table="t.csv", kommuner=tiny["kommuner"], layers=tiny["layers"],
        units=tiny["units"], sub_areas=tiny["sub_areas"],
    )


def test_valid_table_has_no_problems(tiny):
    assert problems_for(tiny, HEADER + GOOD) == []


def test_excel_style_bom_semicolon_decimal_comma_and_lost_zeros(tiny):
    text = "\ufefflayer;kommune_kode;unit_id;share;sub_areas;confidence\r\n" + (
        "klynger;1;u1;0,6;1;high\r\nklynger;1;u2;0,4;2;low\r\nklynger;2;u2;1;;\r\nklynger;3;u3;1;;medium\r\n"
    )
    assert problems_for(tiny, text) == []


def test_windows_1252_text_is_read():
    text = "layer,kommune_kode,unit_id,share,note\nklynger,0101,u1,1,Østerbro og Amager\n"
    df = read_csv_table(text.encode("cp1252"), "t.csv")
    assert df.loc[0, "note"] == "Østerbro og Amager"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("nope,0003,u3,1,,", "t.csv line 5, column layer: unknown layer 'nope'; expected one of"),
        ("klynger,0999,u3,1,,", "t.csv line 5, column kommune_kode: '0999' is not one of the 3 kommune codes"),
        ("klynger,411,u3,1,,", "0411 is Christiansø, which is not a kommune"),
        ("klynger,0003,u9,1,,", "column unit_id: 'u9' is not a unit of layer 'klynger'"),
        ("klynger,0003,u3,abc,,", "column share: 'abc' is not a number"),
        ("klynger,0003,u3,1.5,,", "column share: 1.5 must be at least 1e-09 and at most 1 (100 %)"),
        ("klynger,0003,u3,1e-300,,", "column share: 1e-300 must be at least 1e-09 and at most 1 (100 %)"),
        ("klynger,0003,u3,57.7 %%,,", "column share: '57.7 %%' is not a number"),
        ("klynger,0003,u3,1,,sure", "column confidence: 'sure'; expected one of"),
        ("klynger,0003,u3,1,7,", "sub-area '7' does not exist in kommune 0003"),
    ],
)
def test_bad_row_is_named(tiny, line, message):
    body = GOOD.replace("klynger,0003,u3,1,,medium\n", "")
    problems = problems_for(tiny, HEADER + body + line + "\n")
    assert any(message in p for p in problems), problems


def test_shares_not_summing_to_one(tiny):
    problems = problems_for(tiny, HEADER + GOOD.replace("0.4", "0.3"))
    assert any("shares of kommune 0001 (A) in layer klynger sum to 0.9, expected 1" in p for p in problems)


def test_duplicate_row(tiny):
    problems = problems_for(tiny, HEADER + GOOD + "klynger,0003,u3,1,,medium\n")
    assert any("t.csv line 6: duplicate of an earlier row for (klynger, 0003, u3)" in p for p in problems)


def test_missing_kommune_in_full_extent_layer(tiny):
    problems = problems_for(tiny, HEADER + GOOD.replace("klynger,0003,u3,1,,medium\n", ""))
    assert problems == ["t.csv: layer klynger must cover all 3 kommuner; missing 0003 C"]


def test_named_layer_need_not_cover_everything(tiny):
    assert problems_for(tiny, HEADER + "historisk,0001,h1,1,,\n") == []


def test_overlapping_sub_areas(tiny):
    problems = problems_for(tiny, HEADER + GOOD.replace("0.4,2,low", "0.4,1,low"))
    assert any("sub-area 1 of kommune 0001 is already assigned to unit 'u1'" in p for p in problems)


def test_missing_required_column(tiny):
    problems = problems_for(tiny, "layer,kommune_kode,share\nklynger,0001,1\n")
    assert problems == ["t.csv: missing required column(s) ['unit_id']; found ['layer', 'kommune_kode', 'share']"]


def test_wrong_field_count_names_the_line():
    with pytest.raises(ValidationError, match=r"line 3: 2 fields, but the header has 6"):
        read_csv_table((HEADER + "klynger,0001,u1,1,,\nklynger,0002\n").encode(), "t.csv")


def test_empty_file():
    with pytest.raises(ValidationError, match="the file is empty"):
        read_csv_table(b"", "t.csv")


def test_sites_outside_denmark_and_half_coordinates():
    text = ("site_id,name,kind,lat,lon,source,coord_source,confidence\n"
            "a,A,akutsygehus,55.7,12.5,s,c,high\n"
            "b,B,akutsygehus,12.5,55.7,s,c,high\n"
            "c,C,akutsygehus,55.7,,s,c,medium\n"
            "d,D,akutsygehus,,,s,,low\n")
    problems = validate_sites(read_csv_table(text.encode(), "sites.csv"))
    assert "sites.csv line 3, column lat: 12.5 is outside Denmark (54.4–57.9)" in problems
    assert "sites.csv line 4: lat and lon must both be given or both blank" in problems
    assert "sites.csv line 5, column coord_source: blank coordinates need a reason" in problems


@pytest.mark.parametrize("share", ["60%", "60 %", "60\u00a0%", "0.6", "0,6", "60,0 %", "6e-1"])
def test_one_share_syntax_fractions_or_percentages(tiny, share):
    sep = ";" if "," in share else ","  # a decimal comma comes with ';' as separator (Danish Excel)
    other = ("40 %" if "%" in share else "0,4" if sep == ";" else "0.4")
    rows = [("klynger", "0001", "u1", share, "1", "high"), ("klynger", "0001", "u2", other, "2", "low"),
            ("klynger", "0002", "u2", "1", "", ""), ("klynger", "0003", "u3", "1", "", "medium")]
    text = HEADER.replace(",", sep) + "".join(sep.join(r) + "\n" for r in rows)
    assert problems_for(tiny, text) == []
    prepared, _ = prepare_assignments(read_csv_table(text.encode(), "t.csv"), "t.csv")
    assert prepared["share"].tolist()[:2] == [0.6, 0.4]  # exactly, not 0.6000000000000001


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u00a0", "\u200e", "\u200f", "\u202e", "\u2060"])
def test_invisible_characters_are_stripped_from_codes_ids_and_shares(tiny, invisible):
    text = HEADER + GOOD.replace("klynger,0002,u2,1", f"klynger{invisible},0002{invisible},{invisible}u2,1{invisible}")
    assert problems_for(tiny, text) == []
    prepared, _ = prepare_assignments(read_csv_table(text.encode(), "t.csv"), "t.csv")
    assert prepared.loc[2, ["layer", "kommune_kode", "unit_id", "share"]].tolist() == ["klynger", "0002", "u2", 1.0]
