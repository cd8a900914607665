"""Ctrl-C in the command line: one line on standard error, exit code 130, nothing half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from geo.config import sources_dir

ROOT = Path(__file__).resolve().parent.parent


def _start(*argv: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def test_ctrl_c_while_the_atlas_is_written_gives_one_line_and_130(tmp_path):
    if not sources_dir().is_dir():
        pytest.skip(f"source data not found at {sources_dir()}")
    out = tmp_path / "site"
    proc = _start("-m", "geo", "site", "--out", str(out))
    try:
        line = proc.stdout.readline()  # printed once the data are loaded, as the writing starts
        assert line.startswith("Loaded the data"), line
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.splitlines() == ["error: interrupted (Ctrl-C); nothing was left half-written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no atlas, no .site.building-… folder


def test_ctrl_c_while_the_libraries_load_gives_the_same_line():
    # -X importtime reports each import as it completes: interrupt while numpy (for geo.export) loads
    proc = _start("-X", "importtime", "-m", "geo", "check")
    try:
        for line in proc.stderr:
            if line.split("|")[-1].strip() == "numpy":
                break
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    lines = [x for x in err.splitlines() if not x.startswith("import time:")]
    assert proc.returncode == 130, err[-2000:]
    assert lines == ["error: interrupted (Ctrl-C); nothing was left half-written"]
