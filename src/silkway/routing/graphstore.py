"""A big cached dataset's state graph (:class:`~silkway.routing.stategraph.StateGraph`: its arcs and their skeleton of
contracted chains) kept in the dataset's cache entry, so that only the first command on it builds them
(:mod:`silkway.network.arraystore`: where, when, and the checks on load). At a million nodes building the compiled
network, the arcs, their forward star and the contraction takes ≈ 7 s; a later command has them in ≈ 0.7 s, most of it
the node ids and their index, which are not stored (benchmarks/RESULTS.md, "Issue 13, session 11").

The stored set is keyed by a fingerprint of the code that builds it: the routing and network packages' sources and
``emissions.py`` (any change there builds afresh). What is not stored is rebuilt from the network: the arcs' steps
(on demand, as always), the transfer arcs' facilities (by their row in the facilities table), the searches' scratch
arrays. A restored graph has the same arrays as a built one (``tests/routing/test_graphstore.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from silkway.network import arraystore
from silkway.progress import PROGRESS
from silkway.routing import aot

if TYPE_CHECKING:
    from silkway.routing.regions import Regions
    from silkway.routing.stategraph import StateGraph

GRAPH = ("tail", "head", "link", "pre_h", "period_h", "offset_h", "post_h", "cost", "co2e", "transfer", "_out_ptr",
         "_out_arcs", "move_cost", "move_co2e", "move_p90", "link_period", "link_offset")
SKELETON_ARCS = ("indptr", "arcs", "rindptr", "rarcs", "head", "tail", "pre_h", "period_h", "offset_h", "post_h", "cost",
                 "co2e", "transfer")
SKELETON = ("kept", "mptr", "members", "inside")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """The digest of the code that builds the stored arrays (:func:`silkway.routing.aot.digest`: with Python's and numpy's
    versions), cut to 20 hex digits for a folder name."""
    names = sorted(f"{pkg}/{p.name}" for pkg in ("routing", "network") for p in (aot.PACKAGE_ROOT / pkg).glob("*.py"))
    return aot.digest([*names, "emissions.py"])[:20]


def _name(contracted: bool) -> str:
    return "stategraph-contracted" if contracted else "stategraph"


def keep(g: StateGraph, contracted: bool) -> None:
    """Store ``g``'s built arrays (nothing when its network carries no cache entry or is small)."""
    if not arraystore.applies(g.net):
        return
    arrays = {f"g.{f}": getattr(g, f) for f in GRAPH}
    row = {f.facility_id: i for i, f in enumerate(g.net.facilities)}  # ids are unique in a valid dataset
    arrays["g.transfer_facility"] = np.array([row[f.facility_id] for f in g._transfer_facility], dtype=np.int64)
    values = {"n_move": g._n_move, "n_states": g.n_states, "skeleton": g.skeleton is not None}
    sk = g.skeleton
    if sk is not None:
        arrays |= {f"s.{f}": getattr(sk.arrays, f) for f in SKELETON_ARCS}
        arrays |= {f"s.{f}": getattr(sk, f) for f in SKELETON}
        values |= {"n_chains": sk.n_chains, "chain_links": sk.chain_links}
    arraystore.save(g.net, _name(contracted), fingerprint(), arrays, values)


def restore(g: StateGraph, contracted: bool) -> bool:
    """Set ``g``'s built arrays from the stored set, if there is one; False: build them."""
    if not arraystore.applies(g.net):
        return False
    hit = arraystore.load(g.net, _name(contracted), fingerprint())
    if hit is None:
        PROGRESS.info("building the route planner's graph of %s nodes; kept in the cache for later commands",
                          f"{len(g.node_ids):,}")
        return False
    arrays, values = hit
    if values["n_states"] != g.n_states:
        return False  # not this network's (the entry's key rules it out): build
    for f in GRAPH:
        setattr(g, f, arrays[f"g.{f}"])
    g._n_move = int(values["n_move"])
    facilities = g.net.facilities
    g._transfer_facility = [facilities[int(i)] for i in arrays["g.transfer_facility"]]
    if values["skeleton"]:
        from silkway.routing.contract import Skeleton
        from silkway.routing.stategraph import Arrays

        stored: dict[str, Any] = {f: arrays[f"s.{f}"] for f in SKELETON_ARCS}  # Arrays.of's arrays, by name
        arcs = Arrays.of(**stored, n_states=g.n_states)
        g.skeleton = Skeleton(arcs, arrays["s.kept"], arrays["s.mptr"], arrays["s.members"], arrays["s.inside"],
                              int(values["n_chains"]), int(values["chain_links"]))
    return True


WORDS = ("enter0", "enter1", "leave0", "leave1")


def regions(g: StateGraph) -> Regions:
    """:func:`silkway.routing.regions.build_regions` of ``g``, kept beside its arrays (≈ 0.4 s at a million nodes)."""
    from silkway.routing.regions import Regions, build_regions

    if not arraystore.applies(g.net):
        return build_regions(g)
    hit = arraystore.load(g.net, "regions", fingerprint())
    if hit is not None and len(hit[0]["enter0"]) == len(g.head):
        words, values = hit
        return Regions(words["enter0"], words["enter1"], words["leave0"], words["leave1"], tuple(values["names"]))
    built = build_regions(g)
    arraystore.save(g.net, "regions", fingerprint(), {w: getattr(built, w) for w in WORDS}, {"names": list(built.names)})
    return built
