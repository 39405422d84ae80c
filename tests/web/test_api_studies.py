"""API: scenario catalogue and validation, study jobs (submit, status, cancel, results), stored studies.

Study jobs run with the deterministic double of tests/web/doubles.py in place of the simulation."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from fastapi.testclient import TestClient

from silkway.web import WebSettings, create_app

from .doubles import double_runner

SCENARIOS = Path(__file__).parent / "scenarios"


def make_client(tmp_path: Path, tiny_dir: Path, sleep_s: float = 0.0, fail_rep: int | None = None, **limits: int) -> TestClient:
    settings = WebSettings(datasets={"tiny": tiny_dir}, results_dir=tmp_path / "results", scenario_dirs=(SCENARIOS,), **limits)
    return TestClient(create_app(settings, study_runner=double_runner(sleep_s, fail_rep)))


def store_counts(results_dir: Path) -> tuple[int, int]:
    """(replication rows, distinct replications with KPIs) in the store."""
    con = duckdb.connect(str(results_dir / "silkway.duckdb"))
    try:
        reps = con.execute("SELECT count(*) FROM replications").fetchone()[0]
        kpi_reps = con.execute("SELECT count(DISTINCT (scenario_hash, rep)) FROM kpis").fetchone()[0]
    finally:
        con.close()
    return reps, kpi_reps


@pytest.fixture
def sclient(tmp_path: Path, tiny_dir: Path):
    with make_client(tmp_path, tiny_dir) as c:
        yield c


def wait_job(c: TestClient, job_id: str, timeout_s: float = 30) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        st = c.get(f"/api/jobs/{job_id}").json()
        if st["state"] in ("done", "failed", "cancelled"):
            return st
        assert time.monotonic() < deadline, st
        time.sleep(0.02)


def test_catalogue_lists_scenario_files(sclient: TestClient) -> None:
    names = [s["name"] for s in sclient.get("/api/scenarios").json()]
    assert names == ["baseline", "green-channel"]


def test_study_job_runs_stores_and_reports(sclient: TestClient) -> None:
    r = sclient.post("/api/jobs", json={"scenarios": ["baseline", "green-channel"], "days": 20, "replications": 3, "seed": 5})
    assert r.status_code == 202
    st = wait_job(sclient, r.json()["job_id"])
    assert st["state"] == "done", st
    assert (st["done"], st["total"]) == (6, 6) and st["result"]["ran"] == 6
    res = sclient.get(f"/api/jobs/{st['job_id']}/results").json()
    assert res["scenarios"] == ["baseline", "green-channel"] and res["replications_done"] == 6
    delivered = {k["scenario"]: k for k in res["kpis"] if k["kpi"] == "delivered_teu"}
    assert delivered["baseline"]["diff"] is None  # the baseline has no difference to itself
    # the double delivers level × days ± noise: 2000 vs 2400 TEU, so the difference is ≈ +400
    assert 300 < delivered["green-channel"]["diff"] < 500
    assert delivered["green-channel"]["ci_low"] < delivered["green-channel"]["mean"] < delivered["green-channel"]["ci_high"]
    assert delivered["baseline"]["name"] == "Cargo delivered" and delivered["baseline"]["unit"] == "TEU"
    assert res["warnings"] and res["warnings"][0].startswith("warning: only 3 replication(s) per scenario")
    assert any("Holm" in m for m in res["method"]) and "delivered_teu" in res["headline_kpis"]
    assert len(res["queue"]["baseline"]["dostyk_border"]["x"]) == 20
    assert res["flows"]["green-channel"]["kz_dostyk_aktogay"] == pytest.approx(120 * 20)
    listed = sclient.get("/api/studies").json()
    assert [s["study_id"] for s in listed] == [res["study_id"]]
    assert sclient.get(f"/api/studies/{res['study_id']}").json()["kpis"] == res["kpis"]


def test_resubmitting_a_finished_study_runs_nothing(sclient: TestClient) -> None:
    assert sclient.get("/api/jobs").json() == []
    body = {"scenarios": ["baseline"], "days": 10, "replications": 2}
    first = wait_job(sclient, sclient.post("/api/jobs", json=body).json()["job_id"])
    again = wait_job(sclient, sclient.post("/api/jobs", json=body).json()["job_id"])
    listed = sclient.get("/api/jobs").json()
    assert [j["job_id"] for j in listed] == [again["job_id"], first["job_id"]]  # newest first
    assert listed[1]["params"] == {**body, "seed": 0, "label": None} and listed[1]["kind"] == "study"
    assert first["result"]["ran"] == 2 and (again["result"]["ran"], again["result"]["skipped"]) == (0, 2)
    assert again["result"]["study_id"] == first["result"]["study_id"]


def test_cancel_leaves_only_whole_replications_and_resume_completes(tmp_path: Path, tiny_dir: Path) -> None:
    with make_client(tmp_path, tiny_dir, sleep_s=0.15) as c:
        body = {"scenarios": ["baseline", "green-channel"], "days": 10, "replications": 10}
        job = c.post("/api/jobs", json=body).json()
        deadline = time.monotonic() + 20
        while c.get(f"/api/jobs/{job['job_id']}").json()["done"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert c.delete(f"/api/jobs/{job['job_id']}").status_code == 200
        st = wait_job(c, job["job_id"])
        assert st["state"] == "cancelled"
        assert c.get(f"/api/jobs/{job['job_id']}/results").status_code == 409
        (stored,) = c.get("/api/studies").json()
        assert 2 <= stored["replications_done"] < 20
    # the store is consistent: every replication row has its KPIs, and nothing else is there
    reps, kpi_reps = store_counts(tmp_path / "results")
    assert reps == kpi_reps == stored["replications_done"]
    with make_client(tmp_path, tiny_dir) as c:  # a new server on the same store resumes the study
        st = wait_job(c, c.post("/api/jobs", json=body).json()["job_id"])
        assert st["state"] == "done" and st["result"]["skipped"] == reps and st["result"]["ran"] == 20 - reps
        assert c.get(f"/api/studies/{st['result']['study_id']}").json()["replications_done"] == 20


def test_a_failing_replication_fails_the_job_and_keeps_the_store_whole(tmp_path: Path, tiny_dir: Path) -> None:
    body = {"scenarios": ["baseline", "green-channel"], "days": 10, "replications": 4}
    with make_client(tmp_path, tiny_dir, fail_rep=2) as c:
        st = wait_job(c, c.post("/api/jobs", json=body).json()["job_id"])
        assert st["state"] == "failed" and "replication 2 fails" in st["error"]
        (stored,) = c.get("/api/studies").json()
    reps, kpi_reps = store_counts(tmp_path / "results")
    assert reps == kpi_reps == stored["replications_done"] == 4  # replications 0 and 1 of both scenarios
    with make_client(tmp_path, tiny_dir) as c:  # fixed: the same study resumes from the whole replications
        st = wait_job(c, c.post("/api/jobs", json=body).json()["job_id"])
        assert st["state"] == "done" and (st["result"]["skipped"], st["result"]["ran"]) == (4, 4)


def test_study_limits_and_unknown_scenarios_are_422(tmp_path: Path, tiny_dir: Path) -> None:
    with make_client(tmp_path, tiny_dir, max_days=30, max_replications=5, max_scenarios=1) as c:
        cases = {
            "days: at most 30": {"scenarios": ["baseline"], "days": 31},
            "replications: at most 5": {"scenarios": ["baseline"], "replications": 6},
            "scenarios: at most 1": {"scenarios": ["baseline", "green-channel"]},
            "unknown nowhere": {"scenarios": ["nowhere"]},
        }
        for expected, body in cases.items():
            r = c.post("/api/jobs", json=body)
            assert r.status_code == 422 and expected in r.json()["detail"], (expected, r.text)
        for body in ({"scenarios": []}, {"scenarios": ["../etc/passwd"]}, {"scenarios": ["baseline"], "days": 0},
                     {"scenarios": ["baseline"], "seed": -1}, {"scenarios": ["baseline"], "extra": 1}, {}):
            assert c.post("/api/jobs", json=body).status_code == 422, body
        r = c.post("/api/jobs", json={"scenarios": ["baseline", "baseline"]})
        assert r.status_code == 422


def test_too_many_jobs_is_429_and_the_same_study_twice_409(tmp_path: Path, tiny_dir: Path) -> None:
    with make_client(tmp_path, tiny_dir, sleep_s=0.2, max_running_jobs=1, max_queued_jobs=1) as c:
        body = {"scenarios": ["baseline"], "days": 5, "replications": 3}
        a = c.post("/api/jobs", json=body)
        same = c.post("/api/jobs", json={**body, "replications": 4})
        assert same.status_code == 409 and a.json()["job_id"] in same.json()["detail"]
        b = c.post("/api/jobs", json={**body, "seed": 1})
        assert (a.status_code, b.status_code) == (202, 202)
        r = c.post("/api/jobs", json={**body, "seed": 2})
        assert r.status_code == 429 and "retry later" in r.json()["detail"]
        for j in (a, b):
            c.delete(f"/api/jobs/{j.json()['job_id']}")


def test_unknown_job_and_study_are_404_bad_ids_422(sclient: TestClient) -> None:
    assert sclient.get("/api/jobs/job1-deadbeef").status_code == 404
    assert sclient.delete("/api/jobs/job1-deadbeef").status_code == 404
    assert sclient.get("/api/jobs/job1-deadbeef/results").status_code == 404
    assert sclient.get("/api/studies/0123456789abcdef").status_code == 404
    assert sclient.get("/api/jobs/..%2F..").status_code in (404, 422)
    assert sclient.get("/api/studies/not-a-study").status_code == 422
    assert sclient.get("/api/studies").json() == []


def test_validate_accepts_a_good_scenario(sclient: TestClient) -> None:
    text = "silkway_scenario: 1\nname: faster\nfacilities:\n  - ids: [gc_gate]\n    scale: {handling_h_median: 0.5}\n"
    r = sclient.post("/api/scenarios/validate", json={"text": text, "dataset": "tiny"})
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["valid"] and v["name"] == "faster" and v["changed_facilities"] == 1 and v["changed_links"] == 0


def test_validate_reports_problems_without_server_paths(sclient: TestClient, tiny_dir: Path) -> None:
    bad = {
        "silkway_scenario: 1\nname: x\nfacilities:\n  - ids: [no_such_yard]\n    scale: {handling_h_median: 0.5}\n": "no_such_yard",
        "silkway_scenario: 1\nname: x\nlinks:\n  - mode: rail\n    scale: {capacity_trains_day: -2}\n": "must be > 0",
        "silkway_scenario: 1\nname: x\ncolour: blue\n": "colour",
        "name: [unclosed\n": "YAML",
        "silkway_scenario: 1\nname: x\nextends: /etc/passwd\n": "cannot name files",
        "silkway_scenario: 1\nname: x\ndataset: /etc\n": "cannot name files",
        "silkway_scenario: 1\nname: x\ndemand: {file: /etc/shadow}\n": "cannot name files",
        "a: &a [1, 1]\nb: &b [*a, *a]\nc: [*b, *b]\nsilkway_scenario: 1\nname: x\n": "aliases",
    }
    for text, expected in bad.items():
        v = sclient.post("/api/scenarios/validate", json={"text": text}).json()
        assert v["valid"] is False and any(expected in p for p in v["problems"]), (text, v)
        assert not any("silkway-validate-" in p or str(tiny_dir) in p for p in v["problems"]), v


def test_validate_request_errors(sclient: TestClient) -> None:
    assert sclient.post("/api/scenarios/validate", json={"text": ""}).status_code == 422
    assert sclient.post("/api/scenarios/validate", json={"text": "x", "dataset": "nowhere"}).status_code == 404
    assert sclient.post("/api/scenarios/validate", json={"text": "x", "dataset": "../x"}).status_code == 422
    assert sclient.post("/api/scenarios/validate", content=b"not json", headers={"content-type": "application/json"}).status_code == 422


def test_store_held_by_another_process_is_503(tmp_path: Path, tiny_dir: Path) -> None:
    import subprocess
    import sys

    store = tmp_path / "results" / "silkway.duckdb"
    store.parent.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb,sys,time; c=duckdb.connect({str(store)!r}); "
                               "c.execute('create table t(x int)'); print('ready', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with make_client(tmp_path, tiny_dir) as c:
            r = c.get("/api/studies")
            assert r.status_code == 503 and "cannot be read now" in r.json()["detail"]
            assert c.get("/api/studies/0123456789abcdef").status_code == 503
    finally:
        holder.kill()
        holder.wait()
