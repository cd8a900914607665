"""Leaflet for the app: installed into ``static/vendor/leaflet`` at setup time, only checked at run time.

The app must run from a read-only checkout, so nothing is copied when it starts. ``scripts/setup.sh``
runs ``python -m geo.assets``, which copies Leaflet 1.9.4 from the installed PyPI package
``django-js-lib-leaflet`` (every file written via `geo.files.atomic_write`); the app only calls
`missing` and names this command when something is absent.
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
