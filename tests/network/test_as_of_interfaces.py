"""The network as of a date through every interface a user has: CLI (network, --changes, route, export), web API, Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

import silkway
from silkway.network.dataset import read_dated_dataset
from silkway.network.dates import changes
from silkway.web import WebSettings, create_app

SILKWAY = Path(sys.executable).parent / "silkway"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "1000", "NO_COLOR": "1"}
    return subprocess.run([str(SILKWAY), *map(str, args)], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_snapshots_differ_exactly_by_the_listed_changes():
    """2023-06-30 vs 2025-12-31: every field that differs between the two snapshots is listed, nothing else."""
    full = read_dated_dataset()
    a, b = full.at(date(2023, 6, 30)), full.at(date(2025, 12, 31))
    listed = {(c.table, c.key) for c in changes(full, date(2023, 6, 30), date(2025, 12, 31))}
    differ = {("links", lk.link_id) for lk in b.links if a.link_by_id.get(lk.link_id) not in (None,) and
              _values(a.link_by_id[lk.link_id]) != _values(lk)}
    differ |= {("facilities", f.facility_id) for f in b.facilities if f.facility_id in a.facility_by_id
               and _values(a.facility_by_id[f.facility_id]) != _values(f)}
    assert differ and differ <= listed
    assert {("links", "kz_dostyk_aktogay"), ("links", "kz_aktogay_moyinty"), ("links", "cn_urumqi_alashankou"),
            ("facilities", "alashankou_gauge"), ("facilities", "horgos_gauge")} <= listed
    assert a.link_by_id["kz_dostyk_aktogay"].capacity_trains_day == 12 and b.link_by_id["kz_dostyk_aktogay"].capacity_trains_day == 60


def _values(rec) -> tuple:
    return tuple(v for k, v in vars_of(rec).items() if k not in ("valid_from", "valid_to", "note", "src", "line"))


def vars_of(rec) -> dict:
    return {f: getattr(rec, f) for f in rec.__slots__}


def test_cli_network_as_of_and_changes():
    r23, r25 = run("network", "--as-of", "2023-06-30"), run("network")
    assert r23.returncode == r25.returncode == 0, r23.stderr + r25.stderr
    assert "as of 2023-06-30" in r23.stdout and "as of 2025-12-31" in r25.stdout
    ch = run("network", "--changes", "2023-06-30", "2025-12-31")
    assert ch.returncode == 0 and "kz_dostyk_aktogay" in ch.stdout and "12 → 60" in ch.stdout
    bad = run("network", "--as-of", "30/06/2023")
    assert bad.returncode == 1 and "not a date" in bad.stderr and "Traceback" not in bad.stderr


def test_cli_route_departure_day_selects_the_network():
    """Dostyk–Moyinty is 800 km/day in 2023 and 1,500 km/day from 2025-09-30: a route over it is faster after."""
    before = json.loads(run("route", "Almaty", "Moyinty", "--via", "Dostyk", "--depart", "2023-06-01", "--json").stdout)
    after = json.loads(run("route", "Almaty", "Moyinty", "--via", "Dostyk", "--depart", "2025-12-01", "--json").stdout)
    # free conditions: the typical waits depend on the month too (June vs December), the network on the day alone
    forced = json.loads(run("route", "Almaty", "Moyinty", "--via", "Dostyk", "--depart", "2025-12-01", "--as-of", "2023-06-01",
                            "--json", "--conditions", "free").stdout)
    before = json.loads(run("route", "Almaty", "Moyinty", "--via", "Dostyk", "--depart", "2023-06-01", "--json", "--conditions", "free").stdout)
    assert (before["network_as_of"], after["network_as_of"], forced["network_as_of"]) == ("2023-06-01", "2025-12-01", "2023-06-01")
    assert after["options"][0]["days_median"] < before["options"][0]["days_median"]
    assert forced["options"][0]["days_median"] == before["options"][0]["days_median"]


def test_python_route_uses_the_departure_day():
    net = silkway.read_dataset()
    a = silkway.route(net, "Almaty", "Moyinty", via=["Dostyk"], depart="2023-06-01").best
    b = silkway.route(net, "Almaty", "Moyinty", via=["Dostyk"], depart="2025-12-01").best
    assert b.days_median < a.days_median


def test_web_as_of(tmp_path: Path):
    app = create_app(WebSettings(datasets={"eurasia": None}, results_dir=tmp_path))
    with TestClient(app) as client:
        s23 = client.get("/api/datasets/eurasia/summary", params={"as_of": "2023-06-30"}).json()
        s25 = client.get("/api/datasets/eurasia/summary").json()
        assert (s23["as_of"], s25["as_of"]) == ("2023-06-30", "2025-12-31")
        body = {"origin": "Almaty", "destination": "Moyinty", "via": ["Dostyk"]}
        r23 = client.post("/api/routes", json={**body, "depart": "2023-06-01"}).json()
        r25 = client.post("/api/routes", json={**body, "as_of": "2025-12-01"}).json()
        assert r23["network_as_of"] == "2023-06-01" and r25["network_as_of"] == "2025-12-01"
        assert r25["options"][0]["days_median"] < r23["options"][0]["days_median"]
        bad = client.get("/api/datasets/eurasia/summary", params={"as_of": "soon"})
        assert bad.status_code == 422


def test_web_capacity_per_corridor_as_of(tmp_path: Path):
    """The capacity API answers the dated question: the Dostyk–Moyinty double track (2025-09-30) raises the northern
    eastbound capacity, and the binding elements are named."""
    app = create_app(WebSettings(datasets={"eurasia": None}, results_dir=tmp_path))
    with TestClient(app) as client:
        c23 = client.get("/api/datasets/eurasia/capacity", params={"as_of": "2023-06-30"}).json()
        c25 = client.get("/api/datasets/eurasia/capacity", params={"as_of": "2025-12-31"}).json()
    get = lambda rep, c, d: next(x for x in rep["corridors"] if x["corridor"] == c and x["direction"] == d)  # noqa: E731
    a, b = get(c23, "northern", "eastbound"), get(c25, "northern", "eastbound")
    assert b["trains_day"] > a["trains_day"] > 0
    assert any("dostyk_aktogay" in e for e in a["binding"]) and not any("dostyk_aktogay" in e for e in b["binding"])
    assert c23["as_of"] == "2023-06-30"
