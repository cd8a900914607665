"""Leaflet is installed at setup time (``python -m geo.assets``); the app only checks it and never
writes into the checkout, so it runs from a read-only one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import assets, safe
from geo.mapbuild import LEAFLET_DIR

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root`` (caches and environments aside) with its size and modification time."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        for name in filenames:
            stat = (Path(dirpath) / name).stat()
            out[str(Path(dirpath, name).relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return out


def test_install_copies_leaflet_once(tmp_path):
    target = tmp_path / "leaflet"
    assert assets.missing(target) == [str(p) for p in assets.wanted()]
    written = assets.install(target)
    assert "leaflet.js" in written and "images/marker-icon.png" in written
    assert assets.missing(target) == []
    assert (target / "leaflet.js").read_bytes() == (LEAFLET_DIR / "leaflet.js").read_bytes()
    before = snapshot(target)
    assert assets.install(target) == []  # nothing rewritten when up to date
    assert snapshot(target) == before


def test_install_cli_reports_an_unwritable_target(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert assets.main([str(blocker / "leaflet")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot install Leaflet into {blocker / 'leaflet'}") and "Traceback" not in err
    assert assets.main([str(tmp_path / "ok")]) == 0


def test_missing_assets_give_one_message_naming_the_setup_command(tmp_path, monkeypatch):
    import ui

    empty = tmp_path / "leaflet"
    empty.mkdir()
    monkeypatch.setattr(ui, "ASSETS_DIR", empty)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1
    text = at.error[0].value
    assert "`bash scripts/setup.sh`" in text
    assert safe.md("leaflet.js") in text and safe.md(str(empty)) in text  # names what is missing, escaped
    assert list(empty.iterdir()) == []  # checked, not installed


def test_the_app_writes_nothing_into_the_checkout(bundle, tmp_path, monkeypatch):
    import ui

    installed = tmp_path / "leaflet"
    assets.install(installed)
    monkeypatch.setattr(ui, "ASSETS_DIR", installed)
    before, before_installed = snapshot(ROOT), snapshot(installed)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.title, "the map page ran"
    assert snapshot(ROOT) == before
    assert snapshot(installed) == before_installed  # the installed copy was only read


def test_leaflet_sync_is_copied_from_the_npm_package(tmp_path):
    package, target = tmp_path / "node_modules" / "leaflet.sync", tmp_path / "leaflet-sync"
    with pytest.raises(FileNotFoundError, match=r"npm ci --prefix vendor"):
        assets.install_sync(target, package)
    assert assets.sync_missing(target, package) == list(assets.SYNC_FILES)
    package.mkdir(parents=True)
    (package / "L.Map.Sync.js").write_text("L.Map.include({sync: function () {}});")
    (package / "LICENSE").write_text("BSD-3-Clause")
    assert assets.install_sync(target, package) == list(assets.SYNC_FILES)
    assert assets.sync_missing(target, package) == [] and assets.install_sync(target, package) == []
    (package / "L.Map.Sync.js").write_text("L.Map.include({sync: function () { /* 0.2.5 */ }});")
    assert assets.sync_missing(target, package) == ["L.Map.Sync.js"]


def test_the_pinned_leaflet_sync_is_the_one_named():
    import json

    lock = json.loads((ROOT / "vendor" / "package-lock.json").read_text())
    entry = lock["packages"]["node_modules/leaflet.sync"]
    assert entry["version"] == assets.SYNC_VERSION and entry["license"] == "BSD-3-Clause"
    assert entry["integrity"].startswith("sha512-")
