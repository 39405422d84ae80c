"""The compiled dataset cache: used on the second load, invalidated when any input changes, rebuilt when damaged;
and the column-wise parser gives exactly the row-by-row parser's records."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from silkway.errors import DataError, SilkwayError
from silkway.network.cache import DatasetCache, default_cache, default_cache_dir
from silkway.network.dataset import _record, default_dataset_path, read_dated_dataset
from silkway.network.parse import parse_table_full
from silkway.network.parse_bulk import parse_table_bulk
from silkway.network.schema import TABLES

from ._edit import set_cell


def lines(net) -> dict[str, list[int | None]]:
    return {name: [r.line for r in net.table(name)] for name in TABLES}


def test_the_second_load_comes_from_the_cache(dataset_copy, tmp_path):
    folder = dataset_copy()
    cache = DatasetCache(tmp_path / "cache")
    first = read_dated_dataset(folder, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)
    second = read_dated_dataset(folder, cache=cache)
    assert (cache.hits, cache.misses) == (1, 1)
    assert second == first and lines(second) == lines(first)  # lines too (not part of record equality)
    assert second == read_dated_dataset(folder)  # and the same as without any cache


def test_the_embedded_dataset_round_trips_through_the_cache(tmp_path):
    cache = DatasetCache(tmp_path / "cache")
    fresh = read_dated_dataset(None, cache=cache)
    again = read_dated_dataset(None, cache=cache)
    assert cache.hits == 1 and again == fresh and lines(again) == lines(fresh)
    assert [lk.geometry for lk in again.links] == [lk.geometry for lk in fresh.links]
    assert again.manifest == fresh.manifest and again.at(None) == fresh.at(None)


def test_an_edited_csv_is_read_and_validated_again(dataset_copy, tmp_path):
    folder = dataset_copy()
    cache = DatasetCache(tmp_path / "cache")
    read_dated_dataset(folder, cache=cache)
    set_cell(folder, "links.csv", "l3", "distance_km", "193")
    net = read_dated_dataset(folder, cache=cache)
    assert cache.hits == 0 and net.link_by_id["l3"].distance_km == 193
    set_cell(folder, "links.csv", "l3", "distance_km", "-5")  # now invalid: re-validated, located, never cached
    for _ in range(2):
        with pytest.raises(DataError) as err:
            read_dated_dataset(folder, cache=cache)
        assert [(p.file, p.line, p.field) for p in err.value.problems] == [("links.csv", 4, "distance_km")]
    assert cache.hits == 0


def test_a_removed_optional_file_changes_the_key(dataset_copy, tmp_path):
    folder = dataset_copy()
    cache = DatasetCache(tmp_path / "cache")
    assert read_dated_dataset(folder, cache=cache).closures
    (folder / "closures.csv").unlink()
    assert read_dated_dataset(folder, cache=cache).closures == () and cache.hits == 0


@pytest.mark.parametrize("damage", ["flip", "truncate", "meta", "missing"])
def test_a_damaged_entry_is_rebuilt_not_trusted(dataset_copy, tmp_path, damage):
    folder = dataset_copy()
    cache = DatasetCache(tmp_path / "cache")
    fresh = read_dated_dataset(folder, cache=cache)
    (entry,) = (tmp_path / "cache" / "datasets").iterdir()
    links = entry / "links.json"  # a small table is stored as JSON columns (a big one as Arrow IPC)
    data = bytearray(links.read_bytes())
    if damage == "flip":
        i = data.index(b"l3")  # a link id inside the table's buffers
        data[i + 1: i + 2] = b"9"
        links.write_bytes(bytes(data))
    elif damage == "truncate":
        links.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "meta":
        (entry / "meta.json").write_text("{not json", encoding="utf-8")
    else:
        links.unlink()
    again = read_dated_dataset(folder, cache=cache)
    assert (cache.hits, cache.rebuilt) == (0, 1)
    assert again == fresh and again.link_by_id.keys() == fresh.link_by_id.keys()
    assert read_dated_dataset(folder, cache=cache) == fresh and cache.hits == 1  # the rebuilt entry is good


def test_an_unreadable_entry_is_logged_with_its_cause(dataset_copy, tmp_path, caplog):
    folder = dataset_copy()
    cache = DatasetCache(tmp_path / "cache")
    read_dated_dataset(folder, cache=cache)
    (entry,) = (tmp_path / "cache" / "datasets").iterdir()
    (entry / "meta.json").write_text("{not json", encoding="utf-8")  # an exception inside the cache, not a mismatch
    with caplog.at_level(logging.WARNING, logger="silkway.network.cache"):
        read_dated_dataset(folder, cache=cache)
    (rec,) = caplog.records
    assert entry.name in rec.getMessage() and rec.exc_info is not None and cache.rebuilt == 1


def test_where_the_cache_lives(tmp_path):
    assert default_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "silkway"
    assert default_cache_dir({"XDG_CACHE_HOME": "relative/ignored", "HOME": str(tmp_path)}) == Path.home() / ".cache" / "silkway"
    assert default_cache_dir({"SILKWAY_CACHE_DIR": str(tmp_path / "x"), "XDG_CACHE_HOME": "/elsewhere"}) == tmp_path / "x"
    assert default_cache({"SILKWAY_CACHE_DIR": "off"}) is None
    with pytest.raises(SilkwayError, match="inside the silkway package"):
        DatasetCache(default_dataset_path() / "cache")


def test_an_unwritable_cache_is_skipped(dataset_copy, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = DatasetCache(blocker / "cache")  # cannot be created: loads still work, uncached
    assert read_dated_dataset(dataset_copy(), cache=cache).links and cache.hits == 0


@pytest.mark.parametrize("folder", [None, Path(__file__).parents[1] / "fixtures" / "tiny"])
def test_column_wise_parsing_equals_row_by_row(folder):
    folder = folder or default_dataset_path()
    for name, table in TABLES.items():
        path = folder / table.file
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8-sig")
        problems: list = []
        slow = tuple(_record(name, table, r) for r in parse_table_full(table, text, problems).rows)
        fast = parse_table_bulk(table, name, text)
        assert not problems and fast is not None, name
        assert fast == slow, name
        assert [r.line for r in fast] == [r.line for r in slow], name
        for a, b in zip(fast, slow, strict=True):  # the same Python types (a float stays a float, a tuple a tuple)
            assert [type(getattr(a, f.name)) for f in dataclasses.fields(a)] == [type(getattr(b, f.name)) for f in dataclasses.fields(b)]


@pytest.mark.parametrize(("text", "fast_path"), [
    ("node_id,name,country,lat,lon,coord_src,node_kind\nw,W,CN,44,80,S,city\n\nx,X,CN,45,81,S,city\n", False),  # a blank line
    ("node_id,name,country,lat,lon,coord_src,node_kind\nw,\"W\nest\",CN,44,80,S,city\n", False),  # a line break in a cell
    ("node_id,name,country,lat,lon,coord_src,node_kind\nw,W,CN,44 ,80,S,city\n", True),  # a space: that cell via parse_cell
    ("node_id,name,country,lat,lon,coord_src,node_kind\nw,W,CN,1_000,80,S,city\n", False),  # out of bounds once parsed
    ("node_id,name,country,lat,lon,coord_src,node_kind\nw,W,CN,44,80,,city\n", False),  # a value without a source
    ("node_id,name,aliases,country,lat,lon,coord_src,node_kind\nw,W, A ; B ,CN,44,80,S;T,city\n", True),  # lists via parse_cell
    ("node_id,name,country,lat,lon,coord_src,node_kind,note\nw,W,CN,44,80,S,city,\"a, b\"\n", True),  # a quoted cell
    ("node_id,name,country,lat,lon,coord_src,node_kind,note\nw,W,CN,44,80,S,city,\"ab\"c\n", False),  # csv: abc; pyarrow?
])
def test_anything_unusual_goes_to_the_row_by_row_parser_or_parses_the_same(text, fast_path):
    table = TABLES["nodes"]
    fast = parse_table_bulk(table, "nodes", text)
    problems: list = []
    parsed = parse_table_full(table, text, problems)
    slow = tuple(_record("nodes", table, r) for r in parsed.rows)
    assert (fast is not None) == fast_path
    if fast is not None:
        assert not problems and fast == slow and [r.line for r in fast] == [r.line for r in slow]


def test_big_tables_go_to_arrow_and_come_back_the_same(dataset_copy, tmp_path, monkeypatch):
    """Tables of ``LAZY_ROWS`` rows or more are stored as Arrow IPC and built into records on first use."""
    from silkway.network import cache as cache_mod

    folder = dataset_copy(default_dataset_path())
    fresh = read_dated_dataset(folder)
    monkeypatch.setattr(cache_mod, "LAZY_ROWS", 20)
    cache = DatasetCache(tmp_path / "cache")
    read_dated_dataset(folder, cache=cache)
    again = read_dated_dataset(folder, cache=cache)
    (entry,) = (tmp_path / "cache" / "datasets").iterdir()
    big = {name for name in TABLES if len(fresh.table(name)) >= 20}
    assert big and {p.stem for p in entry.glob("*.arrow")} == big
    assert {p.stem for p in entry.glob("*.json")} - {"meta"} == set(TABLES) - big
    assert cache.hits == 1 and isinstance(again.links, cache_mod.LazyRecords)
    assert again == fresh and lines(again) == lines(fresh)
    assert [lk.geometry for lk in again.links] == [lk.geometry for lk in fresh.links]


def test_a_cached_load_of_small_tables_does_not_import_pyarrow(tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom pathlib import Path\nfrom silkway.network.cache import DatasetCache\nfrom silkway.network.dataset import read_dated_dataset\n"
            f"c = DatasetCache(Path({str(tmp_path)!r}))\nread_dated_dataset(None, cache=c)\n"
            "print(c.hits, 'pyarrow' in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # fills the cache
    assert subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split() == ["1", "False"]


@pytest.mark.parametrize("damage", ["truncate", "same_size_rewrite", "missing"])
def test_a_damaged_big_table_is_rebuilt_not_trusted(dataset_copy, tmp_path, monkeypatch, damage):
    """A big table (Arrow) is not re-hashed on load: its size and modification time, kept in meta.json, catch a
    rewrite; pyarrow's structure checks catch what is left of a truncated file."""
    import os

    from silkway.network import cache as cache_mod

    monkeypatch.setattr(cache_mod, "LAZY_ROWS", 20)
    folder = dataset_copy(default_dataset_path())  # its links table is big enough for Arrow
    cache = DatasetCache(tmp_path / "cache")
    fresh = read_dated_dataset(folder, cache=cache)
    (entry,) = (tmp_path / "cache" / "datasets").iterdir()
    links = entry / "links.arrow"
    data = bytearray(links.read_bytes())
    st = links.stat()
    if damage == "truncate":
        links.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "same_size_rewrite":
        first = fresh.links[0].link_id.encode()
        i = data.index(first)
        data[i: i + 1] = b"Z" if first[:1] != b"Z" else b"Y"  # one id changed, same size
        links.write_bytes(bytes(data))
        os.utime(links, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))  # even a second later, same size
    else:
        links.unlink()
    again = read_dated_dataset(folder, cache=cache)
    assert (cache.hits, cache.rebuilt) == (0, 1)
    assert again == fresh and again.link_by_id.keys() == fresh.link_by_id.keys()
    assert read_dated_dataset(folder, cache=cache) == fresh and cache.hits == 1


def test_the_column_wise_parser_skips_no_formula_and_no_choice_check():
    """parse_bulk runs the formula pattern only when a cell starts with a character a formula may start with (per
    kind), and takes an enum or yes/no cell as plain when it is one of the choices: both shortcuts must hold."""
    import re

    from silkway.limits import FORMULA_PATTERN
    from silkway.network import parse_bulk
    from silkway.network.parse import _YES

    starts = {c for c in map(chr, range(0x20000)) for nxt in ("a", "x", "=", " ") if re.match(FORMULA_PATTERN, c + nxt)}
    assert starts <= set(parse_bulk._FORMULA_ANY)
    for kind, allowed in parse_bulk._FORMULA_STARTS.items():
        pattern = re.compile(parse_bulk._PLAIN[kind].replace("\\x{", "\\u{"))
        can_start = {c for c in starts for nxt in map(chr, range(0x80)) if pattern.match(c + nxt) and re.match(FORMULA_PATTERN, c + nxt)}
        assert can_start <= set(allowed), kind
    words = {choice for t in TABLES.values() for c in t.cols if c.kind == "enum" for choice in c.choices} | set(_YES)
    for word in words:
        assert re.fullmatch(r"[A-Za-z0-9_]+", word) and not re.match(FORMULA_PATTERN, word), word


def test_prefetched_records_are_the_records_and_built_in_one_batch(dataset_copy, tmp_path, monkeypatch):
    """``LazyRecords.prefetch`` (a route's links in one Arrow take) builds the same records as reading them one by one,
    keeps them, and does not build the whole table."""
    from silkway.network import cache as cache_mod

    folder = dataset_copy(default_dataset_path())
    fresh = read_dated_dataset(folder)
    monkeypatch.setattr(cache_mod, "LAZY_ROWS", 20)
    cache = DatasetCache(tmp_path / "cache")
    read_dated_dataset(folder, cache=cache)
    links = read_dated_dataset(folder, cache=cache).links
    assert isinstance(links, cache_mod.LazyRecords)
    rows = [7, 3, 3, len(links) - 1, 0]
    takes = []
    monkeypatch.setattr(cache_mod.LazyRecords, "take", lambda self, r, _t=cache_mod.LazyRecords.take: takes.append(list(r)) or _t(self, r))
    links.prefetch(rows)
    assert takes == [[0, 3, 7, len(links) - 1]]  # one batch, each row once
    assert links._items is None  # the table was not built whole
    assert [links[i] for i in rows] == [fresh.links[i] for i in rows]
    links.prefetch([3, 7])
    assert len(takes) == 1  # kept: nothing built again


def test_the_place_index_of_a_big_nodes_table_is_built_once(dataset_copy, tmp_path, monkeypatch):
    """``name_index`` of a network whose nodes come from the cache's Arrow table is one index per table (the CLI's check
    of the place names and the router it then builds share its normalised spellings), and it finds the same nodes."""
    from silkway.network import cache as cache_mod
    from silkway.network.places import PlaceIndex, name_index

    folder = dataset_copy(default_dataset_path())
    monkeypatch.setattr(cache_mod, "LAZY_ROWS", 20)
    cache = DatasetCache(tmp_path / "cache")
    read_dated_dataset(folder, cache=cache)
    net = read_dated_dataset(folder, cache=cache)
    index = name_index(net)
    assert isinstance(index, PlaceIndex) and name_index(net) is index
    fresh = name_index(read_dated_dataset(folder))
    assert index["duisburg"] == fresh["duisburg"] and dict(index) == dict(fresh)
