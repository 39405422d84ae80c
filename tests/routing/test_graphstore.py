"""A big cached dataset's compiled network and state graph are built by the first command and loaded by the later ones
(``silkway.network.arraystore``, ``silkway.routing.graphstore``): the loaded arrays equal the built ones, routes are
the same, and a damaged, foreign or unattached store is never trusted."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from silkway.network import arraystore, graph
from silkway.network.cache import DatasetCache
from silkway.network.dataset import read_dated_dataset
from silkway.routing import Router, graphstore, regions, stategraph
from silkway.routing.stategraph import StateGraph

ROOT = Path(__file__).resolve().parents[2]
PAIRS = (("n0", "n40"), ("n3", "n150"), ("n77", "n12"))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("make_synthetic", ROOT / "benchmarks" / "make_synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("chains")
    module.make(1500, out, seed=5, subdivide=3)  # chains of way nodes: the skeleton is stored too
    return out


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Store the arrays of this small network, and contract its chains, as for a big one."""
    monkeypatch.setattr(arraystore, "MIN_LINKS", 0)
    monkeypatch.setattr(stategraph, "CONTRACT_MIN_NODES", 0)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()  # to the bit, NaN included
    return bool(a == b)


def _sets(cache: Path) -> list[str]:
    return sorted(p.name.rsplit("-", 1)[0] for p in cache.glob("datasets/*/arrays/*") if not p.name.startswith("."))


def _answers(r: Router) -> list[dict[str, Any]]:
    return [r.route(a, b, samples=50, conditions=None).to_dict() for a, b in PAIRS]


def _no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: Any) -> None:
        raise AssertionError("built, not loaded")

    monkeypatch.setattr(StateGraph, "_build", boom)
    monkeypatch.setattr(graph, "compile_network", boom)
    monkeypatch.setattr(regions, "build_regions", boom)


@pytest.mark.usefixtures("small")
def test_a_later_load_gives_the_built_arrays_and_routes(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = Router(read_dated_dataset(folder, cache=DatasetCache(tmp_path)))  # validated, cached, built, stored
    assert _sets(tmp_path) == ["compiled", "regions", "stategraph-contracted"]
    want = _answers(built)
    with monkeypatch.context() as m:
        _no_build(m)
        loaded = Router(read_dated_dataset(folder, cache=DatasetCache(tmp_path)))
    a, b = built.graph, loaded.graph
    assert a.skeleton is not None and b.skeleton is not None and b.skeleton.n_chains == a.skeleton.n_chains > 0
    for f in graphstore.GRAPH:
        assert _same(getattr(a, f), getattr(b, f)), f
    assert b._n_move == a._n_move and b._transfer_facility == a._transfer_facility
    for f in a.skeleton.arrays.__dataclass_fields__:
        assert _same(getattr(a.skeleton.arrays, f), getattr(b.skeleton.arrays, f)), f
    for f in graphstore.SKELETON:
        assert _same(getattr(a.skeleton, f), getattr(b.skeleton, f)), f
    for f in a.compiled.__dataclass_fields__:
        assert _same(getattr(a.compiled, f), getattr(b.compiled, f)), f
    for f in built.regions.__dataclass_fields__:
        assert _same(getattr(built.regions, f), getattr(loaded.regions, f)), f
    assert _answers(loaded) == want


@pytest.mark.usefixtures("small")
def test_a_damaged_store_is_dropped_and_rebuilt(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    want = _answers(Router(read_dated_dataset(folder, cache=DatasetCache(tmp_path))))
    (stored,) = tmp_path.glob("datasets/*/arrays/stategraph-*")
    victim = stored / "g.head.npy"
    whole = victim.stat().st_size
    victim.write_bytes(victim.read_bytes()[:-8])  # truncated
    builds = []
    monkeypatch.setattr(StateGraph, "_build", lambda g, f=StateGraph._build: builds.append(1) or f(g))
    again = Router(read_dated_dataset(folder, cache=DatasetCache(tmp_path)))
    assert builds == [1] and _answers(again) == want
    assert stored.is_dir() and (stored / "g.head.npy").stat().st_size == whole  # stored afresh, whole
    # an array rewritten with other values of the same size: its modification time gives it away
    head = np.load(stored / "g.head.npy")
    np.save(stored / "g.head.npy", head[::-1].copy())
    assert arraystore.load(again.net, "stategraph-contracted", graphstore.fingerprint()) is None
    assert not stored.exists()  # deleted, to be rebuilt by the next command


@pytest.mark.usefixtures("small")
def test_only_a_network_from_the_cache_stores_its_arrays(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = read_dated_dataset(folder, cache=None)
    assert arraystore.entry_of(net) is None
    Router(net)
    assert not list(tmp_path.glob("**/*.npy"))
    cached = read_dated_dataset(folder, cache=DatasetCache(tmp_path))
    from dataclasses import replace

    Router(replace(cached, links=cached.links[:-1]))  # a changed copy is another network: nothing stored for it
    assert _sets(tmp_path) == []
    monkeypatch.setattr(arraystore, "MIN_LINKS", len(cached.links) + 1)
    Router(cached)  # too small to be worth storing
    assert _sets(tmp_path) == []


@pytest.mark.usefixtures("small")
def test_arrays_of_older_code_are_replaced_not_kept(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = read_dated_dataset(folder, cache=DatasetCache(tmp_path))
    Router(net)
    (old,) = tmp_path.glob("datasets/*/arrays/stategraph-contracted-*")
    monkeypatch.setattr(graphstore, "fingerprint", lambda: "newer")  # the routing code changed (an upgrade)
    Router(read_dated_dataset(folder, cache=DatasetCache(tmp_path)))
    assert [p.name for p in tmp_path.glob("datasets/*/arrays/stategraph-contracted-*")] == ["stategraph-contracted-newer"]
    assert not old.exists() and _sets(tmp_path) == ["compiled", "regions", "stategraph-contracted"]


@pytest.mark.usefixtures("small")
def test_the_first_command_says_what_takes_long_the_later_ones_do_not(folder: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from silkway.cli import app
    from silkway.network import dataset

    monkeypatch.setattr(dataset, "PROGRESS_MB", 0.0)  # as for a big dataset
    monkeypatch.setenv("SILKWAY_CACHE_DIR", str(tmp_path))
    command = ["route", "n0", "n40", "--dataset", str(folder), "--conditions", "free", "--json"]
    first, later = CliRunner().invoke(app, command), CliRunner().invoke(app, command)
    assert first.exit_code == 0 and later.exit_code == 0, first.output + later.output
    assert f"validating {folder}" in first.stderr and "kept in the cache for later commands" in first.stderr
    assert "building the route planner's graph of" in first.stderr
    assert "validating" not in later.stderr and "building" not in later.stderr
    assert first.stdout == later.stdout  # the same answer, from the loaded graph


@pytest.mark.usefixtures("small")
def test_ctrl_c_while_storing_leaves_no_half_written_folder(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    net = read_dated_dataset(folder, cache=DatasetCache(tmp_path))
    saved: list[Any] = []
    real_save = np.save

    def save(path: Any, array: Any, **kw: Any) -> None:  # the fourth array is interrupted
        if len(saved) == 3:
            raise KeyboardInterrupt
        saved.append(path)
        real_save(path, array, **kw)

    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(np, "save", save)
        Router(net)
    (arrays,) = tmp_path.glob("datasets/*/arrays")
    assert saved and not any(arrays.iterdir())  # the temporary folder went with the interrupt; nothing half-made stays
    Router(read_dated_dataset(folder, cache=DatasetCache(tmp_path)))  # the next command builds and stores afresh
    assert _sets(tmp_path) == ["compiled", "regions", "stategraph-contracted"]
