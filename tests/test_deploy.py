"""deploy/run.sh in headless Chromium: two replicas behind nginx (compressed front end, map, sticky sessions),
security headers and the CSP (no violation in the app or the atlas), long links, and a replica killed
with SIGKILL (the other session lives on, new visitors are served, the replica comes back).

Skipped, with the reason, when nginx or Chromium is not installed (.ci/run installs both).
"""

from __future__ import annotations

import http.client
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


def fetch(front, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    """GET ``path`` from the front (no redirects followed): status, headers (lower-case names), body."""
    conn = http.client.HTTPConnection("127.0.0.1", front["port"], timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def assert_security_headers(headers: dict, csp_has: tuple[str, ...], csp_lacks: tuple[str, ...] = ()) -> None:
    csp = headers.get("content-security-policy", "")
    for part in ("default-src 'self'", "frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'", *csp_has):
        assert part in csp, (part, csp)
    for part in csp_lacks:
        assert part not in csp, (part, csp)
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "SAMEORIGIN"
    assert headers.get("referrer-policy") == "same-origin"
    assert headers.get("server") == "nginx", headers.get("server")  # server_tokens off: no version


def test_security_headers_on_the_app_and_the_atlas(front):
    status, headers, index = fetch(front, "/")
    assert status == 200
    assert_security_headers(headers, ("connect-src 'self'",))
    script = re.search(r'src="\.?(/static/js/[^"]+\.js)"', index)
    assert script, index[:500]
    for path in (script.group(1), "/_stcore/health"):  # nginx's own copy of the front end, and the replicas
        status, headers, _ = fetch(front, path)
        assert status == 200
        assert_security_headers(headers, ("connect-src 'self'",))
    status, headers, _ = fetch(front, "/atlas/")
    if status == 200:  # the atlas is built (python -m geo site)
        # the atlas: files only, nothing inline and nothing evaluated
        assert_security_headers(headers, (), ("unsafe-inline", "unsafe-eval"))
    assert fetch(front, "/_stcore/metrics")[0] == 404


def test_the_atlas_redirect_is_relative_whatever_the_host(front):
    status, headers, _ = fetch(front, "/atlas", {"Host": "evil.example"})
    assert status == 301
    assert headers["location"] == "/atlas/"


def test_long_links_fit_and_longer_ones_get_the_apps_own_page(front):
    from geo.plans import MAX_TOKEN_CHARS

    # the longest scenario link the app makes passes nginx (the app itself answers)
    status, _, _ = fetch(front, "/scenarier?s=" + "a" * (MAX_TOKEN_CHARS + 100))
    assert status == 200
    for path, headers, code in [("/scenarier?s=" + "a" * 1_000_000, {}, 414),
                                ("/kort?breaks=" + "1," * 300_000, {}, 414),     # 600 KB of class breaks
                                ("/", {"Cookie": "x=" + "a" * 40_000}, 400)]:    # a header past the buffers
        status, got, body = fetch(front, path, headers)
        assert status == code
        assert got["content-type"].startswith("text/html")
        assert "Klyngekort: linket er for langt" in body and "Klyngekort: the link is too long" in body
        assert 'href="/"' in body
        assert_security_headers(got, ())


CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) =>
  console.error('CSP-VIOLATION ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));
"""


def csp_watch(context) -> list[str]:
    """Every CSP violation in any frame of ``context`` (the listener's report and Chromium's own)."""
    seen: list[str] = []
    context.add_init_script(CSP_LISTENER)

    def on_console(message) -> None:
        text = message.text
        if "CSP-VIOLATION" in text or "Content Security Policy" in text:
            seen.append(text)

    context.on("console", on_console)
    return seen


def test_the_app_draws_under_its_csp_with_no_violation(front, browser_, bundle):
    context = browser_.new_context(viewport={"width": 1400, "height": 1000})
    violations = csp_watch(context)
    page = context.new_page()
    page.goto(front["url"])
    map_frame(page, 98)
    pick_kommune(page, "Silkeborg", "0740")  # the map answers a selection (WebSocket under connect-src)
    page.goto(front["url"] + "/min_kommune?kommune=0101")
    expect(page.get_by_text("København").first).to_be_visible(timeout=60_000)
    map_frame(page, 1)
    page.goto(front["url"] + "/klynger")  # a Vega chart (it needs 'unsafe-eval')
    page.wait_for_function("document.querySelector('.vega-embed canvas, .vega-embed svg') !== null", timeout=120_000)
    page.goto(front["url"] + "/overgang?kommune=0410")
    expect(page.get_by_text("Middelfart (0410)").first).to_be_visible(timeout=120_000)
    frame = map_frame(page, 2)
    frame.wait_for_function("window.map_div && window.map_div2 && map_div._loaded && map_div2._loaded",
                            timeout=60_000)
    assert violations == []
    context.close()


def test_the_atlas_draws_under_its_csp_with_no_violation(front, browser_):
    if not has_site_command():
        pytest.skip("this checkout has no `python -m geo site` (the static atlas) yet")
    context = browser_.new_context(viewport={"width": 1200, "height": 900})
    violations = csp_watch(context)
    page = context.new_page()
    assert page.goto(front["url"] + "/atlas/").ok
    link = page.locator("a[href*='layer/']").first
    if link.count():
        link.click()
        page.wait_for_load_state("load")
    kommune = front["url"] + "/atlas/kommune/0101/"
    if page.goto(kommune).ok:
        page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length > 0", timeout=60_000)
    assert violations == []
    context.close()


def replica_pid(port: int) -> int:
    """The pid of the Streamlit replica listening on ``port`` (from its command line)."""
    found = [int(line.split(":")[0]) for line in processes_mentioning(f"--server.port {port} ")
             if "streamlit run" in line]
    assert len(found) == 1, found
    return found[0]


def healthy(url: str) -> bool:
    try:
        conn = http.client.HTTPConnection(url.split("//")[1].split(":")[0], int(url.rsplit(":", 1)[1]), timeout=2)
        conn.request("GET", "/_stcore/health")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def test_a_killed_replica_takes_nothing_else_down_and_comes_back(front, browser_):
    first, page_a, _ = open_map(browser_, front["url"])
    second, page_b, _ = open_map(browser_, front["url"])
    cookies = {replica_cookie(first), replica_cookie(second)}
    assert cookies == {"r1", "r2"}, cookies
    victim = front["replicas"][int(replica_cookie(first)[1:]) - 1]
    pid = replica_pid(victim)
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    # the other session keeps working over its WebSocket: a selection is answered
    pick_kommune(page_b, "Aarhus", "0751")
    # a new visitor gets the app within 10 s of the kill
    third = browser_.new_context(viewport={"width": 1400, "height": 1000})
    page_c = third.new_page()
    page_c.goto(front["url"], timeout=10_000)
    left = max(0.5, 10 - (time.monotonic() - killed))
    expect(page_c.get_by_label("Vælg kommune (eller klik på kortet)")).to_be_visible(timeout=left * 1000)
    assert time.monotonic() - killed <= 10
    # nginx and deploy/run.sh are still there; the dead replica is back, as a new process, within 30 s
    assert front["proc"].poll() is None, "deploy/run.sh stopped"
    while not healthy(f"http://127.0.0.1:{victim}"):
        assert time.monotonic() - killed < 30, "the killed replica was not back within 30 s"
        assert front["proc"].poll() is None, "deploy/run.sh stopped"
        page_b.wait_for_timeout(200)
    assert replica_pid(victim) != pid
    assert healthy(front["url"])
    # the surviving session still works after the restart
    pick_kommune(page_b, "Odense", "0461")
    for context in (first, second, third):
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
