"""The saturation curve as a background job (POST /api/datasets/{dataset}/capacity/curve, then GET /api/jobs/{id})."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silkway.web import WebSettings, create_app

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def sim_client(tmp_path: Path, sim_tiny_dir: Path):
    with TestClient(create_app(WebSettings(datasets={"tiny": sim_tiny_dir}, results_dir=tmp_path / "r"))) as c:
        yield c


def wait(client: TestClient, job_id: str, timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_curve_job_returns_the_curve_with_cis_and_capacities(sim_client: TestClient) -> None:
    body = {"multipliers": [2, 0.5, 1], "replications": 2, "days": 20, "seed": 3}
    sub = sim_client.post("/api/datasets/tiny/capacity/curve", json=body)
    assert sub.status_code == 202, sub.text
    assert sim_client.post("/api/datasets/tiny/capacity/curve", json=body).status_code in (409, 202)  # same curve: never twice at once
    job = wait(sim_client, sub.json()["job_id"])
    assert job["state"] == "done", job
    assert job["kind"] == "capacity-curve" and job["total"] == 6 and job["done"] == 6
    curve = job["result"]
    assert curve["multipliers"] == [0.5, 1.0, 2.0] and curve["seeds"] == [3, 4] and curve["days"] == 20
    delivered = [r for r in curve["table"] if r["corridor"] == "all" and r["metric"] == "delivered_teu_year"]
    assert [r["multiplier"] for r in delivered] == [0.5, 1.0, 2.0]
    assert all(r["n"] == 2 and r["mean"] > 0 and r["half_width"] is not None for r in delivered)
    generated = {r["multiplier"]: r["mean"] for r in curve["table"] if r["corridor"] == "all" and r["metric"] == "generated_teu_year"}
    assert generated[2.0] > generated[1.0] > generated[0.5]  # the multiplier reaches the demand
    analytic = sim_client.get("/api/datasets/tiny/capacity").json()
    assert set(curve["capacity_teu_year"]) == {c["corridor"] for c in analytic["corridors"] if c["teu_year"] is not None}
    # a curve job has no study results
    assert sim_client.get(f"/api/jobs/{job['job_id']}/results").status_code == 409


def test_curve_request_is_validated(sim_client: TestClient, client: TestClient) -> None:
    assert sim_client.post("/api/datasets/tiny/capacity/curve", json={"multipliers": [1, 1]}).status_code == 422
    assert sim_client.post("/api/datasets/tiny/capacity/curve", json={"multipliers": [1, -2]}).status_code == 422
    assert sim_client.post("/api/datasets/tiny/capacity/curve", json={"replications": 1}).status_code == 422
    assert sim_client.post("/api/datasets/tiny/capacity/curve", json={"days": 5000}).status_code == 422
    assert sim_client.post("/api/datasets/nope/capacity/curve", json={}).status_code == 404
    no_demand = client.post("/api/datasets/tiny/capacity/curve", json={})  # the plain tiny dataset has no demand.csv
    assert 400 <= no_demand.status_code < 500 and "demand.csv" in no_demand.text
