"""Scenario changes: one share syntax, sub-areas (bydele) in changes, links and downloads, a
repeated move replacing the earlier one, the link's length limit, invisible characters."""

from __future__ import annotations

import base64
import csv
import io
from contextlib import redirect_stderr

import pytest

from geo import export, plans, tables
from geo.viewstate import parse_kommune
from tests.test_plans import boxes  # noqa: F401 - fixture

BYEN = "0101=h_byen:0.577@1+2+3+6+7+8,h_syd:0.423@4+5+9+10"


def test_sub_areas_are_part_of_a_change_and_round_trip():
    change = plans.parse_change(BYEN)
    assert change.shares == (("h_byen", 0.577), ("h_syd", 0.423))
    assert change.sub_areas == (("1", "2", "3", "6", "7", "8"), ("4", "5", "9", "10"))
    assert change.text() == BYEN
    assert plans.decode_changes(plans.encode_changes([change])) == [change]
    assert plans.parse_change("0101=h_byen:0.5,h_syd:0.5").sub_areas == ()  # none listed: as before


def test_links_written_before_sub_areas_still_read():
    assert plans.decode_changes("v1.MDQxMD1zZF9meW4") == [plans.Change("0410", (("sd_fyn", 1.0),))]
    old = "v1." + base64.urlsafe_b64encode(b"0101=h_byen:0.5,h_syd:0.5;0410=sd_fyn").decode().rstrip("=")
    assert [c.text() for c in plans.decode_changes(old)] == ["0101=h_byen:0.5,h_syd:0.5", "0410=sd_fyn"]
    assert plans.encode_changes(plans.decode_changes(old)) == old  # without sub-areas, the same token


@pytest.mark.parametrize(("text", "share"), [("0002=u1:57.7%,u2:42.3%", 0.577), ("0002=u1:57.7 %,u2:42.3 %", 0.577),
                                             ("0002=u1:0.577,u2:0.423", 0.577), ("0002=u1:60%,u2:0.4", 0.6)])
def test_one_share_syntax_with_or_without_a_space(text, share):
    assert plans.parse_change(text).shares[0] == ("u1", share)  # exactly: 57.7 % is the float 0.577


@pytest.mark.parametrize(("text", "message"), [
    ("0002=u1:60,u2:40", r"share of u1 is 60, more than 1: write a fraction \(0.6\) or a percentage \(60%\)"),
    ("0002=u1:1e-300,u2:1", "share of u1 must be at least 1e-09"),
    ("0002=u1:0.5@,u2:0.5", "sub-areas of u1 must be ids joined by"),
    ("0002=u1:0.5@1/2,u2:0.5", "sub-areas of u1 must be ids joined by"),
    ("0002=u1:x,u2:1", "share 'x' of u1 is not a number"),
])
def test_bad_shares_and_sub_areas_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        plans.parse_change(text)


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u00a0", "\u200e", "\u2066"])
def test_invisible_characters_do_not_hide_a_code(invisible):
    assert plans.parse_change(f"0101{invisible}=h_byen{invisible}") == plans.Change("0101", (("h_byen", 1.0),))
    assert parse_kommune(f"0101{invisible}", {"0101"}) == ("0101", None)
    assert parse_kommune(f"{invisible}101", {"0101"}) == ("0101", None)


def test_unknown_or_doubly_given_sub_areas_change_nothing(boxes):  # noqa: F811 - the fixture imported above
    bundle, ctx = boxes
    base = plans.layer_plan(bundle, "klynger")
    with pytest.raises(ValueError, match=r"sub-area '7' does not exist in kommune 0001 \(known: 1, 2\)"):
        plans.apply_changes(base, [plans.parse_change("0001=u1:0.5@1+7,u2:0.5@2")], ctx)
    with pytest.raises(ValueError, match="sub-area 1 is given to both u1 and u2"):
        plans.apply_changes(base, [plans.parse_change("0001=u1:0.5@1,u2:0.5@1+2")], ctx)
    swapped = plans.apply_changes(base, [plans.parse_change("0001=u1:0.6@2,u2:0.4@1")], ctx)
    rows = swapped.rows[swapped.rows["kommune_kode"] == "0001"]
    assert dict(zip(rows["unit_id"], rows["sub_areas"], strict=True)) == {"u1": "2", "u2": "1"}


def test_a_repeated_move_replaces_the_earlier_one():
    changes: list[plans.Change] = []
    for unit in ("sd_fyn", "sd_lillebaelt", "sd_fyn"):
        changes = plans.add_change(changes, plans.parse_change(f"0410={unit}"))
    changes = plans.add_change(changes, plans.parse_change("0101=h_syd"))
    changes = plans.add_change(changes, plans.parse_change(BYEN))
    assert [c.text() for c in changes] == ["0410=sd_fyn", BYEN]
    token = plans.encode_changes(changes)
    for _ in range(5000):  # clicking back and forth never lengthens the link
        changes = plans.add_change(changes, plans.parse_change("0410=sd_lillebaelt"))
    assert len(plans.encode_changes(changes)) == len(token) + len("sd_lillebaelt") * 4 // 3 - len("sd_fyn") * 4 // 3


def test_the_link_limit_is_16000_characters_with_a_message():
    changes = [plans.Change(f"{k:04d}", tuple((f"u{j}", 0.125) for j in range(8))) for k in range(1, 500)]
    within: list[plans.Change] = []
    with pytest.raises(plans.ScenarioTooLong) as err:
        for change in changes:
            within = plans.add_change(within, change)
    assert isinstance(err.value, ValueError) and err.value.limit == 16_000 and err.value.length > 16_000
    assert "the scenario is too long for a link" in str(err.value) and "at most 16,000" in str(err.value)
    token = plans.encode_changes(within)  # what fitted is kept, and still a valid link
    assert 15_000 < len(token) <= plans.MAX_TOKEN_CHARS
    assert plans.decode_changes(token) == within
    with pytest.raises(plans.ScenarioTooLong):
        plans.decode_changes(token + "A" * (plans.MAX_TOKEN_CHARS - len(token) + 1))


# --- an uploaded table keeps København's bydele ---------------------------------------------------

def _table(bundle, kbh: list[tuple[str, str, str]]) -> bytes:
    """The sundhedsklynger assignment table with København's rows replaced (unit, share, bydele)."""
    rows = plans.layer_plan(bundle, "sundhedsklynger").rows
    rows = rows[rows["kommune_kode"] != "0101"][["layer", "kommune_kode", "unit_id", "share", "sub_areas"]]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")  # as Danish Excel writes it
    writer.writerow(["layer", "kommune_kode", "unit_id", "share", "sub_areas"])
    writer.writerows([r.layer, r.kommune_kode, r.unit_id, str(r.share).replace(".", ","), r.sub_areas]
                     for r in rows.itertuples())
    writer.writerows(["sundhedsklynger", "0101", unit, share, subs] for unit, share, subs in kbh)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def real(bundle):
    return bundle, plans.build_context(bundle)


@pytest.mark.parametrize("kbh", [
    [("h_byen", "0,577", "1;2;3;6;7;9"), ("h_syd", "0,423", "4;5;8;10")],  # the same shares, other bydele
    [("h_byen", "49,5 %", "1;2;3;6;7"), ("h_syd", "50,5 %", "4;5;8;9;10")],  # new shares too, in percent
], ids=["same-shares", "new-shares"])
def test_an_uploaded_table_keeps_its_bydele_in_scenario_link_download_and_compare(real, tmp_path, monkeypatch, kbh):
    bundle, ctx = real
    data = _table(bundle, kbh)
    uploaded, problems = plans.plan_from_table(bundle, plans.read_table(data, "kbh.csv"), "kbh.csv")
    assert problems == []
    base = plans.layer_plan(bundle, "sundhedsklynger")
    changes = plans.changes_between(base, uploaded)  # what the Scenarier page keeps of an upload
    assert [c.kommune_kode for c in changes] == ["0101"]
    assert changes[0].sub_areas == tuple(tuple(subs.split(";")) for _, _, subs in kbh)
    token = plans.encode_changes(changes)  # the link
    scenario = plans.apply_changes(base, plans.decode_changes(token), ctx)
    kbh_rows = scenario.rows[scenario.rows["kommune_kode"] == "0101"]
    assert kbh_rows["sub_areas"].tolist() == [subs for _, _, subs in kbh]
    assert plans.changed_kommuner(uploaded, scenario) == []
    download = plans.to_assignment_csv(scenario)  # the download reads back as the same plan
    back, problems = plans.plan_from_table(bundle, tables.read_csv_table(download.encode(), "s.csv"), "s.csv")
    assert problems == [] and plans.changed_kommuner(uploaded, back) == []
    # Sammenlign (the scenario from the link) and `geo compare --with FILE` give the same numbers
    page = plans.compare(ctx, plans.layer_plan(bundle, "psykiatri-voksen"), scenario)
    from geo.__main__ import main

    monkeypatch.setattr("geo.__main__.load_bundle", lambda: bundle)
    (tmp_path / "kbh.csv").write_bytes(data)
    out = io.StringIO()
    with redirect_stderr(io.StringIO()):
        assert main(["compare", "--layer", "psykiatri-voksen", "--with", str(tmp_path / "kbh.csv")], out=out) == 0
    assert out.getvalue() == export.to_csv(page.matrix)
    glostrup = page.matrix[(page.matrix["a_unit_id"] == "rh_pc_glostrup") & (page.matrix["b_unit_id"] == "h_byen")]
    assert glostrup.empty  # bydel 5 (PC Glostrup's) is Syd's in both tables: nobody from Glostrup in Byen
