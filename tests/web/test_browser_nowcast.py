"""The Nowcast tab in a real headless Chromium: the shipped example forecast (ETA table, train and queue markers, the
selected train's remaining route) and a bad file's located errors. Screenshots: test-artifacts/s6/nowcast/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from silkway.web import WebSettings, create_app

from .live import ARTIFACTS, LiveServer, screenshot
from .test_browser import open_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]
SHOTS = "s6/nowcast"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    (ARTIFACTS / SHOTS).mkdir(parents=True, exist_ok=True)
    with LiveServer(create_app(WebSettings(results_dir=tmp_path_factory.mktemp("results")))) as srv:
        yield srv


def test_example_forecast_shows_eta_table_and_markers(browser, server: LiveServer) -> None:
    with open_app(browser, server.url, height=1000, tab="nowcast") as page:
        page.click("#nowcast-example")
        page.wait_for_function("document.querySelector('#nowcast-file').textContent.includes('observations of')", timeout=60_000)
        assert page.locator("input[name=at]").input_value() == "2023-02-15T00:00Z"  # the last observation, to the hour
        page.fill("input[name=horizon_days]", "10")
        page.fill("input[name=members]", "4")
        page.click("#nowcast-form button[type=submit]")
        page.wait_for_selector("#nowcast-results:not([hidden])", timeout=500_000)
        res = page.evaluate("window.silkway.nowcast.result")
        trains, queues = res["trains"], res["queues"]
        assert len(trains) > 100 and queues
        rows = page.locator("#nowcast-trains tbody tr")
        assert rows.count() == len(trains)
        first = trains[0]  # the table is in order of P50 ETA, as the result
        assert rows.nth(0).get_attribute("data-train") == first["train_id"]
        assert page.locator("#nowcast-trains tbody tr .band span").count() == sum(t["eta_p10_h"] is not None for t in trains)
        # every train is on the map exactly once: alone (on a line) or in its place's group marker
        on_map = page.evaluate("""() => { const ids = []; window.silkway.map.layers['nowcast-trains'].eachLayer(
            (l) => ids.push(...l.nowcastTrains)); return ids; }""")
        assert sorted(on_map) == sorted(t["train_id"] for t in trains)
        assert page.locator(".nowcast-train").count() == page.evaluate("window.silkway.nowcast.markerCount")
        assert page.locator("path.nowcast-queue").count() == len(queues)
        assert page.locator("#nowcast-queues tbody tr").count() == len(queues)
        biggest = queues[0]
        assert str(biggest["queue_trains"]) in page.locator(".nowcast-queue-label").first.inner_text()
        screenshot(page, f"{SHOTS}/01-example-forecast")
        # a moving train's tooltip carries its ETA band
        moving = next(t for t in trains if t["link_id"] and t["eta_p50"])
        page.evaluate("""(id) => { window.silkway.map.layers['nowcast-trains'].eachLayer(
            (l) => { if (l.nowcastTrains.length === 1 && l.nowcastTrains[0] === id) l.openTooltip(); }); }""", moving["train_id"])
        tip = page.locator(".leaflet-tooltip").last.inner_text()
        assert moving["train_id"] in tip and "ETA" in tip and "P10" in tip and "P90" in tip
        # selecting a train draws its remaining route and labels its ETA band
        with_route = next(t for t in trains if len(t["remaining"]) >= 3)
        page.fill("#nowcast-filter", with_route["train_id"])
        page.click(f"#nowcast-trains tbody tr[data-train={with_route['train_id']}]")
        assert page.locator("path.nowcast-route-line").count() == len(with_route["remaining"])
        assert with_route["train_id"] in page.locator(".nowcast-eta-label").inner_text()
        screenshot(page, f"{SHOTS}/02-selected-train-route")
        # a group marker lists its trains (and only those) in the table when clicked
        page.fill("#nowcast-filter", "")
        group = page.evaluate("""() => { let ids = null; window.silkway.map.layers['nowcast-trains'].eachLayer(
            (l) => { if (!ids && l.nowcastTrains.length > 3) { l.fire('click'); ids = l.nowcastTrains; } }); return ids; }""")
        listed = page.locator("#nowcast-trains tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.train)")
        assert sorted(listed) == sorted(group)
        assert page.locator("#nowcast-filter").input_value().startswith("at ")
        screenshot(page, f"{SHOTS}/03-trains-at-one-place")


def test_bad_file_shows_located_errors(browser, server: LiveServer) -> None:
    text = ("time,kind,train_id,flow_id,place,stage,teu,containers\n"
            "2023-02-10T00:00Z,departed,T1,xian_malaszewicze,xian,,100,50\n"
            "tomorrow,arrived,T1,,dostyk,handling,,\n"
            "2023-02-11T00:00Z,arrived,T1,,dostyk,lunch,,\n")
    with open_app(browser, server.url, tab="nowcast") as page:
        page.set_input_files("input[name=file]", files=[{"name": "feed.csv", "mimeType": "text/csv", "buffer": text.encode()}])
        page.wait_for_selector("#nowcast-problems:not([hidden])", timeout=30_000)
        rows = page.locator("#nowcast-problems tbody tr")
        assert rows.count() == 2
        assert rows.nth(0).inner_text().split("\t")[:3] == ["feed.csv", "3", "time"]
        assert "lunch" in rows.nth(1).inner_text() and "stage" in rows.nth(1).inner_text()
        assert "2 problems" in page.locator("#nowcast-problems-title").inner_text()
        assert "error" in (page.locator("#nowcast-message").get_attribute("class") or "")
        screenshot(page, f"{SHOTS}/04-bad-file-located-errors")
