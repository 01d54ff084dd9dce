"""geo.batch on a 2-worker LocalCluster: identical results, killed workers, resume; geo matrix / geo access; PySAL agreement."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import batch
from geo.access import accessibility
from geo.batch import NetworkSource, isochrones_batch, matrix_partition, od_matrix_batch, run_batch
from geo.cli import main
from geo.errors import InputError
from geo.io import save_network
from geo.isochrones import isochrones
from geo.routing import od_matrix
from geo.synthetic import grid_network

distributed = pytest.importorskip("distributed")


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A 25x25 grid saved as .geonet, 60 origins (one off the network), 12 facilities with supply."""
    d = tmp_path_factory.mktemp("batch")
    net = grid_network(25, seed=3)
    path = save_network(net, d / "grid.geonet")
    rng = np.random.default_rng(7)
    k = rng.choice(net.n_nodes, 59, replace=False)
    lon = np.append(net.lon[k] + rng.uniform(-3e-4, 3e-4, 59), net.lon.max() + 0.5)  # the last is 40 km away
    lat = np.append(net.lat[k] + rng.uniform(-3e-4, 3e-4, 59), net.lat.max())
    origins = pd.DataFrame({"id": np.arange(100, 160), "lon": lon, "lat": lat, "pop": rng.uniform(10, 1000, 60)})
    j = rng.choice(net.n_nodes, 12, replace=False)
    facilities = pd.DataFrame(
        {"id": [f"f{i}" for i in range(12)], "lon": net.lon[j], "lat": net.lat[j] + 2e-4, "beds": rng.integers(5, 200, 12).astype(float)}
    )
    origins.to_csv(d / "origins.csv", index=False)
    facilities.to_csv(d / "facilities.csv", index=False)
    return {"dir": d, "net": net, "source": NetworkSource(str(path), "drive"), "origins": origins, "facilities": facilities}


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of 2 worker processes (1 thread each)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
        c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _reference_matrix(data, tmp_path, **kw):
    return od_matrix_batch(data["net"], data["origins"], data["facilities"], out_dir=tmp_path / "ref", partition_size=7, workers=0, quiet=True, **kw)


# --------------------------------------------------------------------------- in-process
def test_matrix_partitions_equal_one_od_matrix(data, tmp_path):
    """The partitioned matrix is od_matrix over all origins, ids mapped, in input order."""
    res = _reference_matrix(data, tmp_path)
    assert res.partitions == 9 and res.computed == 9 and (tmp_path / "ref" / "_SUCCESS").exists()
    got = res.read()
    o, f = data["origins"], data["facilities"]
    want = od_matrix(data["net"], o[["lon", "lat"]].to_numpy(), f[["lon", "lat"]].to_numpy())
    assert got["from_id"].tolist() == o["id"].to_numpy()[want["origin"]].tolist()
    assert got["to_id"].tolist() == f["id"].to_numpy()[want["destination"]].tolist()
    np.testing.assert_array_equal(got["minutes"].to_numpy(), want["minutes"].to_numpy())
    assert got.loc[got["from_id"] == 159, "minutes"].isna().all()  # the origin 40 km away
    assert got["minutes"].notna().sum() > 500


def _as_geodataframes(data):
    """The origins indexed by integers from 1000, the facilities by strings (in EPSG:3857); no id columns."""
    o, f = data["origins"], data["facilities"]
    go = gpd.GeoDataFrame(o[["pop"]], geometry=gpd.points_from_xy(o["lon"], o["lat"]), crs=4326).set_axis(o["id"].to_numpy() + 900)
    gf = gpd.GeoDataFrame(f[["beds"]], geometry=gpd.points_from_xy(f["lon"], f["lat"]), crs=4326).set_axis(f["id"].str.upper())
    return go, gf.to_crs(3857)


def test_matrix_of_geodataframes_carries_their_index(data, tmp_path):
    ref = _reference_matrix(data, tmp_path).read()
    go, gf = _as_geodataframes(data)
    got = od_matrix_batch(data["net"], go, gf, out_dir=tmp_path / "g", partition_size=7, workers=0, quiet=True).read()
    assert got["from_id"].tolist() == (ref["from_id"] + 900).tolist()
    assert got["to_id"].tolist() == ref["to_id"].str.upper().tolist()
    np.testing.assert_allclose(got["minutes"], ref["minutes"], rtol=1e-6)  # NaN where NaN
    joined = got.merge(go[["pop"]], left_on="from_id", right_index=True).merge(gf[["beds"]], left_on="to_id", right_index=True)
    assert len(joined) == len(got)
    by_id = data["origins"].set_index("id")
    np.testing.assert_array_equal(joined["pop"].to_numpy(), by_id["pop"].loc[ref["from_id"]].to_numpy())


@pytest.mark.parametrize("measure", ["cumulative", "2sfca"])
def test_access_of_geodataframes_keeps_the_origins_index(data, tmp_path, measure):
    go, gf = _as_geodataframes(data)
    kw = {"measure": measure, "minutes": 5.0, "weight": "beds", "workers": 0, "quiet": True, "partition_size": 11}
    kw |= {"demand": "pop"} if measure == "2sfca" else {}
    ref = accessibility(data["net"], data["origins"], data["facilities"], out_dir=tmp_path / "ref", **kw)
    got = accessibility(data["net"], go, gf, out_dir=tmp_path / "g", **kw)
    assert got.index.equals(go.index) and got["id"].tolist() == go.index.tolist()
    col = "opportunities" if measure == "cumulative" else "access"
    np.testing.assert_allclose(got[col].to_numpy(), ref[col].to_numpy(), rtol=1e-9)
    joined = go.join(got[[col]])
    np.testing.assert_allclose(joined[col].to_numpy(), ref[col].to_numpy(), rtol=1e-9)
    assert np.isnan(joined.loc[1059, col])  # the origin 40 km away


def test_isochrones_per_origin_carry_the_index(data, tmp_path):
    o = data["origins"].iloc[[0, 1]]
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(o["lon"], o["lat"]), index=["clinic", "school"], crs=4326)
    got = isochrones_batch(data["net"], pts, [2.0], out_dir=tmp_path / "i", workers=0, quiet=True).read()
    assert got["origin_id"].tolist() == ["clinic", "school"]
    ref = isochrones_batch(data["net"], o, [2.0], out_dir=tmp_path / "r", workers=0, quiet=True).read()
    assert got.geometry.equals(ref.geometry)


class _Interrupt:
    """A partition function that behaves like Ctrl-C on its n-th call."""

    def __init__(self, at: int) -> None:
        self.at, self.calls = at, 0

    def __call__(self, net, origins, shared, **params):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return matrix_partition(net, origins, shared, **params)


def _matrix_job(data, out, fn, **kw):
    dest = data["facilities"][["id", "lon", "lat"]]
    return run_batch(
        "matrix",
        fn,
        data["origins"][["id", "lon", "lat"]],
        network=kw.pop("network", data["source"]),
        out_dir=out,
        params={"max_minutes": 8.0},
        shared={"destinations": dest},
        inputs={"destinations": batch.points_fingerprint(dest)},
        partition_size=7,
        quiet=True,
        **kw,
    )


def _interrupted_run(data, out):
    fn = _Interrupt(at=4)
    with pytest.raises(KeyboardInterrupt):
        _matrix_job(data, out, fn, workers=0)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["_manifest.json", "part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]  # no temp file, no _SUCCESS


def test_ctrl_c_leaves_complete_partitions_and_rerun_resumes(data, tmp_path):
    ref = _matrix_job(data, tmp_path / "ref", matrix_partition, workers=0).read()
    out = tmp_path / "run"
    _interrupted_run(data, out)
    counting = _Interrupt(at=-1)
    res = _matrix_job(data, out, counting, workers=0)
    assert (res.computed, res.skipped, counting.calls) == (6, 3, 6)
    pd.testing.assert_frame_equal(res.read(), ref, check_exact=True)
    again = _matrix_job(data, out, counting, workers=0)
    assert (again.computed, again.skipped, counting.calls) == (0, 9, 6)


def test_a_different_job_in_the_same_folder_is_refused(data, tmp_path):
    _reference_matrix(data, tmp_path)
    with pytest.raises(InputError, match=r"holds a different run .*params"):
        _reference_matrix(data, tmp_path, max_minutes=5.0)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        od_matrix_batch(data["net"], data["origins"], data["facilities"], out_dir=tmp_path / "other", workers=0, quiet=True)


def test_partition_size_respects_the_memory_budget():
    size = batch.partition_size_for(10_000, 50_000, memory_budget=2**30)
    assert size * 50_000 * batch.BYTES_PER_PAIR <= 2**30
    assert batch.partition_size_for(10_000, 50_000, memory_budget=2**20) == 1
    assert batch.partition_size_for(10, 5) == batch.MIN_PARTITION


def test_engine_passthrough_refuses_what_routing_lacks():
    import inspect

    if "engine" in inspect.signature(od_matrix).parameters:
        assert batch.engine_kwargs("cch") == {"engine": "cch"}
    else:
        assert batch.engine_kwargs("dijkstra") == {}
        with pytest.raises(InputError, match="no CCH engine"):
            batch.engine_kwargs("cch")
    with pytest.raises(InputError, match="unknown engine"):
        batch.engine_kwargs("osrm")


# --------------------------------------------------------------------------- PySAL access
def _pysal(data, kind: str, minutes: float | None, weight_fn=None):
    from access import Access

    o, f = data["origins"], data["facilities"]
    od = od_matrix(data["net"], o[["lon", "lat"]].to_numpy(), f[["lon", "lat"]].to_numpy(), sparse=True)
    cost = pd.DataFrame({"oid": o["id"].to_numpy()[od["origin"]], "did": f["id"].to_numpy()[od["destination"]], "minutes": od["minutes"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = Access(
            demand_df=pd.DataFrame({"oid": o["id"], "pop": o["pop"]}),
            demand_index="oid",
            demand_value="pop",
            supply_df=pd.DataFrame({"did": f["id"], "beds": f["beds"]}),
            supply_index="did",
            supply_value="beds",
            cost_df=cost,
            cost_origin="oid",
            cost_dest="did",
            cost_name="minutes",
        )
        if kind == "2sfca":
            r = a.two_stage_fca(max_cost=minutes)
        elif kind == "e2sfca":
            r = a.enhanced_two_stage_fca(max_cost=minutes, weight_fn=weight_fn)
        else:
            r = a.weighted_catchment(weight_fn=weight_fn, max_cost=minutes)
    return r.iloc[:, 0].reindex(o["id"]).fillna(0.0).to_numpy()


@pytest.mark.parametrize(
    ("measure", "decay_kind", "beta", "minutes", "pysal"),
    [
        ("2sfca", None, 0.0, 6.0, ("2sfca", None)),
        ("2sfca", "exp", 0.2, 6.0, ("e2sfca", lambda t: np.exp(-0.2 * t))),
        ("gravity", "exp", 0.3, None, ("gravity", lambda t: np.exp(-0.3 * t))),
        ("gravity", "power", 1.5, 8.0, ("gravity", lambda t: max(t, 1.0) ** -1.5)),
    ],
)
def test_access_agrees_with_pysal_access(data, tmp_path, measure, decay_kind, beta, minutes, pysal):
    """2SFCA, enhanced 2SFCA and gravity equal PySAL's ``access`` on the same travel times (1e-6)."""
    got = accessibility(
        data["source"],
        data["origins"],
        data["facilities"],
        measure=measure,
        minutes=minutes,
        weight="beds",
        demand="pop",
        decay_kind=decay_kind,
        beta=beta,
        partition_size=8,  # 2SFCA loads are summed over 8 partitions
        out_dir=tmp_path / "a",
        workers=0,
        quiet=True,
    )
    want = _pysal(data, pysal[0], minutes, pysal[1])
    v = got["access"].to_numpy()
    assert np.isnan(v[-1]) and got["id"].tolist() == data["origins"]["id"].tolist()  # off the network: NaN
    np.testing.assert_allclose(v[:-1], want[:-1], rtol=1e-6, atol=1e-12)
    assert (v[:-1] > 0).sum() > 30


def test_cumulative_counts_weight_within_the_limit(data, tmp_path):
    got = accessibility(
        data["net"], data["origins"], data["facilities"], measure="cumulative", minutes=5.0, weight="beds", out_dir=tmp_path / "c", workers=0, quiet=True, partition_size=11
    )
    o, f = data["origins"], data["facilities"]
    od = od_matrix(data["net"], o[["lon", "lat"]].to_numpy(), f[["lon", "lat"]].to_numpy())
    within = od[od["minutes"] <= 5.0]
    want = within.groupby("origin")["destination"].apply(lambda d: f["beds"].to_numpy()[d].sum()).reindex(range(60), fill_value=0.0)
    np.testing.assert_array_equal(got["opportunities"].to_numpy()[:-1], want.to_numpy()[:-1])
    assert got["reached"].to_numpy()[:-1].tolist() == within.groupby("origin").size().reindex(range(59), fill_value=0).tolist()


# --------------------------------------------------------------------------- on the cluster
@pytest.mark.parametrize("transfer", ["path", "scatter"])
def test_cluster_matrix_equals_in_process(data, tmp_path, client, transfer):
    ref = _reference_matrix(data, tmp_path).read()
    network = data["source"] if transfer == "path" else data["net"]  # an in-memory network (a scenario's) is scattered
    res = od_matrix_batch(
        network, data["origins"], data["facilities"], out_dir=tmp_path / "c", partition_size=7, client=client, network_transfer=transfer, quiet=True
    )
    assert res.computed == 9 and len({s["pid"] for s in res.stats} - {os.getpid()}) == 2  # both workers, not this process
    pd.testing.assert_frame_equal(res.read(), ref, check_exact=True)


@pytest.mark.parametrize(("measure", "decay_kind"), [("2sfca", "exp"), ("gravity", "power"), ("cumulative", None)])
def test_cluster_access_equals_in_process(data, tmp_path, client, measure, decay_kind):
    kw = {"measure": measure, "minutes": 6.0, "weight": "beds", "demand": "pop", "decay_kind": decay_kind, "partition_size": 9, "quiet": True}
    ref = accessibility(data["source"], data["origins"], data["facilities"], out_dir=tmp_path / "r", workers=0, **kw)
    got = accessibility(data["source"], data["origins"], data["facilities"], out_dir=tmp_path / "c", client=client, **kw)
    pd.testing.assert_frame_equal(pd.DataFrame(got.drop(columns="geometry")), pd.DataFrame(ref.drop(columns="geometry")), check_exact=True)
    assert got.geometry.equals(ref.geometry)


def test_rerun_on_the_cluster_after_interruption_skips_finished_partitions(data, tmp_path, client):
    ref = _matrix_job(data, tmp_path / "ref", matrix_partition, workers=0).read()
    out = tmp_path / "run"
    _interrupted_run(data, out)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.parquet")}
    res = _matrix_job(data, out, matrix_partition, client=client)
    assert (res.computed, res.skipped) == (6, 3)
    assert sorted(s["partition"] for s in res.stats) == list(range(3, 9))
    assert {p: (out / p).stat().st_mtime_ns for p in before} == before  # finished files untouched
    pd.testing.assert_frame_equal(res.read(), ref, check_exact=True)


def slow_matrix_partition(net, origins, shared, **params):
    """matrix_partition that takes a while, so that a worker can be killed in the middle of a run."""
    time.sleep(0.4)
    return matrix_partition(net, origins, shared, **params)


def test_killing_a_worker_mid_run_still_gives_the_exact_result(data, tmp_path):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ref = _matrix_job(data, tmp_path / "ref", matrix_partition, workers=0).read()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=50)
        c = distributed.Client(cluster)
    out = tmp_path / "run"
    result: dict = {}
    try:
        pids = c.run(os.getpid)
        t = threading.Thread(target=lambda: result.update(res=_matrix_job(data, out, slow_matrix_partition, client=c)))
        t.start()
        deadline = time.monotonic() + 60
        while not list(out.glob("part-*.parquet")) and time.monotonic() < deadline:
            time.sleep(0.02)
        done_at_kill = len(list(out.glob("part-*.parquet")))
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        t.join(120)
        assert not t.is_alive()
    finally:
        c.close()
        cluster.close()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert 1 <= done_at_kill < 9  # the worker died while partitions were still running
    res = result["res"]
    assert res.computed == 9
    pd.testing.assert_frame_equal(res.read(), ref, check_exact=True)


# --------------------------------------------------------------------------- CLI
def test_cli_matrix_and_access(data, tmp_path, capsys):
    d, net = data["dir"], data["source"].path
    rc = main(["matrix", "--network", net, "--origins", str(d / "origins.csv"), "--destinations", str(d / "facilities.csv"), "--max-minutes", "8", "--sparse", "--out", str(tmp_path / "m"), "--workers", "0", "-q"])
    assert rc == 0
    m = pd.read_parquet(tmp_path / "m")
    assert m.columns.tolist() == ["from_id", "to_id", "minutes"] and (m["minutes"] <= 8).all() and len(m) > 100
    assert set(m["to_id"]) <= set(data["facilities"]["id"]) and set(m["from_id"]) <= set(data["origins"]["id"])
    man = json.loads((tmp_path / "m" / "_SUCCESS").read_text())
    assert man["params"]["max_minutes"] == 8.0 and man["job"] == "matrix"

    out = tmp_path / "a.parquet"
    rc = main(["access", "--network", net, "--origins", "nodes", "--opportunities", str(d / "facilities.csv"), "--weight", "beds", "--measure", "2sfca", "--minutes", "5", "--out", str(out), "--workers", "0", "-q"])
    assert rc == 0
    import dask_geopandas

    a = gpd.read_parquet(out)
    assert len(a) == data["net"].n_nodes and a["access"].notna().all() and (a["access"] > 0).any()
    # 2SFCA partitions hold travel times; cumulative ones are GeoParquet, readable by dask-geopandas
    cum = tmp_path / "c.gpkg"
    assert main(["access", "--network", net, "--origins", "grid:300", "--opportunities", str(d / "facilities.csv"), "--measure", "cumulative", "--minutes", "4", "--out", str(cum), "--workers", "0", "-q"]) == 0
    g = gpd.read_file(cum)
    assert len(g) > 50 and {"id", "opportunities", "reached"} <= set(g.columns)
    dg = dask_geopandas.read_parquet(str(cum) + ".parts")
    assert len(dg.compute()) == len(g)


def test_cli_errors_are_one_line(data, tmp_path, capsys):
    net, d = data["source"].path, data["dir"]
    cases = [
        (["access", "--network", net, "--origins", "nodes", "--opportunities", str(d / "facilities.csv"), "--measure", "2sfca", "--out", str(tmp_path / "a.parquet")], "needs a time limit"),
        (["access", "--network", net, "--origins", "nodes", "--opportunities", str(d / "facilities.csv"), "--weight", "doctors", "--measure", "gravity", "--out", str(tmp_path / "b.parquet"), "--workers", "0"], "no column 'doctors'"),
        (["access", "--network", net, "--origins", "nodes", "--opportunities", str(d / "facilities.csv"), "--measure", "gravity", "--out", str(tmp_path / "b.xlsx")], "unknown extension"),
        (["matrix", "--network", net, "--origins", str(d / "nope.csv"), "--destinations", "nodes", "--out", str(tmp_path / "m")], "does not exist"),
        (["matrix", "--network", net, "--origins", "nodes", "--destinations", "nodes", "--out", str(tmp_path / "m"), "--scheduler", "host:8786"], "not a Dask scheduler address"),
        (["matrix", "--network", net, "--origins", "nodes", "--destinations", "nodes", "--out", str(tmp_path / "m"), "--workers", "-1"], "--workers must be 0 or more"),
        (["isochrone", "--network", net, "--origin", "112.55,37.87", "--workers", "2", "--out", str(tmp_path / "i")], "--workers has no effect without --origins"),
        (["isochrone", "--network", net, "--origins", str(d / "origins.csv"), "--raster", "--out", str(tmp_path / "i")], "--raster has no effect with --origins"),
        (["isochrone", "--network", net, "--origins", str(d / "origins.csv"), "--origin", "112.55,37.87", "--out", str(tmp_path / "i")], "both given"),
    ]
    for argv, msg in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: ") and msg in err[0] and "Fix:" in err[0], err
    assert not (tmp_path / "m").exists()  # refused before anything was written


def test_read_points_formats(data, tmp_path):
    f = data["facilities"]
    g = gpd.GeoDataFrame(f.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(f["lon"], f["lat"]), crs=4326)
    g.to_crs(3857).to_file(tmp_path / "f.gpkg")
    r = batch.read_points(tmp_path / "f.gpkg")
    assert r["id"].tolist() == f["id"].tolist()
    np.testing.assert_allclose(r[["lon", "lat"]].to_numpy(), f[["lon", "lat"]].to_numpy(), atol=1e-9)
    (tmp_path / "dup.csv").write_text("id,lon,lat\n1,0,0\n1,1,1\n")
    with pytest.raises(InputError, match="more than once"):
        batch.read_points(tmp_path / "dup.csv")
    (tmp_path / "xy.csv").write_text("name,longitude,latitude\na,200,0\n")
    with pytest.raises(InputError, match="no valid lon,lat"):
        batch.read_points(tmp_path / "xy.csv")


def test_isochrones_per_origin_on_the_cluster_equal_in_process(data, tmp_path, client, capsys):
    o = data["origins"].iloc[[0, 1, 2, 59]]  # the last one is off the network
    ref = isochrones_batch(data["source"], o, [2.0, 3.0], out_dir=tmp_path / "r", partition_size=2, workers=0, quiet=True).read()
    got = isochrones_batch(data["source"], o, [2.0, 3.0], out_dir=tmp_path / "c", partition_size=2, client=client, quiet=True).read()
    assert ref["origin_id"].tolist() == [100, 100, 101, 101, 102, 102, 159, 159]
    assert ref.geometry.iloc[:6].notna().all() and ref.geometry.iloc[6:].isna().all()
    assert got.geometry.equals(ref.geometry) and got["area_km2"].equals(ref["area_km2"])
    one = isochrones(data["net"], [tuple(o[["lon", "lat"]].iloc[1])], [2.0, 3.0])
    assert one.geometry.values[1].equals(ref.geometry.values[3])  # each origin alone, not nearest-origin-wins
    (tmp_path / "o.csv").write_text(o.iloc[:2].to_csv(index=False))
    rc = main(["isochrone", "--network", data["source"].path, "--origins", str(tmp_path / "o.csv"), "--minutes", "2", "--out", str(tmp_path / "cli"), "--workers", "0", "--no-map", "-q"])
    assert rc == 0 and len(gpd.read_parquet(tmp_path / "cli" / "isochrones")) == 2


def test_cli_scheduler_option_runs_on_that_cluster(data, tmp_path, client, monkeypatch):
    """--scheduler ADDR (and GEO_SCHEDULER) send the job to a running cluster; the network is scattered to it."""
    d, net = data["dir"], data["source"].path
    argv = ["matrix", "--network", net, "--origins", str(d / "origins.csv"), "--destinations", str(d / "facilities.csv"), "--partition-size", "20", "-q"]
    assert main([*argv, "--out", str(tmp_path / "ref"), "--workers", "0"]) == 0
    assert main([*argv, "--out", str(tmp_path / "c"), "--scheduler", client.scheduler.address]) == 0
    monkeypatch.setenv("GEO_SCHEDULER", client.scheduler.address)
    assert main([*argv, "--out", str(tmp_path / "env")]) == 0
    ref = pd.read_parquet(tmp_path / "ref")
    for name in ("c", "env"):
        done = json.loads((tmp_path / name / "_SUCCESS").read_text())
        assert done["where"] == client.scheduler.address and done["computed"] == 3
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / name), ref, check_exact=True)
