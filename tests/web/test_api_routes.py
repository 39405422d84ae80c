"""API: route queries on the tiny dataset (hand-computable) and every error path."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from silkway.network import read_dataset
from silkway.services import routing as routing_svc
from silkway.services.routing import route


@pytest.fixture(scope="module")
def eurasia_router():
    return routing_svc.router_for()  # the embedded dataset


def test_route_matches_the_planner(client: TestClient, tiny_dir) -> None:
    r = client.post("/api/routes", json={"origin": "Westport", "destination": "harbour", "teu": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["dataset"] == "tiny" and (body["origin"], body["destination"]) == ("west", "harbour")
    expected = route(read_dataset(tiny_dir), "west", "harbour", teu=3)
    assert [o["node_ids"] for o in body["options"]] == [list(o.node_ids) for o in expected.options]
    best, exp = body["options"][0], expected.options[0]
    assert best["node_ids"] == ["west", "gate_cn", "gate_kz", "harbour"]
    assert best["distance_km"] == 96 + 10 + 192
    assert best["cost_usd"] == exp.cost_usd and best["days_p90"] == exp.days_p90
    assert best["days_p90"] >= best["days_median"] > 0
    assert {leg["kind"] for leg in best["legs"]} >= {"move", "handling"}


def test_route_options_respect_avoid(client: TestClient) -> None:
    r = client.post("/api/routes", json={"origin": "west", "destination": "isle", "avoid": ["ferry"]})
    assert r.status_code == 422 and "ferry" in r.json()["detail"]  # the only way to the isle is the ferry
    ok = client.post("/api/routes", json={"origin": "west", "destination": "isle"}).json()
    assert any(leg["mode"] == "ferry" for leg in ok["options"][0]["legs"])


def test_route_errors_are_422_with_the_reason(client: TestClient) -> None:
    cases = {
        "Did you mean": {"origin": "Westt Terminal", "destination": "harbour"},
        "same place": {"origin": "west", "destination": "West Terminal"},
        "cannot avoid 'ZZ'": {"origin": "west", "destination": "harbour", "avoid": ["ZZ"]},
        "departure": {"origin": "west", "destination": "harbour", "depart": "tomorrow"},
    }
    for expected, body in cases.items():
        r = client.post("/api/routes", json=body)
        assert r.status_code == 422 and expected in r.json()["detail"], (expected, r.text)


def test_route_request_validation(client: TestClient) -> None:
    base = {"origin": "west", "destination": "harbour"}
    for bad in ({"teu": 0}, {"teu": -1}, {"teu": 1e9}, {"objective": "fun"}, {"alternatives": 0}, {"alternatives": 99},
                {"max_transfers": -1}, {"avoid": ["x"] * 21}, {"avoid": [""]}, {"origin": ""}, {"origin": "x" * 101},
                {"dataset": "../tiny"}, {"unknown": 1}, {"via": ["a"] * 6}):
        r = client.post("/api/routes", json={**base, **bad})
        assert r.status_code == 422, (bad, r.text)
    assert client.post("/api/routes", json={"origin": "west"}).status_code == 422
    assert client.post("/api/routes", json={**base, "dataset": "nowhere"}).status_code == 404
    assert client.post("/api/routes", content=b"{", headers={"content-type": "application/json"}).status_code == 422


@pytest.mark.parametrize(("origin", "destination", "options"), [
    ("xian", "duisburg", {}),
    ("xian", "duisburg", {"avoid": ["RU"], "teu": 3}),
    ("Chongqing", "Istanbul", {"objective": "cost", "alternatives": 5}),
    ("Almaty", "Constanta", {"objective": "co2e", "depart": "2026-03-04T10:00"}),
])
def test_service_dict_is_json_and_complete(eurasia_router, origin: str, destination: str, options: dict) -> None:
    result = routing_svc.plan_route(origin, destination, router=eurasia_router, **options)
    back = json.loads(json.dumps(routing_svc.to_dict(result)))
    assert [o["corridor"] for o in back["options"]] == [o.corridor for o in result.options]
    assert [len(o["legs"]) for o in back["options"]] == [len(o.legs) for o in result.options]
    assert back["options"][0]["days_p90"] == result.best.days_p90


def test_answer_matches_its_documented_schema(client: TestClient) -> None:
    from silkway.web.api_routes import LegOut, OptionOut, RouteOut

    body = client.post("/api/routes", json={"origin": "west", "destination": "isle"}).json()
    RouteOut.model_validate(body)
    assert set(body) == set(RouteOut.model_fields)
    opt = body["options"][0]
    assert set(opt) == set(OptionOut.model_fields) and set(opt["legs"][0]) == set(LegOut.model_fields)


def test_route_carries_via_reconciliation_and_p90_objective(client: TestClient) -> None:
    body = client.post("/api/routes", json={"origin": "west", "destination": "isle", "objective": "p90"}).json()
    assert body["objective"] == "p90"
    best = body["options"][0]
    assert [v["kind"] for v in best["via"]] == ["gauge", "border", "water"]  # Gate CN gauge change, CN→KZ, the ferry
    assert best["via_summary"] == "; ".join(v["label"] for v in best["via"])
    parts = best["days_nominal"] + best["gap_variability_days"] + best["gap_timetable_days"]
    assert parts == pytest.approx(best["days_median"])


def test_route_conditions_typical_and_free(tmp_path, tiny_dir) -> None:
    """A copy of tiny with typical waits (5 h at the unloading at Isle, written with its provenance): the API adds them
    under ``typical`` (the default), not under ``free``; anything else is refused."""
    import shutil

    from silkway.services import conditions as csvc
    from silkway.web import WebSettings, create_app

    folder = tmp_path / "tiny"
    shutil.copytree(tiny_dir, folder)
    csvc.write_typical_waits([("2024-01-01", "handling", "port_isle", "isle", 0, 10, 5.0)], folder / csvc.TYPICAL_FILE, dataset=folder,
                             as_of=("2024-01-01",), replications=1, seed=0, command="test")
    with TestClient(create_app(WebSettings(datasets={"tiny": folder}, results_dir=tmp_path / "results"))) as c:
        typ = c.post("/api/routes", json={"origin": "west", "destination": "isle"}).json()
        free = c.post("/api/routes", json={"origin": "west", "destination": "isle", "conditions": "free"}).json()
        bad = c.post("/api/routes", json={"origin": "west", "destination": "isle", "conditions": "/etc/passwd"})
    assert typ["conditions"]["kind"] == "typical" and typ["conditions"]["warnings"] == []
    assert free["conditions"]["kind"] == "free"
    t, f = typ["options"][0], free["options"][0]
    assert (t["days_nominal"] - f["days_nominal"]) * 24 == pytest.approx(5.0)
    assert (t["days_median"] - f["days_median"]) * 24 == pytest.approx(5.0)
    assert [leg["kind"] for leg in t["legs"]][-2:] == ["queue", "handling"]
    assert bad.status_code == 422
