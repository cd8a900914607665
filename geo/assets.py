"""Leaflet for the app: installed into ``static/vendor/leaflet`` at setup time, only checked at run time.

The app must run from a read-only checkout, so nothing is copied when it starts. ``scripts/setup.sh``
runs ``python -m geo.assets``, which copies Leaflet 1.9.4 from the installed PyPI package
``django-js-lib-leaflet`` (every file written via `geo.files.atomic_write`); the app only calls
`missing` and names this command when something is absent.

The Leaflet plug-in Leaflet.Sync (two maps that pan and zoom together, as folium's ``DualMap`` uses
it) has no PyPI package; it comes from the npm registry (``leaflet.sync`` 0.2.4, BSD-3-Clause, pinned
with its integrity hash in ``vendor/package-lock.json``): ``npm ci --prefix vendor`` unpacks it into
``vendor/node_modules`` and ``python -m geo.assets`` copies the script and its licence into
``static/vendor/leaflet-sync``. Without npm the rest of the app works; the page that needs the
plug-in says so (`sync_missing`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from geo.config import ROOT
from geo.files import atomic_write
from geo.mapbuild import LEAFLET_DIR, LEAFLET_FILES

LEAFLET_TARGET = ROOT / "static" / "vendor" / "leaflet"
SETUP_COMMAND = "bash scripts/setup.sh"
INSTALL_COMMAND = ".venv/bin/python -m geo.assets"
SYNC_PACKAGE = ROOT / "vendor" / "node_modules" / "leaflet.sync"  # npm ci --prefix vendor
SYNC_TARGET = ROOT / "static" / "vendor" / "leaflet-sync"
SYNC_FILES = ("L.Map.Sync.js", "LICENSE")
SYNC_VERSION = "0.2.4"
NPM_COMMAND = "npm ci --prefix vendor"


def wanted() -> list[Path]:
    """Leaflet's files relative to its folder: the JS, the CSS and the marker/layer images."""
    images = sorted(p.relative_to(LEAFLET_DIR) for p in (LEAFLET_DIR / "images").iterdir() if p.is_file())
    return [Path(name) for name in LEAFLET_FILES] + images


def missing(target: Path = LEAFLET_TARGET) -> list[str]:
    """The Leaflet files absent from ``target`` or of another size than the installed package's.

    Only reads: this is what the app does at run time.
    """
    out = []
    for rel in wanted():
        dst = target / rel
        if not dst.is_file() or dst.stat().st_size != (LEAFLET_DIR / rel).stat().st_size:
            out.append(str(rel))
    return out


def install(target: Path = LEAFLET_TARGET) -> list[str]:
    """Copy the Leaflet files that are missing or differ into ``target``; return what was written."""
    todo = missing(target)
    for rel in todo:
        dst = target / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(dst, (LEAFLET_DIR / rel).read_bytes())
    return todo


def sync_missing(target: Path = SYNC_TARGET, package: Path = SYNC_PACKAGE) -> list[str]:
    """The Leaflet.Sync files absent from ``target`` (or, where the npm package is unpacked, of another
    size than its files). Only reads."""
    out = []
    for name in SYNC_FILES:
        dst, src = target / name, package / name
        if not dst.is_file() or (src.is_file() and dst.stat().st_size != src.stat().st_size):
            out.append(name)
    return out


def install_sync(target: Path = SYNC_TARGET, package: Path = SYNC_PACKAGE) -> list[str]:
    """Copy Leaflet.Sync's script and licence from the unpacked npm package into ``target``; return what
    was written. FileNotFoundError naming the npm command when the package is not unpacked."""
    absent = [name for name in SYNC_FILES if not (package / name).is_file()]
    if absent:
        raise FileNotFoundError(f"Leaflet.Sync {SYNC_VERSION} is not unpacked in {package} "
                                f"(missing {', '.join(absent)}): run {NPM_COMMAND} (npm registry)")
    todo = sync_missing(target, package)
    for name in todo:
        target.mkdir(parents=True, exist_ok=True)
        atomic_write(target / name, (package / name).read_bytes())
    return todo


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m geo.assets [TARGET]``: install Leaflet; exit 2 with one message if it cannot be written."""
    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else LEAFLET_TARGET
    try:
        written = install(target)
    except OSError as exc:
        print(f"error: cannot install Leaflet into {target}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Leaflet: {len(written)} file(s) written to {target}" if written else f"Leaflet: up to date in {target}")
    if args:  # a target of its own: Leaflet only
        return 0
    try:
        synced = install_sync()
    except FileNotFoundError as exc:  # no npm on this machine: the app runs, its side-by-side maps unsynchronised
        print(f"note: {exc}; until then the maps of the transition page do not move together", file=sys.stderr)
        return 0
    except OSError as exc:
        print(f"error: cannot install Leaflet.Sync into {SYNC_TARGET}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"Leaflet.Sync: {len(synced)} file(s) written to {SYNC_TARGET}" if synced
          else f"Leaflet.Sync: up to date in {SYNC_TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
