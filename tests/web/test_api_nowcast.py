"""The nowcast API: the shipped example through a background job (ETA bands, positions, queue clearance), the cache,
located errors for bad files (422, never a 500), the size cap (413) and the bounds of silkway.limits."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from silkway.services import network as net_svc
from silkway.web import WebSettings, create_app

from .test_api_capacity import wait

pytestmark = pytest.mark.timeout(600)
AT = "2023-02-15T00:00Z"
HEADER = "time,kind,train_id,shipment_id,vessel_id,flow_id,place,stage,node,target_kind,closure_id,teu,containers,count,green,until"


@pytest.fixture(scope="module")
def eurasia(tmp_path_factory: pytest.TempPathFactory):
    app = create_app(WebSettings(results_dir=tmp_path_factory.mktemp("r"), max_body_bytes=1_000_000))
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def example(eurasia: TestClient) -> dict:
    got = eurasia.get("/api/nowcast/example")
    assert got.status_code == 200, got.text
    return got.json()


def test_example_is_the_shipped_file_and_checks(eurasia: TestClient, example: dict) -> None:
    shipped = Path(__file__).resolve().parents[2] / "examples" / "observations.csv"
    assert example["file"] == "observations.csv" and example["text"] == shipped.read_text(encoding="utf-8")
    got = eurasia.post("/api/datasets/eurasia/nowcast/check", json=example)
    assert got.status_code == 200, got.text
    s = got.json()
    assert s["rows"] == len(example["text"].splitlines()) - 1
    assert s["first"] < s["last"] <= s["suggested_at"] and s["suggested_at"].endswith(":00:00Z")
    assert sum(s["kinds"].values()) == s["rows"] and s["kinds"]["departed"] > 0


def test_nowcast_job_on_the_example(eurasia: TestClient, example: dict) -> None:
    body = {**example, "at": AT, "horizon_days": 10, "members": 4, "seed": 1}
    sub = eurasia.post("/api/datasets/eurasia/nowcast", json=body)
    assert sub.status_code == 202, sub.text
    job = wait(eurasia, sub.json()["job_id"])
    assert job["state"] == "done", job
    assert job["kind"] == "nowcast" and job["params"]["at"] == "2023-02-15T00:00:00Z" and len(job["params"]["sha256"]) == 64
    res = job["result"]
    assert res["cached"] is False and res["members"] == 4 and res["problems"] == []
    net = net_svc.load(None, "2023-02-15")
    trains = res["trains"]
    assert len(trains) > 100
    for t in trains:
        assert t["node_id"] in net.node_by_id and t["destination"] in net.node_by_id
        hours = [t[f"eta_p{q}_h"] for q in (10, 50, 90)]
        finite = [h for h in hours if h is not None]
        assert finite == sorted(finite) and hours[: len(finite)] == finite  # P10 ≤ P50 ≤ P90; beyond the horizon = None
        assert all(-1e-6 <= h <= 10 * 24 + 1e-6 for h in finite)
        assert (hours[0] is not None) == (t["p_arrive"] > 0) and (hours[2] is not None) == (t["p_arrive"] == 1)  # 4 members
        legs = t["remaining"]
        for a, b in zip(legs, legs[1:], strict=False):
            assert a[2] == b[1], (t["train_id"], legs)  # the remaining route is a chain of links ...
        if legs:
            assert legs[-1][2] == t["destination"] and legs[0][0] in net.link_by_id  # ... to the destination
            assert t["node_id"] == legs[0][1]  # from where the train is
        if t["link_id"] is not None:
            assert t["link_id"] == legs[0][0] and 0 < t["fraction"] < 1
    assert {t["doing"] for t in trains} >= {"moving", "forming"}
    # the queues the kernel holds at t0 are the trains the page shows waiting there
    for q in res["queues"]:
        assert q["queue_trains"] > 0
        if q["kind"] in ("handling", "customs"):
            waiting = [t for t in trains if t["node_id"] == q["node_id"] and t["doing"] == f"waiting for {q['kind']}"]
            assert len(waiting) == q["queue_trains"], q
        c = [q[f"clear_p{p}_h"] for p in (10, 50, 90)]
        assert [x for x in c if x is not None] == sorted(x for x in c if x is not None)
    # the forecast of the Python API (and CLI) with the same seed: the same bands
    from silkway.services.nowcast import run_nowcast

    shipped = Path(__file__).resolve().parents[2] / "examples" / "observations.csv"
    api = run_nowcast(shipped, AT, horizon_days=10, members=4, seed=1).eta.set_index("train_id")
    assert sorted(api.index) == sorted(t["train_id"] for t in trains)
    t0 = {round(api.loc[t["train_id"], "eta_p50_h"] - t["eta_p50_h"], 1) for t in trains if t["eta_p50_h"] is not None}
    assert len(t0) == 1  # hours after `at` = the service's hours since the run's origin − t0
    for t in trains:
        want = api.loc[t["train_id"], "eta_p50"]
        assert t["eta_p50"] == (None if pd.isna(want) else want.strftime("%Y-%m-%dT%H:%M:00Z")), t
    # the same request again: answered from the cache, same forecast
    again = wait(eurasia, eurasia.post("/api/datasets/eurasia/nowcast", json=body).json()["job_id"])
    assert again["result"]["cached"] is True and again["result"]["trains"] == trains
    # another seed is another forecast (not the cached one)
    other = eurasia.post("/api/datasets/eurasia/nowcast", json={**body, "seed": 2})
    assert other.status_code == 202 and wait(eurasia, other.json()["job_id"])["result"]["cached"] is False


def test_bad_rows_are_located(eurasia: TestClient) -> None:
    rows = [HEADER,
            "2023-02-10T00:00Z,departed,T1,,,xian_malaszewicze,xian,,,,,100,50,,,",
            "yesterday,arrived,T1,,,,dostyk,handling,,,,,,,,",
            "2023-02-11T00:00Z,teleported,T1,,,,dostyk,handling,,,,,,,,",
            "2023-02-11T01:00Z,queue_count,,,,,dostyk,handling,,,,,,-3,,"]
    got = eurasia.post("/api/datasets/eurasia/nowcast", json={"file": "feed.csv", "text": "\n".join(rows), "at": AT})
    assert got.status_code == 422, got.text
    problems = got.json()["problems"]
    assert [(p["line"], p["field"]) for p in problems] == [(3, "time"), (4, "kind"), (5, "count")]
    assert all(p["file"] == "feed.csv" and p["message"] for p in problems)
    assert "feed.csv, line 3, field 'time'" in got.json()["detail"]["problems"][0]
    # rows that parse but name places the network does not know: located too (the check endpoint says the same)
    unknown = "\n".join([HEADER, "2023-02-10T00:00Z,departed,T1,,,xian_malaszewicze,atlantis,,,,,100,50,,,"])
    for url, extra in (("/nowcast", {"at": AT}), ("/nowcast/check", {})):
        got = eurasia.post(f"/api/datasets/eurasia{url}", json={"file": "feed.csv", "text": unknown, **extra})
        assert got.status_code == 422 and got.json()["problems"][0]["line"] == 2 and got.json()["problems"][0]["field"] == "place"
    # JSON lines, by the file's name
    got = eurasia.post("/api/datasets/eurasia/nowcast/check", json={"file": "feed.jsonl", "text": '{"time": "2023-02-10", "kind": "x"}\nnot json'})
    assert got.status_code == 422 and [p["line"] for p in got.json()["problems"]] == [1, 2]
    got = eurasia.post("/api/datasets/eurasia/nowcast/check", json={"file": "feed.csv", "text": HEADER})
    assert got.status_code == 422 and "no rows" in got.text
    got = eurasia.post("/api/datasets/eurasia/nowcast/check", json={"file": "feed.jsonl", "text": "[" * 100_000 + "]" * 100_000})
    assert got.status_code == 422 and "nested too deeply" in got.text  # not a RecursionError (500)
    # a spreadsheet's byte-order mark before the header is not part of the first column's name
    bom = "\ufeff" + "\n".join([HEADER, "2023-02-10T00:00Z,departed,T1,,,xian_malaszewicze,xian,,,,,100,50,,,"])
    got = eurasia.post("/api/datasets/eurasia/nowcast/check", json={"file": "feed.csv", "text": bom})
    assert got.status_code == 200 and got.json()["rows"] == 1, got.text


def test_limits(eurasia: TestClient, example: dict, tmp_path: Path) -> None:
    small = example["text"].splitlines()
    text = "\n".join(small[:200])
    ok = {"file": "a.csv", "text": text, "at": AT}
    for bad in ({"members": 0}, {"members": 1001}, {"horizon_days": 0}, {"horizon_days": 121}, {"seed": -1}, {"file": "../x.csv"}):
        got = eurasia.post("/api/datasets/eurasia/nowcast", json={**ok, **bad})
        assert got.status_code == 422, (bad, got.text)
    got = eurasia.post("/api/datasets/eurasia/nowcast", json={**ok, "at": "soon"})
    assert got.status_code == 422 and "ISO 8601" in got.text
    got = eurasia.post("/api/datasets/eurasia/nowcast", json={**ok, "at": "2022-01-01T00:00Z"})
    assert got.status_code == 422 and "before the first observation" in got.text
    assert eurasia.post("/api/datasets/nope/nowcast", json=ok).status_code == 404
    # the body cap of the server: 413 before the body is read
    big = eurasia.post("/api/datasets/eurasia/nowcast", json={**ok, "text": example["text"] * 3})
    assert big.status_code == 413, big.status_code
    # a dataset without demand: a 4xx naming it
    tiny = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
    with TestClient(create_app(WebSettings(datasets={"tiny": tiny}, results_dir=tmp_path / "r"))) as c:
        got = c.post("/api/datasets/tiny/nowcast", json=ok)
        assert 400 <= got.status_code < 500 and "demand" in got.text
