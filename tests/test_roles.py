"""Layer roles and validity: which layer plays which role on a date (`geo.roles`)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from geo import roles

ROOT = Path(__file__).resolve().parent.parent


def frame(rows):
    out = pd.DataFrame(rows, columns=["layer", "role", "valid_from", "valid_to"])
    out["name_da"] = out["layer"]
    out["name_en"] = out["layer"]
    out["_line"] = range(2, 2 + len(out))
    return out


TABLE = frame([
    ("old", "care", "2022-07-01", "2026-12-31"),
    ("new", "care", "2027-01-01", ""),
    ("psych", "psych_adult", "", ""),
    ("child", "psych_child", "", ""),
    ("reg", "region", "2007-01-01", "2026-12-31"),
    ("reg27", "region", "2027-01-01", ""),
    ("plan18", "plan", "2018-01-01", "2022-06-30"),
])
REG = roles.Registry.from_frame(TABLE)


@pytest.mark.parametrize(("day", "care", "region"), [
    ("2022-07-01", "old", "reg"), ("2026-12-31", "old", "reg"), ("2027-01-01", "new", "reg27"),
    ("2040-05-05", "new", "reg27"), ("2020-01-01", None, "reg"),
])
def test_the_layer_in_force_by_role(day, care, region):
    on = dt.date.fromisoformat(day)
    assert REG.in_force("care", on) == care
    assert REG.in_force("region", on) == region
    assert REG.in_force("psych_adult", on) == "psych"  # no dates: always


def test_a_historical_plan_is_never_in_force():
    assert REG.in_force("plan", dt.date(2019, 1, 1)) is None
    assert REG.entry("plan18").status(dt.date(2026, 1, 1)) == "ended"


def test_successor_predecessor_and_the_change_pair():
    assert REG.successor("old").layer == "new" and REG.predecessor("new").layer == "old"
    assert REG.successor("new") is None and REG.predecessor("old") is None
    assert REG.change_pair(dt.date(2026, 12, 2)) == ("old", "new")
    assert REG.change_pair(dt.date(2027, 1, 2)) == ("old", "new")


def test_main_layer_serving_and_comparisons_follow_the_date():
    before, after = dt.date(2026, 12, 31), dt.date(2027, 1, 2)
    assert REG.main_layer(before) == "old" and REG.main_layer(after) == "new"
    assert REG.main_layer(dt.date(2020, 1, 1)) == "psych"  # no care layer yet: the first layer in force
    assert REG.serving("old", before) == ["psych", "child", "new"]
    assert REG.serving("psych", after) == ["new", "child"]
    assert REG.comparisons(before) == [("old", "psych"), ("psych", "child"), ("old", "new")]
    assert REG.comparisons(after) == [("new", "psych"), ("psych", "child"), ("old", "new")]


@pytest.mark.parametrize(("rows", "message"), [
    ([("a", "care", "2022-01-01", "2026-12-31"), ("b", "care", "2026-06-01", ""), ("r", "region", "", "")],
     "both play role 'care' on 2026-06-01"),
    ([("a", "cure", "", ""), ("r", "region", "", "")], "'cure' is not a role"),
    ([("a", "care", "2027-13-01", ""), ("r", "region", "", "")], "'2027-13-01' is not a date"),
    ([("a", "care", "2027-01-01", "2026-01-01"), ("r", "region", "", "")], "valid_to 2026-01-01 is before"),
    ([("a", "care", "", "")], "no layer has role 'region'"),
])
def test_validation_names_the_problem(rows, message):
    problems = roles.validate(frame(rows))
    assert any(message in p for p in problems), problems


def test_the_real_layers_have_valid_roles(bundle):
    assert roles.validate(bundle.layers) == []
    reg = bundle.registry
    assert reg.in_force("care", dt.date(2026, 12, 31)) != reg.in_force("care", dt.date(2027, 1, 1))
    assert reg.successor(reg.in_force("care", dt.date(2026, 12, 31))).layer == reg.in_force("care",
                                                                                          dt.date(2027, 1, 1))


def test_dates_read_in_both_languages():
    assert roles.date_text(dt.date(2027, 1, 1), "da") == "1. januar 2027"
    assert roles.date_text(dt.date(2026, 12, 31), "en") == "31 December 2026"


# Pages, ui.py and the parts of geo/ that describe what is shown ask the registry; none names a layer.
NO_LAYER_IDS = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "ui.py", ROOT / "app.py",
                *(ROOT / "geo" / name for name in ("site.py", "profile.py", "planview.py", "views.py",
                                                   "viewstate.py"))]


@pytest.mark.parametrize("path", NO_LAYER_IDS, ids=lambda p: p.name)
def test_no_layer_id_is_written_out(path, bundle):
    ids = set(bundle.layers["layer"])
    literals = [node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    named = sorted({s for s in literals if s in ids or any(f"{i}/" in s or f"/{i}" in s for i in ids)})
    assert named == [], f"{path.name} names layer ids {named}: ask geo.roles.Registry instead"
