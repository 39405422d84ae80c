"""A searched path's query-independent arrays (:class:`~silkway.routing.evaluate.PathArrays`) from per-arc blocks.

A path used to be evaluated step by step in Python (the steps of each arc, the closures hitting each, its element and
lognormal row, its leg fields; that evaluation is kept as the tests' reference, ``tests/routing/step_by_step.py``). At 100k nodes a path has hundreds of arcs, and the
candidates of a query share most of theirs. Here the rows of each arc's steps are built once per router
(:class:`ArcBlocks`, bounded) and a path's arrays are its arcs' blocks concatenated.

What a step's rows depend on beyond its own arc is what came before it: the closures of a node hit the first step of
each visit to it, those of a facility the first step at it (:mod:`silkway.routing.hazards`). A block is built without
them for its first step; a path adds them where its previous step calls for it, rebuilding that one row with the same
code (:func:`~silkway.routing.evaluate.step_rows`). So the arrays are those of the step-by-step evaluation to the bit
(``tests/routing/test_pathdata.py`` compares them on every embedded-network answer's paths).
"""

from __future__ import annotations

from itertools import chain
from typing import NamedTuple

import numpy as np

from silkway.network.model import Closure
from silkway.network.schema import MODES
from silkway.routing import timekernel as tk
from silkway.routing.conditions import ElementKey
from silkway.routing.evaluate import Elements, LegStatic, PathArrays, step_rows
from silkway.routing.hazards import Hazards, Located
from silkway.routing.search import Path
from silkway.routing.stategraph import MOVE, WAIT, StateGraph, Step
from silkway.routing.timeline import LognormalTable, arc_steps, hub_step

KEEP = 65_536  # arc blocks a router keeps (≈ 1 KB each)


class Block(NamedTuple):
    """The rows of one arc's steps (the first without the closures it may get from the step before it)."""

    f: np.ndarray
    i: np.ndarray
    legs: tuple[LegStatic, ...]
    km: float  # the move's kilometres (0.0 for a transfer)
    first: Located  # its first step
    static0: tuple[Closure, ...]  # the closures of its first step whatever came before
    element0: ElementKey | None
    context: bool  # whether its first step can get closures from the step before it
    last: Step
    by_train: int  # the first wait or move: -1 none, 0 a wait or a move not by rail, 1 a move by rail
    end: str  # the node its last step ends at


class ArcBlocks:
    """Per-arc blocks of a router's graph, built on first use (at most :data:`KEEP`, then started afresh)."""

    def __init__(self, g: StateGraph, hazards: Hazards, table: LognormalTable, elements: Elements, keep: int = KEEP):
        self.g, self.hazards, self.table, self.elements, self.keep = g, hazards, table, elements, keep
        self._blocks: dict[int, Block] = {}

    def prefetch(self, paths: list[Path]) -> None:
        """Build the link records of ``paths`` in one batch (links from the dataset cache are built on first use: one
        Arrow take for a query's candidates instead of one slice per link)."""
        prefetch = getattr(self.g.net.links, "prefetch", None)
        if prefetch is not None and paths:
            links = self.g.link[np.fromiter((a for p in paths for a in p.arcs), dtype=np.int64)]
            prefetch(np.unique(links[links >= 0]).tolist())

    def path_arrays(self, p: Path) -> PathArrays:
        """The arrays of path ``p`` (module docstring)."""
        fs: list[np.ndarray] = []
        iis: list[np.ndarray] = []
        legs: list[tuple[LegStatic, ...]] = []
        distance = 0.0
        prev: Step | None = None
        by_train = -1
        ends = ["", ""]
        load = hub_step(self.g, p.start_state)
        if load is not None:
            f, ii, leg = self._one(load, self.hazards.static_closures(self.g, load[0], -1),
                                   self.hazards.element(self.g, load[0], load[1], -1), prev)
            fs.append(f)
            iis.append(ii)
            legs.append(leg)
            prev = load[0]
            ends[0] = ends[1] = load[1]
        for a in p.arcs:
            b = self._blocks.get(a)
            if b is None:
                b = self._block(a)
            f, ii = b.f, b.i
            if b.context:
                f0, i0, _ = self._one(b.first, b.static0, b.element0, prev)
                if not np.array_equal(f0[0], f[0]) or not np.array_equal(i0[0], ii[0]):
                    f, ii = f.copy(), ii.copy()
                    f[0], ii[0] = f0[0], i0[0]
            if not fs:
                ends[0] = b.first[1]
            fs.append(f)
            iis.append(ii)
            legs.append(b.legs)
            distance += b.km
            if by_train < 0:
                by_train = b.by_train
            prev = b.last
            ends[1] = b.end
        unload = hub_step(self.g, p.end_state)
        if unload is not None:
            f, ii, leg = self._one(unload, self.hazards.static_closures(self.g, unload[0], -1),
                                   self.hazards.element(self.g, unload[0], unload[1], -1), prev)
            if not fs:
                ends[0] = unload[1]
            fs.append(f)
            iis.append(ii)
            legs.append(leg)
            ends[1] = unload[2]
        if not fs:
            return PathArrays(np.zeros((0, tk.N_FLOAT)), np.full((0, tk.N_INT), -1, dtype=np.int64), False, ("", ""), 0.0, ())
        return PathArrays(np.concatenate(fs), np.concatenate(iis), by_train == 1, (ends[0], ends[1]), distance,
                          tuple(chain.from_iterable(legs)))

    def _one(self, loc: Located, static: tuple[Closure, ...], element: ElementKey | None,
             prev: Step | None) -> tuple[np.ndarray, np.ndarray, tuple[LegStatic, ...]]:
        """The rows of one step after ``prev`` (None: the first step of the path)."""
        step = loc[0]
        hits = self.hazards.with_context(static, step, loc[1], prev is None or prev.facility_id != step.facility_id,
                                         prev is None or prev.kind == MOVE)
        f, ii, legs, _ = step_rows(self.g, [loc], [hits], [element], self.hazards, self.table, self.elements)
        return f, ii, tuple(legs)

    def _block(self, a: int) -> Block:
        g, hz = self.g, self.hazards
        steps = arc_steps(g, a)
        static = [hz.static_closures(g, s, a) for s, _, _, _ in steps]
        hits: list[tuple[Closure, ...] | list[Closure]] = [static[0]] if steps else []
        for k in range(1, len(steps)):
            step, u, _, _ = steps[k]
            before = steps[k - 1][0]
            hits.append(hz.with_context(static[k], step, u, before.facility_id != step.facility_id, before.kind == MOVE))
        element = [hz.element(g, s, u, a) for s, u, _, _ in steps]
        f, ii, legs, km = step_rows(g, steps, hits, element, hz, self.table, self.elements)
        first = next((s for s, _, _, _ in steps if s.kind in (WAIT, MOVE)), None)
        by_train = -1 if first is None else int(first.kind == MOVE and MODES[g.compiled.mode[g.link[a]]] == "rail")
        b = Block(f, ii, tuple(legs), km, steps[0], static[0], element[0], hz.has_context(steps[0][0], steps[0][1]),
                  steps[-1][0], by_train, steps[-1][2])
        if len(self._blocks) >= self.keep:
            self._blocks.clear()
        self._blocks[a] = b
        return b
