"""Global settings: where shared data and the network cache live, and osmnx's offline behaviour.

Settings come from environment variables so that the same code runs on a
laptop, in CI and in a notebook:

``GEO_SHARED_DATA``
    Folder with real study data (default: ``../shared/data`` next to the
    current directory or the repository, when it exists).
``GEO_CACHE_DIR``
    Folder for cached networks (default: ``~/.cache/geo``).
``GEO_OFFLINE``
    If set to ``1``, online sources (Overpass, Nominatim) are never contacted.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path | None:
    """The shared-data folder, or None if there is none.

    Examples
    --------
    >>> import os, tempfile
    >>> old, tmp = os.environ.get("GEO_SHARED_DATA"), tempfile.mkdtemp()
    >>> os.environ["GEO_SHARED_DATA"] = tmp
    >>> shared_data_dir() == Path(tmp).resolve()
    True
    >>> os.environ["GEO_SHARED_DATA"] = os.path.join(tmp, "missing")
    >>> shared_data_dir() is None
    True
    >>> if old is None:
    ...     del os.environ["GEO_SHARED_DATA"]
    ... else:
    ...     os.environ["GEO_SHARED_DATA"] = old
    """
    env = os.environ.get("GEO_SHARED_DATA")
    candidates = [Path(env)] if env else [Path.cwd() / ".." / "shared" / "data", _REPO / ".." / "shared" / "data"]
    for c in candidates:
        if c.is_dir():
            return c.resolve()
    return None


def cache_dir() -> Path:
    """Folder for cached networks (created on demand)."""
    env = os.environ.get("GEO_CACHE_DIR")
    path = Path(env) if env else Path.home() / ".cache" / "geo"
    path.mkdir(parents=True, exist_ok=True)
    return path


def offline() -> bool:
    """True if online sources must not be contacted (``GEO_OFFLINE=1``)."""
    return os.environ.get("GEO_OFFLINE", "").strip() in {"1", "true", "yes"}


@contextlib.contextmanager
def configure_osmnx(timeout_s: float = 10.0, cache_folder: str | Path | None = None, **overrides: Any) -> Iterator[None]:
    """Within the ``with`` block, make osmnx fail fast instead of sleeping when the internet is unreachable.

    osmnx by default pauses (``overpass_rate_limit``) and resolves Overpass
    through a public DNS-over-HTTPS server; both hang for a minute offline.
    ``overrides`` sets further ``osmnx.settings`` attributes for the block
    (e.g. :func:`geo._private.netload.osmnx_overrides`). The settings are
    restored on exit, so a user's own osmnx configuration (in a notebook,
    say) is left as it was.

    Examples
    --------
    >>> import osmnx as ox
    >>> before = ox.settings.requests_timeout
    >>> with configure_osmnx(3.0):
    ...     ox.settings.requests_timeout
    3.0
    >>> ox.settings.requests_timeout == before
    True
    """
    import osmnx as ox  # 0.5 s to import; only downloads need it, so `import geo` does not pay

    new: dict[str, Any] = {
        "overpass_rate_limit": False,
        "doh_url_template": None,
        "requests_timeout": timeout_s,
        "use_cache": True,
        "log_console": False,
    }
    if cache_folder is not None:
        new["cache_folder"] = str(cache_folder)
    unknown = [k for k in overrides if not hasattr(ox.settings, k)]
    if unknown:
        raise AttributeError(f"osmnx.settings has no {', '.join(unknown)}")
    new.update(overrides)
    old = {k: getattr(ox.settings, k) for k in new}
    try:
        for k, v in new.items():
            setattr(ox.settings, k, v)
        yield
    finally:
        for k, v in old.items():
            setattr(ox.settings, k, v)
