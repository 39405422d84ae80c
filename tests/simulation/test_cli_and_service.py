"""`silkway simulate` as a user runs it, and the writers of the service layer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
from typer.testing import CliRunner

from silkway.cli import app
from silkway.services import simulation as svc
from silkway.simulation import SimOptions

runner = CliRunner()


def test_cli_simulate_writes_tables_plots_and_prints_summary(sim_tiny_dir, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["simulate", "--dataset", str(sim_tiny_dir), "--days", "20", "--seed", "2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "border node" in text and "gate_cn" in text  # trains per border crossing
    assert "bottlenecks" in text and "Corridors" in text and "transit days" in text
    for name in svc.TABLES:
        assert len(pd.read_parquet(out / f"{name}.parquet")) > 0, name
    for png in ("queues.png", "transit_times.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    kpis = json.loads((out / "kpis.json").read_text())
    sh = pd.read_parquet(out / "shipments.parquet")
    assert kpis["generated_teu"] == sh.loc[(sh.created_day >= 0) & (sh.created_day <= 20), "teu"].sum()
    # stations.parquet is GeoParquet (tests/network/test_geoparquet.py checks the format): a WKB point at each node
    import struct

    import pyarrow.parquet as pq

    from silkway.network import read_dataset

    stations, nodes = pq.read_table(out / "stations.parquet"), read_dataset(sim_tiny_dir).node_by_id
    geo = json.loads(stations.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["geometry_types"] == ["Point"]
    for row in stations.select(["node_id", "geometry"]).to_pylist():
        assert struct.unpack("<BI2d", row["geometry"]) == (1, 1, nodes[row["node_id"]].lon, nodes[row["node_id"]].lat)


def test_cli_bad_demand_is_a_clean_error(sim_tiny_dir, tmp_path):
    bad = tmp_path / "demand.csv"
    bad.write_text("flow_id,origin,destination,corridor,teu_per_week\nf1,west,nowhere,kz,-5\n")
    proc = subprocess.run([sys.executable, "-c", "from silkway.cli import main; main()", "simulate", "--dataset", str(sim_tiny_dir),
                           "--demand", str(bad), "--days", "5", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "line 2" in proc.stderr and "unknown node 'nowhere'" in proc.stderr and "teu_per_week" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_dataset_folder_demand_is_used(sim_tiny_dir, tmp_path):
    folder = tmp_path / "ds"
    shutil.copytree(sim_tiny_dir, folder)
    (folder / "demand.csv").write_text("flow_id,origin,destination,corridor,teu_per_week\nonly,west,harbour,kz,100\n")
    run = svc.run_simulation(folder, days=10, seed=0, options=SimOptions(warmup_days=0))
    assert set(run.result.shipments.flow_id.astype(str)) == {"only"}


def test_cli_simulate_avoid_detours_and_drops(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["simulate", "--days", "5", "--warmup-days", "0", "--avoid", "RU", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "petropavl" not in res.output and "smolensk" not in res.output  # no train crosses into Russia
    flows = set(pd.read_parquet(out / "shipments.parquet").flow_id.astype(str))
    assert "urumqi_moscow" not in flows and "chengdu_malaszewicze" in flows


def test_cli_simulate_unknown_avoid_is_a_clean_error(tmp_path):
    proc = subprocess.run([sys.executable, "-c", "from silkway.cli import main; main()", "simulate", "--days", "5",
                           "--avoid", "Horgoss", "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "unknown place 'Horgoss'" in proc.stderr and "Horgos" in proc.stderr.split("Did you mean")[1]
    assert "Traceback" not in proc.stderr


def test_kernel_compile_state_follows_numba_cache(monkeypatch, sim_tiny_dir):
    """True once the kernel is in numba's cache (a one-day run here compiles or loads it: the test does not count on an
    earlier test of its process, which under `make test`'s two workers may have run in the other one); with an empty
    cache index the answer is False. (A first run after install cannot be reproduced here without deleting the shared
    cache.)"""
    from silkway.services import simulation as sim
    from silkway.simulation._kernel import run_until

    sim.run_simulation(sim_tiny_dir, days=1, seed=0, options=SimOptions(warmup_days=0))
    assert sim.kernel_compiled() is True
    monkeypatch.setattr(run_until._cache._cache_file, "_load_index", lambda: {})
    assert sim.kernel_compiled() is False


def test_the_service_scales_the_demand_it_simulates(sim_tiny_dir):
    """``silkway simulate --scale`` goes through the service: the demand it simulates is the dataset's × scale."""
    one = svc.run_simulation(sim_tiny_dir, days=5, seed=0, options=SimOptions(warmup_days=0))
    two = svc.run_simulation(sim_tiny_dir, days=5, seed=0, options=SimOptions(warmup_days=0), scale=2.0)
    assert [2 * f.teu_per_week for f in one.demand.flows] == [f.teu_per_week for f in two.demand.flows]
    assert two.result.kpis()["generated_teu"] > one.result.kpis()["generated_teu"]
