"""AppTest of the Scenarier and Sammenlign pages: moves, splits, undo, URL scenarios, uploads, presets."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import plans

ROOT = Path(__file__).resolve().parent.parent
SCENARIER = str(ROOT / "pages" / "6_scenarier.py")
SAMMENLIGN = str(ROOT / "pages" / "7_sammenlign.py")
TIMEOUT = 180


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


@pytest.fixture()
def scenarier(bundle):
    return AppTest.from_file(SCENARIER, default_timeout=TIMEOUT)


def test_move_a_kommune_changes_two_units_and_the_url(scenarier):
    at = scenarier.run()
    assert not at.exception and not at.error
    at.selectbox(key="sc_kommune").set_value("0410").run()
    at.selectbox(key="sc_unit").set_value("sd_fyn").run()
    next(b for b in at.button if b.label == "Flyt kommunen").click().run()
    assert not at.exception
    text = texts(at)
    assert "Sundhedsklynge Fyn\\: 469\\.378 → 510\\.003 indbyggere \\(\\+40\\.625\\)" in text
    assert "Sundhedsklynge Lillebælt\\: 313\\.028 → 272\\.403" in text
    assert plans.decode_changes(at.query_params["s"]) == [plans.parse_change("0410=sd_fyn")]
    table = at.dataframe[0].value.set_index("Enhed")
    assert table.loc["Sundhedsklynge Fyn", "Befolkning efter"] == "510.003"
    assert table.loc["Sundhedsklynge Fyn", "Kommuner"] == 10 and (table["Sammenhængende dele"] == 1).all()
    life = [c for c in table.columns if c.endswith(", før")]
    assert len(life) == 1 and table.loc["Sundhedsklynge Byen", life[0]] != "–"
    next(b for b in at.button if b.label == "Fortryd seneste ændring").click().run()
    assert "s" not in at.query_params and "Sundhedsklynge Fyn\\: 469" not in texts(at)


def test_split_a_kommune_between_two_units(scenarier):
    at = scenarier.run()
    at.selectbox(key="sc_kommune").set_value("0410").run()
    at.multiselect(key="sc_split_units").set_value(["sd_fyn", "sd_lillebaelt"]).run()
    at.number_input(key="sc_share_sd_fyn").set_value(30).run()
    at.number_input(key="sc_share_sd_lillebaelt").set_value(70).run()
    next(b for b in at.button if b.label == "Giv andele").click().run()
    assert not at.exception
    change = plans.decode_changes(at.query_params["s"])[0]
    assert change.kommune_kode == "0410" and dict(change.shares) == pytest.approx({"sd_fyn": 0.3, "sd_lillebaelt": 0.7})
    assert "Sundhedsklynge Fyn\\: 469\\.378 → 481\\.566" in texts(at)


def test_a_url_scenario_is_reproduced(scenarier):
    scenarier.query_params["base"] = "sundhedsraad-2027"
    scenarier.query_params["s"] = plans.encode_changes([plans.parse_change("0530=lillebaelt")])
    at = scenarier.run()
    assert not at.exception and not at.warning
    assert "Billund \\(0530\\) → Sundhedsråd Lillebælt" in texts(at)


@pytest.mark.parametrize("token", ["v1.%%%", "v9.MDQxMD1zZF9meW4", "v1." + "MDQxMD1ub3doZXJl", "garbage"])
def test_a_bad_or_outdated_url_scenario_gives_a_message_and_the_base(scenarier, token):
    scenarier.query_params["s"] = token
    at = scenarier.run()
    assert not at.exception
    assert "kunne ikke læses" in " ".join(w.value for w in at.warning)
    assert "Ingen ændringer endnu" in " ".join(i.value for i in at.info)


def test_a_bad_upload_changes_nothing_and_lists_every_problem(scenarier):
    scenarier.query_params["s"] = plans.encode_changes([plans.parse_change("0410=sd_fyn")])
    at = scenarier.run()
    bad = b"layer,kommune_kode,unit_id,share\nsundhedsklynger,0101,=h_nope,1\nsundhedsklynger,9999,h_byen,0.5\n"
    at.file_uploader(key="sc_upload").upload("mine.csv", bad, "text/csv").run()
    assert not at.exception
    error = " ".join(e.value for e in at.error)
    assert "Filen blev ikke brugt" in error and "\\=h\\_nope" in error and "9999" in error
    assert plans.decode_changes(at.query_params["s"]) == [plans.parse_change("0410=sd_fyn")]


def test_an_upload_of_the_wrong_type_or_size_is_refused(scenarier):
    at = scenarier.run()
    at.file_uploader(key="sc_upload").upload("big.csv", b"x" * (2 * 1024 * 1024 + 1), "text/csv").run()
    assert "højst 2 MB modtages" in " ".join(e.value for e in at.error)  # in the page's language


def test_the_downloaded_scenario_csv_uploads_unchanged(bundle):
    import ui

    token = plans.encode_changes([plans.parse_change("0410=sd_fyn"), plans.parse_change("0101=h_byen:0.5,h_syd:0.5")])
    csv_text, geojson, image = ui.scenario_downloads("sundhedsklynger", token, "da")  # what the buttons serve
    assert image.startswith(b"\x89PNG") and '"type": "FeatureCollection"' in geojson
    fresh = AppTest.from_file(SCENARIER, default_timeout=TIMEOUT).run()
    fresh.file_uploader(key="sc_upload").upload("scenarie.csv", csv_text.encode("utf-8"), "text/csv").run()
    assert not fresh.exception and not fresh.error
    assert "indlæst som scenarie" in " ".join(s.value for s in fresh.success)
    assert sorted(plans.decode_changes(fresh.query_params["s"]), key=lambda c: c.kommune_kode) == [
        plans.parse_change("0101=h_byen:0.5,h_syd:0.5"), plans.parse_change("0410=sd_fyn")]


def test_sammenlign_presets_sentences_and_url(bundle):
    at = AppTest.from_file(SAMMENLIGN, default_timeout=TIMEOUT).run()
    assert not at.exception and not at.error
    next(b for b in at.button if b.label.replace("\\", "") == "Sundhedsklynger (2022) ↔ Sundhedsråd (2027)").click().run()
    assert at.query_params["a"] == "sundhedsklynger" and at.query_params["b"] == "sundhedsraad-2027"
    assert "af borgerne i Sundhedsklynge Byen hører til Sundhedsråd Hovedstaden" in texts(at).replace("\\", "")
    assert "I alt 6.025.511 borgere" in " ".join(c.value for c in at.caption)


def test_sammenlign_deep_link_and_bad_params(bundle):
    at = AppTest.from_file(SAMMENLIGN, default_timeout=TIMEOUT)
    at.query_params["a"] = "psykiatri-boern"
    at.query_params["b"] = "<script>"
    at.run()
    assert not at.exception
    assert at.selectbox(key="sm_a").value == "psykiatri-boern" and at.selectbox(key="sm_b").value == "psykiatri-voksen"


def _token(text: str) -> str:
    return "v1." + base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_link_with_shares_that_round_differently_is_reproduced(scenarier):
    scenarier.query_params["s"] = _token("0147=h_midt:0.3333334,h_syd:0.3333334,h_byen:0.3333332")
    at = scenarier.run()
    assert not at.exception and "kunne ikke" not in " ".join(w.value for w in at.warning)
    assert plans.decode_changes(at.query_params["s"]) == [
        plans.Change("0147", (("h_midt", 0.3333334), ("h_syd", 0.3333334), ("h_byen", 0.3333332)))]
    at.run()  # a rerun re-encodes what the page stored
    assert not at.exception


def test_an_upload_with_fine_shares_keeps_them_exactly(bundle):
    import ui

    rows = plans.layer_plan(bundle, "sundhedsklynger").rows
    rows = rows[~rows["kommune_kode"].isin(["0147", "0101"])][["layer", "kommune_kode", "unit_id", "share"]]
    text = rows.to_csv(index=False) + "".join(f"sundhedsklynger,{k},{u},{s}\n" for k, u, s in [
        ("0147", "h_midt", "0.3333333333"), ("0147", "h_syd", "0.3333333333"), ("0147", "h_byen", "0.3333333334"),
        ("0101", "h_byen", "0.4999999"), ("0101", "h_syd", "0.5000001")])
    at = AppTest.from_file(SCENARIER, default_timeout=TIMEOUT).run()
    at.file_uploader(key="sc_upload").upload("fine.csv", text.encode("utf-8"), "text/csv").run()
    assert not at.exception and not at.error and "kunne ikke" not in " ".join(w.value for w in at.warning)
    changes = {c.kommune_kode: dict(c.shares) for c in plans.decode_changes(at.query_params["s"])}
    assert changes == {"0101": {"h_byen": 0.4999999, "h_syd": 0.5000001},
                       "0147": {"h_byen": 0.3333333334, "h_midt": 0.3333333333, "h_syd": 0.3333333333}}
    csv_text = ui.scenario_downloads("sundhedsklynger", at.query_params["s"], "da")[0]
    assert "0101,h_byen,0.4999999," in csv_text and "0147,h_byen,0.3333333334," in csv_text


def test_a_stored_change_that_fails_gives_a_message_and_the_base(scenarier):
    scenarier.session_state["sc_changes"] = ["0147=h_midt:0.5"]
    at = scenarier.run()
    assert not at.exception
    assert "kunne ikke læses" in " ".join(w.value for w in at.warning)
    assert "Ingen ændringer endnu" in " ".join(i.value for i in at.info)
    at.run()
    assert not at.exception and not at.warning
