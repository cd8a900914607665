"""Writing files so that nothing is lost or half-written, and exports a spreadsheet cannot run."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from geo import fmt, safe


def atomic_write(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same directory and an atomic rename.

    A failed write (disk full, no permission, a missing directory) raises `OSError` and leaves
    any existing file at ``path`` untouched. A target that exists but is not a regular file
    (``/dev/stdout``, a pipe, ``/dev/full``) is written directly: it cannot be replaced.
    """
    target = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    if target.exists() and not target.is_file():
        with open(target, "wb") as handle:
            handle.write(payload)
        return target
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot start a spreadsheet formula (see `geo.safe.cell`)."""
    out = pd.DataFrame(frame).copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe.cell).astype(out[column].dtype)
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """CSV as every export writes it: RFC 4180 (comma, CRLF after every record, quotes where
    needed), no index, numbers as `geo.fmt.plain` writes them (``1``, ``0.577``), text cells that
    would start a formula neutralised (`neutralise_frame`). The text is UTF-8 when encoded; the
    caller writes it without a BOM."""
    return neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n", float_format=fmt.plain)
