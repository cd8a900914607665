"""Production settings: the Streamlit configuration every start uses, the flags deploy/run.sh adds, the
nginx configuration's headers and limits (rendered, no nginx needed), and the frozen bundle."""

from __future__ import annotations

import gc
import re
import sys
import tomllib
from pathlib import Path

import pytest

from geo import tables
from geo.plans import MAX_TOKEN_CHARS

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
import render  # noqa: E402  (deploy/render.py)


def config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_the_configuration_is_for_production():
    c = config()
    assert c["server"]["fileWatcherType"] == "none"
    assert c["server"]["runOnSave"] is False
    assert c["server"]["maxUploadSize"] == tables.UPLOAD_MAX_MB  # the limit the upload widgets state
    assert c["runner"]["postScriptGC"] is True  # kept: ui.py freezes the bundle instead
    assert c["server"]["headless"] is True


def test_deploy_and_start_pass_the_production_flags():
    run = (ROOT / "deploy" / "run.sh").read_text(encoding="utf-8")
    assert "--server.fileWatcherType none --server.runOnSave false" in run
    start = (ROOT / "scripts" / "start.sh").read_text(encoding="utf-8")
    assert "--server.address localhost" in start            # localhost unless told otherwise
    assert "--server.fileWatcherType auto --server.runOnSave true" in start  # --dev
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    assert "tests/browser" not in setup and "requirements-test" not in setup  # the app's set-up only
    assert "setup-test.sh" in (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    app = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    for tool in ("pytest==", "playwright==", "ruff=="):
        assert tool not in app and tool in (ROOT / "requirements-test.txt").read_text(encoding="utf-8")


@pytest.fixture()
def conf() -> str:
    return render.render("/run", 8080, [8501, 8502], "/static", "/site", root=False)


def test_nginx_headers_limits_and_routing(conf):
    assert "server_tokens off;" in conf and "absolute_redirect off;" in conf
    assert "location = /_stcore/metrics" in conf
    buffers = re.search(r"large_client_header_buffers (\d+) (\d+)k;", conf)
    assert buffers and int(buffers.group(2)) * 1024 > MAX_TOKEN_CHARS + 1000  # the longest link, with room
    assert re.search(r"error_page 400 414 494 /_kk/too-long\.html;", conf)
    assert (render.PAGES / "too-long.html").is_file()
    assert "error_page 502 503 504 /_kk/unavailable.html;" in conf  # every replica down at once
    assert "Klyngekort starter igen" in (render.PAGES / "unavailable.html").read_text(encoding="utf-8")
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf
    # every location that answers carries the whole set (nginx drops inherited add_header per location)
    locations = re.findall(r"location ([^{]+)\{(.*?)\n        \}", conf, flags=re.S)
    assert len(locations) >= 6, [name for name, _ in locations]
    for name, body in locations:
        if "return 30" in body or "return 404" in body:
            continue
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"):
            assert f"add_header {header} " in body, (name, header)
    atlas = re.search(r"location /atlas/ \{(.*?)\n        \}", conf, flags=re.S).group(1)
    assert "unsafe-inline" not in atlas and "unsafe-eval" not in atlas


def test_the_cookie_follows_the_replica_that_answered(conf):
    block = re.search(r"map \"\$kk_backend\|\$kk_answered\" \$kk_set_cookie \{(.*?)\}", conf, flags=re.S).group(1)
    rules = re.findall(r'"~([^"]+)"\s+"([^"]*)";', block)
    pcre = [(re.compile(p.replace("(?<", "(?P<")), v) for p, v in rules]

    def cookie(key: str) -> str:
        for pattern, value in pcre:
            m = pattern.search(key)
            if m:
                return value.replace("$replica", m.groupdict().get("replica") or "")
        return ""

    assert cookie("kk_r1|r1") == ""                          # on its replica: nothing to set
    assert cookie("kk_r1|r2").startswith("kk_replica=r2;")   # its replica was down: moved
    assert cookie("streamlit_new|r2").startswith("kk_replica=r2;")


@pytest.mark.app  # imports ui (Streamlit): not for the fast selection
def test_frozen_moves_the_loaded_objects_out_of_the_collectors_way():
    import ui

    value = {"big": list(range(1000))}
    try:
        assert ui._frozen(value) is value
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()

