"""Options shared by the batch verbs (``geo matrix``, ``geo access``, ``geo isochrone --origins``)."""

from __future__ import annotations

import argparse
from typing import Any

from geo import batch
from geo.batch import AUTO_CLUSTER_ORIGINS, ENGINES, NetworkSource
from geo.cli._common import existing_file
from geo.errors import InputError
from geo.io import load_network
from geo.modes import ROAD_MODES, check_mode


def add_batch_arguments(p: argparse.ArgumentParser, engine: bool = True) -> None:
    """``--workers``, ``--scheduler``, ``--partition-size``, ``--memory-budget``, ``--network-transfer``, ``--engine``."""
    g = p.add_argument_group("batch (Dask)")
    g.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"local Dask worker processes; 0 runs in this process (default: one per core above {AUTO_CLUSTER_ORIGINS:,} origins, else 0)",
    )
    g.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDR",
        help="run on an existing Dask cluster, e.g. tcp://host:8786 (default: $GEO_SCHEDULER)",
    )
    g.add_argument("--partition-size", type=int, default=None, metavar="N", help="origins per partition (default: from the sizes and the memory budget)")
    g.add_argument("--memory-budget", type=float, default=1024.0, metavar="MB", help="largest block of travel times one partition holds (default: 1024 MB)")
    g.add_argument(
        "--network-transfer",
        default="auto",
        choices=("auto", "path", "scatter"),
        help="workers load the network file themselves (path) or receive it once (scatter); auto: path on a local cluster, scatter on a remote one",
    )
    if engine:
        p.add_argument("--engine", default="auto", choices=ENGINES, help="shortest-path engine (default: auto)")


def batch_options(args: argparse.Namespace) -> dict[str, Any]:
    """Keyword arguments for :func:`geo.batch.run_batch` callers from the parsed options."""
    if args.partition_size is not None and args.partition_size < 1:
        raise InputError(f"--partition-size must be at least 1, got {args.partition_size}", "pass e.g. --partition-size 500")
    if not (args.memory_budget > 0):
        raise InputError(f"--memory-budget must be a positive number of MB, got {args.memory_budget}", "pass e.g. --memory-budget 1024")
    if args.workers is not None and args.workers < 0:
        raise InputError(f"--workers must be 0 or more, got {args.workers}", "pass e.g. --workers 4 (0 runs in this process)")
    return {
        "workers": args.workers,
        "scheduler": args.scheduler,
        "partition_size": args.partition_size,
        "memory_budget": int(args.memory_budget * 2**20),
        "network_transfer": args.network_transfer,
        "quiet": bool(getattr(args, "quiet", False)),
    }


def network_source(args: argparse.Namespace) -> Any:
    """The :class:`geo.batch.NetworkSource` of ``--network`` / ``--mode``, loaded once here (validates, warms the cache)."""
    check_mode(args.mode, ROAD_MODES, what="--mode")
    path = existing_file(args.network, "--network")
    src = NetworkSource(str(path.resolve()), args.mode)

    net = load_network(src.path, src.mode, progress=not getattr(args, "quiet", False))

    batch._LOADED[src._key()] = net
    return src, net
