"""The bounded cache of route answers: a repeated request is answered without planning, with the same bytes; any
field that differs, or another dataset version, is another entry; the least recently used entry goes first."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from silkway.web import WebSettings, create_app
from silkway.web.route_cache import RouteCache


def test_repeated_route_requests_are_served_from_the_cache(tmp_path: Path, tiny_dir: Path, monkeypatch) -> None:
    app = create_app(WebSettings(datasets={"tiny": tiny_dir}, results_dir=tmp_path / "r", route_cache_entries=2))
    from silkway.web import api_routes

    planned = []
    real = api_routes._plan
    monkeypatch.setattr(api_routes, "_plan", lambda a, body: planned.append(body) or real(a, body))
    with TestClient(app) as c:
        q = {"origin": "west", "destination": "isle"}
        first, again = c.post("/api/routes", json=q), c.post("/api/routes", json=q)
        assert first.status_code == again.status_code == 200 and first.content == again.content
        assert len(planned) == 1 and app.state.route_cache.hits == 1
        c.post("/api/routes", json={**q, "teu": 2})  # another field value: planned
        c.post("/api/routes", json={**q, "teu": 1.0})  # the same request as the first, written differently: cached
        assert len(planned) == 2
        c.post("/api/routes", json={**q, "teu": 3})  # a third entry: the least recently used one goes
        assert len(app.state.route_cache) == 2
        assert c.post("/api/routes", json={"origin": "west", "destination": "nowhere"}).status_code == 422
        assert len(app.state.route_cache) == 2  # errors are not cached


def test_cache_bounds_and_order() -> None:
    cache = RouteCache(2)
    cache.put(("a",), b"1")
    cache.put(("b",), b"2")
    assert cache.get(("a",)) == b"1"  # a is now the most recent
    cache.put(("c",), b"3")
    assert cache.get(("b",)) is None and cache.get(("a",)) == b"1" and len(cache) == 2
    off = RouteCache(0)
    off.put(("a",), b"1")
    assert off.get(("a",)) is None


def _app_counting_plans(tmp_path: Path, tiny_dir: Path, monkeypatch, entries: int = 8):
    from silkway.web import api_routes

    app = create_app(WebSettings(datasets={"tiny": tiny_dir}, results_dir=tmp_path / "r", route_cache_entries=entries))
    planned: list[object] = []
    real = api_routes._plan
    monkeypatch.setattr(api_routes, "_plan", lambda a, body: planned.append(body) or real(a, body))
    return app, planned


def test_the_fast_path_answers_the_same_request_bytes_with_the_same_answer(tmp_path: Path, tiny_dir: Path, monkeypatch) -> None:
    app, planned = _app_counting_plans(tmp_path, tiny_dir, monkeypatch)
    body = b'{"origin": "west", "destination": "isle"}'
    json_type = {"content-type": "application/json"}
    with TestClient(app) as c:
        first = c.post("/api/routes", content=body, headers=json_type)
        again = c.post("/api/routes", content=body, headers=json_type)
        assert first.status_code == again.status_code == 200 and first.content == again.content
        assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
        assert again.headers["x-request-id"] != first.headers["x-request-id"]  # the guard still wraps the fast path
        assert len(planned) == 1 and app.state.route_cache.fast_hits == 1
        # the same request written differently: validated again (slow path), answered from the cache, not planned
        spaced = c.post("/api/routes", content=b'{"destination":"isle","origin":"west","teu":1}', headers=json_type)
        assert spaced.content == first.content and len(planned) == 1 and app.state.route_cache.fast_hits == 1
        # a different field value is a different answer
        two = c.post("/api/routes", content=b'{"origin": "west", "destination": "isle", "teu": 2}', headers=json_type)
        assert two.status_code == 200 and len(planned) == 2


def test_the_fast_path_never_answers_for_another_dataset_version(tmp_path: Path, tiny_dir: Path, monkeypatch) -> None:
    app, planned = _app_counting_plans(tmp_path, tiny_dir, monkeypatch)
    body = b'{"origin": "west", "destination": "isle"}'
    with TestClient(app) as c:
        c.post("/api/routes", content=body, headers={"content-type": "application/json"})
        registry = app.state.datasets
        real_version = registry.version
        monkeypatch.setattr(registry, "version", lambda name: real_version(name) + " reloaded")
        again = c.post("/api/routes", content=body, headers={"content-type": "application/json"})
        assert again.status_code == 200 and len(planned) == 2 and app.state.route_cache.fast_hits == 0


def test_the_fast_path_keys_on_content_type_and_never_remembers_errors(tmp_path: Path, tiny_dir: Path, monkeypatch) -> None:
    app, planned = _app_counting_plans(tmp_path, tiny_dir, monkeypatch)
    body = b'{"origin": "west", "destination": "isle"}'
    with TestClient(app) as c:
        assert c.post("/api/routes", content=body, headers={"content-type": "application/json"}).status_code == 200
        as_text = c.post("/api/routes", content=body, headers={"content-type": "text/plain"})
        assert app.state.route_cache.fast_hits == 0  # another content type: the ordinary path decides
        assert as_text.status_code in (200, 422)
        bad = b'{"origin": "west", "destination": "nowhere"}'
        for _ in range(2):  # an error is answered by the ordinary path every time
            assert c.post("/api/routes", content=bad, headers={"content-type": "application/json"}).status_code == 422
        assert app.state.route_cache.fast_hits == 0
        big = b'{"origin": "west", "destination": "isle", "avoid": []' + b" " * 5000 + b"}"
        for _ in range(2):  # a large body is never remembered
            assert c.post("/api/routes", content=big, headers={"content-type": "application/json"}).status_code == 200
        assert app.state.route_cache.fast_hits == 0
        assert [b.destination for b in planned] == ["isle", "nowhere", "nowhere"]  # the error planned (and failed) twice


def test_the_fast_path_memory_is_bounded() -> None:
    cache = RouteCache(2)
    for i in range(20):
        cache.put(("d", "v", f"q{i}"), b"answer")
        cache.remember((b"application/json", b"", f"q{i}".encode()), "d", f"q{i}")
    assert len(cache) == 2 and len(cache._raw) == 8
    assert cache.lookup((b"application/json", b"", b"q19"), lambda _name: "v") == b"answer"
    assert cache.lookup((b"application/json", b"", b"q0"), lambda _name: "v") is None  # dropped
    assert cache.lookup((b"application/json", b"", b"q19"), lambda _name: "w") is None  # another version
