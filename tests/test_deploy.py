"""deploy/run.sh in headless Chromium: two replicas behind nginx (compressed front end, map, sticky sessions).

Skipped, with the reason, when nginx or Chromium is not installed (.ci/run installs both).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.test_browser import CHROMIUM_FLAGS, chromium_path, free_port, map_frame

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.browser
NGINX = os.environ.get("KLYNGEKORT_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"


def has_site_command() -> bool:
    """Whether this checkout has `python -m geo site` (the static atlas)."""
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "geo", "site", "--help"], cwd=ROOT,
                            capture_output=True, timeout=120)
    return result.returncode == 0


def processes_mentioning(*needles: str) -> list[str]:
    """Command lines of running processes that contain any of ``needles``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(n in cmdline for n in needles):
            found.append(f"{entry.name}: {cmdline}")
    return found


@pytest.fixture(scope="module")
def front(atlas, tmp_path_factory):
    """`bash deploy/run.sh 2 PORT` in its own run directory; yields its URL, process and replica ports."""
    if not Path(NGINX).exists():
        pytest.skip(f"no nginx at {NGINX} (apt-get install nginx); .ci/run installs it")
    if chromium_path() is None:
        pytest.skip("no Chromium installed (apt-get install chromium); .ci/run installs it")
    run = tmp_path_factory.mktemp("deploy-run")
    port = free_port()
    # the session's atlas (tests/conftest.py) instead of a second build by run.sh
    env = os.environ | {"KLYNGEKORT_RUN": str(run), "KLYNGEKORT_NGINX": NGINX, "KLYNGEKORT_ATLAS": str(atlas)}
    proc = subprocess.Popen(["bash", "deploy/run.sh", "2", str(port)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output, replicas = [], []
    deadline = time.time() + 300
    for line in proc.stdout:
        output.append(line)
        if line.startswith("replicas:"):
            replicas = [int(p) for p in line.split()[1:3]]
            break
        if time.time() > deadline:
            break
    if len(replicas) != 2:
        proc.kill()
        pytest.fail("deploy/run.sh did not start:\n" + "".join(output) + (proc.stdout.read() or ""))
    info = {"url": f"http://127.0.0.1:{port}", "proc": proc, "run": run, "replicas": replicas, "port": port}
    yield info
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser_():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        br = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield br
        br.close()


def open_map(browser, url: str):
    """A new browser context showing the national map through the front; returns (context, page, responses)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url)
    map_frame(page, 98)
    return context, page, responses


def pick_kommune(page, name: str, code: str) -> None:
    """Choose a kommune in the map page's selectbox and wait for its memberships."""
    box = page.get_by_label("Vælg kommune (eller klik på kortet)")
    box.click()
    box.fill(name)
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{name} ({code}) i laget Sundhedsklynger (2022)")).to_be_visible(timeout=60_000)


def replica_cookie(context) -> str | None:
    return next((c["value"] for c in context.cookies() if c["name"] == "kk_replica"), None)


def test_front_end_arrives_compressed_and_the_map_draws(front, browser_):
    context, page, responses = open_map(browser_, front["url"])
    bundles = [r for r in responses if re.search(r"/static/js/index\.[^/]+\.js$", r.url)]
    assert bundles, "no main JavaScript bundle was loaded"
    assert bundles[0].headers.get("content-encoding") == "gzip", bundles[0].headers
    component = [r for r in responses if "/component/" in r.url and r.url.endswith(".js")]
    assert component and all(r.headers.get("content-encoding") == "gzip" for r in component)
    assert replica_cookie(context) in {"r1", "r2"}
    context.close()


def test_a_second_browser_works_while_the_first_holds_its_session(front, browser_):
    first, page_a, _ = open_map(browser_, front["url"])
    second, page_b, _ = open_map(browser_, front["url"])
    # least_conn: the first browser's WebSocket keeps its replica busy, so the second lands on the other.
    assert {replica_cookie(first), replica_cookie(second)} == {"r1", "r2"}
    pick_kommune(page_b, "Silkeborg", "0740")
    pick_kommune(page_a, "Aarhus", "0751")
    # The first session kept its own state; the second still answers.
    expect(page_a.get_by_text("Silkeborg (0740) i laget")).to_have_count(0)
    pick_kommune(page_b, "Odense", "0461")
    # A reload keeps the browser on its replica.
    before = replica_cookie(first)
    page_a.reload()
    map_frame(page_a, 98)
    assert replica_cookie(first) == before
    first.close()
    second.close()


def test_the_atlas_is_served_under_atlas(front, browser_):
    if not has_site_command():
        pytest.skip("this checkout has no `python -m geo site` (the static atlas) yet")
    context = browser_.new_context()
    page = context.new_page()
    response = page.goto(front["url"] + "/atlas/")
    assert response.ok and response.headers.get("content-encoding") == "gzip"
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.locator("a[href*='0101']").first).to_be_attached()
    context.close()


def test_stopping_leaves_no_process_behind(front):
    proc, run = front["proc"], str(front["run"])
    ports = [f"--server.port {p} " for p in front["replicas"]]
    assert processes_mentioning(run, *ports), "nothing to stop: the run's processes were not found"
    result = subprocess.run(["bash", "deploy/run.sh", "stop"], cwd=ROOT, env=os.environ | {"KLYNGEKORT_RUN": run},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    proc.wait(timeout=30)
    assert processes_mentioning(run, *ports) == []
    for port in [front["port"], *front["replicas"]]:
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"
    assert not (front["run"] / "run.pid").exists()
