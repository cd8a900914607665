"""What a page shows, as one frozen value read from and written to its URL (shareable views).

Each page's state is read from the query string in ONE place (``from_query``) and written in ONE
place (``to_query``). Values are validated against the registries; an unknown value falls back to
the default and is reported as a `Problem` (parameter and value), which the page shows as a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from geo import fmt
from geo.classify import K_RANGE, PALETTES, SCHEMES, parse_breaks
from geo.tables import strip_invisible

LEVELS = ("kommuner", "units")


@dataclass(frozen=True)
class Registries:
    """The valid choices a URL may name (built from the bundle and the fill catalogue).

    ``fills`` maps a fill key to its kind ('category', 'count', 'rate'); ``units`` maps a layer to
    its unit ids; ``kommuner`` holds the 4-character kommune codes.
    """

    layers: tuple[str, ...]
    fills: Mapping[str, str]
    units: Mapping[str, tuple[str, ...]]
    kommuner: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    """A URL parameter whose value is not valid (it was replaced by the default)."""

    param: str
    value: str


def parse_kommune(value: str | None, kommuner: tuple[str, ...] | set[str]) -> tuple[str | None, Problem | None]:
    """A kommune code from a URL: ``'101'`` → ``'0101'``; unknown codes give a `Problem`.

    Returns
    -------
    (code, problem)
        ``(None, None)`` when no value was given.
    """
    if value is None or value == "":
        return None, None
    text = strip_invisible(str(value))  # a zero-width space or no-break space copied along with 0101
    code = text.zfill(4) if text.isdigit() and len(text) <= 4 else text
    if code in kommuner:
        return code, None
    return None, Problem("kommune", text)


def _get(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    return None if value is None or value == "" else str(value)


def _breaks(text: str) -> tuple[float, ...]:
    values = parse_breaks(text)  # finite, distinct, at most MAX_BREAKS (BreaksError is a ValueError)
    if not values:
        raise ValueError("no breaks")
    return values


@dataclass(frozen=True)
class MapState:
    """The national map page: layer, fill, classification, overlay, selected kommune, highlighted unit."""

    layer: str = "sundhedsklynger"
    fill: str = "membership"
    level: str = "kommuner"
    scheme: str = "quantiles"
    k: int = 5
    palette: str = "blues"
    breaks: tuple[float, ...] | None = None
    overlay: str | None = None
    kommune: str | None = None
    unit: str | None = None  # the highlighted unit of ``layer``

    PARAMS = ("layer", "fill", "level", "scheme", "k", "palette", "breaks", "overlay", "kommune", "unit")

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries) -> tuple[MapState, list[Problem]]:
        """Read and validate the URL's parameters; unknown values become defaults plus a `Problem`."""
        problems: list[Problem] = []
        values: dict = {}

        def take(name: str, valid) -> str | None:
            raw = _get(params, name)
            if raw is None:
                return None
            if raw in valid:
                return raw
            problems.append(Problem(name, raw))
            return None

        for name, valid in (("layer", reg.layers), ("fill", reg.fills), ("level", LEVELS),
                            ("scheme", SCHEMES), ("palette", PALETTES), ("overlay", reg.layers)):
            value = take(name, valid)
            if value is not None:
                values[name] = value
        raw_k = _get(params, "k")
        if raw_k is not None:
            if raw_k.isdigit() and K_RANGE[0] <= int(raw_k) <= K_RANGE[1]:
                values["k"] = int(raw_k)
            else:
                problems.append(Problem("k", raw_k))
        raw_breaks = _get(params, "breaks")
        if raw_breaks is not None:
            try:
                values["breaks"] = _breaks(raw_breaks)
            except ValueError:
                problems.append(Problem("breaks", raw_breaks))
        layer = values.get("layer", cls.layer)
        unit = take("unit", reg.units.get(layer, ()))
        if unit is not None:
            values["unit"] = unit
        kommune, problem = parse_kommune(_get(params, "kommune"), reg.kommuner)
        if problem:
            problems.append(problem)
        values["kommune"] = kommune
        return cls(**values).normalised(), problems

    def normalised(self) -> MapState:
        """Drop what does not apply: breaks without the user-defined scheme; that scheme without breaks."""
        state = self
        if state.scheme == "user_defined" and not state.breaks:
            state = replace(state, scheme="quantiles")
        if state.scheme != "user_defined" and state.breaks:
            state = replace(state, breaks=None)
        return state

    def to_query(self) -> dict[str, str]:
        """The parameters that differ from the defaults (the shortest URL that gives this view)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == f.default:
                continue
            if f.name == "breaks":
                out["breaks"] = ";".join(fmt.plain(float(b)) for b in value)
            else:
                out[f.name] = str(value)
        return out


@dataclass(frozen=True)
class KlyngerState:
    """The Klynger og ulighed page: layer, unit, indicator and the unit it is compared with."""

    layer: str = "sundhedsklynger"
    unit: str | None = None  # None: the first unit of the layer
    indicator: str = "ind:middellevetid_0aar_hisbk@2019-2023"
    other: str | None = None  # None: the first other unit

    PARAMS = ("layer", "unit", "indicator", "other")

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries) -> tuple[KlyngerState, list[Problem]]:
        """Read and validate the URL's parameters; unknown values become defaults plus a `Problem`."""
        problems: list[Problem] = []
        numeric = {k for k, kind in reg.fills.items() if kind != "category"}
        values: dict = {}
        for name, valid in (("layer", reg.layers), ("indicator", numeric)):
            raw = _get(params, name)
            if raw is not None and raw not in valid:
                problems.append(Problem(name, raw))
            elif raw is not None:
                values[name] = raw
        units = reg.units.get(values.get("layer", cls.layer), ())
        for name in ("unit", "other"):
            raw = _get(params, name)
            if raw is not None and raw not in units:
                problems.append(Problem(name, raw))
            elif raw is not None:
                values[name] = raw
        state = cls(**values)
        if state.other is not None and state.other == state.unit:
            problems.append(Problem("other", state.other))
            state = replace(state, other=None)
        return state, problems

    def to_query(self) -> dict[str, str]:
        """The parameters that differ from the defaults."""
        return {f.name: str(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None and getattr(self, f.name) != f.default}
