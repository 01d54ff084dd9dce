"""Batch runs over many origins: in-process, on a local Dask cluster, or on an existing one.

Every many-origin job (``geo matrix``, ``geo access``, per-origin isochrones)
is cut into *partitions* of origins. A partition is a pure function of
``(network, origins of the partition, parameters)`` returning a
(Geo)DataFrame, so the same code runs

* in this process (``workers=0``; no Dask needed),
* on a :class:`dask.distributed.LocalCluster` of ``workers`` processes
  (``workers=None`` picks it when there are more than
  :data:`AUTO_CLUSTER_ORIGINS` origins, sized to the machine's cores), or
* on a cluster that already runs (``scheduler="tcp://host:8786"`` or the
  ``GEO_SCHEDULER`` environment variable): Slurm/PBS via dask-jobqueue,
  Kubernetes via dask-kubernetes, Coiled... (see docs/scale.md).

Results are equal whichever way a job runs (same rows, same floats): the
partitions and their order depend only on the inputs and parameters, never
on the number of workers.

The network travels once
------------------------
``network_transfer="path"`` (the default on a local cluster): workers get a
:class:`NetworkSource` (a file path, a few bytes) and load the network once
per worker process through :func:`geo.io.load_network`, which reads geo's
network cache (same content hash as everywhere in geo), so on one machine the
OSM file is parsed once in total. ``"scatter"`` (the default with an existing
cluster, whose workers may share no disk with this machine): the network is
sent once to every worker with ``Client.scatter(broadcast=True)`` and tasks
refer to it by key. In neither case is the network pickled per task.

Output, resume and faults
-------------------------
Partition ``k`` is written to ``DIR/part-{k:05d}.parquet`` (a temporary
hidden name, then renamed), by this process, so workers need no access to
``DIR``. ``DIR/_manifest.json`` lists the partitions and the run's
parameters; ``DIR/_SUCCESS`` is written when all are done. Rerunning the same
job skips partitions whose file exists; a different job in the same folder is
refused. A worker that dies has its partition recomputed by Dask on another
worker; Ctrl-C cancels the run and leaves only complete partition files.

Scripts that start a local cluster (``workers >= 1``) must guard their entry
point with ``if __name__ == "__main__":``: worker processes are spawned and
import the script's main module.

Examples
--------
>>> import tempfile
>>> from geo.synthetic import grid_network
>>> net = grid_network(10)
>>> pts = pd.DataFrame({"id": [10, 11, 12], "lon": net.lon[[0, 5, 99]], "lat": net.lat[[0, 5, 99]]})
>>> res = od_matrix_batch(net, pts, pts, out_dir=tempfile.mkdtemp(), partition_size=2, workers=0, quiet=True)
>>> res.partitions, res.computed
(2, 2)
>>> df = res.read()
>>> len(df), df.columns.tolist()
(9, ['from_id', 'to_id', 'minutes'])
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import geo.routing
from geo._private.writeout import atomic_target, write_text
from geo.errors import DataError, InputError, SnapError, plain
from geo.io import cache_key, load_network
from geo.isochrones import isochrones
from geo.routing import DEFAULT_MAX_SNAP_M, od_matrix, points_table

if TYPE_CHECKING:
    from geo.network import Network

#: above this many origins, ``workers=None`` runs on a LocalCluster (below, in-process)
AUTO_CLUSTER_ORIGINS = 4000
#: default memory budget (bytes) for the travel times one partition holds at once
DEFAULT_MEMORY_BUDGET = 2**30
#: bytes per origin-destination pair held while a partition runs (long table + temporaries)
BYTES_PER_PAIR = 48
#: largest default partition (origins)
MAX_PARTITION = 2000
#: smallest default partition (origins), unless the memory budget demands fewer
MIN_PARTITION = 64
MANIFEST = "_manifest.json"
SUCCESS = "_SUCCESS"
_PART = re.compile(r"^part-(\d{5})\.parquet$")
_DASK_FIX = "install the Dask extra: pip install 'geo[dask]' (dask[distributed], dask-geopandas, pyarrow), or pass --workers 0"


def _require_dask() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise InputError(f"running on a Dask cluster needs dask.distributed, which is not installed ({exc})", _DASK_FIX) from None
    return distributed


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError("writing Parquet needs pyarrow, which is not installed", _DASK_FIX) from None


# --------------------------------------------------------------------------- the network
_LOADED: dict[tuple[str, str, str], Network] = {}


@dataclasses.dataclass(frozen=True)
class NetworkSource:
    """Where a worker gets the network: a file and the options of :func:`geo.io.load_network`.

    ``load()`` is memoized per process, so each worker loads the network once
    (from geo's network cache when the file was loaded before on a shared disk).
    """

    path: str
    mode: str = "drive"
    options: tuple[tuple[str, Any], ...] = ()

    def _key(self) -> tuple[str, str, str]:
        return (str(Path(self.path).resolve()), self.mode, json.dumps(self.options, default=str))

    def load(self) -> Network:
        key = self._key()
        net = _LOADED.get(key)
        if net is None:
            net = load_network(self.path, self.mode, progress=False, **dict(self.options))
            if len(_LOADED) >= 4:
                _LOADED.clear()
            _LOADED[key] = net
        return net

    def fingerprint(self) -> str:
        """Content hash of the file and options (the key of geo's network cache)."""
        h = hashlib.sha1(cache_key(self.path, self.mode).encode())
        h.update(json.dumps(self.options, default=str).encode())
        return h.hexdigest()


def network_fingerprint(net: Network) -> str:
    """A hash of a network's arrays (for manifests of runs on an in-memory network)."""
    h = hashlib.sha1()
    for a in (net.lon, net.lat, net.indptr, net.edge_v, net.edge_time_s):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(net.mode.encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- points
_LON = ("lon", "lng", "longitude", "x")
_LAT = ("lat", "latitude", "y")


def read_points(spec: str | os.PathLike[str], *, option: str = "--origins", net: Network | None = None) -> pd.DataFrame:
    """Read points as a DataFrame ``id, lon, lat`` (+ the file's other columns).

    ``spec`` is a GeoJSON / GeoPackage / Shapefile / FlatGeobuf (points, or
    polygons via a representative point; any CRS, converted to WGS84), a CSV
    with ``lon,lat`` (or ``lng``/``longitude``/``x`` and ``latitude``/``y``)
    columns, or the word ``nodes`` (every node of ``net``, ids = node
    positions 0..n-1). Ids are the ``id`` column when there is one, else the
    feature ids (GeoPackage fid) or row numbers from 0.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pts.csv"
    >>> _ = p.write_text("name,lon,lat\\na,112.5,37.8\\nb,112.6,37.9\\n")
    >>> read_points(p)[["id", "lon", "lat", "name"]].to_dict("list")
    {'id': [0, 1], 'lon': [112.5, 112.6], 'lat': [37.8, 37.9], 'name': ['a', 'b']}
    """
    if str(spec) == "nodes":
        if net is None:
            raise InputError(f"{option} nodes needs a network", "pass --network FILE")
        return pd.DataFrame({"id": np.arange(net.n_nodes), "lon": net.lon, "lat": net.lat})
    path = Path(spec).expanduser()
    if not path.exists():
        raise InputError(
            f"{option} file {str(path)!r} does not exist",
            f"pass a GeoJSON/GeoPackage/CSV (lon,lat) file of points, or the word nodes: {option} nodes",
        )
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        try:
            df = pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{option} file {path} is not a readable CSV: {exc}", "save it as UTF-8 CSV with lon,lat columns") from None
        cols = {str(c).strip().lower(): c for c in df.columns}
        lon = next((cols[c] for c in _LON if c in cols), None)
        lat = next((cols[c] for c in _LAT if c in cols), None)
        if lon is None or lat is None:
            raise InputError(
                f"{option} CSV {path.name} has no lon/lat columns (it has {', '.join(map(str, df.columns))})",
                "name the coordinate columns lon,lat (WGS84 degrees)",
            )
        out = df.drop(columns=[lon, lat]).copy()
        out.insert(0, "lat", pd.to_numeric(df[lat], errors="coerce").to_numpy(float))
        out.insert(0, "lon", pd.to_numeric(df[lon], errors="coerce").to_numpy(float))
        ids = out.pop("id") if "id" in out.columns else pd.Series(np.arange(len(out)))
    else:
        try:
            gdf = gpd.read_file(path, fid_as_index=True)
        except Exception as exc:  # pyogrio raises its own DataSourceError
            raise InputError(f"{option} file {path} cannot be read: {exc}", "pass a GeoJSON, GeoPackage or CSV (lon,lat) file") from None
        if gdf.empty:
            raise InputError(f"{option} file {path.name} has no points", "pass a file with at least one point")
        # the same conversion as for a GeoDataFrame passed in Python: WGS84, representative points, id column or fid
        return points_table(gdf, f"{option} file {path.name}: feature")
    out.insert(0, "id", ids.to_numpy())
    out = out.reset_index(drop=True)
    if out.empty:
        raise InputError(f"{option} file {path.name} has no points", "pass a file with at least one point")
    bad = ~(np.isfinite(out["lon"]) & np.isfinite(out["lat"]) & (out["lon"].abs() <= 180) & (out["lat"].abs() <= 90))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{option} point {plain(out['id'].iloc[i])!r} of {path.name} has no valid lon,lat ({out['lon'].iloc[i]}, {out['lat'].iloc[i]})",
            "give WGS84 longitude and latitude in degrees",
        )
    dup = out["id"].duplicated()
    if dup.any():
        raise InputError(
            f"{option} id {plain(out['id'][dup].iloc[0])!r} appears more than once in {path.name}",
            "make the id column unique (or drop it to use row numbers)",
        )
    return out



def points_fingerprint(points: pd.DataFrame) -> str:
    """Hash of a points table's ids, coordinates and other columns."""
    return hashlib.sha1(pd.util.hash_pandas_object(points, index=False).to_numpy().tobytes()).hexdigest()


# --------------------------------------------------------------------------- engine pass-through
ENGINES = ("auto", "cch", "dijkstra")


def engine_kwargs(engine: str | None) -> dict[str, Any]:
    """Keyword for :func:`geo.routing.od_matrix`: ``{"engine": ...}`` when it takes one.

    Until the routing door offers engines, only Dijkstra exists: ``auto`` and
    ``dijkstra`` run it, ``cch`` is refused with a message.
    """
    if engine is None:
        return {}
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", f"use one of {', '.join(ENGINES)}")
    if "engine" in inspect.signature(geo.routing.od_matrix).parameters:
        return {"engine": engine}
    if engine == "cch":
        raise InputError("this geo has no CCH engine yet (only Dijkstra)", "pass --engine auto or --engine dijkstra")
    return {}


# --------------------------------------------------------------------------- partitions
def partition_size_for(n_origins: int, n_destinations: int, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> int:
    """Default origins per partition: about 32 partitions, within the memory budget.

    Depends only on the inputs, never on the workers, so a rerun with other
    workers resumes the same partitions.

    Examples
    --------
    >>> partition_size_for(100_000, 100)
    2000
    >>> partition_size_for(100_000, 10_000_000)  # 1 GB / (10M pairs * 48 B) -> 2 origins
    2
    """
    by_count = min(MAX_PARTITION, max(MIN_PARTITION, -(-n_origins // 32)))
    by_memory = max(1, int(memory_budget // max(1, n_destinations * BYTES_PER_PAIR)))
    return max(1, min(by_count, by_memory))


def _parts(n: int, size: int) -> list[slice]:
    return [slice(a, min(a + size, n)) for a in range(0, n, size)]


PartitionFn = Callable[..., pd.DataFrame]


def _run_one(fn: PartitionFn, network: Any, shared: Mapping[str, Any], origins: pd.DataFrame, params: Mapping[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """What one task does (on a worker or here): returns the partition's frame and its stats."""
    t0, c0 = time.perf_counter(), time.thread_time()
    net = network.load() if isinstance(network, NetworkSource) else network
    df = fn(net, origins, shared, **params)
    return df, {"seconds": time.perf_counter() - t0, "cpu_seconds": time.thread_time() - c0, "pid": os.getpid(), "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    try:
        import resource

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return kb / 1024.0 if sys.platform != "darwin" else kb / 2**20
    except (ImportError, OSError):  # pragma: no cover - Windows
        return float("nan")


@dataclasses.dataclass
class BatchResult:
    """Outcome of :func:`run_batch`.

    Attributes
    ----------
    out_dir : Path
        Folder of ``part-*.parquet`` files, ``_manifest.json`` and ``_SUCCESS``.
    partitions, computed, skipped : int
        Partitions in the job, computed by this run, found complete and skipped.
    seconds : float
        Wall time of this run.
    where : str
        ``"in-process"``, ``"local:N"`` (LocalCluster of N workers) or the scheduler address.
    stats : list of dict
        Per computed partition: ``partition``, ``origins``, ``seconds`` (wall), ``cpu_seconds``
        (CPU time of the thread that ran it), ``pid``, ``peak_rss_mb`` (of that process so far).
    """

    out_dir: Path
    partitions: int
    computed: int
    skipped: int
    seconds: float
    where: str
    stats: list[dict[str, Any]]

    @property
    def files(self) -> list[Path]:
        return [self.out_dir / _part_name(k) for k in range(self.partitions)]

    def read(self) -> pd.DataFrame:
        """All partitions concatenated in partition order (a GeoDataFrame if they have geometry)."""
        return read_parts(self.out_dir)


def _part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


def read_parts(out_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Concatenate the partition files of a finished run, in order."""
    out = Path(out_dir)
    man = _read_manifest(out)
    if man is None:
        raise InputError(f"{out} holds no batch run ({MANIFEST} is missing)", "pass the --out folder of a geo matrix/access run")
    frames = [_read_parquet(out / p["file"]) for p in man["partitions"] if (out / p["file"]).exists()]
    if len(frames) < len(man["partitions"]):
        raise DataError(f"{out} is incomplete ({len(frames)} of {len(man['partitions'])} partitions)", "rerun the same command to finish it")
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    if "geometry" in df.columns and not hasattr(df, "geometry"):
        df = gpd.GeoDataFrame(df, geometry="geometry", crs=frames[0].crs)
    return df


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    if b"geo" in (pq.read_schema(path).metadata or {}):
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def _write_part(df: pd.DataFrame, path: Path) -> None:
    with atomic_target(path, suffix=".tmp") as tmp:
        df.to_parquet(tmp, index=False)


def _read_manifest(out: Path) -> dict[str, Any] | None:
    p = out / MANIFEST
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{p} is damaged: {exc}", f"delete {out} and rerun") from None


def _json(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def _prepare_dir(out: Path, manifest: dict[str, Any]) -> set[int]:
    """Create ``out`` or check it holds the same job; returns the partitions already done."""
    old = _read_manifest(out) if out.exists() else None
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file", "pass a folder name")
    if old is None:
        if out.exists() and any(p for p in out.iterdir() if not p.name.startswith(".")):
            raise InputError(f"--out folder {out} is not empty and holds no geo batch run", "pass a new or empty folder")
        out.mkdir(parents=True, exist_ok=True)
        write_text(json.dumps(manifest, indent=1, ensure_ascii=False), out / MANIFEST)
        return set()
    keys = ("job", "params", "network", "inputs", "partitions")
    if {k: old.get(k) for k in keys} != {k: manifest.get(k) for k in keys}:
        diff = [k for k in keys if old.get(k) != manifest.get(k)]
        raise InputError(
            f"--out folder {out} holds a different run (its {', '.join(diff)} differ)",
            "pass a new --out folder, or delete this one to start over",
        )
    for p in out.glob(".part-*.tmp"):  # left by a process that was killed while writing
        p.unlink(missing_ok=True)
    return {int(m.group(1)) for p in out.iterdir() if (m := _PART.match(p.name))}


def _client(workers: int, scheduler: str | None) -> tuple[Any, Any, str]:
    distributed = _require_dask()
    if scheduler:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler {scheduler}: {exc}", "check the address (tcp://host:8786) and that the scheduler runs") from None
        return client, None, scheduler
    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    return distributed.Client(cluster), cluster, f"local:{workers}"


def network_nbytes(net: Network) -> int:
    """Bytes a network's arrays and edge attributes take in memory."""
    arrays = (net.node_id, net.lon, net.lat, net.indptr, net.edge_u, net.edge_v, net.edge_length_m, net.edge_time_s)
    return sum(int(a.nbytes) for a in arrays) + int(net.edge_attrs.memory_usage(deep=True).sum())


#: memory of a worker process besides the network (Python, Dask, search arrays of a small network)
WORKER_BASE_BYTES = 512 * 2**20


def local_workers(net_bytes: int = 0, cores: int | None = None, total_bytes: int | None = None) -> int:
    """Default size of a local cluster: one worker per core, as many as 80% of the RAM holds.

    Each worker holds its own copy of the network (twice its size, for the
    search arrays and temporaries) plus :data:`WORKER_BASE_BYTES`.

    Examples
    --------
    >>> local_workers(0, cores=8, total_bytes=64 * 2**30)
    8
    >>> local_workers(6 * 10**9, cores=64, total_bytes=64 * 2**30)  # a national network: 4 fit, not 64
    4
    """
    cores = cores or os.cpu_count() or 1
    if total_bytes is None:
        try:
            import psutil

            total_bytes = int(psutil.virtual_memory().total)
        except ImportError:  # pragma: no cover - psutil comes with distributed
            return cores
    per = 2 * net_bytes + WORKER_BASE_BYTES
    return max(1, min(cores, int(0.8 * total_bytes // per)))


def resolve_workers(workers: int | None, scheduler: str | None, n_origins: int, net_bytes: int = 0) -> tuple[int, str | None]:
    """``(workers, scheduler)`` after defaults: ``GEO_SCHEDULER``, then a LocalCluster for big jobs.

    The default local cluster is sized by :func:`local_workers`; an explicit
    ``workers`` is used as given.

    Examples
    --------
    >>> resolve_workers(0, None, 10**6)
    (0, None)
    >>> resolve_workers(None, None, 10)  # small: in-process
    (0, None)
    """
    if workers is not None and workers < 0:
        raise InputError(f"--workers must be 0 or more, got {workers}", "pass e.g. --workers 4 (0 runs in this process)")
    if scheduler is None and workers is None:
        scheduler = os.environ.get("GEO_SCHEDULER") or None
    if scheduler:
        if not re.match(r"^(tcp|tls|inproc|ucx|ws|wss)://", scheduler):
            raise InputError(f"--scheduler {scheduler!r} is not a Dask scheduler address", "pass e.g. --scheduler tcp://host:8786")
        return 0, scheduler
    if workers is None:
        workers = local_workers(net_bytes) if n_origins > AUTO_CLUSTER_ORIGINS else 0
    return workers, None


def run_batch(
    job: str,
    fn: PartitionFn,
    origins: pd.DataFrame,
    *,
    network: Network | NetworkSource,
    out_dir: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    shared: Mapping[str, Any] | None = None,
    inputs: Mapping[str, str] | None = None,
    partition_size: int = MAX_PARTITION,
    workers: int | None = 0,
    scheduler: str | None = None,
    client: Any = None,
    network_transfer: str = "auto",
    quiet: bool = False,
) -> BatchResult:
    """Run ``fn`` over partitions of ``origins`` and write one Parquet file per partition.

    Parameters
    ----------
    job
        Name of the job (``"matrix"``, ``"access-gravity"``...), kept in the manifest.
    fn
        ``fn(net, origins_part, shared, **params) -> DataFrame``: a module-level,
        pure function (workers import it by name).
    origins
        One row per origin (columns ``id, lon, lat`` and any others ``fn`` uses).
    network
        A :class:`NetworkSource` (workers load it themselves, once) or a
        loaded :class:`~geo.network.Network` (scattered once to the workers).
    out_dir
        Output folder (created; must be empty or hold the same job to resume).
    params
        Keyword arguments of ``fn``; JSON-able, recorded in the manifest.
    shared
        Inputs every partition needs (destinations...), sent once to each
        worker; describe them in ``inputs`` (name -> fingerprint) so that a
        rerun with other inputs is refused.
    partition_size
        Origins per partition (see :func:`partition_size_for`).
    workers, scheduler
        ``workers=0``: in this process; ``N``: a LocalCluster of N processes;
        ``scheduler``: the address of a running cluster (``workers`` ignored).
        ``None`` applies :func:`resolve_workers`.
    client
        An existing ``dask.distributed.Client`` (tests, notebooks); overrides both.
    network_transfer
        ``"path"``, ``"scatter"`` or ``"auto"`` (path on a local cluster with a
        :class:`NetworkSource`, scatter otherwise); see the module docstring.
    quiet
        No progress bar.

    Returns
    -------
    BatchResult
    """
    _require_pyarrow()
    if partition_size < 1:
        raise InputError(f"partition size must be at least 1, got {partition_size}", "pass e.g. 500")
    params = dict(params or {})
    shared = dict(shared or {})
    out = Path(out_dir)
    t0 = time.perf_counter()
    slices = _parts(len(origins), int(partition_size))
    if isinstance(network, NetworkSource):
        net_desc = {"path": str(network.path), "mode": network.mode, "options": _json(network.options), "hash": network.fingerprint()}
    else:
        net_desc = {"source": str(network.meta.get("source", "")), "mode": network.mode, "hash": network_fingerprint(network)}
    manifest = {
        "version": 1,
        "job": job,
        "function": f"{fn.__module__}.{getattr(fn, '__qualname__', type(fn).__qualname__)}",
        "params": _json(params),
        "network": net_desc,
        "inputs": {"origins": points_fingerprint(origins), **dict(inputs or {})},
        "partitions": [
            {"file": _part_name(k), "origins": s.stop - s.start, "first_id": _json(origins["id"].iloc[s.start]), "last_id": _json(origins["id"].iloc[s.stop - 1])}
            for k, s in enumerate(slices)
        ],
    }
    if client is None:  # check the options before anything is written
        big = workers is None and len(origins) > AUTO_CLUSTER_ORIGINS
        size = network_nbytes(network.load() if isinstance(network, NetworkSource) else network) if big else 0
        workers, scheduler = resolve_workers(workers, scheduler, len(origins), size)
    if network_transfer not in ("auto", "path", "scatter"):
        raise InputError(f"unknown network transfer {network_transfer!r}", "use auto, path or scatter")
    done = _prepare_dir(out, manifest)
    todo = [k for k in range(len(slices)) if k not in done]
    stats: list[dict[str, Any]] = []
    where = "in-process"

    bar = tqdm(total=len(slices), initial=len(done), desc=job, unit="partition", disable=quiet or not todo)

    def finish(k: int, df: pd.DataFrame, st: dict[str, Any]) -> None:
        _write_part(df, out / _part_name(k))
        stats.append({"partition": k, "origins": slices[k].stop - slices[k].start, **st})
        bar.update(1)

    try:
        if todo and client is None and not scheduler and not workers:
            net: Any = network.load() if isinstance(network, NetworkSource) else network
            for k in todo:
                df, st = _run_one(fn, net, shared, origins.iloc[slices[k]].reset_index(drop=True), params)
                finish(k, df, st)
        elif todo:
            own = client is None
            cluster = None
            if own:
                client, cluster, where = _client(workers or 1, scheduler)
            else:
                where = str(getattr(getattr(client, "scheduler", None), "address", "client"))
            try:
                _run_on_client(client, fn, network, shared, origins, slices, todo, params, network_transfer, cluster is not None, finish)
            finally:
                if own:
                    client.close()
                    if cluster is not None:
                        cluster.close()
    finally:
        bar.close()
    result = BatchResult(out, len(slices), len(stats), len(done), time.perf_counter() - t0, where, sorted(stats, key=lambda s: s["partition"]))

    summary = {**manifest, "computed": result.computed, "skipped": result.skipped, "seconds": round(result.seconds, 3), "where": where}
    write_text(json.dumps(_json(summary), indent=1, ensure_ascii=False), out / SUCCESS)
    return result


def _run_on_client(
    client: Any,
    fn: PartitionFn,
    network: Network | NetworkSource,
    shared: dict[str, Any],
    origins: pd.DataFrame,
    slices: list[slice],
    todo: list[int],
    params: dict[str, Any],
    network_transfer: str,
    local: bool,
    finish: Callable[[int, pd.DataFrame, dict[str, Any]], None],
) -> None:
    distributed = _require_dask()
    if network_transfer not in ("auto", "path", "scatter"):
        raise InputError(f"unknown network transfer {network_transfer!r}", "use auto, path or scatter")
    if network_transfer == "auto":
        network_transfer = "path" if local and isinstance(network, NetworkSource) else "scatter"
    net_ref: Any = network
    if network_transfer == "scatter":
        net = network.load() if isinstance(network, NetworkSource) else network
        net_ref = client.scatter(net, broadcast=True, hash=False)
    elif not isinstance(network, NetworkSource):
        raise InputError("network_transfer='path' needs a NetworkSource (a file)", "pass network_transfer='scatter'")
    shared_ref = client.scatter(shared, broadcast=True, hash=False) if shared else {}
    token = hashlib.sha1(f"{time.time_ns()}-{os.getpid()}".encode()).hexdigest()[:10]
    futures = {}
    for k in todo:
        part = origins.iloc[slices[k]].reset_index(drop=True)
        f = client.submit(_run_one, fn, net_ref, shared_ref, part, params, key=f"geo-part-{k:05d}-{token}", pure=False, retries=2)
        futures[f] = k
    try:
        for f in distributed.as_completed(list(futures)):
            df, st = f.result()
            finish(futures[f], df, st)
            f.release()
    except BaseException:
        client.cancel(list(futures))
        raise


# --------------------------------------------------------------------------- the matrix job
def matrix_partition(
    net: Network,
    origins: pd.DataFrame,
    shared: Mapping[str, Any],
    *,
    max_minutes: float | None = None,
    max_snap_m: float | None = None,
    engine: str | None = None,
    sparse: bool = False,
) -> pd.DataFrame:
    """Travel times from a partition of origins to ``shared["destinations"]``: ``from_id, to_id, minutes``.

    Unreachable pairs (or beyond ``max_minutes``) have NaN minutes, or are
    left out with ``sparse=True``.
    """
    dest = shared["destinations"]
    kw: dict[str, Any] = engine_kwargs(engine)
    od = od_matrix(
        net,
        origins[["lon", "lat"]].to_numpy(float),
        dest[["lon", "lat"]].to_numpy(float),
        max_minutes=max_minutes,
        max_snap_m=DEFAULT_MAX_SNAP_M if max_snap_m is None else max_snap_m,
        sparse=sparse,
        **kw,
    )
    o = od["origin"].to_numpy(np.int64)
    d = od["destination"].to_numpy(np.int64)
    return pd.DataFrame(
        {"from_id": origins["id"].to_numpy()[o], "to_id": dest["id"].to_numpy()[d], "minutes": od["minutes"].to_numpy(float)}
    )


def od_matrix_batch(
    network: Network | NetworkSource,
    origins: pd.DataFrame,
    destinations: pd.DataFrame,
    *,
    out_dir: str | os.PathLike[str],
    max_minutes: float | None = None,
    max_snap_m: float | None = None,
    engine: str | None = None,
    sparse: bool = False,
    partition_size: int | None = None,
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    network_transfer: str = "auto",
    quiet: bool = False,
) -> BatchResult:
    """All origin-destination travel times, as partitioned Parquet (``from_id, to_id, minutes``).

    ``origins`` and ``destinations`` are tables with ``id, lon, lat`` (see
    :func:`read_points`) or GeoDataFrames; ``from_id`` and ``to_id`` are their
    ids (the ``id`` column, else the index: see :func:`as_points_table`), so
    ``res.read().merge(origins, left_on="from_id", right_index=True)`` joins
    back. Without ``sparse`` every pair is written (NaN when unreachable);
    partitions are sized so that one holds at most ``memory_budget`` bytes of
    pairs. Other options: :func:`run_batch`.
    """
    origins = as_points_table(origins, "origins")
    destinations = as_points_table(destinations, "destinations")
    engine_kwargs(engine)  # refuse an unknown engine before starting
    size = partition_size or partition_size_for(len(origins), len(destinations), memory_budget)
    dest = destinations[["id", "lon", "lat"]]
    params = {"max_minutes": max_minutes, "max_snap_m": max_snap_m, "engine": engine, "sparse": sparse}
    return run_batch(
        "matrix",
        matrix_partition,
        origins[["id", "lon", "lat"]],
        network=network,
        out_dir=out_dir,
        params=params,
        shared={"destinations": dest},
        inputs={"destinations": points_fingerprint(dest)},
        partition_size=size,
        workers=workers,
        scheduler=scheduler,
        client=client,
        network_transfer=network_transfer,
        quiet=quiet,
    )


# --------------------------------------------------------------------------- the per-origin isochrone job
def isochrone_partition(net: Network, origins: pd.DataFrame, shared: Mapping[str, Any], *, minutes: list[float], **kw: Any) -> pd.DataFrame:
    """Bands around each origin of a partition, separately: ``origin_id, minutes, area_km2, geometry``.

    An origin that cannot be snapped (farther than ``max_snap_m`` from the
    network) gets its bands with empty geometry and NaN area.
    """
    frames = []
    for oid, lon, lat in zip(origins["id"], origins["lon"], origins["lat"], strict=True):
        try:
            bands = isochrones(net, [(float(lon), float(lat))], minutes, **kw)
        except SnapError:
            bands = gpd.GeoDataFrame({"minutes": minutes, "area_km2": np.nan}, geometry=[None] * len(minutes), crs="EPSG:4326")
        frames.append(pd.DataFrame({"origin_id": oid, "minutes": bands["minutes"].to_numpy(float), "area_km2": bands["area_km2"].to_numpy(float), "geometry": bands.geometry.values}))
    if not frames:
        return gpd.GeoDataFrame({"origin_id": [], "minutes": [], "area_km2": []}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs="EPSG:4326")


def isochrones_batch(
    network: Network | NetworkSource,
    origins: pd.DataFrame,
    minutes: Sequence[float],
    *,
    out_dir: str | os.PathLike[str],
    partition_size: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    network_transfer: str = "auto",
    quiet: bool = False,
    **kw: Any,
) -> BatchResult:
    """One set of cumulative bands per origin (not nearest-origin-wins), as partitioned GeoParquet.

    ``kw`` goes to :func:`geo.isochrones.isochrones` (``max_snap_m``,
    ``offnetwork_m``, ``method``, ``cell_m``, ``simplify_m``). Default
    partitions hold 16 origins (an isochrone costs far more than a matrix row).
    ``origin_id`` is the id of each origin (see :func:`as_points_table`).
    """
    origins = as_points_table(origins, "origins")
    return run_batch(
        "isochrones",
        isochrone_partition,
        origins[["id", "lon", "lat"]],
        network=network,
        out_dir=out_dir,
        params={"minutes": [float(m) for m in minutes], **kw},
        partition_size=partition_size or 16,
        workers=workers,
        scheduler=scheduler,
        client=client,
        network_transfer=network_transfer,
        quiet=quiet,
    )


def as_points_table(points: Any, name: str) -> pd.DataFrame:
    """The points of a job as ``id, lon, lat`` (+ their other columns), index 0..n-1.

    ``points`` is a table from :func:`read_points`, or a GeoDataFrame (any
    CRS) or DataFrame with ``lon``, ``lat`` columns: ids are its ``id``
    column when it has one, else its index, so results (``from_id``,
    ``to_id``, ``origin_id``, ``id``) join back to it (see
    :func:`geo.routing.points_table`).
    """
    if not isinstance(points, pd.DataFrame | pd.Series):
        raise InputError(
            f"{name} must be a table of points, not {type(points).__name__}",
            "pass a GeoDataFrame, a DataFrame with lon, lat (and id) columns, or read them with geo.batch.read_points",
        )
    if len(points) == 0:
        raise InputError(f"no {name} given", f"pass at least one point of {name}")
    return points_table(points, name)


def scheduler_help() -> str:
    """One line for CLI help texts."""
    return f"Dask scheduler address, e.g. tcp://host:8786 (default: $GEO_SCHEDULER; without it, jobs over {AUTO_CLUSTER_ORIGINS:,} origins use a local cluster)"


__all__: Sequence[str] = (
    "AUTO_CLUSTER_ORIGINS",
    "BatchResult",
    "NetworkSource",
    "as_points_table",
    "engine_kwargs",
    "isochrone_partition",
    "isochrones_batch",
    "local_workers",
    "matrix_partition",
    "network_nbytes",
    "od_matrix_batch",
    "partition_size_for",
    "read_parts",
    "read_points",
    "resolve_workers",
    "run_batch",
)
