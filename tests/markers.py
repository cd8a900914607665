"""The kind of each test (markers fast, data, app, browser), found from what the test uses.

Nobody has to remember a marker: `kinds` reads the code of the test, of every fixture it uses
(``item.fixturenames``: the whole closure, autouse included) and of every function of the test modules
they call, and looks for what each kind needs:

- browser: Playwright (``sync_playwright``, ``expect``, ...) or an explicit ``pytest.mark.browser``;
- app: Streamlit's ``AppTest``;
- data: the real source data or tables: ``load_bundle``, ``sources_dir`` or a fixture that uses them
  (``bundle``, ``real_sources``), also when asked for with ``request.getfixturevalue("bundle")``;
- fast: none of these (pure geo/ on the box fixtures).

Each test gets one marker, the heaviest kind it needs (browser > app > data > fast), so the four split
the suite: an AppTest on the real data is app, a browser test is browser. A marker written by hand
(``pytest.mark.data``) is taken into account, for what the reading cannot see.

A test marked fast runs with ``$KLYNGEKORT_SOURCES`` pointing at a folder that does not exist
(`GUARD`), so a test that reads the real data without saying so fails with a message that says how
to fix it, instead of being counted as fast.
"""

from __future__ import annotations

import types
from collections.abc import Iterable

import pytest

KINDS = ("fast", "data", "app", "browser")
# Names whose use makes a test a data / app / browser test (functions, classes, or attributes of them).
DATA_NAMES = frozenset({"load_bundle", "sources_dir"})
APP_NAMES = frozenset({"AppTest"})
BROWSER_NAMES = frozenset({"sync_playwright", "expect", "Playwright", "PlaywrightTimeout"})
GUARD = "fast-tests-read-no-source-data--ask-for-the-bundle-or-real_sources-fixture"


def _codes(code: types.CodeType) -> Iterable[types.CodeType]:
    """A code object and every code object nested in it (lambdas, comprehensions, inner functions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _is_test_code(obj) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return isinstance(obj, types.FunctionType) and (module in ("conftest", "hostile", "markers")
                                                    or module.startswith(("tests", "test_")))


class Scanner:
    """What a function uses, transitively through the functions of the test modules it names."""

    def __init__(self):
        self._seen: dict[int, frozenset[str]] = {}

    def uses(self, func, lookup_fixture=None) -> frozenset[str]:
        """The kinds (data, app, browser) that ``func`` needs; ``lookup_fixture(name)`` gives the
        function of a fixture asked for by name with ``request.getfixturevalue``."""
        func = getattr(func, "__wrapped__", func)
        key = id(func)
        if key in self._seen:
            return self._seen[key]
        self._seen[key] = frozenset()  # recursion guard
        found: set[str] = set()
        code = getattr(func, "__code__", None)
        if code is not None:
            scope = getattr(func, "__globals__", {})
            for part in _codes(code):
                names = set(part.co_names)
                found |= _kinds_of_names(names, scope)
                for name in names:
                    target = scope.get(name)
                    if _is_test_code(target) and target is not func:
                        found |= self.uses(target, lookup_fixture)
                if "getfixturevalue" in names and lookup_fixture is not None:
                    for const in part.co_consts:
                        if isinstance(const, str) and const.isidentifier():
                            for fixture in lookup_fixture(const):
                                found |= self.uses(fixture, lookup_fixture)
        self._seen[key] = frozenset(found)
        return self._seen[key]


def _kinds_of_names(names: set[str], scope: dict) -> set[str]:
    found = set()
    if names & DATA_NAMES:
        found.add("data")
    if names & APP_NAMES:
        found.add("app")
    for name in names & BROWSER_NAMES:
        # `expect` is Playwright's only where the module imported it from there
        obj = scope.get(name)
        if name == "sync_playwright" or (obj is not None and (getattr(obj, "__module__", "") or "").startswith("playwright")):
            found.add("browser")
    return found


def _fixture_def(item: pytest.Item, name: str):
    info = getattr(item, "_fixtureinfo", None)
    defs = info.name2fixturedefs.get(name) if info is not None else None
    if not defs:
        try:
            defs = item.session._fixturemanager.getfixturedefs(name, item)
        except Exception:  # noqa: BLE001 - an unknown name or another pytest's signature: not a fixture
            defs = None
    return defs[-1] if defs else None


def _fixture_funcs(item: pytest.Item, name: str, seen: set[str] | None = None) -> list:
    """The function of fixture ``name`` and of every fixture it asks for (for one asked for by
    ``request.getfixturevalue``, which is not in ``item.fixturenames``)."""
    seen = set() if seen is None else seen
    if name in seen or name == "request":
        return []
    seen.add(name)
    fixture = _fixture_def(item, name)
    if fixture is None:
        return []
    funcs = [fixture.func]
    for arg in getattr(fixture, "argnames", ()):
        funcs += _fixture_funcs(item, arg, seen)
    return funcs


def kinds(item: pytest.Item, scanner: Scanner) -> set[str]:
    """Everything ``item`` needs: a subset of data, app, browser (empty: a fast test)."""
    found = {k for k in KINDS[1:] if item.get_closest_marker(k) is not None}  # a marker written by hand counts

    def lookup(name):
        return _fixture_funcs(item, name)

    function = getattr(item, "function", None)
    if function is not None:
        found |= scanner.uses(function, lookup)
    for name in getattr(item, "fixturenames", ()):
        fixture = _fixture_def(item, name)
        if fixture is not None:
            found |= scanner.uses(fixture.func, lookup)
    return found


def kind(item: pytest.Item, scanner: Scanner | None = None) -> str:
    """The one kind of ``item``: the heaviest thing it needs (browser > app > data > fast)."""
    found = kinds(item, scanner or Scanner())
    return next((k for k in reversed(KINDS) if k in found), "fast")


def mark_items(items: list[pytest.Item]) -> None:
    """Give every collected item its one kind marker (called from pytest_collection_modifyitems).

    A test carries exactly one of fast, data, app, browser, so the four markers split the suite:
    ``-m "fast or data"`` is everything that needs neither Streamlit nor a browser.
    """
    scanner = Scanner()
    for item in items:
        mine = kind(item, scanner)
        item.add_marker(mine)
        item.stash[KIND] = mine


KIND = pytest.StashKey[str]()
