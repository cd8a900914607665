"""What a page shows, as one frozen value read from and written to its URL (shareable views).

Each URL parameter has one owner: `Common` owns ``lang`` and ``dato`` (the whole app's language
and the date it shows), each page's state owns the rest of its parameters. Every state is read from
the query string in ONE place (``from_query``) and written in ONE place (``to_query``). Values are
validated against the registries; an unknown value falls back to the default and is reported as a
`Problem` (parameter and value), which the page shows as a message. Defaults that depend on the
date (the layer in force) come from the layer registry (`geo.roles.Registry`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from geo import fmt, roles
from geo.classify import K_RANGE, PALETTES, SCHEMES, parse_breaks
from geo.i18n import t
from geo.tables import strip_invisible

LEVELS = ("kommuner", "units")
LANGS = ("da", "en")
# Marker groups a map can show (keys of `geo.views.SITE_KINDS`), in the order they are written.
MARKERS = ("hospitals", "psychiatry")
DATE_RANGE = (dt.date(2007, 1, 1), dt.date(2035, 12, 31))  # what the date picker offers


@dataclass(frozen=True)
class Registries:
    """The valid choices a URL may name (built from the bundle and the fill catalogue).

    ``fills`` maps a fill key to its kind ('category', 'count', 'rate'); ``units`` maps a layer to
    its unit ids; ``kommuner`` holds the 4-character kommune codes; ``registry`` the layers' roles
    and validity (defaults by date).
    """

    layers: tuple[str, ...]
    fills: Mapping[str, str]
    units: Mapping[str, tuple[str, ...]]
    kommuner: tuple[str, ...]
    registry: roles.Registry


@dataclass(frozen=True)
class Problem:
    """A URL parameter whose value is not valid (it was replaced by the default)."""

    param: str
    value: str


def clean(value: object) -> str:
    """A value from a URL or a form without surrounding spaces and invisible characters
    (`geo.tables.strip_invisible`, the one rule for codes, ids and numbers)."""
    return strip_invisible(str(value))


def parse_kommune(value: str | None, kommuner: tuple[str, ...] | set[str]) -> tuple[str | None, Problem | None]:
    """A kommune code from a URL: ``'101'`` → ``'0101'``; unknown codes give a `Problem`.

    Returns
    -------
    (code, problem)
        ``(None, None)`` when no value was given.
    """
    if value is None or value == "":
        return None, None
    text = clean(value)  # a zero-width space or no-break space copied along with 0101
    code = text.zfill(4) if text.isdigit() and text.isascii() and len(text) <= 4 else text
    if code in kommuner:
        return code, None
    return None, Problem("kommune", str(value).strip())


def parse_date(value: str | None, today: dt.date) -> tuple[dt.date, Problem | None]:
    """The date of ``?dato=YYYY-MM-DD``; no value gives ``today``, a bad one ``today`` and a `Problem`."""
    if value is None or value == "":
        return today, None
    try:
        day = roles.parse_date(clean(value))
    except ValueError:
        return today, Problem("dato", str(value))
    if day is None or not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        return today, Problem("dato", str(value))
    return day, None


def _get(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    return None if value is None or value == "" else str(value)


def _take(params: Mapping[str, str], name: str, valid, problems: list[Problem]) -> str | None:
    """The parameter's value when it is one of ``valid``; otherwise None (and a `Problem` if it was given)."""
    raw = _get(params, name)
    if raw is None:
        return None
    if raw in valid:
        return raw
    problems.append(Problem(name, raw))
    return None


def _breaks(text: str) -> tuple[float, ...]:
    values = parse_breaks(text)  # finite, distinct, at most MAX_BREAKS (BreaksError is a ValueError)
    if not values:
        raise ValueError("no breaks")
    return values


def _differing(state, default, names: tuple[str, ...]) -> dict[str, str]:
    """``name → text`` for the fields of ``state`` (among ``names``) that differ from ``default``."""
    out = {}
    for name in names:
        value = getattr(state, name)
        if value is None or value == getattr(default, name):
            continue
        out[name] = "1" if value is True else "0" if value is False else str(value)
    return out


@dataclass(frozen=True)
class Common:
    """What every page shares: the language and the date the app shows (``?lang=en&dato=2027-01-02``)."""

    lang: str = "da"
    on: dt.date = field(default_factory=roles.today)

    PARAMS = ("lang", "dato")

    @classmethod
    def from_query(cls, params: Mapping[str, str], today: dt.date) -> tuple[Common, list[Problem]]:
        problems: list[Problem] = []
        lang = _take(params, "lang", LANGS, problems) or "da"
        on, problem = parse_date(_get(params, "dato"), today)
        if problem:
            problems.append(problem)
        return cls(lang, on), problems

    def to_query(self, today: dt.date) -> dict[str, str]:
        """``lang`` unless Danish, ``dato`` unless today (a link without a date shows its reader's today)."""
        out = {} if self.lang == "da" else {"lang": self.lang}
        if self.on != today:
            out["dato"] = self.on.isoformat()
        return out


@dataclass(frozen=True)
class MapState:
    """One national map view: the single description of what the map page, its downloads and its PNG
    show, and the cache key of the view (frozen, hashable).

    ``on`` is the date (the layer in force on it is the default layer) and ``lang`` the language; both
    come from `Common`, so they are not among this state's own URL parameters. ``labels`` None means
    the default for the fill (unit labels on a membership map, off on a numeric one). ``markers`` are
    groups of sites (`MARKERS`).
    """

    layer: str
    on: dt.date
    lang: str = "da"
    fill: str = "membership"
    level: str = "kommuner"
    scheme: str = "quantiles"
    k: int = 5
    palette: str = "blues"
    breaks: tuple[float, ...] | None = None
    overlay: str | None = None
    kommune: str | None = None
    unit: str | None = None  # the highlighted unit of ``layer``
    labels: bool | None = None
    markers: tuple[str, ...] = ("hospitals",)

    PARAMS = ("layer", "fill", "level", "scheme", "k", "palette", "breaks", "overlay", "kommune", "unit",
              "labels", "markers")

    @classmethod
    def default(cls, reg: Registries, common: Common) -> MapState:
        """The view a link without parameters shows: the layer in force on the date, membership."""
        return cls(layer=reg.registry.main_layer(common.on), on=common.on, lang=common.lang)

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries, common: Common) -> tuple[MapState, list[Problem]]:
        """Read and validate the URL's parameters; unknown values become defaults plus a `Problem`."""
        problems: list[Problem] = []
        values: dict = {}
        for name, valid in (("layer", reg.layers), ("fill", reg.fills), ("level", LEVELS),
                            ("scheme", SCHEMES), ("palette", PALETTES), ("overlay", reg.layers)):
            value = _take(params, name, valid, problems)
            if value is not None:
                values[name] = value
        raw_k = _get(params, "k")
        if raw_k is not None:
            if raw_k.isdigit() and raw_k.isascii() and K_RANGE[0] <= int(raw_k) <= K_RANGE[1]:
                values["k"] = int(raw_k)
            else:
                problems.append(Problem("k", raw_k))
        raw_breaks = _get(params, "breaks")
        if raw_breaks is not None:
            try:
                values["breaks"] = _breaks(raw_breaks)
            except ValueError:
                problems.append(Problem("breaks", raw_breaks))
        labels = _take(params, "labels", ("0", "1"), problems)
        if labels is not None:
            values["labels"] = labels == "1"
        raw_markers = _get(params, "markers")
        if raw_markers is not None:
            chosen = [m for m in raw_markers.split(",") if m and m != "none"]
            if all(m in MARKERS for m in chosen):
                values["markers"] = tuple(m for m in MARKERS if m in chosen)
            else:
                problems.append(Problem("markers", raw_markers))
        start = cls.default(reg, common)
        layer = values.get("layer", start.layer)
        unit = _take(params, "unit", reg.units.get(layer, ()), problems)
        if unit is not None:
            values["unit"] = unit
        kommune, problem = parse_kommune(_get(params, "kommune"), reg.kommuner)
        if problem:
            problems.append(problem)
        values["kommune"] = kommune
        return replace(start, **values).normalised(), problems

    def drawn(self) -> MapState:
        """The part of the view the national map is computed from: without the selected kommune and the
        highlighted unit, which are drawn on top of it (so selecting one costs no new view)."""
        return replace(self, kommune=None, unit=None)

    @property
    def show_labels(self) -> bool:
        """Whether unit labels are drawn (``labels``, or the default for the fill)."""
        return self.labels if self.labels is not None else self.fill == "membership"

    def normalised(self) -> MapState:
        """Drop what does not apply: breaks without the user-defined scheme; that scheme without breaks;
        classification on a membership map; an explicit ``labels`` equal to the default."""
        state = self
        if state.scheme == "user_defined" and not state.breaks:
            state = replace(state, scheme="quantiles")
        if state.scheme != "user_defined" and state.breaks:
            state = replace(state, breaks=None)
        if state.fill == "membership":
            state = replace(state, level="kommuner", scheme="quantiles", k=5, palette="blues", breaks=None)
        if state.labels is not None and state.labels == (state.fill == "membership"):
            state = replace(state, labels=None)
        return state

    def to_query(self, reg: Registries) -> dict[str, str]:
        """The parameters that differ from the defaults (the shortest URL that gives this view)."""
        default = MapState.default(reg, Common(self.lang, self.on))
        names = tuple(n for n in self.PARAMS if n not in ("breaks", "markers"))
        out = _differing(self, default, names)
        if self.breaks:
            out["breaks"] = ";".join(fmt.plain(float(b)) for b in self.breaks)
        if self.markers != default.markers:
            out["markers"] = ",".join(self.markers) or "none"
        return {name: out[name] for name in self.PARAMS if name in out}


@dataclass(frozen=True)
class KlyngerState:
    """The Klynger og ulighed page: layer, unit, indicator and the unit it is compared with."""

    layer: str
    unit: str | None = None  # None: the first unit of the layer
    indicator: str = "ind:middellevetid_0aar_hisbk@2019-2023"
    other: str | None = None  # None: the first other unit

    PARAMS = ("layer", "unit", "indicator", "other")

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries,
                   common: Common) -> tuple[KlyngerState, list[Problem]]:
        """Read and validate the URL's parameters; unknown values become defaults plus a `Problem`."""
        problems: list[Problem] = []
        numeric = {k for k, kind in reg.fills.items() if kind != "category"}
        values: dict = {"layer": reg.registry.main_layer(common.on)}
        for name, valid in (("layer", reg.layers), ("indicator", numeric)):
            value = _take(params, name, valid, problems)
            if value is not None:
                values[name] = value
        units = reg.units.get(values["layer"], ())
        for name in ("unit", "other"):
            value = _take(params, name, units, problems)
            if value is not None:
                values[name] = value
        state = cls(**values)
        if state.other is not None and state.other == state.unit:
            problems.append(Problem("other", state.other))
            state = replace(state, other=None)
        return state, problems

    def to_query(self, reg: Registries, common: Common) -> dict[str, str]:
        """The parameters that differ from the defaults."""
        return _differing(self, KlyngerState(reg.registry.main_layer(common.on)), self.PARAMS)


@dataclass(frozen=True)
class KommuneState:
    """Min kommune: the kommune looked up (``?kommune=0101``); its geography follows the date."""

    kommune: str | None = None

    PARAMS = ("kommune",)

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries) -> tuple[KommuneState, list[Problem]]:
        code, problem = parse_kommune(_get(params, "kommune"), reg.kommuner)
        return cls(code), [problem] if problem else []

    def to_query(self) -> dict[str, str]:
        return {"kommune": self.kommune} if self.kommune else {}


@dataclass(frozen=True)
class ScenarioState:
    """Scenarier: the base layer and the changes as a URL token (``?base=…&s=v1.…``)."""

    base: str
    token: str = ""

    PARAMS = ("base", "s")

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries,
                   common: Common) -> tuple[ScenarioState, list[Problem]]:
        """The base and the (undecoded) token; an unknown base gives the layer in force and a `Problem`.
        The token is checked by the page (`geo.plans.decode_changes`), which names what is wrong with it."""
        problems: list[Problem] = []
        base = _take(params, "base", reg.layers, problems) or reg.registry.main_layer(common.on)
        return cls(base, clean(_get(params, "s") or "")), problems

    def to_query(self, reg: Registries, common: Common) -> dict[str, str]:
        out = {} if self.base == reg.registry.main_layer(common.on) and not self.token else {"base": self.base}
        return out | ({"s": self.token} if self.token else {})


@dataclass(frozen=True)
class CompareState:
    """Sammenlign: plans A and B (layers, or ``scenario`` for this session's scenario) and a unit of A
    to point at (``?a=…&b=…&unit=…``)."""

    a: str
    b: str
    unit: str | None = None

    PARAMS = ("a", "b", "unit")
    SCENARIO = "scenario"

    @classmethod
    def default(cls, reg: Registries, common: Common) -> CompareState:
        """The first comparison the registry offers on the date (care geography × adult psychiatry)."""
        pairs = reg.registry.comparisons(common.on)
        a, b = pairs[0] if pairs else (reg.layers[0], reg.layers[-1])
        return cls(a, b)

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries, common: Common,
                   has_scenario: bool) -> tuple[CompareState, list[Problem]]:
        """A and B from the URL; ``scenario`` only while the session has one; unknown values give the
        default and a `Problem` (the page says so instead of silently swapping)."""
        problems: list[Problem] = []
        valid = (*reg.layers, cls.SCENARIO) if has_scenario else reg.layers
        start = cls.default(reg, common)
        a = _take(params, "a", valid, problems) or start.a
        b = _take(params, "b", valid, problems) or start.b
        unit = _get(params, "unit")
        return cls(a, b, clean(unit) if unit else None), problems

    def to_query(self) -> dict[str, str]:
        return {"a": self.a, "b": self.b} | ({"unit": self.unit} if self.unit else {})


def layer_status_text(entry: roles.Entry, on: dt.date, lang: str) -> str:
    """'' for a layer in force on ``on``; else 'historisk (til og med 31. december 2026)' or
    'fra 1. januar 2027' — what a layer list shows beside the name."""
    status = entry.status(on)
    if status == "ended":
        return t("layer_ended", lang, date=roles.date_text(entry.valid_to, lang))
    if status == "future":
        return t("layer_future", lang, date=roles.date_text(entry.valid_from, lang))
    return ""


@dataclass(frozen=True)
class TransitionState:
    """Fra klynge til sundhedsråd: what the change is shown for — a kommune (``?kommune=0410``), a unit of
    the old layer (``?fra=sd_lillebaelt``) or of the new one (``?til=lillebaelt``); nothing: the whole
    country. The two layers are the care pair around the date (`geo.roles.Registry.change_pair`), not
    parameters: a link shows the change its date is nearest to."""

    kommune: str | None = None
    fra: str | None = None
    til: str | None = None

    PARAMS = ("kommune", "fra", "til")
    MODES = ("kommune", "fra", "til")

    @property
    def mode(self) -> str:
        """Which choice the state holds ('kommune' when none)."""
        return next((m for m in self.MODES if getattr(self, m)), "kommune")

    @classmethod
    def from_query(cls, params: Mapping[str, str], reg: Registries, old: str,
                   new: str) -> tuple[TransitionState, list[Problem]]:
        """At most one of the parameters, in the order of `PARAMS`: a kommune code, or a unit of ``old``
        (``fra``) or ``new`` (``til``). An unknown value, or a second choice beside the first, gives a
        `Problem` and is left out."""
        problems: list[Problem] = []
        kommune, problem = parse_kommune(_get(params, "kommune"), reg.kommuner)
        if problem:
            problems.append(problem)
        values = {"kommune": kommune,
                  "fra": _take(params, "fra", reg.units.get(old, ()), problems),
                  "til": _take(params, "til", reg.units.get(new, ()), problems)}
        chosen = [name for name in cls.PARAMS if values[name]]
        for extra in chosen[1:]:
            problems.append(Problem(extra, str(_get(params, extra))))
            values[extra] = None
        return cls(**values), problems

    def to_query(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.PARAMS if getattr(self, name)}
