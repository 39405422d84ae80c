"""Investment plans through the web API: start one as a background job, follow it, read the stored result, its frontier
chart and its map; clear 404/422 answers."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from silkway.services.invest import InvestRunner
from silkway.web import WebSettings, create_app

PNG = b"\x89PNG\r\n\x1a\n"


def _wait(client: TestClient, job_id: str, timeout_s: float = 900) -> dict:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        st = client.get(f"/api/jobs/{job_id}").json()
        if st["state"] in ("done", "failed", "cancelled"):
            return st
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still running after {timeout_s} s")


def test_invest_job_then_stored_run(invest_dir: Path, tmp_path: Path) -> None:
    settings = WebSettings(datasets={"tiny": invest_dir}, results_dir=tmp_path / "results", scenario_dirs=(invest_dir,))
    app = create_app(settings)
    app.state.invest_runner = InvestRunner(workers=1)
    with TestClient(app) as client:
        assert client.get("/api/invest/runs").json() == []
        bad = client.post("/api/invest/jobs", json={"scenario": "nowhere", "budget_usd": 100})
        assert bad.status_code == 422 and "unknown nowhere" in bad.json()["detail"]
        assert client.post("/api/invest/jobs", json={"scenario": "scenario", "budget_usd": -1}).status_code == 422
        body = {"scenario": "scenario", "budget_usd": 100, "days": 20, "replications": 3, "delta": 100, "projects": ["ferry", "yard"]}
        res = client.post("/api/invest/jobs", json=body)
        assert res.status_code == 202, res.text
        st = _wait(client, res.json()["job_id"])
        assert st["state"] == "done", st
        assert st["kind"] == "invest" and st["result"]["build_order"] == ["ferry"] and st["result"]["simulations_run"] > 0
        runs = client.get("/api/invest/runs").json()
        assert [(r["run_id"], r["result"], r["selected"]) for r in runs] == [(st["result"]["run_id"], st["result"]["result"], "ferry")]
        url = f"/api/invest/runs/{runs[0]['run_id']}/{runs[0]['result']}"
        r = client.get(url).json()
        assert r["best"]["portfolio"] == "ferry" and r["build_order_named"][0]["name"] == "Third weekly ferry"
        assert all(q["benefit_low"] <= q["benefit"] <= q["benefit_high"] for q in r["frontier"])
        for img in ("frontier.png", "map.png"):
            got = client.get(f"{url}/{img}")
            assert got.status_code == 200 and got.headers["content-type"] == "image/png" and got.content[:8] == PNG
        assert client.get(f"/api/invest/runs/{'0' * 16}/result-delivered-100").status_code == 404
        assert client.get(f"/api/invest/runs/{'0' * 16}/../../etc").status_code == 404
        again = client.post("/api/invest/jobs", json=body)  # the same plan again: everything comes from the store
        assert _wait(client, again.json()["job_id"])["result"]["simulations_run"] == 0
