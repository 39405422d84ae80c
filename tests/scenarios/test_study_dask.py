"""The Dask backend on a loopback LocalCluster: same seeds → same results as local; a worker killed
mid-study loses no replication."""

from __future__ import annotations

import os
import signal

import pandas as pd
import pytest
from study_doubles import double_spec, replicate_double

from silkway.scenarios.backends import DaskBackend, LocalBackend
from silkway.scenarios.store import ResultsStore
from silkway.scenarios.study import run_study

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True) as c:
        yield c


def _values(store, study_id):
    return store.kpis(study_id).sort_values(["scenario_hash", "rep", "kpi"]).reset_index(drop=True)


def test_dask_gives_the_same_results_as_local(cluster, tmp_path):
    spec = double_spec(replications=4)
    with ResultsStore(tmp_path / "d.duckdb") as d, ResultsStore(tmp_path / "l.duckdb") as loc:
        run = run_study(spec, d, replicate_double, DaskBackend(cluster.scheduler_address))
        assert run.complete and run.ran == 8
        run_study(spec, loc, replicate_double, LocalBackend(workers=2))
        pd.testing.assert_frame_equal(_values(d, spec.study_id), _values(loc, spec.study_id))
        pd.testing.assert_frame_equal(d.details(spec.study_id, "queue"), loc.details(spec.study_id, "queue"))


def test_killed_worker_loses_no_replication(cluster, tmp_path):
    from distributed import Client

    with Client(cluster.scheduler_address) as client:
        pids = list(client.run(os.getpid).values())
    spec = double_spec(replications=10, seed=11, sleep_s=0.25)
    killed = []

    def kill_one_worker(done, _total):
        if done >= 3 and not killed:
            os.kill(pids[0], signal.SIGKILL)  # a worker process this test's cluster started
            killed.append(pids[0])

    with ResultsStore(tmp_path / "k.duckdb") as d, ResultsStore(tmp_path / "l.duckdb") as loc:
        run = run_study(spec, d, replicate_double, DaskBackend(cluster.scheduler_address), progress=kill_one_worker)
        assert killed and run.complete and run.ran == 20
        assert len(d.replications(spec.study_id)) == 20
        run_study(spec.__class__(**{**spec.__dict__, "scenarios": tuple(s.__class__(s.name, s.hash, s.definition, {**s.inputs, "sleep_s": 0})
                                                                          for s in spec.scenarios)}),
                  loc, replicate_double, LocalBackend(1))
        pd.testing.assert_frame_equal(_values(d, spec.study_id), _values(loc, spec.study_id))


def test_real_engine_on_dask_matches_local(cluster, tmp_path):
    from pathlib import Path

    from silkway.services import studies as svc

    data = Path(__file__).resolve().parent / "data"
    spec = svc.make_spec([data / "tiny-base.yaml", data / "tiny-ferries.yaml"], 2, seed=9, detail_reps=1)
    d = svc.run(spec, tmp_path / "d.duckdb", DaskBackend(cluster.scheduler_address))
    loc = svc.run(spec, tmp_path / "l.duckdb", LocalBackend(1))
    assert d.complete and loc.complete
    with ResultsStore(tmp_path / "d.duckdb") as a, ResultsStore(tmp_path / "l.duckdb") as b:
        pd.testing.assert_frame_equal(_values(a, spec.study_id), _values(b, spec.study_id))
        pd.testing.assert_frame_equal(a.details(spec.study_id, "flow"), b.details(spec.study_id, "flow"))


def test_cli_dask_backend(cluster, tmp_path):
    from pathlib import Path

    from typer.testing import CliRunner

    from silkway.cli import app

    data = Path(__file__).resolve().parent / "data"
    res = CliRunner().invoke(app, ["study", str(data / "tiny-base.yaml"), "-r", "2", "--backend", "dask", "--address",
                                   cluster.scheduler_address, "--store", str(tmp_path / "c.duckdb")])
    assert res.exit_code == 0, res.output
    assert "2 replication(s) run" in " ".join(res.output.split())
    bad = CliRunner().invoke(app, ["study", str(data / "tiny-base.yaml"), "--backend", "dask", "--store", str(tmp_path / "x.duckdb")])
    assert bad.exit_code == 1 and "needs --address" in bad.output
