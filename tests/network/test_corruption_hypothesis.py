"""Property: whatever is done to the files of a valid dataset, ``read_dataset`` either returns a
Network or raises one DataError whose every problem is located (file, and line/field when given
are sane). No other exception may escape: no csv.Error, OverflowError, RecursionError, KeyError..."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from silkway.errors import DataError
from silkway.network import Network, read_dataset
from silkway.network.schema import MANIFEST_FILE, TABLES

from ._edit import read_rows, write_rows

TINY = Path(__file__).parent.parent / "fixtures" / "tiny"
FILES = sorted(p.name for p in TINY.iterdir())
CSV_FILES = [f for f in FILES if f.endswith(".csv")]
KNOWN_FILES = {t.file for t in TABLES.values()} | {MANIFEST_FILE}

NASTY_CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "1e308", "-1e308", "1e309", "nan", "inf", "-0", "0", "1_0", "9" * 5000, '"', '""', ";", ";;", "\r", "\n", "\x00", "\ufeff", "é", "1435;", "1435;1520;1435", "*", "XX"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(min_size=1, max_size=3).map(lambda s: s * 50_000),
)


def _corrupt_cell(folder: Path, file: str, data: st.DataObject) -> None:
    rows = read_rows(folder, file)
    r = data.draw(st.integers(0, len(rows) - 1), label="row")
    if not rows[r]:
        return
    c = data.draw(st.integers(0, len(rows[r]) - 1), label="column")
    rows[r][c] = data.draw(NASTY_CELLS, label="value")
    write_rows(folder, file, rows)


def _delete_column(folder: Path, file: str, data: st.DataObject) -> None:
    rows = read_rows(folder, file)
    c = data.draw(st.integers(0, len(rows[0]) - 1), label="column")
    write_rows(folder, file, [r[:c] + r[c + 1 :] for r in rows])


def _drop_or_copy_row(folder: Path, file: str, data: st.DataObject) -> None:
    rows = read_rows(folder, file)
    r = data.draw(st.integers(0, len(rows) - 1), label="row")
    if data.draw(st.booleans(), label="copy"):
        rows.append(rows[r])
    else:
        del rows[r]
    write_rows(folder, file, rows)


def _delete_file(folder: Path, file: str, data: st.DataObject) -> None:
    (folder / file).unlink()
    if data.draw(st.booleans(), label="folder instead"):
        (folder / file).mkdir()


def _reencode(folder: Path, file: str, data: st.DataObject) -> None:
    text = (folder / file).read_bytes().decode("utf-8", errors="replace") + data.draw(st.sampled_from(["é", "Ł", "ţ", "中", ""]), label="extra")
    enc = data.draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1251", "utf-8-sig", "gb18030"]), label="encoding")
    (folder / file).write_bytes(text.encode(enc, errors="replace"))


def _truncate(folder: Path, file: str, data: st.DataObject) -> None:
    raw = (folder / file).read_bytes()
    (folder / file).write_bytes(raw[: data.draw(st.integers(0, len(raw)), label="keep bytes")])


def _splice_bytes(folder: Path, file: str, data: st.DataObject) -> None:
    raw = (folder / file).read_bytes()
    at = data.draw(st.integers(0, len(raw)), label="at")
    junk = data.draw(st.one_of(st.binary(max_size=20), st.sampled_from([b'"', b"\x00", b"\r", b"\n", b",", b"\xff\xfe", b"\xc3"])), label="bytes")
    (folder / file).write_bytes(raw[:at] + junk + raw[at:])


def _replace_whole(folder: Path, file: str, data: st.DataObject) -> None:
    content = data.draw(st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)), label="content")
    (folder / file).write_bytes(content)


CSV_CORRUPTIONS = [_corrupt_cell, _delete_column, _drop_or_copy_row]
ANY_CORRUPTIONS = [_delete_file, _reencode, _truncate, _splice_bytes, _replace_whole]


def _assert_located(err: DataError, folder: Path) -> None:
    assert err.problems, "a DataError must hold at least one problem"
    assert str(err)  # the message renders
    n_lines: dict[str, int] = {}
    for p in err.problems:
        assert p.file and p.message, p
        assert p.file in KNOWN_FILES or p.file == str(folder), p
        assert p.line is None or (isinstance(p.line, int) and p.line >= 1), p
        assert p.field is None or (isinstance(p.field, str) and p.field != "" or p.line == 1), p
        if p.line is not None and (folder / p.file).is_file():
            if p.file not in n_lines:
                raw = (folder / p.file).read_bytes()
                n_lines[p.file] = raw.count(b"\r\n") + (raw.count(b"\r") - raw.count(b"\r\n")) + (raw.count(b"\n") - raw.count(b"\r\n")) + 1
            assert p.line <= n_lines[p.file], p


def _load(folder: Path) -> Network | DataError:
    try:
        return read_dataset(folder)
    except DataError as exc:
        return exc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), n=st.integers(1, 3))
def test_corruption_gives_located_data_error_or_network(data: st.DataObject, n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        shutil.copytree(TINY, folder)
        for _ in range(n):
            present = [f for f in FILES if (folder / f).is_file()]
            if not present:
                break
            file = data.draw(st.sampled_from(present), label="file")
            csv_ok = file in CSV_FILES and _is_utf8_csv(folder / file)
            how = data.draw(st.sampled_from(ANY_CORRUPTIONS + (CSV_CORRUPTIONS if csv_ok else [])), label="corruption")
            how(folder, file, data)
        result = _load(folder)
        event(type(result).__name__)  # shown by --hypothesis-show-statistics
        if isinstance(result, DataError):
            _assert_located(result, folder)
        else:
            assert isinstance(result, Network)


def _is_utf8_csv(path: Path) -> bool:
    try:
        rows = read_rows(path.parent, path.name)
    except (UnicodeDecodeError, Exception):
        return False
    return bool(rows) and bool(rows[0])


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=300), file=st.sampled_from(FILES))
def test_any_bytes_in_any_file(content: bytes, file: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ds"
        shutil.copytree(TINY, folder)
        (folder / file).write_bytes(content)
        result = _load(folder)
        assert isinstance(result, DataError | Network)
        if isinstance(result, DataError):
            _assert_located(result, folder)
