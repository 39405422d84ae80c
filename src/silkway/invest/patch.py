"""Apply a portfolio of projects to a network snapshot: a pure function, nothing modified in place.

Link and facility changes go through the scenario patch format (``scenarios.apply.apply_network`` with
:class:`~silkway.scenarios.model.LinkChange` / :class:`~silkway.scenarios.model.FacilityChange`), so a project
changes the network exactly as the equivalent scenario file would. Two operations the scenario format lacks are
done here: changing an acceptance plan (trains/day the receiving railway accepts), and *opening* a planned link —
its first row dated after the snapshot, with the end nodes and their facilities valid on that row's first day.
"""

from __future__ import annotations

from dataclasses import replace

from silkway.errors import ScenarioError
from silkway.invest.model import Catalogue, Change, ChangeOp, ChangeTarget, Portfolio
from silkway.network.model import Network, valid_on
from silkway.scenarios.apply import apply_network
from silkway.scenarios.model import FacilityChange, LinkChange, Scenario


def apply_portfolio(net: Network, catalogue: Catalogue, portfolio: Portfolio) -> Network:
    """``net`` with every change of the portfolio's projects, in catalogue order (opens first, then set/scale)."""
    by = catalogue.by_id
    unknown = sorted(set(portfolio) - set(by))
    if unknown:
        raise ScenarioError(f"unknown project id(s): {', '.join(unknown)} (known: {', '.join(catalogue.ids)})")
    changes = [c for p in catalogue.projects if p.project_id in portfolio for c in p.changes]
    for c in changes:
        if c.op is ChangeOp.OPEN:
            net = open_link(net, c.target_id, where=c.change_id)
    links = tuple(LinkChange(ids=(c.target_id,), **{c.op.value: {c.field: c.value}}, note=c.change_id)
                  for c in changes if c.target_kind is ChangeTarget.LINK and c.op is not ChangeOp.OPEN)
    facilities = tuple(FacilityChange(ids=(c.target_id,), **{c.op.value: {c.field: c.value}}, note=c.change_id)
                       for c in changes if c.target_kind is ChangeTarget.FACILITY)
    if links or facilities:
        patch = Scenario(silkway_scenario=1, name="portfolio", links=links, facilities=facilities)
        missing = [c.target_id for c in changes if c.target_kind is ChangeTarget.LINK and c.target_id not in net.link_by_id]
        missing += [c.target_id for c in changes if c.target_kind is ChangeTarget.FACILITY and c.target_id not in net.facility_by_id]
        if missing:
            raise ScenarioError(f"portfolio {sorted(portfolio)}: {', '.join(missing)} not in the network as of {net.as_of} "
                                "(a planned element needs a project that opens it)")
        net = apply_network(patch, net)
    for c in changes:
        if c.target_kind is ChangeTarget.ACCEPTANCE:
            net = _acceptance(net, c)
    return net


def open_link(net: Network, link_id: str, *, where: str = "open") -> Network:
    """Bring into the snapshot the first row of ``link_id`` dated after it, its end nodes and their facilities."""
    if link_id in net.link_by_id:
        return net
    full = net.dated
    if full is None or net.as_of is None:
        raise ScenarioError(f"{where}: '{link_id}' is not in the network and the network is not dated")
    rows = sorted((lk for lk in full.links if lk.link_id == link_id and lk.valid_from and lk.valid_from > net.as_of),
                  key=lambda lk: lk.valid_from)  # type: ignore[arg-type,return-value]
    if not rows:
        raise ScenarioError(f"{where}: '{link_id}' has no row planned after {net.as_of}")
    row = rows[0]
    day = row.valid_from
    assert day is not None
    have = {n.node_id for n in net.nodes}
    nodes = tuple(n for n in full.nodes if n.node_id in {row.from_node, row.to_node} - have)
    ends = {row.from_node, row.to_node}
    present = {f.facility_id for f in net.facilities}
    facilities = tuple(f for f in full.facilities if f.node_id in ends and f.facility_id not in present and valid_on(f, day))
    return replace(net, nodes=net.nodes + nodes, links=net.links + (row,), facilities=net.facilities + facilities)


def _acceptance(net: Network, c: Change) -> Network:
    rows = [a for a in net.acceptance if a.acceptance_id == c.target_id]
    if not rows:
        raise ScenarioError(f"{c.change_id}: acceptance plan '{c.target_id}' does not hold on {net.as_of}")
    assert c.value is not None
    new = tuple(replace(a, trains_day=c.value if c.op is ChangeOp.SET else a.trains_day * c.value)
                if a.acceptance_id == c.target_id else a for a in net.acceptance)
    return replace(net, acceptance=new)
