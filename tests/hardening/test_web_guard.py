"""Web hardening (silkway.web.guard): 413 for large bodies, 422 for deep nesting and non-finite numbers, error bodies
that never echo a large input, and a 500 with a request id (traceback in the server log) for anything unexpected.

Each attack here was a 500, a 40-second parse or a 100 kB echo before."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from silkway.web import WebSettings, create_app
from silkway.web.guard import MAX_NESTING, json_depth

pytestmark = pytest.mark.timeout(120)
JSON = {"content-type": "application/json"}
ROUTE = '{"origin": "west", "destination": "isle", %s}'


@pytest.fixture
def client(tmp_path: Path, tiny_dir: Path) -> Iterator[TestClient]:
    settings = WebSettings(datasets={"tiny": tiny_dir}, results_dir=tmp_path / "results", max_body_bytes=200_000)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("field", ['"teu": NaN', '"teu": Infinity', '"teu": -Infinity', '"teu": 1e400', '"max_transfers": NaN',
                                   '"alternatives": 1e400', '"teu": 1e9', '"as_of": "9999-12-31"', '"depart": "9999-12-31T23:59"'])
def test_non_finite_and_out_of_range_numbers_are_422(client: TestClient, field: str) -> None:
    r = client.post("/api/routes", content=ROUTE % field, headers=JSON)
    assert r.status_code == 422, r.text
    r.json()  # standard JSON (no NaN token)
    assert "NaN" not in r.text and "Infinity" not in r.text


def test_large_bodies_are_413_without_reading_them(client: TestClient) -> None:
    big = ROUTE % f'"note": "{"x" * 300_000}"'
    r = client.post("/api/routes", content=big, headers=JSON)
    assert r.status_code == 413 and len(r.text) < 300

    def chunks() -> Iterator[bytes]:  # no Content-Length: the guard counts what arrives
        for _ in range(100):
            yield b" " * 100_000

    r = client.post("/api/routes", content=chunks(), headers=JSON)
    assert r.status_code == 413


def test_error_bodies_never_echo_large_inputs(client: TestClient) -> None:
    r = client.post("/api/routes", content=ROUTE % f'"origin2": "{"x" * 150_000}"', headers=JSON)
    assert r.status_code == 422 and len(r.content) < 2_000
    r = client.post("/api/scenarios/validate", json={"text": "y" * 150_000})
    assert r.status_code == 422 and len(r.content) < 2_000


def test_deep_json_is_422(client: TestClient) -> None:
    for body in ("[" * 100_000 + "]" * 100_000, ROUTE % ('"avoid": ' + "[" * 40 + "]" * 40)):
        r = client.post("/api/routes", content=body, headers=JSON)
        assert r.status_code == 422 and "nested more than" in r.text
    assert json_depth(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth(b"[" * (MAX_NESTING + 5)) == MAX_NESTING + 5


@pytest.mark.parametrize("text", ["a: " + "[" * 40_000 + "]" * 40_000,
                                  "silkway_scenario: 1\nname: x\nlinks:\n" + "".join(" " * i + "- k:\n" for i in range(0, 300, 2)),
                                  "silkway_scenario: 1\nname: a\nname: b\n"])
def test_deep_or_duplicate_yaml_is_answered_quickly(client: TestClient, text: str) -> None:
    t = time.perf_counter()
    r = client.post("/api/scenarios/validate", json={"text": text})
    assert r.status_code == 200 and r.json()["valid"] is False, r.text
    assert time.perf_counter() - t < 5


def test_unexpected_error_is_500_with_request_id_and_logged(client: TestClient, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    from silkway.web import api_routes

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(api_routes.routing_svc, "plan_route", boom)
    with caplog.at_level(logging.ERROR, logger="silkway.web"):
        r = client.post("/api/routes", content=ROUTE % '"teu": 1', headers=JSON)
    assert r.status_code == 500
    rid = r.json()["request_id"]
    assert len(rid) == 16 and "a bug" not in r.text and "Traceback" not in r.text
    record = next(rec for rec in caplog.records if rid in rec.getMessage())
    assert record.exc_info and "a bug" in str(record.exc_info[1])
    ok = client.get("/api/health")
    assert len(ok.headers["x-request-id"]) == 16
