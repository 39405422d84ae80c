"""`silkway route` as a user runs it, and the routing service (JSON, GeoJSON)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import silkway
from silkway.cli import app
from silkway.network import read_dataset
from silkway.services import routing as svc

runner = CliRunner()


def test_table_on_tiny(tiny_dir):
    res = runner.invoke(app, ["route", "West", "Isle", "--dataset", str(tiny_dir), "--teu", "2"])
    assert res.exit_code == 0, res.output
    assert "1,494" in res.output  # 2 TEU × 747 USD
    assert "530" in res.output  # 2 TEU × 265 kg
    assert "waiting for departures 166.6 h" in res.output
    assert "gc_gate" in res.output and "1520 mm" in res.output


def test_json_and_geojson(tiny_dir):
    res = runner.invoke(app, ["route", "west", "isle", "--dataset", str(tiny_dir), "--json"])
    data = json.loads(res.stdout)  # stdout: the warning (no typical waits for tiny) goes to stderr
    assert data["options"][0]["cost_usd"] == pytest.approx(747.0)
    assert data["options"][0]["hours_by_kind"]["wait"] == pytest.approx(166.6)
    res = runner.invoke(app, ["route", "west", "isle", "--dataset", str(tiny_dir), "--geojson"])
    gj = json.loads(res.stdout)
    legs = [f for f in gj["features"] if f["properties"]["kind"] == "leg"]
    assert [f["properties"]["link_id"] for f in legs] == ["l1", "l2", "l3", "l4"]
    assert legs[0]["geometry"]["coordinates"] == [[80.0, 44.0], [81.0, 44.0]]


def test_avoid_comma_list_and_repeats(tiny_dir):
    """Every item of a comma list and of repeated ``--avoid`` is applied. Tiny's one route uses rail and a ferry, not
    road or sea: avoiding road and sea keeps it (and both are recorded), avoiding road and ferry (or KZ) leaves none, and
    the message names the ferry (KZ), not an unknown place (which a list taken as one name would be)."""
    base = ["route", "west", "isle", "--dataset", str(tiny_dir)]
    for avoid in (["--avoid", "road,sea"], ["--avoid", "road", "--avoid", "sea"], ["--avoid", " road , sea "]):
        res = runner.invoke(app, [*base, *avoid, "--json"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["constraints"]["avoid"] == ["mode:road", "mode:sea"]
    for avoid, named in ((["--avoid", "road,ferry"], "avoid mode ferry"), (["--avoid", "road", "--avoid", "ferry"], "avoid mode ferry"),
                         (["--avoid", "road,KZ"], "avoid country KZ")):
        res = runner.invoke(app, [*base, *avoid])
        assert res.exit_code == 1 and named in res.output, res.output


def test_errors_are_clean_messages_without_traceback(tiny_dir):
    """Run the real entry point: SilkwayErrors are printed as one line, exit code 1."""
    cmd = [sys.executable, "-m", "silkway", "route", "west", "Isle Prot", "--dataset", str(tiny_dir)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert "Did you mean: Isle Port" in out.stderr
    assert "Traceback" not in out.stderr
    cmd = [sys.executable, "-m", "silkway", "route", "west", "isle", "--avoid", "ferry", "--dataset", str(tiny_dir)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1 and "avoid mode ferry" in out.stderr


def test_embedded_default_dataset_table():
    res = runner.invoke(app, ["route", "Xi'an", "Duisburg", "--alternatives", "3"])
    assert res.exit_code == 0, res.output
    assert "northern" in res.output and "Małaszewicze" in res.output


def test_public_api_and_service(tiny_dir):
    """What the service adds to the API: the dataset read from its folder and the conditions resolved for that folder.
    With free conditions it plans what the API plans on the same network; its default (typical) on tiny, which has no
    typical_waits.csv, says so and plans free; on the embedded dataset the typical waits add expected queue time."""
    net = read_dataset(tiny_dir)
    direct = silkway.route(net, "west", "isle", conditions="free")
    assert svc.plan_route("west", "isle", dataset=tiny_dir, conditions="free").to_dict() == direct.to_dict()
    default = svc.plan_route("west", "isle", dataset=tiny_dir).to_dict()
    assert default["conditions"]["kind"] == "free" and "no typical_waits.csv" in default["conditions"]["label"]
    assert default["options"] == direct.to_dict()["options"]
    typical = svc.plan_route("Xi'an", "Duisburg")
    free = svc.plan_route("Xi'an", "Duisburg", conditions="free")
    assert typical.to_dict()["conditions"]["kind"] == "typical" and free.to_dict()["conditions"]["kind"] == "free"
    assert typical.best.expected_wait_days > 0 == free.best.expected_wait_days
    assert svc.to_geojson(direct, net)["silkway"]["options"][0]["corridor"] == direct.best.corridor
