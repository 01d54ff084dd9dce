"""Atomic file writes: a temporary file in the same folder, renamed over the target when complete.

A crash or an error never leaves a half-written output; the temporary file is
removed. Written files get the usual permissions (``0o666`` less the umask),
not ``mkstemp``'s private ``0o600``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


@contextlib.contextmanager
def atomic_target(path: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` if the block succeeds.

    The temporary path does not exist yet (GDAL and others want to create
    their files themselves). ``suffix`` defaults to the target's suffix, so
    writers that choose a format by extension see the right one.

    Examples
    --------
    >>> import tempfile, os
    >>> target = os.path.join(tempfile.mkdtemp(), "out", "a.txt")
    >>> with atomic_target(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> open(target).read()
    'done'
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix or final.suffix or ".tmp", dir=final.parent)
    os.close(fd)
    os.unlink(name)
    tmp = Path(name)
    try:
        yield tmp
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write bytes atomically; returns the path."""
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Write text atomically (UTF-8).

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_text("hi", os.path.join(tempfile.mkdtemp(), "a.txt"))
    >>> p.read_text()
    'hi'
    """
    return write_bytes(text.encode("utf-8"), path)


def write_csv(df: Any, path: str | os.PathLike[str]) -> Path:
    """Write a DataFrame as CSV atomically (no index; geometry as WKT if present)."""
    out = df
    if "geometry" in getattr(df, "columns", []):
        out = df.copy()
        out["geometry"] = out.geometry.to_wkt()
    with atomic_target(path) as tmp:
        out.to_csv(tmp, index=False)
    return Path(path)


def write_gpkg(layers: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write GeoDataFrames as the named layers of one GeoPackage, atomically."""
    with atomic_target(path, suffix=".gpkg") as tmp:
        for name, gdf in layers.items():
            gdf.to_file(tmp, layer=name, driver="GPKG")
    return Path(path)
