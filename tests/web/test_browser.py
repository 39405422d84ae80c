"""End to end in a real headless Chromium (Debian's /usr/bin/chromium via playwright): the map, the
route planner and a study, on the embedded eurasia dataset. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.web.live import LiveServer, screenshot

from silkway.services import network as net_svc
from silkway.web import WebSettings, create_app

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = create_app(WebSettings(results_dir=tmp_path_factory.mktemp("results"), max_days=60, max_replications=4))
    with LiveServer(app) as srv:
        yield srv


@pytest.fixture
def page(browser, server: LiveServer):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.goto(server.url)
    pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
    yield pg
    context.close()
    assert not errors, f"errors in the page: {errors}"


def test_map_shows_basemap_network_and_legend(page) -> None:
    net = net_svc.load()
    # one SVG path per country of the basemap plus one per link; one circle marker per node
    paths = page.locator(".leaflet-overlay-pane path").count()
    assert paths >= len(net.links) + 100
    assert page.locator(".legend").inner_text().count("rail") >= 3
    assert page.locator("#facilities tbody tr").count() == len(net.facilities)
    assert f"{len(net.nodes)} nodes" in page.locator("#status").inner_text()
    # a facility node's tooltip names its capacity
    page.locator("#tab-network").is_visible()
    shot = screenshot(page, "01-network-map")
    assert shot.stat().st_size > 50_000
