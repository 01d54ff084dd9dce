"""Atomic file writes (temp file in the same folder, then ``os.replace``)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_path(path: str | Path, suffix: str = "") -> tuple[Path, Path]:
    """``(final, temp)`` paths; write to temp then call :func:`commit`."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=suffix or final.suffix, dir=final.parent)
    os.close(fd)
    os.unlink(tmp)
    return final, Path(tmp)


def commit(tmp: Path, final: Path) -> Path:
    os.replace(tmp, final)
    return final


def write_text(text: str, path: str | Path) -> Path:
    """Write text atomically (UTF-8).

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_text("hi", os.path.join(tempfile.mkdtemp(), "a.txt"))
    >>> p.read_text()
    'hi'
    """
    final, tmp = atomic_path(path)
    tmp.write_text(text, encoding="utf-8")
    return commit(tmp, final)


def write_csv(df: Any, path: str | Path) -> Path:
    """Write a DataFrame as CSV atomically (no index; geometry as WKT if present)."""
    final, tmp = atomic_path(path)
    out = df
    if "geometry" in getattr(df, "columns", []):
        out = df.copy()
        out["geometry"] = out.geometry.to_wkt()
    out.to_csv(tmp, index=False)
    return commit(tmp, final)


def write_gpkg(layers: dict[str, Any], path: str | Path) -> Path:
    """Write GeoDataFrames as layers of one GeoPackage atomically."""
    final, tmp = atomic_path(path, suffix=".gpkg")
    for name, gdf in layers.items():
        gdf.to_file(tmp, layer=name, driver="GPKG")
    return commit(tmp, final)
