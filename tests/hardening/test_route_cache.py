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
