"""API: health, datasets, network GeoJSON, summary, place search, static UI; every error path."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from silkway.web import WebSettings, create_app
from silkway.web.app import STATIC_DIR


def test_health_names_served_datasets(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["datasets"] == ["tiny"] and r.json()["default_dataset"] == "tiny"


def _rows(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").strip().splitlines()) - 1


def test_datasets_lists_counts_of_tiny(client: TestClient, tiny_dir: Path) -> None:
    (d,) = client.get("/api/datasets").json()
    assert d["name"] == "tiny" and d["valid"] is True
    assert (d["n_nodes"], d["n_links"], d["n_facilities"]) == tuple(_rows(tiny_dir / f) for f in ("nodes.csv", "links.csv", "facilities.csv"))


def test_broken_dataset_is_listed_invalid_and_its_network_is_503(tmp_path: Path, dataset_copy) -> None:
    broken = dataset_copy()
    (broken / "nodes.csv").write_text("node_id,name\n", encoding="utf-8")
    app = create_app(WebSettings(datasets={"good": dataset_copy(), "broken": broken}, results_dir=tmp_path / "r"))
    with TestClient(app) as c:
        listed = {d["name"]: d for d in c.get("/api/datasets").json()}
        assert listed["good"]["valid"] and not listed["broken"]["valid"]
        assert "invalid" in listed["broken"]["problem"]
        r = c.get("/api/datasets/broken/network")
        assert r.status_code == 503
        assert r.json()["detail"]["problems"], "the problems are listed"
        assert c.get("/api/datasets/broken/summary").status_code == 503
        assert c.get("/api/datasets/broken/places", params={"q": "west"}).status_code == 503
        assert c.post("/api/routes", json={"dataset": "broken", "origin": "west", "destination": "harbour"}).status_code == 503
        assert c.post("/api/routes", json={"dataset": "good", "origin": "west", "destination": "harbour"}).status_code == 200


def test_network_geojson_has_every_node_and_link(client: TestClient) -> None:
    gj = client.get("/api/datasets/tiny/network").json()
    assert gj["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds.count("node") == 5 and kinds.count("link") == 4
    gate = next(f for f in gj["features"] if f["properties"]["id"] == "gate_cn")
    assert {f["id"] for f in gate["properties"]["facilities"]} == {"gc_gate", "bd_gate_cn"}
    ferry = next(f for f in gj["features"] if f["properties"]["id"] == "l4")
    assert ferry["properties"]["mode"] == "ferry" and ferry["geometry"]["type"] == "LineString"


def test_summary_counts_modes_and_gauge_breaks(client: TestClient) -> None:
    s = client.get("/api/datasets/tiny/summary").json()
    assert s["links_by_mode"] == {"ferry": 1, "rail": 3}
    assert s["km_by_mode"]["rail"] == 96 + 10 + 192
    assert s["gauge_breaks"] == ["gate_cn"]


def test_unknown_dataset_is_404_with_served_names(client: TestClient) -> None:
    for path in ("network", "summary", "places?q=west"):
        r = client.get(f"/api/datasets/nowhere/{path}")
        assert r.status_code == 404, path
        assert "tiny" in r.json()["detail"]


def test_dataset_name_that_looks_like_a_path_is_rejected(client: TestClient) -> None:
    for name in ("..", "%2e%2e", "..%2F..%2Fetc", ".hidden"):
        r = client.get(f"/api/datasets/{name}/network")
        assert r.status_code in (404, 422), name


def test_place_search_is_tolerant(client: TestClient) -> None:
    hits = client.get("/api/datasets/tiny/places", params={"q": "WESTA"}).json()  # alias 'Wéstå'
    assert [h["node_id"] for h in hits] == ["west"]
    hits = client.get("/api/datasets/tiny/places", params={"q": "gate"}).json()
    assert {h["node_id"] for h in hits} == {"gate_cn", "gate_kz"}
    assert client.get("/api/datasets/tiny/places", params={"q": "gate", "limit": 1}).json()[0]["node_id"] in {"gate_cn", "gate_kz"}
    assert client.get("/api/datasets/tiny/places", params={"q": "zzz"}).json() == []


def test_place_search_validates_its_query(client: TestClient) -> None:
    assert client.get("/api/datasets/tiny/places").status_code == 422
    assert client.get("/api/datasets/tiny/places", params={"q": ""}).status_code == 422
    assert client.get("/api/datasets/tiny/places", params={"q": "x" * 101}).status_code == 422
    assert client.get("/api/datasets/tiny/places", params={"q": "a", "limit": 0}).status_code == 422
    assert client.get("/api/datasets/tiny/places", params={"q": "a", "limit": "many"}).status_code == 422


def test_index_and_vendored_assets_are_served(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<title>silkway" in r.text
    for asset in ("/static/js/main.js", "/static/vendor/leaflet/leaflet.js", "/static/vendor/world-atlas/countries-50m.json"):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/vendor/nothing.js").status_code == 404


def test_page_loads_nothing_from_another_host() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    js = "".join(p.read_text(encoding="utf-8") for p in (STATIC_DIR / "js").glob("*.js"))
    for text in (html, js):
        assert "http://" not in text and "https://" not in text and "//cdn" not in text


def test_vendored_versions_match_the_npm_lockfile() -> None:
    lock = json.loads((Path(__file__).resolve().parents[2] / "web" / "package-lock.json").read_text(encoding="utf-8"))
    vendored = json.loads((STATIC_DIR / "vendor" / "VERSIONS.json").read_text(encoding="utf-8"))
    for pkg, version in vendored.items():
        assert lock["packages"][f"node_modules/{pkg}"]["version"] == version, pkg


def test_openapi_schema_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/datasets", "/api/datasets/{dataset}/network", "/api/datasets/{dataset}/places"} <= set(paths)


def test_every_asset_the_page_and_its_modules_reference_is_served(client: TestClient) -> None:
    import re

    html = client.get("/").text
    urls = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    for js in (STATIC_DIR / "js").glob("*.js"):  # ES module imports and fetched files
        text = js.read_text(encoding="utf-8")
        urls |= {f"/static/js/{m}" for m in re.findall(r'from "\./([^"]+)"', text)}
        urls |= set(re.findall(r'"(/static/[^"]+)"', text))
    assert len(urls) >= 10
    for url in sorted(urls):
        assert client.get(url).status_code == 200, url


def test_summary_offers_every_country_a_route_can_touch() -> None:
    """Countries that only links cross are in the summary's ``countries`` (for the planner's avoid boxes): Serbia and
    Austria always, Egypt while the Suez lane is open on the network's date (before 2023-12-14), with English names."""
    from silkway.services import network as net_svc

    now = net_svc.summarize(net_svc.load())
    before = net_svc.summarize(net_svc.load(as_of="2023-06-30"))
    assert {"RS", "AT", "RU", "KZ"} <= set(now.countries) and now.countries["RS"] == "Serbia"
    assert "RS" not in now.nodes_by_country and "AT" not in now.links_by_country  # only crossed by links
    assert "EG" in before.countries and before.countries["EG"] == "Egypt" and "EG" not in now.countries
    assert "XX" not in now.countries
