"""Number formatting by locale through Babel (Danish: 1.234,5 and 58 %; English: 1,234.5 and 58%)."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALES = {"da": "da_DK", "en": "en_GB"}


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number(value: float | None, decimals: int = 1, lang: str = "da") -> str:
    """Format a number with the locale's grouping and decimal signs; ``None``/NaN become an en dash.

    Examples
    --------
    >>> number(1234.5, 1, "da"), number(1234.5, 1, "en")
    ('1.234,5', '1,234.5')
    """
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(float(value), format=pattern, locale=LOCALES.get(lang, LOCALES["da"]),
                          decimal_quantization=True, group_separator=True)


def decimals_for(unit: str, kind: str) -> int:
    """Sensible decimals: whole numbers for counts and kroner, one decimal for rates."""
    return 0 if kind == "count" or unit in ("kr.", "personer") else 1


def percent(share: float | None, lang: str = "da", decimals: int = 0) -> str:
    """A share 0-1 as a percentage, e.g. 0.577 → '58 %' (da) or '58%' (en).

    The product is rounded to 9 decimals first, so a share written with three decimals is the
    percentage it says (0.545 × 100 is 54.50000000000001 in floating point, and would show as
    55 % beside 0.455's 46 %); Babel then rounds half to even (54.5 → 54, 45.5 → 46).
    """
    if _missing(share):
        return "–"
    value = number(round(float(share) * 100, 9), decimals, lang)
    return f"{value} %" if lang == "da" else f"{value}%"


def plain(value: float) -> str:
    """A number for programs, the same in every export: the shortest text that reads back as the
    same float, with ``.`` as decimal mark and no ``.0`` on whole numbers (``1``, ``0.577``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(float(value)) if isinstance(value, float) else str(value)
