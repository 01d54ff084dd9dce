"""The ``.geonet`` file format: arrays, an attribute table and metadata in one uncompressed ``.npz``.

Layout (all keys of a numpy ``.npz`` zip, no pickles, so files are safe to load):

* ``__format__``: ``"geonet"`` and ``__version__``: format version (int);
* ``__meta__``: UTF-8 JSON of the metadata dict (bytes as uint8);
* array fields by name (``lon``, ``lat``, ``edge_u``...);
* attribute columns: ``attr/<name>`` for numeric/bool columns, and for
  categoricals or strings ``cat/<name>/codes`` + ``cat/<name>/values``
  (a unicode array); the column order is kept in ``__columns__``.

Writes are atomic (temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo._private.writeout import atomic_target
from geo.errors import DataError

FORMAT = "geonet"
VERSION = 1


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    return repr(o)


def write(path: Path, arrays: Mapping[str, np.ndarray], attrs: pd.DataFrame, meta: Mapping[str, Any], *, atomic: bool = True) -> Path:
    """Atomically write arrays + attribute table + metadata to ``path``.

    ``atomic=False`` writes ``path`` directly: for a caller that already
    writes to a temporary path (:func:`geo._private.cache.cached_value`).
    """
    payload: dict[str, np.ndarray] = {
        "__format__": np.array(FORMAT),
        "__version__": np.array(VERSION),
        "__meta__": np.frombuffer(json.dumps(dict(meta), default=_json_default).encode(), dtype=np.uint8),
        "__columns__": np.array([str(c) for c in attrs.columns], dtype=np.str_),
        "__nrows__": np.array(len(attrs), dtype=np.int64),
    }
    for k, a in arrays.items():
        payload[k] = np.ascontiguousarray(a)
    for c in attrs.columns:
        s = attrs[c]
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            cat = s.astype("category") if not isinstance(s.dtype, pd.CategoricalDtype) else s
            cats = cat.cat.categories
            payload[f"cat/{c}/codes"] = cat.cat.codes.to_numpy()
            payload[f"cat/{c}/values"] = np.asarray([str(x) for x in cats], dtype=np.str_)
            if len(cats) and not all(isinstance(x, str) for x in cats):
                payload[f"cat/{c}/numeric"] = np.asarray(cats, dtype=np.float64)
        else:
            payload[f"attr/{c}"] = s.to_numpy()
    path = Path(path)
    with atomic_target(path, suffix=".tmp") if atomic else contextlib.nullcontext(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **payload)  # type: ignore[arg-type]
    return path


def read(path: Path) -> tuple[dict[str, np.ndarray], pd.DataFrame, dict[str, Any]]:
    """Read a file written by :func:`write`: ``(arrays, attrs, meta)``."""
    try:
        z = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{path} is not a readable geo network file: {exc}", "rebuild it from the OSM file") from exc
    with z:
        files = set(z.files)
        if "__format__" not in files or str(z["__format__"]) != FORMAT:
            raise DataError(f"{path} is a .npz file but not a geo network", "save networks with geo.io.save_network")
        version = int(z["__version__"])
        if version > VERSION:
            raise DataError(f"{path} uses network file version {version}, newer than this geo", "upgrade geo")
        try:
            meta = json.loads(bytes(z["__meta__"]).decode())
            n = int(z["__nrows__"])
            columns = [str(c) for c in z["__columns__"]]
            arrays = {k: z[k] for k in files if not k.startswith(("__", "attr/", "cat/"))}
            data: dict[str, Any] = {}
            for c in columns:
                if f"attr/{c}" in files:
                    data[c] = z[f"attr/{c}"]
                else:
                    codes = z[f"cat/{c}/codes"]
                    values = z[f"cat/{c}/values"]
                    cats: Any = values.astype(object)
                    if f"cat/{c}/numeric" in files:
                        cats = z[f"cat/{c}/numeric"]
                    data[c] = pd.Categorical.from_codes(codes, categories=pd.Index(cats))
        except (KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise DataError(f"{path} is damaged: {exc}", "delete it and rebuild it from the OSM file") from exc
    attrs = pd.DataFrame(data, index=pd.RangeIndex(n))
    return arrays, attrs, meta
