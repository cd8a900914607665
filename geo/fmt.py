"""Number formatting by locale (Danish: 1.234,5; English: 1,234.5)."""

from __future__ import annotations

import math


def number(value: float | None, decimals: int = 1, lang: str = "da") -> str:
    """Format a number with thousands separators; ``None``/NaN become an en dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "da":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def decimals_for(unit: str, kind: str) -> int:
    """Sensible decimals: whole numbers for counts and kroner, one decimal for rates."""
    return 0 if kind == "count" or unit in ("kr.", "personer") else 1


def percent(share: float, lang: str = "da") -> str:
    """A share 0-1 as a whole percentage, e.g. 0.577 → '58 %' (da) or '58%' (en)."""
    value = number(share * 100, 0, lang)
    return f"{value} %" if lang == "da" else f"{value}%"


def plain(value: float) -> str:
    """A number for programs, the same in every export: the shortest text that reads back as the
    same float, with ``.`` as decimal mark and no ``.0`` on whole numbers (``1``, ``0.577``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(float(value)) if isinstance(value, float) else str(value)
