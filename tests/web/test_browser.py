"""End to end in a real headless Chromium (Debian's /usr/bin/chromium via playwright): the map, the
route planner and a study, on the embedded eurasia dataset. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from silkway.services import network as net_svc
from silkway.web import WebSettings, create_app

from .doubles import double_runner
from .live import LiveServer, screenshot

SCENARIOS = Path(__file__).parent / "scenarios"
pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    app = create_app(WebSettings(results_dir=tmp_path_factory.mktemp("results"), max_days=60, max_replications=4))
    with LiveServer(app) as srv:
        yield srv


@contextmanager
def open_app(browser, url: str, height: int = 900, tab: str | None = None) -> Iterator:
    """The app loaded in a fresh browser context (on ``tab`` if given); on leaving, no script error may have
    happened in the page (4xx answers the error-path tests ask for excepted)."""
    context = browser.new_context(viewport={"width": 1440, "height": height})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    expected_4xx = "the server responded with a status of 4"
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and expected_4xx not in msg.text else None)
    pg.goto(url)
    pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
    if tab is not None:
        pg.click(f"nav .tab[data-tab={tab}]")
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def page(browser, server: LiveServer):
    with open_app(browser, server.url) as pg:
        yield pg


def test_map_shows_basemap_network_and_legend(page) -> None:
    net = net_svc.load()
    # one SVG path per country of the basemap plus one per link; one circle marker per node
    paths = page.locator(".leaflet-overlay-pane path").count()
    assert paths >= len(net.links) + 100
    assert page.locator(".legend").inner_text().count("rail") >= 3
    assert page.locator("#facilities tbody tr").count() == len(net.facilities)
    assert f"{len(net.nodes)} nodes" in page.locator("#status").inner_text()
    shot = screenshot(page, "01-network-map")
    assert shot.stat().st_size > 50_000
    # a facility node's tooltip names its facilities and capacities; a link's its mode, gauge and length
    dostyk = next(f for f in net.facilities if f.node_id == "dostyk" and f.capacity_trains_day)
    # (braces: eachLayer returns the layer group, which playwright would serialise, map and all)
    page.evaluate("""() => { window.silkway.map.layers.nodes.eachLayer(
        (l) => { if (l.feature.properties.id === 'dostyk') l.openTooltip(); }); }""")
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert "Dostyk" in tip and dostyk.facility_id in tip and f"{dostyk.capacity_trains_day:.1f} trains/d" in tip
    screenshot(page, "01b-network-node-tooltip")
    page.evaluate("""() => { window.silkway.map.layers.links.eachLayer(
        (l) => { if (l.feature.properties.id === 'kz_dostyk_aktogay') l.openTooltip(l.getCenter()); }); }""")
    assert "rail 1520 mm" in page.locator(".leaflet-tooltip").last.inner_text()


def test_route_planner_xian_to_duisburg_avoiding_russia(page) -> None:
    page.click("nav .tab[data-tab=route]")
    page.fill("input[name=origin]", "xian")  # tolerant: the dataset spells it Xi'an
    page.fill("input[name=destination]", "DUISBURG")
    page.check("#avoid-countries input[value=RU]")
    page.fill("input[name=teu]", "2")
    page.click("#route-form button[type=submit]")
    page.wait_for_selector("#options tbody tr", timeout=30_000)
    options = page.evaluate("window.silkway.planner.options")
    assert options, "at least one route"
    for o in options:
        assert "RU" not in {leg["country"] for leg in o["legs"]}, o["corridor"]
        assert o["node_ids"][0] == "xian" and o["node_ids"][-1] == "duisburg"
    rows = page.locator("#options tbody tr:not(.via-row)")
    assert rows.count() == len(options)
    first = rows.nth(0).locator("td")
    assert first.nth(0).inner_text() == "1"  # numbered, in the colour of its line on the map
    assert float(first.nth(2).inner_text()) == round(options[0]["days_median"], 1)  # columns: #, corridor, median, P90
    assert float(first.nth(3).inner_text()) >= float(first.nth(2).inner_text())  # P90 ≥ median
    via = page.locator("#options tbody tr.via-row").nth(0).inner_text()
    assert "Dostyk" in via or "Altynkol" in via  # the via summary under each option
    assert "avoiding RU" in page.locator("#route-message").inner_text()
    moves = [leg for leg in options[0]["legs"] if leg["kind"] == "move"]
    assert page.locator("path.route-line").count() == len(moves)
    assert page.locator("#legs tbody tr").count() == len(options[0]["legs"])
    # Russia is shaded on the basemap, and only Russia
    assert page.locator("path.country.avoided").count() == 1 and page.locator("path.country-643.avoided").count() == 1
    # the map is zoomed to the selected route exactly (fractional zoom): its bounds hold every point of the route and
    # span the view, less the 40 px padding, along the limiting axis
    fit = page.evaluate("""() => { const m = window.silkway.map, b = m.routeBounds, v = m.map.getBounds(), s = m.map.getSize();
        const ne = m.map.latLngToContainerPoint(b.getNorthEast()), sw = m.map.latLngToContainerPoint(b.getSouthWest());
        return { inside: v.contains(b), zoom: m.map.getZoom(),
                 fill: Math.max((ne.x - sw.x) / (s.x - 80), (sw.y - ne.y) / (s.y - 80)) }; }""")
    assert fit["inside"] and abs(fit["fill"] - 1) < 0.01 and fit["zoom"] != round(fit["zoom"]), fit
    # every option has its own colour and a numbered badge on the map; the route's places are named
    colours = page.evaluate("""() => { const out = new Set(); window.silkway.map.layers.route.eachLayer((l) => {
        if (l.options && l.options.className && l.options.className.startsWith('route-')) out.add(l.options.color); }); return [...out]; }""")
    assert len(colours) == len(options)
    assert page.locator(".route-badge").count() == len(options)
    labels = page.locator(".place-label.on-route span")
    assert {"Xi'an", "Duisburg"} <= {labels.nth(i).inner_text() for i in range(labels.count())}
    screenshot(page, "02-route-xian-duisburg-avoid-ru")
    assert len(options) > 1  # without Russia: the middle corridor and others
    # selecting another option redraws the map and the legs
    rows.nth(1).click()
    assert "selected" in (rows.nth(1).get_attribute("class") or "")
    assert page.locator("#legs tbody tr").count() == len(options[1]["legs"])
    moves = [leg for leg in options[1]["legs"] if leg["kind"] == "move"]
    assert page.locator("path.route-line").count() == len(moves)
    screenshot(page, "03-route-second-option")
    # leaving the planner clears the shading and takes the planned route off the map; coming back restores both
    page.click("nav .tab[data-tab=network]")
    assert page.locator("path.country.avoided").count() == 0 and page.locator("path.route-line").count() == 0
    page.click("nav .tab[data-tab=route]")
    assert page.locator("path.country.avoided").count() == 1 and page.locator("path.route-line").count() == len(moves)


def test_route_planner_offers_every_country_via_departure_and_transfers(page) -> None:
    """Countries that only links cross (Serbia, Austria) can be avoided; via, departure date and max transfers reach
    the planner."""
    page.click("nav .tab[data-tab=route]")
    offered = set(page.locator("#avoid-countries input").evaluate_all("(els) => els.map((e) => e.value)"))
    assert {"RS", "AT", "RU", "KZ", "TR"} <= offered
    page.fill("input[name=origin]", "Xi'an")
    page.fill("input[name=destination]", "Duisburg")
    page.fill("input[name=via]", "Baku")
    assert "EG" not in offered  # the Suez lane is closed on the reference date (Red Sea crisis)
    page.fill("input[name=depart]", "2023-06-01")  # the network of the departure day: Suez open, Egypt offered
    page.wait_for_selector("#avoid-countries input[value=EG]", timeout=10_000)
    page.fill("input[name=depart]", "2024-01-15")
    page.wait_for_selector("#avoid-countries input[value=EG]", state="detached", timeout=10_000)
    page.fill("input[name=max_transfers]", "5")
    page.check("#avoid-countries input[value=RS]")
    page.click("#route-form button[type=submit]")
    page.wait_for_selector("#options tbody tr", timeout=30_000)
    options = page.evaluate("window.silkway.planner.options")
    assert options and all("alat" in o["node_ids"] and o["transfers"] <= 5 for o in options)
    assert all("RS" not in {c for leg in o["legs"] for c in [leg["country"]]} for o in options)
    message = page.locator("#route-message").inner_text()
    assert "departing 2024-01-15" in message and "avoiding RS" in message
    assert page.locator("path.country-688.avoided").count() == 1  # Serbia shaded
    screenshot(page, "02b-route-via-baku-depart-avoid-serbia")


def test_route_planner_shows_the_reason_of_an_error(page) -> None:
    page.click("nav .tab[data-tab=route]")
    page.fill("input[name=origin]", "xian")
    page.fill("input[name=destination]", "Duisbrg")
    page.click("#route-form button[type=submit]")
    page.wait_for_selector("#route-message.error", timeout=30_000)
    assert "Did you mean: Duisburg" in page.locator("#route-message").inner_text()
    assert page.locator("#options").is_hidden()
    # the suggestion is a button: it corrects the field and plans again
    page.click("#route-suggest button", timeout=5_000)
    page.wait_for_selector("#options tbody tr", timeout=30_000)
    assert page.locator("input[name=destination]").input_value() == "Duisburg"
    assert page.evaluate("window.silkway.planner.options")[0]["node_ids"][-1] == "duisburg"


@pytest.fixture(scope="module")
def study_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The embedded dataset, the two scenario files of tests/web/scenarios, the simulation double."""
    settings = WebSettings(results_dir=tmp_path_factory.mktemp("results"), scenario_dirs=(SCENARIOS,), max_days=60)
    with LiveServer(create_app(settings, study_runner=double_runner(sleep_s=0.05))) as srv:
        yield srv


def test_small_study_shows_progress_kpis_charts_and_flows(browser, study_server: LiveServer) -> None:
    with open_app(browser, study_server.url, height=1000, tab="study") as page:
        _small_study(page)


def _small_study(page) -> None:
    assert page.locator("#baseline").input_value() == "baseline"
    assert page.locator("input[name=scenario]:checked").count() == 0  # nothing pre-ticked
    offered = page.locator("input[name=scenario]").evaluate_all("(els) => els.map((e) => e.value)")
    assert "baseline" not in offered and offered  # the baseline is not offered as its own comparison
    page.check("input[name=scenario][value=green-channel]")
    page.fill("#study-form input[name=days]", "40")
    page.fill("#study-form input[name=replications]", "4")
    page.click("#study-form button[type=submit]")
    page.wait_for_selector("#study-progress:not([hidden])")
    page.wait_for_selector("#study-results:not([hidden])", timeout=60_000)
    assert int(page.locator("#study-progress").get_attribute("value")) == 8
    assert "done: 8 replications run" in page.locator("#study-message").inner_text()
    # KPI table: the headline KPIs first (in their order), every KPI one switch away
    results = page.evaluate("window.silkway.studies.results")
    shown = page.locator("#kpis tbody tr").evaluate_all("(els) => els.map((e) => e.title)")
    assert shown == results["headline_kpis"]
    page.check("#all-kpis")
    rows = page.locator("#kpis tbody tr")
    assert rows.count() == len({k["kpi"] for k in results["kpis"]}) == 2
    # how it was computed, as the API says: common random numbers, the correction for many KPIs; 4 runs: a warning
    notes = page.locator("#study-notes").inner_text()
    assert "common random numbers" in notes and "Holm" in notes
    assert page.locator("#study-notes .warn").inner_text() == results["warnings"][0] and "recommended" in notes
    delivered = page.locator("#kpis tbody tr", has_text="containers delivered").locator("td")
    assert delivered.nth(0).inner_text() == "containers delivered (TEU)"  # human names and units, the id in the row's title
    assert delivered.nth(3).inner_text().startswith("+")  # the double delivers 20% more in green-channel
    queue = page.locator("#kpis tbody tr[title=max_queue_trains_dostyk_border] td")
    assert queue.nth(0).inner_text() == "longest queue at Dostyk border (trains)"
    # no KPI name wraps over more than two lines
    heights = page.locator("#kpis tbody td.kpi").evaluate_all(
        """(els) => els.map((e) => { const r = document.createRange(); r.selectNodeContents(e);
            return [r.getBoundingClientRect().height, parseFloat(getComputedStyle(e).lineHeight)]; })""")
    assert all(text <= 2 * line + 1 for text, line in heights), heights  # the name's text: at most 2 lines
    # charts: uPlot draws a canvas per chart, with one legend entry per series
    assert page.locator("#chart-queue canvas").count() == 1 and page.locator("#chart-transit canvas").count() == 1
    legend = page.locator("#chart-queue").inner_text()
    assert "Dostyk border" in legend and "dostyk_border" not in legend  # legends name places, not ids
    assert "northern (baseline)" in page.locator("#chart-transit").inner_text()
    # map: flows on the two links, bottleneck markers at the two facilities' nodes
    assert page.locator("path.flow-line").count() == 2
    assert page.locator("path.bottleneck").count() == 2
    page.locator("#study-results").scroll_into_view_if_needed()
    screenshot(page, "04-study-results")
    # the stored study is listed and opens again
    assert page.locator("#stored option").count() == 2
    stored, panel = page.locator("#stored").bounding_box(), page.locator("#panel").bounding_box()
    assert stored["x"] + stored["width"] <= panel["x"] + panel["width"]  # the list does not overflow the panel
    page.select_option("#study-scenario", "baseline")
    assert page.locator("#kpis thead th").count() == 2


@pytest.fixture(scope="module")
def real_study_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The embedded dataset, the example scenarios and the real simulation engine (2 worker processes)."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    settings = WebSettings(results_dir=tmp_path_factory.mktemp("results"), scenario_dirs=(examples,), max_days=60)
    with LiveServer(create_app(settings)) as srv:
        yield srv


def test_small_real_study_of_the_green_channel(browser, real_study_server: LiveServer) -> None:
    with open_app(browser, real_study_server.url, height=1000, tab="study") as page:
        _real_green_channel_study(page)


def _real_green_channel_study(page) -> None:
    page.select_option("#baseline", "baseline-2023")
    for box in page.locator("input[name=scenario]").all():
        box.set_checked(box.get_attribute("value") == "green-channel")
    page.fill("#study-form input[name=days]", "30")
    page.fill("#study-form input[name=replications]", "2")
    page.click("#study-form button[type=submit]")
    page.wait_for_selector("#study-results:not([hidden])", timeout=240_000)
    assert "done: 4 replications run" in page.locator("#study-message").inner_text()
    results = page.evaluate("window.silkway.studies.results")
    assert results["scenarios"] == ["baseline-2023", "green-channel"]
    kpis = {k["kpi"] for k in results["kpis"]}
    assert "delivered_teu" in results["headline_kpis"] and page.locator("#kpis tbody tr").count() == len(results["headline_kpis"])
    assert "only 2 replication(s)" in page.locator("#study-notes .warn").inner_text()  # 2 replications: not without a word
    page.check("#all-kpis")
    assert page.locator("#kpis tbody tr").count() == len(kpis)
    assert page.locator("#chart-queue canvas").count() == 1 and page.locator("#chart-transit canvas").count() == 1
    assert page.locator("path.flow-line").count() > 0
    assert page.locator("path.bottleneck").count() > 0
    # the scenario and difference columns are visible, not cut off by the panel
    names = page.locator("#kpis tbody td.kpi").all_inner_texts()
    assert not any("_" in n for n in names), [n for n in names if "_" in n]  # every KPI of the real engine has a name
    header = page.locator("#kpis thead th", has_text="difference")
    panel = page.locator("#panel").bounding_box()
    box = header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= panel["x"] + panel["width"]
    page.locator("#kpis").scroll_into_view_if_needed()
    screenshot(page, "05-real-study-green-channel")


def test_a_sea_route_is_drawn_along_its_lane_round_the_cape(page) -> None:
    """On the reference date (Red Sea crisis) Shanghai-Rotterdam by sea sails round Africa: the route line follows the
    lane's geometry south of 30°S, not a straight line across Eurasia."""
    page.click("nav .tab[data-tab=route]")
    page.fill("input[name=origin]", "Shanghai")
    page.fill("input[name=destination]", "Rotterdam")
    page.check("#avoid-modes input[value=rail]")
    page.check("#avoid-modes input[value=road]")
    page.click("#route-form button[type=submit]")
    page.wait_for_selector("#options tbody tr", timeout=30_000)
    options = page.evaluate("window.silkway.planner.options")
    assert options[0]["corridor"] == "sea"
    lats = page.evaluate("""() => { const out = []; window.silkway.map.layers.route.eachLayer((l) => {
        if (l.getLatLngs && l.options.className === 'route-line') out.push(...l.getLatLngs().map((p) => p.lat)); }); return out; }""")
    assert len(lats) > 20 and min(lats) < -30
    screenshot(page, "04-route-shanghai-rotterdam-round-the-cape")


def test_capacity_table_and_saturation_curve(browser, server: LiveServer) -> None:
    """The analytic capacity per corridor with its binding elements by name, then a small saturation curve computed
    as a background job: three charts with one point per multiplier, CI bands and the analytic capacity as a level."""
    from silkway.services import capacity as cap_svc

    report = cap_svc.capacity_of(net_svc.load())
    with open_app(browser, server.url, height=1300, tab="capacity") as page:
        page.wait_for_selector("#capacity-corridors tbody tr")
        rows = page.locator("#capacity-corridors tbody tr:not(.binding)")
        assert rows.count() == len(report.corridors)
        binding = page.locator("#capacity-corridors tbody tr.binding").all_inner_texts()
        assert all(t.startswith("binding:") for t in binding)
        assert not any(":handling" in t or ":both" in t for t in binding)  # element names, not ids
        assert any("Khorgos" in t or "Dostyk" in t or "Alashankou" in t for t in binding)
        page.fill("#curve-form input[name=multipliers]", "0.5, 1, 2")
        page.fill("#curve-form input[name=replications]", "2")
        page.fill("#curve-form input[name=days]", "20")
        page.click("#curve-form button[type=submit]")
        page.wait_for_selector("#curve-progress:not([hidden])")
        page.wait_for_selector("#curve-results:not([hidden])", timeout=280_000)
        assert "done: 6 runs" in page.locator("#curve-message").inner_text()
        curve = page.evaluate("""async () => (await (await fetch('/api/jobs')).json()).find((j) => j.kind === 'capacity-curve').result""")
        corridors = sorted({r["corridor"] for r in curve["table"] if r["metric"] == "delivered_teu_year" and r["corridor"] != "all"})
        throughput = page.locator("#chart-curve-throughput")
        assert throughput.get_attribute("data-points") == "3" and throughput.get_attribute("data-series") == str(len(corridors))
        assert throughput.locator("canvas").count() == 1
        legend = throughput.locator(".chart-legend").inner_text()
        assert all(c in legend for c in corridors) and "analytic capacity" in legend and "95% CI" in legend
        assert page.locator("#chart-curve-p90").get_attribute("data-points") == "3"
        excess = page.locator("#chart-curve-excess .chart-legend").inner_text()
        assert "held at origin" in excess and "refused" in excess and "_teu" not in excess
        page.locator("#curve-results").scroll_into_view_if_needed()
        screenshot(page, "06-capacity-saturation-curve")
