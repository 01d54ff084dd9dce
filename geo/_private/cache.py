"""One caching helper for every on-disk cache: hash the inputs, name the file, load or build and write atomically.

Used by the network cache (:mod:`geo._private.netload`), the rail graph cache
(:func:`geo.rail.build_rail_network`), the parsed GTFS feed cache
(:func:`geo.gtfs.load_gtfs`) and the CCH topology cache
(:func:`geo.routing.cch_topology`).

* :func:`input_key` -- SHA-1 of input files and the options that change the
  result. ``content=True`` hashes what the files hold (whole files up to
  256 MB; larger ones by size, modification time and first and last MiB), so
  copies share an entry; ``content=False`` hashes path, size and
  modification time only (cheap for large inputs that are re-read anyway).
* :func:`cache_path` -- ``cache_dir()/<kind>/<name>-<key[:20]><suffix>``.
* :func:`cached_value` -- load the entry if present and valid (any error while
  loading, or a ``None`` from ``load``, means a stale or damaged entry, which
  is rebuilt); otherwise build and save through
  :func:`geo._private.writeout.atomic_target`, so a crash never leaves a
  half-written entry. A failed write warns and returns the built value.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "in.txt").write_text("abc")
>>> key = input_key([d / "in.txt"], {"option": 1}, salt="demo-v1")
>>> f = d / f"out-{key[:20]}.txt"
>>> cached_value(f, lambda: "built", lambda p: p.read_text(), lambda tmp, v: tmp.write_text(v))
('built', False)
>>> cached_value(f, lambda: "built", lambda p: p.read_text(), lambda tmp, v: tmp.write_text(v))
('built', True)
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from geo._private.writeout import atomic_target
from geo.errors import GeoError
from geo.settings import cache_dir

__all__ = ["FULL_HASH_LIMIT", "cache_path", "cached_value", "input_key"]

#: files up to this size are hashed whole (sha1 runs at ~1 GB/s); larger ones by size, mtime and both ends
FULL_HASH_LIMIT = 256 * 2**20

T = TypeVar("T")


def _feed_file(h: Any, p: Path, content: bool) -> None:
    st = p.stat()
    if not content:
        h.update(f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode())
        return
    h.update(f"{st.st_size}|".encode())
    with open(p, "rb") as fh:
        if st.st_size <= FULL_HASH_LIMIT:
            for block in iter(lambda: fh.read(4 * 2**20), b""):
                h.update(block)
        else:  # large: modification time, first and last MiB
            h.update(f"{st.st_mtime_ns}|".encode())
            h.update(fh.read(2**20))
            fh.seek(-(2**20), os.SEEK_END)
            h.update(fh.read(2**20))


def input_key(paths: Iterable[str | os.PathLike[str]], params: Mapping[str, Any] | None = None, *, salt: str, content: bool = True) -> str:
    """SHA-1 hex digest of the input files (see the module notes) and ``params`` (JSON, keys sorted).

    ``salt`` names the cache and its version: bump it whenever the cached
    result would change for the same inputs. File names are not part of the
    key (pass them in ``params`` where they matter); with ``content=False``
    the resolved path is.
    """
    h = hashlib.sha1(salt.encode())
    for p in paths:
        _feed_file(h, Path(p), content)
        h.update(b"|file|")
    h.update(json.dumps(dict(params or {}), sort_keys=True, default=repr).encode())
    return h.hexdigest()


def cache_path(kind: str, name: str, key: str, suffix: str) -> Path:
    """``cache_dir()/<kind>/<name>-<key[:20]><suffix>``, with ``name`` made file-safe and at most 64 characters."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)[:64]
    return cache_dir() / kind / f"{safe}-{key[:20]}{suffix}"


#: what reading a truncated, stale or foreign cache file raises (anything else is a bug and surfaces)
DAMAGED: tuple[type[BaseException], ...] = (
    GeoError, OSError, ValueError, KeyError, IndexError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile,
)


def cached_value(
    path: Path | None,
    build: Callable[[], T],
    load: Callable[[Path], T | None],
    save: Callable[[Path, T], object],
) -> tuple[T, bool]:
    """The cached value at ``path`` or a freshly built one; returns ``(value, hit)``.

    Parameters
    ----------
    path
        The cache entry, or ``None`` for no caching (``build()`` is returned).
    build
        Makes the value on a miss.
    load
        Reads an entry; raising or returning ``None`` marks it stale or
        damaged, and it is rebuilt and overwritten.
    save
        ``save(tmp, value)`` writes the value to ``tmp``, a temporary path
        next to ``path`` (same suffix) that is renamed over ``path`` once
        ``save`` returns. Side files it writes should be written first, so
        they exist whenever the entry does.

    Notes
    -----
    A failed write (``OSError``: read-only or full disk) warns and the built
    value is still returned. Concurrent writers are safe (last rename wins).
    """
    if path is None:
        return build(), False
    if path.exists():
        try:
            value = load(path)
        except DAMAGED as exc:  # a stale or damaged entry is rebuilt; programming errors surface
            warnings.warn(f"rebuilding the cache entry {path.name}: {type(exc).__name__}: {exc}", stacklevel=3)
            value = None
        if value is not None:
            return value, True
    value = build()
    try:
        with atomic_target(path) as tmp:
            save(tmp, value)
    except OSError as exc:
        warnings.warn(f"could not write the cache entry {path}: {exc}", stacklevel=3)
    return value, False
