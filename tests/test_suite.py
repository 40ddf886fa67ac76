"""The suite's own arrangements hold: the list of modules sent to one worker because they read the
shared demo (tests/conftest.py) names exactly those modules, and the heavy tests start first."""

from __future__ import annotations

from tests.conftest import DEMO_GROUP


def test_the_demo_group_names_every_module_that_reads_the_shared_demo(request):
    collected: dict[str, bool] = {}  # module → whether one of its tests (of this run) reads the demo
    for item in request.session.items:
        module = item.nodeid.split("::")[0]
        collected[module] = collected.get(module, False) or "shared_demo" in item.fixturenames
    reading = {module for module, reads in collected.items() if reads}
    assert reading <= DEMO_GROUP, "add these modules to DEMO_GROUP in tests/conftest.py"
    # a listed module that ran in full here without reading the demo would hold up its worker for nothing
    assert not {m for m in DEMO_GROUP if m in collected and not collected[m]}, "remove them from DEMO_GROUP"


def test_the_heavy_tests_are_collected_first_and_none_reads_the_shared_demo(request):
    heavy = [item.get_closest_marker("heavy") is not None for item in request.session.items]
    assert heavy == sorted(heavy, reverse=True)
    assert not [
        item.nodeid
        for item in request.session.items
        if item.get_closest_marker("heavy") and item.nodeid.split("::")[0] in DEMO_GROUP
    ], "the tests of DEMO_GROUP go first as one unit: a mark heavy would split their module's run"
