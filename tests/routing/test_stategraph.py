"""The vectorised state graph: every link gives its move arcs (both directions, not/already cleared, each gauge) in
the per-link order, transfers only through a facility that can do them, and the search's arrays (pre/post hours,
cost, CO2e) agree with the steps the timeline reads for every arc."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from silkway.network import Network, read_dataset
from silkway.routing.constraints import allowed_arcs, parse_avoid
from silkway.routing.stategraph import MOVE, PLATFORMS, SPN, WAIT, StateGraph, can_transfer, platform_of

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"


NETS: dict[str, Network] = {}


@pytest.fixture(params=[TINY, None], ids=["tiny", "eurasia"])
def net(request: pytest.FixtureRequest) -> Network:
    key = str(request.param)
    if key not in NETS:
        NETS[key] = read_dataset(request.param)
    return NETS[key]


def test_move_arcs_per_link_in_order(net: Network) -> None:
    g = StateGraph(net)
    by_id = net.node_by_id
    expected = []
    for i, lk in enumerate(net.links):
        gauges = (lk.gauge_mm or (1435,)) if lk.mode == "rail" else (None,)
        for a, b in ((lk.from_node, lk.to_node), (lk.to_node, lk.from_node)):
            border = int(by_id[a].country != by_id[b].country)
            for cleared in (0, 1):
                for gauge in gauges:
                    p = platform_of(lk, gauge)
                    expected.append((i, g.state(a, p, cleared), g.state(b, p, border)))
    moves = int((g.link >= 0).sum())
    assert list(zip(g.link[:moves].tolist(), g.tail[:moves].tolist(), g.head[:moves].tolist(), strict=True)) == expected
    assert np.all(g.link[moves:] == -1) and np.all(g.transfer[moves:] == 1) and np.all(g.transfer[:moves] == 0)


def test_transfers_only_where_a_facility_does_them(net: Network) -> None:
    g = StateGraph(net)
    got = Counter((g.node_of(int(t)), int(t) // 2 % len(PLATFORMS), int(h) // 2 % len(PLATFORMS))
                  for t, h in zip(g.tail[g.link < 0], g.head[g.link < 0], strict=True))
    want = Counter((f.node_id, p, q) for f in net.facilities for p in range(len(PLATFORMS)) for q in range(len(PLATFORMS))
                   for _ in (0, 1) if p != q and can_transfer(f, PLATFORMS[p], PLATFORMS[q]))
    assert got == want


def test_arrays_agree_with_the_steps(net: Network) -> None:
    g = StateGraph(net)
    for a in range(len(g.head)):
        steps = g.steps[a]
        assert sum(s.kind == MOVE for s in steps) == (g.link[a] >= 0)
        waits = [k for k, s in enumerate(steps) if s.kind == WAIT]
        before = waits[0] if waits else 0
        assert g.pre_h[a] == pytest.approx(sum(s.median_h for s in steps[:before]), abs=1e-12)
        assert g.post_h[a] == pytest.approx(sum(s.median_h for s in steps[before:] if s.kind != WAIT), abs=1e-12)
        assert g.cost[a] == pytest.approx(sum(s.cost_usd_per_teu for s in steps), abs=1e-9)
        assert g.co2e[a] == pytest.approx(sum(s.co2e_kg_per_teu for s in steps), abs=1e-9)
        assert g.period_h[a] == (steps[waits[0]].period_h if waits else 0.0)
        if g.link[a] >= 0:
            lk = net.links[g.link[a]]
            assert {g.node_of(int(g.tail[a])), g.node_of(int(g.head[a]))} == {lk.from_node, lk.to_node}
    for s in range(0, g.n_states, 7):
        assert np.all(g.tail[g.out[s]] == s)


def test_avoid_mask_equals_the_rule_written_per_arc() -> None:
    net = read_dataset()
    g = StateGraph(net)
    by_id = net.node_by_id
    for items in (("RU",), ("water",), ("dostyk", "road"), ("KZ", "ferry")):
        av = parse_avoid(net, items)
        bad_nodes = set(av.nodes) | {n for n, node in by_id.items() if node.country in av.countries}
        want = []
        for a in range(len(g.head)):
            nodes = {g.node_of(int(g.tail[a])), g.node_of(int(g.head[a]))}
            if g.link[a] < 0:
                want.append(not (nodes & bad_nodes))
                continue
            lk = net.links[g.link[a]]
            want.append(not (nodes & bad_nodes or set(lk.countries) & av.countries or lk.mode in av.modes))
        assert allowed_arcs(g, av).tolist() == want, items


def test_the_state_numbering() -> None:
    g = StateGraph(read_dataset(TINY))
    assert g.n_states == len(g.node_ids) * SPN
    assert g.node_of(g.state("gate_cn", 1, 1)) == "gate_cn"
