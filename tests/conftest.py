"""Shared test configuration: no network access during tests; the shared-data fixture; required markers.

Tests marked ``shared`` need ../shared/data and tests marked ``browser`` need headless Chromium; both skip
locally when those are absent. CI (.ci/run) sets ``GEO_REQUIRE_SHARED=1`` and ``GEO_REQUIRE_BROWSER=1``:
there a skip of such a test is reported as a failure, so CI cannot be green without them.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest
from hypothesis import settings

from geo.settings import shared_data_dir

# Property tests explore new random examples on every local run (they found real bugs that way);
# CI (.ci/run sets GEO_HYPOTHESIS_PROFILE=ci) replays a fixed set, so main's status is reproducible.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("GEO_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to open an internet connection fails the test loudly."""

    real_connect = socket.socket.connect

    def guard(self, address, *args, **kwargs):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and (host in {"localhost", "::1"} or host.startswith("127.") or host.startswith("/")):
            return real_connect(self, address, *args, **kwargs)
        raise RuntimeError(f"tests must not access the network (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setenv("GEO_OFFLINE", "1")


@pytest.fixture
def shared():
    """Path of ../shared/data; skips the test when it is absent."""
    d = shared_data_dir()
    if d is None:
        pytest.skip("../shared/data is absent (set GEO_SHARED_DATA to run this test)")
    return d


def _required(item: pytest.Item) -> list[str]:
    """The environment variables that forbid skipping ``item`` (from its markers)."""
    need = []
    if item.get_closest_marker("shared") and os.environ.get("GEO_REQUIRE_SHARED", "") == "1":
        need.append("GEO_REQUIRE_SHARED=1")
    if item.get_closest_marker("browser") and os.environ.get("GEO_REQUIRE_BROWSER", "") == "1":
        need.append("GEO_REQUIRE_BROWSER=1")
    return need


def pytest_collection_modifyitems(config, items):
    """Mark tests that use the ``shared`` fixture; skip unmarked-able cases up front."""
    chromium = any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))
    for item in items:
        if "shared" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("shared"):
            item.add_marker(pytest.mark.shared)
        if item.get_closest_marker("shared") and shared_data_dir() is None:
            item.add_marker(pytest.mark.skip(reason="../shared/data is absent (set GEO_SHARED_DATA to run this test)"))
        if item.get_closest_marker("browser") and not chromium:
            item.add_marker(pytest.mark.skip(reason="chromium is not installed (make browser, or apt-get install chromium)"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under GEO_REQUIRE_SHARED/GEO_REQUIRE_BROWSER a skipped shared/browser test fails."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and _required(item):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} skipped ({reason}) but {' and '.join(_required(item))} requires it to run"
