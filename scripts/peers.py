#!/usr/bin/env python3
"""Side-by-side check of geo against OSRM and Valhalla on the same OSM file.

Two interpreters are involved, because the peers' PyPI wheels (``osrm-bindings``,
``pyvalhalla``) need Python >= 3.12 while geo's venv is 3.11:

* run this file with the peers venv (see docs/peers.md for its setup)::

      /work/peers-venv/bin/python scripts/peers.py            # full run (~200 pairs, 3 origins)
      /work/peers-venv/bin/python scripts/peers.py --quick    # 40 pairs, 1 origin

* it builds the OSRM (car.lua, MLD) and Valhalla (auto) data under ``--work``
  (default /tmp/peers), queries both engines in-process, and runs geo's part in a
  subprocess with geo's own interpreter (``--geo-python``, default
  /work/main/.venv/bin/python) as ``peers.py --geo-worker STEP``, which reads a JSON
  request on stdin and prints a JSON answer on stdout.

It prints Markdown tables (routes: time ratios, distance ratios, percentiles,
correlation, time per query; isochrones: areas and IoU per band) and writes the
raw per-pair figures to ``--work``/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_PBF = Path("/work/shared/data/osm_samples/andorra-latest_osm2gpd_2023-07.osm.pbf")
if not DEFAULT_PBF.exists():  # the shared folder beside the repository
    DEFAULT_PBF = REPO.parent / "shared/data/osm_samples/andorra-latest_osm2gpd_2023-07.osm.pbf"
# Isochrone origins (lon, lat): town centres along Andorra's main valleys.
ISO_ORIGINS = {
    "Andorra la Vella": (1.5218, 42.5063),
    "Encamp": (1.5800, 42.5354),
    "La Massana": (1.5148, 42.5450),
}
BANDS = [5, 10, 15]


# --------------------------------------------------------------------------- geo worker (geo's venv)
def _geo_worker(step: str) -> None:
    """Runs under geo's interpreter; request JSON on stdin, answer JSON on stdout."""
    import numpy as np

    req = json.load(sys.stdin)
    sys.path.insert(0, str(REPO))
    from geo.network import Network
    from geo.routing import cch_metric, cch_topology, choose_engine, od_matrix, route

    t0 = time.perf_counter()
    net = Network.from_file(req["pbf"], mode="drive")
    load_s = time.perf_counter() - t0
    out: dict = {"load_s": load_s, "nodes": int(net.n_nodes), "edges": int(net.n_edges)}

    if step == "pairs":
        rng = np.random.default_rng(req["seed"])
        big = np.flatnonzero(net.component_size == net.component_size.max())
        out["scc_nodes"] = int(big.size)
        n = req["n_pairs"]
        o_idx = rng.choice(big, n, replace=True)
        d_idx = rng.choice(big, n, replace=True)
        same = o_idx == d_idx
        while same.any():
            d_idx[same] = rng.choice(big, int(same.sum()))
            same = o_idx == d_idx
        orig = [(float(net.lon[i]), float(net.lat[i])) for i in o_idx]
        dest = [(float(net.lon[i]), float(net.lat[i])) for i in d_idx]
        # geo's counterpart of osrm-extract/partition/customize: the contraction hierarchy, built
        # fresh (not from its disk cache) and customized to the drive speeds
        t = time.perf_counter()
        topo = cch_topology(net, cache=False)
        out["cch_build_s"] = time.perf_counter() - t
        t = time.perf_counter()
        cch_metric(net)
        out["cch_customize_s"] = time.perf_counter() - t
        out["cch_arcs"] = topo.n_arcs
        out["route_engine"] = choose_engine(net, 1, 1)
        route(net, orig[0], dest[0])  # warm-up (numba compilation, snapping index)
        route(net, orig[0], dest[0], engine="dijkstra")
        out["route_dijkstra_s"] = []
        for a, b in zip(orig, dest):
            t = time.perf_counter()
            route(net, a, b, engine="dijkstra")
            out["route_dijkstra_s"].append(time.perf_counter() - t)
        minutes, metres, secs = [], [], []
        hw = net.edge_attrs["highway"].astype(str).to_numpy()
        by_class: dict = {}
        for a, b in zip(orig, dest):
            t = time.perf_counter()
            r = route(net, a, b)
            secs.append(time.perf_counter() - t)
            minutes.append(float(r.minutes))
            metres.append(float(r.metres))
            for e in r.edges:  # whole edges (the partial first/last edges count whole: negligible)
                acc = by_class.setdefault(hw[e], [0.0, 0.0])
                acc[0] += float(net.edge_length_m[e])
                acc[1] += float(net.edge_time_s[e])
        out["by_class"] = by_class
        # the same pairs with geo's crude turn/signal stand-in (5 s per intersection)
        net5 = Network.from_file(req["pbf"], mode="drive", intersection_delay_s=5)
        minutes5 = [float(route(net5, a, b).minutes) for a, b in zip(orig, dest)]
        # one-to-many: all origins x all destinations
        od_matrix(net, orig[:3], dest[:3])  # warm-up (compiled kernels)
        t = time.perf_counter()
        od = od_matrix(net, orig, dest)
        od_s = time.perf_counter() - t
        diag = od.set_index(["origin", "destination"])["minutes"]
        od_diag = [float(diag.get((i, i), float("nan"))) for i in range(n)]
        out["od_engine"] = [od.attrs.get("engine"), od.attrs.get("engine_reason")]
        out.update(
            origins=orig,
            destinations=dest,
            minutes=minutes,
            metres=metres,
            route_s=secs,
            minutes_delay5=minutes5,
            od_s=od_s,
            od_cells=len(od),
            od_diag_minutes=od_diag,
        )
    elif step == "matrix":
        # n x n drive matrices with each engine (points: random nodes of the largest SCC)
        rng = np.random.default_rng(req["seed"] + req["n"])
        big = np.flatnonzero(net.component_size == net.component_size.max())
        n = req["n"]
        o_idx, d_idx = rng.choice(big, n), rng.choice(big, n)
        orig = [(float(net.lon[i]), float(net.lat[i])) for i in o_idx]
        dest = [(float(net.lon[i]), float(net.lat[i])) for i in d_idx]
        cch_metric(net)  # prepared as in "pairs" (from the memory/disk cache: the build is reported there)
        od_matrix(net, orig, dest, engine="cch")  # warm-up at full size (compiled kernels, first touch of the big arrays)
        res: dict = {}
        for engine, reps in (("auto", 3), ("cch", 3), ("dijkstra", 1)):
            secs = []
            for _ in range(reps):
                t = time.perf_counter()
                od = od_matrix(net, orig, dest, engine=engine)
                secs.append(time.perf_counter() - t)
            res[engine] = {"s": statistics.median(secs), "engine": od.attrs["engine"], "why": od.attrs["engine_reason"]}
            res[engine]["minutes"] = od["minutes"].to_numpy()
        a, b = res["cch"]["minutes"], res["dijkstra"]["minutes"]
        ok = np.isfinite(b)
        out["max_rel_cch_vs_dijkstra"] = float(np.max(np.abs(a[ok] - b[ok]) / np.maximum(b[ok], 1e-12))) if ok.any() else 0.0
        out["nan_agree"] = bool(np.array_equal(np.isnan(a), np.isnan(b)))
        for r in res.values():
            r.pop("minutes")
        out.update(origins=orig, destinations=dest, engines=res)
    elif step == "classify":
        # OSRM segments (midpoint lon, lat, metres, seconds) -> class of the nearest geo edge;
        # Valhalla edges (OSM way id, metres, seconds) -> class of that way in geo
        import shapely

        hw = net.edge_attrs["highway"].astype(str).to_numpy()
        geoms = net.edges.geometry.to_numpy()
        tree = shapely.STRtree(geoms)
        seg = req["osrm_segments"]
        agg: dict = {}
        if seg:
            pts = shapely.points([(x[0], x[1]) for x in seg])
            _, idx = tree.query_nearest(pts, return_distance=False, all_matches=False)
            for (_, _, m, sec), e in zip(seg, idx[1] if idx.ndim == 2 else idx):
                acc = agg.setdefault(hw[e], [0.0, 0.0])
                acc[0] += m
                acc[1] += sec
        out["osrm_by_class"] = agg
        way_class: dict = {}
        for oid, h in zip(net.edge_attrs["osm_id"].to_numpy(), hw):
            way_class.setdefault(int(oid), h)
        agg = {}
        for wid, m, sec, vclass in req["valhalla_edges"]:
            h = way_class.get(int(wid), f"(valhalla {vclass})")
            acc = agg.setdefault(h, [0.0, 0.0])
            acc[0] += m
            acc[1] += sec
        out["valhalla_by_class"] = agg
    elif step == "iso":
        import geopandas as gpd

        from geo.isochrones import isochrones

        crs = net.metric_crs
        isochrones(net, tuple(req["origins"][0]), req["bands"])  # warm-up (compiled kernels)
        rows = []
        for name, (lon, lat), vfile in zip(req["names"], req["origins"], req["valhalla_files"]):
            val = gpd.read_file(vfile).to_crs(crs)
            for variant, kw in req["variants"].items():
                t = time.perf_counter()
                g = isochrones(net, (lon, lat), req["bands"], **kw)
                dt = time.perf_counter() - t
                gm = g.to_crs(crs)
                for _, row in gm.iterrows():
                    m = float(row["minutes"])
                    vg = val.loc[val["contour"].astype(float) == m]
                    vgeom = vg.union_all() if len(vg) else None
                    a_geo = row.geometry.area / 1e6
                    a_val = vgeom.area / 1e6 if vgeom is not None else float("nan")
                    inter = row.geometry.intersection(vgeom).area / 1e6 if vgeom is not None else float("nan")
                    union = row.geometry.union(vgeom).area / 1e6 if vgeom is not None else float("nan")
                    rows.append(
                        dict(
                            origin=name,
                            variant=variant,
                            minutes=m,
                            geo_km2=a_geo,
                            geo_area_km2_col=float(row["area_km2"]),
                            valhalla_km2=a_val,
                            iou=inter / union if union else float("nan"),
                            geo_in_valhalla=inter / a_geo if a_geo else float("nan"),
                            valhalla_in_geo=inter / a_val if a_val else float("nan"),
                            geo_s=dt,
                        )
                    )
        # road points instead of polygons: geo's node times against Valhalla's polygons
        import shapely

        from geo.routing import node_times

        pts = shapely.points(net.xy)
        nrows = []
        for name, (lon, lat), vfile in zip(req["names"], req["origins"], req["valhalla_files"]):
            val = gpd.read_file(vfile).to_crs(crs)
            tmin = node_times(net, [(lon, lat)])
            for m in req["bands"]:
                vg = val.loc[val["contour"].astype(float) == m].union_all()
                shapely.prepare(vg)
                in_val = shapely.contains(vg, pts)
                in_geo = np.nan_to_num(tmin, nan=np.inf) <= m
                both = int((in_val & in_geo).sum())
                nrows.append(
                    dict(
                        origin=name,
                        minutes=m,
                        geo_nodes=int(in_geo.sum()),
                        valhalla_nodes=int(in_val.sum()),
                        jaccard=both / max(1, int((in_val | in_geo).sum())),
                        geo_in_val=both / max(1, int(in_geo.sum())),
                        val_in_geo=both / max(1, int(in_val.sum())),
                    )
                )
        out["rows"] = rows
        out["node_rows"] = nrows
        out["crs"] = crs
    json.dump(out, sys.stdout)


def run_geo(step: str, req: dict, geo_python: str) -> dict:
    p = subprocess.run(
        [geo_python, str(Path(__file__).resolve()), "--geo-worker", step],
        input=json.dumps(req),
        capture_output=True,
        text=True,
        env=dict(os.environ, OMP_NUM_THREADS="1", NUMBA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"),
    )
    if p.returncode != 0:
        raise RuntimeError(f"geo worker '{step}' failed:\n{p.stderr[-3000:]}")
    return json.loads(p.stdout)


# --------------------------------------------------------------------------- builds (peers venv)
def build_osrm(pbf: Path, work: Path) -> tuple[Path, dict]:
    import osrm

    pkg = Path(osrm.__file__).parent
    bin_dir, profile = pkg / "bin", pkg / "share/profiles/car.lua"
    d = work / "osrm"
    d.mkdir(parents=True, exist_ok=True)
    src = d / (pbf.name.split(".")[0] + ".osm.pbf")
    if not src.exists():
        os.symlink(pbf, src)
    base = d / (pbf.name.split(".")[0] + ".osrm")
    times = {}
    for step, args in (
        ("extract", ["-t", "1", "-p", str(profile), str(src)]),
        ("partition", ["-t", "1", str(base)]),
        ("customize", ["-t", "1", str(base)]),
    ):
        t = time.perf_counter()
        p = subprocess.run([str(bin_dir / f"osrm-{step}"), *args], capture_output=True, text=True)
        times[step] = time.perf_counter() - t
        if p.returncode != 0:
            raise RuntimeError(f"osrm-{step} failed:\n{p.stderr[-2000:]}{p.stdout[-2000:]}")
    return base, times


def build_valhalla(pbf: Path, work: Path) -> tuple[Path, dict]:
    import valhalla

    d = work / "valhalla"
    tiles = d / "tiles"
    if tiles.exists():
        shutil.rmtree(tiles)
    tiles.mkdir(parents=True)
    cfg = valhalla.get_config(tile_extract="", tile_dir=tiles, verbose=False)
    cfg["mjolnir"]["concurrency"] = 1
    # no admin / timezone databases here (they need downloads): country-specific
    # access rules and local time are not used, which does not matter for Andorra's car roads
    for key in ("admin", "timezone", "landmarks", "traffic_extract"):
        cfg["mjolnir"][key] = ""
    lim = cfg["service_limits"]
    lim["auto"]["max_matrix_location_pairs"] = 1_000_000
    lim["auto"]["max_matrix_distance"] = 1_000_000.0
    lim["isochrone"]["max_locations"] = 10
    conf = d / "valhalla.json"
    conf.write_text(json.dumps(cfg, indent=1))
    exe = Path(valhalla.__file__).parent / "bin/valhalla_build_tiles"
    t = time.perf_counter()
    p = subprocess.run([str(exe), "-c", str(conf), "-j", "1", str(pbf)], capture_output=True, text=True)
    dt = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"valhalla_build_tiles failed:\n{p.stderr[-2000:]}{p.stdout[-2000:]}")
    return conf, {"build_tiles": dt}


# --------------------------------------------------------------------------- queries (peers venv)
def query_osrm(base: Path, orig, dest) -> dict:
    import osrm

    eng = osrm.OSRM(storage_config=str(base), algorithm="MLD", use_shared_memory=False)
    dur, dist, secs, snap = [], [], [], []
    eng.Route(osrm.RouteParameters(coordinates=[orig[0], dest[0]]))  # warm-up
    for a, b in zip(orig, dest):
        t = time.perf_counter()
        r = eng.Route(osrm.RouteParameters(coordinates=[a, b], overview="false"))
        secs.append(time.perf_counter() - t)
        if r["code"] != "Ok":
            dur.append(float("nan"))
            dist.append(float("nan"))
            snap.append(float("nan"))
            continue
        dur.append(float(r["routes"][0]["duration"]) / 60)
        dist.append(float(r["routes"][0]["distance"]))
        snap.append(max(float(w["distance"]) for w in r["waypoints"]))
    n = len(orig)
    t = time.perf_counter()
    tab = eng.Table(
        osrm.TableParameters(
            coordinates=list(orig) + list(dest),
            sources=list(range(n)),
            destinations=list(range(n, 2 * n)),
            annotations=["duration"],
        )
    )
    table_s = time.perf_counter() - t
    d = tab["durations"]
    diag = [float(d[i][i]) / 60 if d[i][i] is not None else float("nan") for i in range(n)]
    return dict(minutes=dur, metres=dist, route_s=secs, snap_m=snap, table_s=table_s, table_diag=diag)


def osrm_table_s(base: Path, orig, dest, reps: int = 3) -> float:
    """Median seconds of an OSRM MLD ``Table`` over ``orig`` x ``dest``."""
    import osrm

    eng = osrm.OSRM(storage_config=str(base), algorithm="MLD", use_shared_memory=False)
    n = len(orig)
    params = osrm.TableParameters(
        coordinates=list(orig) + list(dest), sources=list(range(n)), destinations=list(range(n, n + len(dest))), annotations=["duration"]
    )
    eng.Table(osrm.TableParameters(coordinates=list(orig[:5]) + list(dest[:5]), sources=list(range(5)), destinations=list(range(5, 10))))
    secs = []
    for _ in range(reps):
        t = time.perf_counter()
        tab = eng.Table(params)
        secs.append(time.perf_counter() - t)
        if tab["code"] != "Ok":
            raise RuntimeError(f"OSRM Table failed: {tab['code']}")
    return statistics.median(secs)


def query_valhalla(conf: Path, orig, dest) -> dict:
    import valhalla

    act = valhalla.Actor(str(conf))

    def loc(p):
        return {"lon": p[0], "lat": p[1]}

    dur, dist, secs = [], [], []
    act.route({"locations": [loc(orig[0]), loc(dest[0])], "costing": "auto"})  # warm-up
    for a, b in zip(orig, dest):
        t = time.perf_counter()
        try:
            r = act.route(
                {"locations": [loc(a), loc(b)], "costing": "auto", "units": "kilometers", "directions_type": "none"}
            )
            s = r["trip"]["summary"]
            dur.append(float(s["time"]) / 60)
            dist.append(float(s["length"]) * 1000)
        except Exception:  # no route
            dur.append(float("nan"))
            dist.append(float("nan"))
        secs.append(time.perf_counter() - t)
    n = len(orig)
    t = time.perf_counter()
    m = act.matrix({"sources": [loc(p) for p in orig], "targets": [loc(p) for p in dest], "costing": "auto"})
    matrix_s = time.perf_counter() - t
    st = m["sources_to_targets"]
    diag = []
    for i in range(n):
        cell = st[i][i]
        diag.append(float(cell["time"]) / 60 if cell.get("time") is not None else float("nan"))
    return dict(
        minutes=dur, metres=dist, route_s=secs, matrix_s=matrix_s, matrix_diag=diag, matrix_algorithm=m.get("algorithm")
    )


def osrm_segments(base: Path, orig, dest) -> tuple[list, list]:
    """Per-segment distance/duration of each OSRM route (untimed pass) and the turn/signal seconds."""
    import osrm

    eng = osrm.OSRM(storage_config=str(base), algorithm="MLD", use_shared_memory=False)
    segs, turn_s = [], []
    for a, b in zip(orig, dest):
        r = eng.Route(
            osrm.RouteParameters(
                coordinates=[a, b], annotations=["duration", "distance"], overview="full", geometries="geojson"
            )
        )
        if r["code"] != "Ok":
            turn_s.append(float("nan"))
            continue
        rt = r["routes"][0]
        c = rt["geometry"]["coordinates"]
        ann = rt["legs"][0]["annotation"]
        du, di = list(ann["duration"]), list(ann["distance"])
        for i in range(len(du)):
            segs.append(((c[i][0] + c[i + 1][0]) / 2, (c[i][1] + c[i + 1][1]) / 2, float(di[i]), float(du[i])))
        turn_s.append(float(rt["duration"]) - sum(float(x) for x in du))
    return segs, turn_s


def valhalla_edges(conf: Path, orig, dest) -> tuple[list, list]:
    """Edges (way id, metres, seconds at the edge speed) of each Valhalla route and its transition seconds."""
    import valhalla

    act = valhalla.Actor(str(conf))
    edges, turn_s = [], []
    for a, b in zip(orig, dest):
        try:
            r = act.route({"locations": [{"lon": a[0], "lat": a[1]}, {"lon": b[0], "lat": b[1]}], "costing": "auto"})
            ta = act.trace_attributes(
                {"encoded_polyline": r["trip"]["legs"][0]["shape"], "costing": "auto", "shape_match": "edge_walk"}
            )
        except Exception:
            turn_s.append(float("nan"))
            continue
        edge_sum = 0.0
        for e in ta["edges"]:
            m = float(e["length"]) * 1000
            sec = m / (float(e["speed"]) / 3.6) if e.get("speed") else 0.0
            edge_sum += sec
            edges.append((int(e.get("way_id", 0)), m, sec, e.get("road_class", "?")))
        turn_s.append(float(r["trip"]["summary"]["time"]) - edge_sum)
    return edges, turn_s


def valhalla_isochrones(conf: Path, work: Path, origins: dict, **opts) -> tuple[list[str], list[float]]:
    import valhalla

    act = valhalla.Actor(str(conf))
    files, secs = [], []
    for name, (lon, lat) in origins.items():
        req = {
            "locations": [{"lon": lon, "lat": lat}],
            "costing": "auto",
            "contours": [{"time": m} for m in BANDS],
            "polygons": True,
            **opts,
        }
        t = time.perf_counter()
        fc = act.isochrone(req)
        secs.append(time.perf_counter() - t)
        f = work / f"valhalla_iso_{name.replace(' ', '_')}.geojson"
        f.write_text(json.dumps(fc))
        files.append(str(f))
    return files, secs


# --------------------------------------------------------------------------- statistics / tables
def _finite(*cols):
    import math

    return [t for t in zip(*cols) if all(isinstance(v, float) and math.isfinite(v) for v in t)]


def _pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def _corr(a, b):
    if len(a) < 3:
        return float("nan")
    return statistics.correlation(a, b)


def ratio_row(label, a, b):
    pairs = _finite(a, b)
    pairs = [(x, y) for x, y in pairs if y > 0]
    r = [x / y for x, y in pairs]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    within10 = sum(abs(v - 1) <= 0.10 for v in r) / len(r) if r else float("nan")
    return (
        f"| {label} | {len(r)} | {_pct(r, 10):.3f} | {_pct(r, 50):.3f} | {_pct(r, 90):.3f} | "
        f"{100 * within10:.0f} % | {_corr(xs, ys):.3f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pbf", type=Path, default=DEFAULT_PBF)
    ap.add_argument("--work", type=Path, default=Path("/tmp/peers"))
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--quick", action="store_true", help="40 pairs, one isochrone origin")
    ap.add_argument(
        "--iso-origins", help='isochrone origins "Name:lon,lat;Name:lon,lat" (default: three Andorran towns)'
    )
    ap.add_argument("--geo-python", default=str(REPO / ".venv/bin/python"))
    ap.add_argument("--geo-worker", metavar="STEP", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.geo_worker:
        _geo_worker(args.geo_worker)
        return
    if args.quick:
        args.pairs = min(args.pairs, 40)
    iso = ISO_ORIGINS
    if args.iso_origins:
        iso = {}
        for item in args.iso_origins.split(";"):
            name, xy = item.rsplit(":", 1)
            lon, lat = (float(v) for v in xy.split(","))
            iso[name.strip()] = (lon, lat)
    origins = dict(list(iso.items())[: 1 if args.quick else 3])
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    pbf = args.pbf.resolve()
    results: dict = {
        "pbf": str(pbf),
        "pairs": args.pairs,
        "seed": args.seed,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
    }
    versions = {}
    peers_ok = {}
    # ---- builds
    try:
        from importlib.metadata import version

        import osrm  # noqa: F401

        versions["osrm-bindings"] = version("osrm-bindings")
        osrm_base, results["osrm_build_s"] = build_osrm(pbf, work)
        peers_ok["osrm"] = True
    except Exception as e:  # report and carry on with the other peer
        print(f"OSRM unavailable: {e!r}", file=sys.stderr)
        peers_ok["osrm"] = False
        results["osrm_error"] = repr(e)
    try:
        from importlib.metadata import version

        import valhalla  # noqa: F401

        versions["pyvalhalla"] = version("pyvalhalla")
        val_conf, results["valhalla_build_s"] = build_valhalla(pbf, work)
        peers_ok["valhalla"] = True
    except Exception as e:
        print(f"Valhalla unavailable: {e!r}", file=sys.stderr)
        peers_ok["valhalla"] = False
        results["valhalla_error"] = repr(e)
    results["versions"] = versions

    # ---- routes
    g = run_geo("pairs", {"pbf": str(pbf), "seed": args.seed, "n_pairs": args.pairs}, args.geo_python)
    results["geo"] = g
    orig, dest = [tuple(p) for p in g["origins"]], [tuple(p) for p in g["destinations"]]
    o = query_osrm(osrm_base, orig, dest) if peers_ok["osrm"] else None
    v = query_valhalla(val_conf, orig, dest) if peers_ok["valhalla"] else None
    results["osrm"], results["valhalla"] = o, v

    print(f"# geo vs OSRM vs Valhalla — {pbf.name}\n")
    print(
        f"Machine: {results['machine']}; peers: {versions}; geo network: {g['nodes']:,} nodes, "
        f"{g['edges']:,} edges, largest SCC {g['scc_nodes']:,} nodes; {args.pairs} random node pairs "
        f"in it (seed {args.seed}).\n"
    )
    print(
        "Build times (s, 1 thread): "
        + ", ".join(
            f"{k} {v:.2f}"
            for k, v in {
                **results.get("osrm_build_s", {}),
                **results.get("valhalla_build_s", {}),
                "geo load": g["load_s"],
            }.items()
        )
        + "\n"
    )
    print("## Drive time ratios (per pair)\n")
    print("| ratio | pairs | p10 | median | p90 | within ±10 % | Pearson r |")
    print("|---|---|---|---|---|---|---|")
    if o:
        print(ratio_row("time geo / OSRM", g["minutes"], o["minutes"]))
        print(ratio_row("time geo(+5 s/intersection) / OSRM", g["minutes_delay5"], o["minutes"]))
        print(ratio_row("distance geo / OSRM", g["metres"], o["metres"]))
    if v:
        print(ratio_row("time geo / Valhalla", g["minutes"], v["minutes"]))
        print(ratio_row("time geo(+5 s/intersection) / Valhalla", g["minutes_delay5"], v["minutes"]))
        print(ratio_row("distance geo / Valhalla", g["metres"], v["metres"]))
    if o and v:
        print(ratio_row("time OSRM / Valhalla", o["minutes"], v["minutes"]))
        print(ratio_row("distance OSRM / Valhalla", o["metres"], v["metres"]))
    # speed-only comparison: pairs whose routes have about the same length (±2 %)
    if o or v:
        print("\nSame path, different speeds: pairs whose route lengths agree within ±2 %:\n")
        print("| engine | pairs | median time ratio geo/engine | p10 | p90 |")
        print("|---|---|---|---|---|")
        for name, e in (("OSRM", o), ("Valhalla", v)):
            if not e:
                continue
            sel = [
                (gm / em)
                for gm, em, gd, ed in _finite(g["minutes"], e["minutes"], g["metres"], e["metres"])
                if ed > 0 and abs(gd / ed - 1) <= 0.02 and em > 0
            ]
            print(f"| {name} | {len(sel)} | {_pct(sel, 50):.3f} | {_pct(sel, 10):.3f} | {_pct(sel, 90):.3f} |")
    # where the time goes: per-class speeds on the routed kilometres and turn/signal seconds
    segs, o_turn = osrm_segments(osrm_base, orig, dest) if o else ([], [])
    vedges, v_turn = valhalla_edges(val_conf, orig, dest) if v else ([], [])
    cls = run_geo("classify", {"pbf": str(pbf), "osrm_segments": segs, "valhalla_edges": vedges}, args.geo_python)
    results["by_class"] = {"geo": g["by_class"], "osrm": cls["osrm_by_class"], "valhalla": cls["valhalla_by_class"]}
    tot_km = sum(m for m, _ in g["by_class"].values()) / 1000
    print(
        "\nSpeeds on the routed kilometres by OSM highway class (km/h = Σ metres / Σ edge seconds, "
        "turn and signal seconds excluded; OSRM segments classed by the nearest geo edge, Valhalla edges by OSM way id):\n"
    )
    print("| highway | share of geo's routed km | geo km/h | OSRM km/h | Valhalla km/h |")
    print("|---|---|---|---|---|")

    def kmh(d, k):
        m, t = d.get(k, (0.0, 0.0))
        return f"{3.6 * m / t:.1f}" if t > 0 and m > 2000 else "–"

    keys = sorted(g["by_class"], key=lambda k: -g["by_class"][k][0])
    for k in keys:
        share = g["by_class"][k][0] / 1000 / tot_km
        if share < 0.002:
            continue
        print(
            f"| {k} | {100 * share:.1f} % | {kmh(g['by_class'], k)} | {kmh(cls['osrm_by_class'], k)} | "
            f"{kmh(cls['valhalla_by_class'], k)} |"
        )

    def all_kmh(d):
        m = sum(x[0] for x in d.values())
        t = sum(x[1] for x in d.values())
        return f"{3.6 * m / t:.1f}" if t else "–"

    print(
        f"| all | 100 % | {all_kmh(g['by_class'])} | {all_kmh(cls['osrm_by_class'])} | {all_kmh(cls['valhalla_by_class'])} |"
    )
    rows = []
    if o:
        share = [ts / (60 * m) for ts, m in _finite(o_turn, o["minutes"]) if m > 0]
        edge_only = [gm / (m - ts / 60) for gm, m, ts in _finite(g["minutes"], o["minutes"], o_turn) if m - ts / 60 > 0]
        rows.append(f"| OSRM | {100 * _pct(share, 50):.1f} % | {_pct(edge_only, 50):.3f} |")
    if v:
        share = [ts / (60 * m) for ts, m in _finite(v_turn, v["minutes"]) if m > 0]
        edge_only = [gm / (m - ts / 60) for gm, m, ts in _finite(g["minutes"], v["minutes"], v_turn) if m - ts / 60 > 0]
        rows.append(f"| Valhalla | {100 * _pct(share, 50):.1f} % | {_pct(edge_only, 50):.3f} |")
    print(
        "\nTurn, signal and intersection seconds (route time minus the sum of its edge times; geo has none by default):\n"
    )
    print("| engine | median share of route time | median geo / engine time on edges only |")
    print("|---|---|---|")
    print("\n".join(rows))
    med_g = statistics.median([x for x in g["minutes"] if x == x])
    print(f"\nMedian geo trip: {med_g:.1f} min, {statistics.median(g['metres']) / 1000:.1f} km.")
    if o:
        big_snap = sum(1 for s in o["snap_m"] if s == s and s > 25)
        print(
            f"OSRM snapped {big_snap} of {len(orig)} pairs more than 25 m from a geo node "
            f"(median snap {statistics.median([s for s in o['snap_m'] if s == s]):.1f} m)."
        )
    print("\n## Time per query (ms, this machine, 1 thread)\n")
    print("| engine | one route (median) | one route (p90) | many-to-many | per OD cell |")
    print("|---|---|---|---|---|")
    n2 = args.pairs * args.pairs
    print(
        f"| geo `route` / `od_matrix` | {1000 * _pct(g['route_s'], 50):.2f} | {1000 * _pct(g['route_s'], 90):.2f} | "
        f"{1000 * g['od_s']:.0f} ({args.pairs}×{args.pairs}) | {1e6 * g['od_s'] / n2:.1f} µs |"
    )
    if o:
        print(
            f"| OSRM MLD `Route` / `Table` | {1000 * _pct(o['route_s'], 50):.2f} | {1000 * _pct(o['route_s'], 90):.2f} | "
            f"{1000 * o['table_s']:.0f} ({args.pairs}×{args.pairs}) | {1e6 * o['table_s'] / n2:.1f} µs |"
        )
    if v:
        print(
            f"| Valhalla `route` / `matrix` ({v['matrix_algorithm']}) | {1000 * _pct(v['route_s'], 50):.2f} | "
            f"{1000 * _pct(v['route_s'], 90):.2f} | {1000 * v['matrix_s']:.0f} ({args.pairs}×{args.pairs}) | "
            f"{1e6 * v['matrix_s'] / n2:.1f} µs |"
        )
    print(
        f"\ngeo engines: contraction hierarchy built in {g['cch_build_s']:.2f} s ({g['cch_arcs']:,} arcs; geo's counterpart of "
        f"osrm-extract/partition/customize, cached next to the network afterwards), customized in {1000 * g['cch_customize_s']:.1f} ms; "
        f"`route` engine={g['route_engine'][0]} ({g['route_engine'][1]}); `route` with engine=dijkstra: "
        f"{1000 * _pct(g['route_dijkstra_s'], 50):.2f} ms median, {1000 * _pct(g['route_dijkstra_s'], 90):.2f} ms p90; "
        f"{args.pairs}×{args.pairs} `od_matrix` engine={g['od_engine'][0]}."
    )
    # matrices side by side: each geo engine against OSRM MLD's Table on the same points
    print("\n## Drive matrices side by side (ms, median of 3; geo dijkstra: 1 run)\n")
    print("| size | geo auto (engine used) | geo cch | geo dijkstra | OSRM MLD `Table` | geo auto / OSRM | target | geo cch = dijkstra |")
    print("|---|---|---|---|---|---|---|---|")
    results["matrices"] = {}
    for n_m, target in ((200, 1.0), (1000, 0.25)):
        gm = run_geo("matrix", {"pbf": str(pbf), "seed": args.seed, "n": n_m}, args.geo_python)
        osrm_s = osrm_table_s(osrm_base, [tuple(p) for p in gm["origins"]], [tuple(p) for p in gm["destinations"]]) if o else float("nan")
        e = gm["engines"]
        ratio = e["auto"]["s"] / osrm_s
        results["matrices"][n_m] = {"geo": e, "osrm_s": osrm_s, "max_rel": gm["max_rel_cch_vs_dijkstra"]}
        print(
            f"| {n_m}×{n_m} | {1000 * e['auto']['s']:.0f} ({e['auto']['engine']}) | {1000 * e['cch']['s']:.0f} | "
            f"{1000 * e['dijkstra']['s']:.0f} | {1000 * osrm_s:.0f} | {ratio:.2f} | ≤ {target:g} {'met' if ratio <= target else 'MISSED'} | "
            f"max rel. diff {gm['max_rel_cch_vs_dijkstra']:.1e}, NaN pattern {'equal' if gm['nan_agree'] else 'DIFFERS'} |"
        )
    r_geo, r_osrm = _pct(g["route_s"], 50), (_pct(o["route_s"], 50) if o else float("nan"))
    print(
        f"\nOne route (median of {args.pairs}): geo auto {1000 * r_geo:.2f} ms, OSRM {1000 * r_osrm:.2f} ms, "
        f"ratio {r_geo / r_osrm:.2f} (target ≤ 1: {'met' if r_geo <= r_osrm else 'MISSED'})."
    )
    # consistency of each engine's own matrix with its route call
    cons = []
    if o:
        cons.append(ratio_row("OSRM Table / Route", o["table_diag"], o["minutes"]))
    if v:
        cons.append(ratio_row("Valhalla matrix / route", v["matrix_diag"], v["minutes"]))
    cons.append(ratio_row("geo od_matrix / route", g["od_diag_minutes"], g["minutes"]))
    print("\nEach engine's matrix against its own route call (same pairs):\n")
    print("| ratio | pairs | p10 | median | p90 | within ±10 % | Pearson r |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(cons))

    # ---- isochrones
    if v:
        vopts = {"denoise": 0.0, "generalize": 0.0}
        files, vsecs = valhalla_isochrones(val_conf, work, origins, **vopts)
        variants = {
            "geo default (200 m walk at 5 km/h)": {},
            "geo offnetwork_m=100": {"offnetwork_m": 100},
            "geo offnetwork_m=50": {"offnetwork_m": 50},
        }
        iso = run_geo(
            "iso",
            {
                "pbf": str(pbf),
                "names": list(origins),
                "origins": list(origins.values()),
                "valhalla_files": files,
                "bands": BANDS,
                "variants": variants,
            },
            args.geo_python,
        )
        results["iso"] = iso["rows"]
        results["valhalla_iso_s"] = vsecs
        print(f"\n## Isochrones (areas in {iso['crs']}; Valhalla auto, polygons=true, denoise=0, generalize=0)\n")
        print("| origin | geo variant | min | geo km² | Valhalla km² | geo/Valhalla | IoU | geo ⊂ Val. | Val. ⊂ geo |")
        print("|---|---|---|---|---|---|---|---|---|")
        for r in iso["rows"]:
            print(
                f"| {r['origin']} | {r['variant']} | {r['minutes']:.0f} | {r['geo_km2']:.2f} | {r['valhalla_km2']:.2f} | "
                f"{r['geo_km2'] / r['valhalla_km2']:.2f} | {r['iou']:.2f} | {r['geo_in_valhalla']:.2f} | {r['valhalla_in_geo']:.2f} |"
            )
        results["iso_nodes"] = iso["node_rows"]
        print(
            "\nRoad points instead of polygons: geo network nodes that geo reaches within T (node time ≤ T) "
            "against nodes inside Valhalla's T polygon:\n"
        )
        print(
            "| origin | min | nodes geo | nodes Valhalla | Jaccard | geo's inside Valhalla's | Valhalla's reached by geo |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in iso["node_rows"]:
            print(
                f"| {r['origin']} | {r['minutes']:.0f} | {r['geo_nodes']:,} | {r['valhalla_nodes']:,} | {r['jaccard']:.2f} | "
                f"{r['geo_in_val']:.2f} | {r['val_in_geo']:.2f} |"
            )
        gs = {}
        for r in iso["rows"]:
            gs.setdefault(r["variant"], set()).add((r["origin"], r["geo_s"]))
        print(
            "\nIsochrone time per origin (3 bands): Valhalla "
            + f"{1000 * statistics.median(vsecs):.0f} ms; "
            + "; ".join(f"{k} {1000 * statistics.median([s for _, s in v]):.0f} ms" for k, v in gs.items())
        )
    out = work / "results.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"\nRaw figures: {out}")


if __name__ == "__main__":
    main()
