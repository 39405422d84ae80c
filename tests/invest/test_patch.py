"""Applying a portfolio: the same changes as the equivalent scenario; planned links opened; inputs untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from silkway.errors import ScenarioError
from silkway.invest.patch import apply_portfolio
from silkway.network import read_dataset
from silkway.network.validate import validate_network
from silkway.scenarios.apply import apply_network
from silkway.scenarios.load import parse_scenario
from silkway.services.invest import read_catalogue


def test_portfolio_equals_the_scenario_patch(invest_dir: Path) -> None:
    net = read_dataset(invest_dir)
    cat = read_catalogue(invest_dir, net)
    got = apply_portfolio(net, cat, frozenset({"ferry", "track", "yard"}))
    scenario = parse_scenario("silkway_scenario: 1\nname: same\nlinks:\n"
                              "  - {ids: [l4], set: {departures_per_week: 3}}\n"
                              "  - {ids: [l2], set: {tracks: 2, capacity_trains_day: 20}}\n"
                              "facilities:\n  - {ids: [gc_gate], scale: {capacity_trains_day: 2}}\n")
    assert got == apply_network(scenario, net)
    assert net.link_by_id["l4"].departures_per_week == 1  # the input is not modified
    assert apply_portfolio(net, cat, frozenset()) == net
    with pytest.raises(ScenarioError, match="unknown project id"):
        apply_portfolio(net, cat, frozenset({"teleporter"}))


def test_bakhty_opens_the_planned_crossing() -> None:
    net = read_dataset(None, as_of="2023-06-30")
    cat = read_catalogue(None, net)
    assert "xb_bakhty_tacheng" not in net.link_by_id and "bakhty" not in net.node_by_id
    new = apply_portfolio(net, cat, frozenset({"bakhty_crossing"}))
    assert {"xb_bakhty_tacheng", "kz_ayagoz_bakhty"} <= set(new.link_by_id)
    assert {f.facility_id for f in new.facilities_at["bakhty"]} == {"bakhty_border", "bakhty_gauge"}
    assert validate_network(new, check_connectivity=False) == []
    whole = apply_portfolio(net, cat, frozenset(cat.ids))
    assert validate_network(whole, check_connectivity=False) == []
    assert whole.link_by_id["kz_dostyk_aktogay"].capacity_trains_day == 60
    assert whole.facility_by_id["kuryk_seaport"].capacity_teu_day == 2 * net.facility_by_id["kuryk_seaport"].capacity_teu_day
