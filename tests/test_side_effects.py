"""Importing geo and running a study leaves the caller's matplotlib and osmnx state as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "data" / "studies" / "demo.yaml"


def _backend() -> str:
    import matplotlib

    # read the raw rcParam: matplotlib.get_backend() may itself resolve (and so set) a backend
    return str(dict.__getitem__(matplotlib.rcParams, "backend"))


def _osmnx_settings() -> dict[str, object]:
    import osmnx as ox

    return {k: repr(getattr(ox.settings, k)) for k in dir(ox.settings) if not k.startswith("_")}


def test_study_leaves_matplotlib_and_osmnx_alone(tmp_path):
    pytest.importorskip("pyrosm")
    import matplotlib
    import matplotlib.pyplot as plt
    import osmnx as ox

    old_backend = matplotlib.get_backend()
    matplotlib.use("svg")  # a user's choice that is not geo's former "Agg"
    user_fig = plt.figure()  # a user's open pyplot figure
    ox.settings.requests_timeout = 123  # a user's osmnx setting
    try:
        backend, figs, settings = _backend(), plt.get_fignums(), _osmnx_settings()
        import geo
        from geo.study import run_study

        res = run_study(DEMO, tmp_path / "study", quiet=True)
        assert res is not None and (tmp_path / "study" / "report.html").stat().st_size > 0
        assert any(p.suffix == ".png" for p in (tmp_path / "study").rglob("*.png"))  # plots were drawn
        assert geo is not None
        assert _backend() == backend
        assert plt.get_fignums() == figs and plt.fignum_exists(user_fig.number)
        assert _osmnx_settings() == settings
    finally:
        plt.close(user_fig)
        matplotlib.use(old_backend)
        ox.settings.requests_timeout = 180


def test_osmnx_download_restores_settings(monkeypatch):
    """Settings geo needs (no rate-limit sleep, no DNS-over-HTTPS) hold during the download and are undone after."""
    import osmnx as ox
    import requests

    import geo._private.netload
    import geo.io
    from geo.errors import NetworkUnavailableError

    monkeypatch.delenv("GEO_OFFLINE", raising=False)
    monkeypatch.setattr(geo._private.netload, "_probe", lambda hosts, timeout: None)
    seen: dict[str, object] = {}

    def fake_download(*args: object, **kwargs: object) -> None:
        seen.update(rate=ox.settings.overpass_rate_limit, doh=ox.settings.doh_url_template,
                    timeout=ox.settings.requests_timeout, cache=ox.settings.cache_folder)  # fmt: skip
        raise requests.exceptions.ConnectionError("no network in this test")

    monkeypatch.setattr(ox, "graph_from_point", fake_download)
    before = _osmnx_settings()
    with pytest.raises(NetworkUnavailableError):
        geo.io.network_from_osmnx("point", ((24.94, 60.17), 500.0), "walk", timeout_s=2.5)
    assert seen["rate"] is False and seen["doh"] is None and seen["timeout"] == 2.5
    assert str(seen["cache"]).endswith("osmnx")
    assert _osmnx_settings() == before
