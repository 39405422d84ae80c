"""Names people use: countries by English name or code in --avoid, `silkway places`, and every unknown-place
message pointing at it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from silkway.cli import app
from silkway.errors import RoutingError
from silkway.network import read_dataset
from silkway.network.places import COUNTRY_NAMES, network_countries
from silkway.routing import router_of


@pytest.fixture(scope="module")
def router():
    return router_of(read_dataset())


def _routes(res):
    return [o.node_ids for o in (*res.options, *res.pareto)]


@pytest.mark.parametrize(("name", "code"), [("Russia", "RU"), ("russian federation", "RU"), ("Kazakhstan", "KZ"),
                                            ("Türkiye", "TR"), ("Turkey", "TR"), ("turkiye", "TR"), ("Georgia", "GE"),
                                            ("Azerbaijan", "AZ"), ("Iran", "IR"), ("Belarus", "BY"), ("Poland", "PL")])
def test_country_names_avoid_like_their_codes(router, name, code):
    by_name = router.route("Xi'an", "Duisburg", avoid=[name], alternatives=5, samples=50)
    by_code = router.route("Xi'an", "Duisburg", avoid=[code], alternatives=5, samples=50)
    assert by_name.constraints["avoid"] == [f"country:{code}"]
    assert _routes(by_name) == _routes(by_code)
    nodes = router.net.node_by_id
    assert all(nodes[n].country != code for r in _routes(by_name) for n in r)


def test_every_country_of_the_network_has_an_english_name():
    codes = network_countries(read_dataset())
    assert {"RU", "KZ", "TR", "CN", "BY", "PL", "DE", "GE", "AZ", "TM", "IR"} <= codes
    assert all(c in COUNTRY_NAMES for c in codes)


def test_unknown_names_point_at_silkway_places(router):
    for call in (lambda: router.route("Xi'an", "Duisbrg"), lambda: router.route("Narnia", "Duisburg"),
                 lambda: router.route("Xi'an", "Duisburg", avoid=["Ukraine"]), lambda: router.route("Xi'an", "Duisburg", avoid=["UA"]),
                 lambda: router.route("Xi'an", "Duisburg", via=["Atlantis"])):
        with pytest.raises(RoutingError, match="silkway places"):
            call()


def test_a_country_as_via_point_says_what_to_do(router):
    with pytest.raises(RoutingError, match=r"'Georgia' is a country .*--avoid GE"):
        router.route("Xi'an", "Duisburg", via=["Georgia"])


def test_cli_avoid_russia_and_places():
    runner = CliRunner()
    out = runner.invoke(app, ["route", "Xi'an", "Duisburg", "--avoid", "Russia"])
    assert out.exit_code == 0, out.output
    assert "Moscow" not in out.output
    russia = runner.invoke(app, ["places", "russia"]).output
    n_ru = sum(n.country == "RU" for n in read_dataset().nodes)
    assert f"places in Russia: {n_ru}" in russia and "moscow" in russia and "almaty" not in russia
    khorgos = runner.invoke(app, ["places", "khorgos"]).output
    assert "horgos" in khorgos and "khorgos_gateway" in khorgos and "dry_port" in khorgos and "Korgas" in khorgos
    everything = runner.invoke(app, ["places"]).output
    assert f"places: {len(read_dataset().nodes)}" in everything and "TR Türkiye" in everything
    bad = runner.invoke(app, ["route", "Xi'an", "Duisbrg"])
    assert bad.exit_code == 1 and "unknown place 'Duisbrg'. Did you mean: Duisburg?" in bad.output
