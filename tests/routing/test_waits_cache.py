"""The parsed copy of a typical-waits CSV in the dataset cache (``services/waits_cache.py``): the same values as the
parser to the bit, a changed CSV or a damaged entry never read, a bad CSV reported every time."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from silkway.errors import SilkwayError
from silkway.services import conditions as csvc
from silkway.services import waits_cache

SHIPPED = csvc.default_dataset_path() / csvc.TYPICAL_FILE


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SILKWAY_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "waits"


def _bits(by_day) -> list:
    """Every value as its 8 bytes (NaN included), None kept, in the parser's order of days and elements."""
    def f(v):
        return None if v is None else struct.pack("<d", v)
    return [(day, [((str(k[0]), k[0].__class__.__name__, k[1], k[2]), [f(m) for m in means],
                    [None if q is None else [f(x) for x in q] for q in dists])
                   for k, (means, dists) in by_day[day].items()]) for day in by_day]


def _refuse_parse(monkeypatch) -> None:
    def refuse(*_a):
        raise AssertionError("parsed again: the cache was not used")
    monkeypatch.setattr(csvc, "parse_typical_waits", refuse)


def test_cached_read_gives_the_parsers_values_to_the_bit(cache, monkeypatch):
    head, parsed = csvc.parse_typical_waits(SHIPPED, SHIPPED.read_text(encoding="utf-8"))
    first = csvc.read_typical_waits(SHIPPED)  # parsed, then stored
    assert len(list(cache.glob("*.bin"))) == 1
    _refuse_parse(monkeypatch)
    second = csvc.read_typical_waits(SHIPPED)  # from the entry
    assert first[0] == second[0] == head and list(second[0]) == list(head)
    assert _bits(first[1]) == _bits(second[1]) == _bits(parsed)
    assert len(parsed) == 3 and sum(len(d) for d in parsed.values()) > 500  # the three as-of days, every element
    # and what the route planner gets from it: the same conditions as from the parser
    monkeypatch.undo()
    monkeypatch.setenv("SILKWAY_CACHE_DIR", "off")
    fresh = csvc.typical_conditions(None, None)
    monkeypatch.setenv("SILKWAY_CACHE_DIR", str(cache.parent))
    _refuse_parse(monkeypatch)
    cached = csvc.typical_conditions(None, None)
    assert cached == fresh and cached.waits and cached.label == fresh.label


@pytest.mark.usefixtures("cache")
def test_a_means_only_file_round_trips(tmp_path, monkeypatch):
    csv = tmp_path / "waits.csv"
    csv.write_text("# seed = 3\n" + ",".join(csvc.MEAN_COLUMNS) + "\n2024-06-30,link,l1,A,0,4,2.5\n"
                   "2024-06-30,link,l1,A,3,1,0.1\n2024-06-30,origin,*,A,0,9,7\n", encoding="utf-8")
    parsed = csvc.read_typical_waits(csv)
    _refuse_parse(monkeypatch)
    again = csvc.read_typical_waits(csv)
    assert _bits(again[1]) == _bits(parsed[1]) and again[0] == {"seed": "3"}
    means, dists = again[1]["2024-06-30"][(csvc.ElementKind.LINK, "l1", "A")]
    assert means[0] == 2.5 and means[3] == 0.1 and means[1] != means[1] and dists == [None] * 13


def test_an_edited_file_is_parsed_again_and_a_bad_one_reported_every_time(cache, tmp_path):
    csv = tmp_path / "waits.csv"
    shutil.copy(SHIPPED, csv)
    _, before = csvc.read_typical_waits(csv)
    lines = csv.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("2023-06-30,"))
    cells = lines[row].split(",")
    key = (csvc.ElementKind(cells[1]), cells[2], cells[3])
    cells[6] = "1234.5"  # the mean wait
    lines[row] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, after = csvc.read_typical_waits(csv)
    assert after["2023-06-30"][key][0][int(cells[4])] == 1234.5 != before["2023-06-30"][key][0][int(cells[4])]
    assert len(list(cache.glob("*.bin"))) == 2
    cells[6] = "soon"
    lines[row] = ",".join(cells)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for _ in range(2):  # not stored: the same error again
        with pytest.raises(SilkwayError, match=rf"line {row + 1}, mean_wait_h: 'soon' is not a number"):
            csvc.read_typical_waits(csv)
    assert len(list(cache.glob("*.bin"))) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip a value", "not json", "foreign key"])
def test_a_damaged_entry_is_rebuilt_not_trusted(cache, damage):
    _, parsed = csvc.read_typical_waits(SHIPPED)
    (entry,) = cache.glob("*.bin")
    blob = entry.read_bytes()
    cut = blob.index(b"\n") + 1
    if damage == "truncate":
        blob = blob[:-8]
    elif damage == "flip a value":
        blob = blob[:cut + 80] + bytes([blob[cut + 80] ^ 0x40]) + blob[cut + 81:]
    elif damage == "not json":
        blob = b"{" + blob[2:]
    else:
        blob = blob.replace(entry.stem.encode(), b"0" * len(entry.stem), 1)
    entry.write_bytes(blob)
    assert waits_cache._decode(blob, entry.stem) is None
    _, again = csvc.read_typical_waits(SHIPPED)
    assert _bits(again) == _bits(parsed)
    assert entry.read_bytes() != blob  # rewritten
    assert waits_cache._decode(entry.read_bytes(), entry.stem) is not None


def test_no_cache_when_caching_is_off(monkeypatch):
    monkeypatch.setenv("SILKWAY_CACHE_DIR", "off")
    assert waits_cache.cache_folder() is None
    calls = []
    real = csvc.parse_typical_waits
    monkeypatch.setattr(csvc, "parse_typical_waits", lambda *a: calls.append(1) or real(*a))
    csvc.read_typical_waits(SHIPPED)
    csvc.read_typical_waits(SHIPPED)
    assert calls == [1, 1]


def test_a_cache_that_cannot_be_written_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("SILKWAY_CACHE_DIR", str(blocker))  # the cache folder is a file: nothing can be stored under it
    head, by_day = csvc.read_typical_waits(SHIPPED)
    assert head and len(by_day) == 3 and blocker.read_text(encoding="utf-8") == "x"
