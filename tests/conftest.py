"""Shared test configuration: no network access during tests; the shared-data fixture."""

from __future__ import annotations

import os
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
