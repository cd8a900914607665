"""The markers fast / data / app / browser come from what a test uses (tests/markers.py), and a test
marked fast that reads the real data fails with a message instead of passing as fast."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent

CONFTEST = '''
import pytest
from tests import markers

def pytest_collection_modifyitems(config, items):
    markers.mark_items(items)

def load_bundle():
    raise AssertionError("never called at collection")

@pytest.fixture()
def boxes():
    return [0, 0, 1, 1]

@pytest.fixture(scope="session")
def bundle():
    return load_bundle()

@pytest.fixture()
def derived(bundle):
    return bundle
'''

TESTS = '''
import pytest
from playwright.sync_api import expect

def helper():
    from streamlit.testing.v1 import AppTest
    return AppTest

def test_box(boxes):
    assert boxes

def test_real(bundle):
    pass

def test_through_another_fixture(derived):
    pass

def test_asked_for_by_name(request):
    request.getfixturevalue("bundle")

def test_app_through_a_helper():
    helper()

def test_app_on_the_data(bundle):
    helper()

def test_playwright(bundle):
    expect

@pytest.mark.browser
def test_marked_by_hand():
    pass

@pytest.mark.data
def test_data_by_hand():
    pass
'''


def _kinds(items) -> dict[str, list[str]]:
    return {item.name: [k for k in ("fast", "data", "app", "browser") if item.get_closest_marker(k)] for item in items}


def test_each_test_gets_the_one_kind_it_needs(pytester):
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_kinds=TESTS)
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider", "-p", "no:randomly")
    assert _kinds(items) == {
        "test_box": ["fast"],
        "test_real": ["data"],
        "test_through_another_fixture": ["data"],
        "test_asked_for_by_name": ["data"],
        "test_app_through_a_helper": ["app"],
        "test_app_on_the_data": ["app"],
        "test_playwright": ["browser"],
        "test_marked_by_hand": ["browser"],
        "test_data_by_hand": ["data"],
    }


def test_the_suite_is_marked(pytester):
    """On the real suite: a box test is fast, a test of the real tables is data, an AppTest app."""
    files = [ROOT / "tests" / name for name in ("test_aggregate.py", "test_data.py", "test_language.py")]
    items, _ = pytester.inline_genitems(*map(str, files), f"--rootdir={ROOT}", "-c", str(ROOT / "pyproject.toml"),
                                        "-p", "no:cacheprovider", "-p", "no:randomly")
    kinds = {item.nodeid: _kinds([item])[item.name] for item in items}
    assert len(kinds) > 30
    assert all(len(found) == 1 for found in kinds.values()), kinds
    for nodeid, found in kinds.items():
        if "test_aggregate.py" in nodeid:
            assert found == ["fast"], nodeid
        elif "test_data.py" in nodeid:
            assert found == ["data"], nodeid
    language = {n.split("::")[1]: k for n, k in kinds.items() if "test_language.py" in n}
    assert language.pop("test_the_walk_catches_what_it_claims") == ["fast"]
    assert language and all(k == ["app"] for k in language.values()), language


def test_a_fast_test_that_reads_the_source_data_fails_and_says_why(pytester):
    pytester.makeconftest(f'''
import os, sys
sys.path.insert(0, {str(ROOT)!r})
from tests.conftest import pytest_collection_modifyitems, pytest_runtest_protocol, pytest_runtest_makereport
''')
    pytester.makepyfile(test_sneaky='''
import os
from pathlib import Path

def test_reads_the_sources():
    folder = Path(os.environ["KLYNGEKORT_SOURCES"])
    assert folder.is_dir(), f"no source data at {folder}"
''')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*is marked fast (it uses no data fixture) but reads the source data*",
                                 "*ask for the `real_sources` or `bundle` fixture*"])
