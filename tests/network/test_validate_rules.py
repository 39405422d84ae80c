"""One test per validation rule: a copy of the tiny dataset broken in exactly one way must report
exactly the expected (file, line, field) problems, and a message saying what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from silkway.errors import DataError
from silkway.network import default_dataset_path, read_dataset

from ._edit import (
    add_column,
    append_row,
    copy_row,
    delete_row,
    drop_column,
    line_of,
    read_rows,
    replace_line,
    set_cell,
    set_cells,
)

Where = tuple[str, int | None, str | None]


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Path], object]
    expected: tuple[Where, ...]  # the exact set of (file, line, field) reported
    says: str  # a fragment of the (first) message


def _write(file: str, text: str | bytes) -> Callable[[Path], object]:
    def go(d: Path) -> None:
        (d / file).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    return go


def _remove(file: str) -> Callable[[Path], object]:
    return lambda d: (d / file).unlink()


def _set(file: str, key: str, **values: str) -> Callable[[Path], object]:
    return lambda d: set_cells(d, file, key, **values)


N, L, F, S = "nodes.csv", "links.csv", "facilities.csv", "sources.csv"
P, E, C, CL, M = "params.csv", "emission_factors.csv", "cost_rates.csv", "closures.csv", "manifest.toml"

CASES = [
    # files, encodings and CSV structure
    Case("missing-file", _remove(L), ((L, None, None),), "file is missing"),
    Case("missing-nodes-no-cascade", _remove(N), ((N, None, None),), "file is missing"),
    Case("folder-instead-of-file", lambda d: ((d / F).unlink(), (d / F).mkdir()), ((F, None, None),), "is a folder"),
    Case("not-utf8", lambda d: replace_line(d, N, 3, "gate_cn,Gate \xc7N,,CN,44.0,81.0,S-test,border,".encode("latin-1")), ((N, 3, None),), "not valid UTF-8"),
    Case("utf16", lambda d: (d / S).write_bytes((d / S).read_text(encoding="utf-8").encode("utf-16")), ((S, 1, None),), "not valid UTF-8"),
    Case("nul-byte", lambda d: replace_line(d, N, 4, b"gate_kz,Gate\x00KZ,,KZ,44.0,81.1,S-test,border,"), ((N, 4, None),), "NUL byte"),
    Case("unbalanced-quote", lambda d: replace_line(d, N, 3, 'gate_cn,"Gate CN,,CN,44.0,81.0,S-test,border,'), ((N, 3, None),), "unbalanced quote"),
    Case("cell-too-large", lambda d: set_cell(d, N, "harbour", "note", "x" * 200_000), ((N, 5, None),), "not readable as CSV"),
    Case("empty-file", _write(L, ""), ((L, 1, None),), "empty"),
    Case("unknown-column", lambda d: add_column(d, N, "colour", "red"), ((N, 1, "colour"),), "unknown column 'colour'"),
    Case("duplicate-column", lambda d: add_column(d, N, "note"), ((N, 1, "note"),), "appears twice"),
    Case("missing-required-column", lambda d: drop_column(d, L, "speed_km_day"), ((L, 1, "speed_km_day"),), "required column"),
    Case("missing-source-column", lambda d: drop_column(d, L, "distance_km_src"), ((L, 1, "distance_km_src"),), "required column"),
    Case("wrong-cell-count", lambda d: replace_line(d, N, 3, "gate_cn,Gate CN,,CN,44.0,81.0,S-test,border,,extra"), ((N, 3, None),), "has 10 cells but the header has 9"),
    # cells: types, units and plausibility
    Case("required-empty", _set(N, "west", name=""), ((N, 2, "name"),), "required but empty"),
    Case("bad-id-no-cascade", _set(N, "west", node_id="we st"), ((N, 2, "node_id"),), "not a valid id"),
    Case("not-a-number", _set(L, "l1", distance_km="far"), ((L, 2, "distance_km"),), "'far' is not a number"),
    Case("number-with-unit", _set(L, "l1", distance_km="96 km"), ((L, 2, "distance_km"),), "write 96 only, the unit is the one in the column name 'distance_km'"),
    Case("decimal-comma", _set(L, "l1", time_p90_factor="1,2"), ((L, 2, "time_p90_factor"),), "use a point as the decimal separator (1.2)"),
    Case("thousands-space", _set(F, "gc_gate", capacity_teu_day="1 000"), ((F, 2, "capacity_teu_day"),), "write it without spaces (1000)"),
    Case("infinite", _set(L, "l1", distance_km="1e309"), ((L, 2, "distance_km"),), "not a finite number"),
    Case("nan", _set(L, "l1", distance_km="nan"), ((L, 2, "distance_km"),), "not a finite number"),
    Case("enormous-number", _set(L, "l1", distance_km="1e308"), ((L, 2, "distance_km"),), "above the plausible maximum 30000"),
    Case("enormous-integer", _set(L, "l1", distance_km="9" * 5000), ((L, 2, "distance_km"),), "not a finite number"),
    Case("latitude-range", _set(N, "harbour", lat="91"), ((N, 5, "lat"),), "above the plausible maximum 90"),
    Case("longitude-range-no-cascade", _set(N, "gate_cn", lon="283"), ((N, 3, "lon"),), "283 is above the plausible maximum 180"),
    Case("zero-speed", _set(L, "l1", speed_km_day="0"), ((L, 2, "speed_km_day"),), "must be greater than 0"),
    Case("negative-speed", _set(L, "l3", speed_km_day="-5"), ((L, 4, "speed_km_day"),), "must be greater than 0"),
    Case("negative-capacity-no-cascade", _set(F, "gc_gate", capacity_trains_day="-1"), ((F, 2, "capacity_trains_day"),), "greater than 0"),
    Case("p90-factor-below-1", _set(L, "l1", time_p90_factor="0.8"), ((L, 2, "time_p90_factor"),), "below the minimum 1"),
    Case("bad-enum", _set(L, "l1", mode="train"), ((L, 2, "mode"),), "'train' is not one of rail, road"),
    Case("bad-country", _set(N, "west", country="cn"), ((N, 2, "country"),), "ISO 3166-1 alpha-2"),
    Case("bad-gauge", _set(L, "l3", gauge_mm="1000"), ((L, 4, "gauge_mm"),), "gauge 1000 mm"),
    Case("bad-yesno", _set(L, "l1", electrified="maybe"), ((L, 2, "electrified"),), "not yes or no"),
    Case("day-of-year-range", _set(CL, "storm", kind="recurring", start_day_of_year="400", events_per_year=""), ((CL, 2, "start_day_of_year"),), "above the plausible maximum 366"),
    # every number has a source
    Case("number-without-source", _set(L, "l1", distance_km_src=""), ((L, 2, "distance_km_src"),), "'distance_km' = 96 has no source"),
    Case("coordinates-without-source", _set(N, "isle", coord_src=""), ((N, 6, "coord_src"),), "has no source"),
    Case("unknown-source-id", _set(L, "l2", speed_km_day_src="S-nowhere"), ((L, 3, "speed_km_day_src"),), "'S-nowhere' is not in sources.csv"),
    Case("bad-source-id", _set(P, "train_teu", src="A test"), ((P, 3, "src"),), "not a valid source id"),
    Case("broken-source-row-no-cascade", _set(S, "S-test", kind="book"), ((S, 2, "kind"),), "'book' is not one of source, assumption"),
    Case("source-needs-publisher", _set(S, "S-test", publisher=""), ((S, 2, "publisher"),), "needs a publisher"),
    Case("assumption-needs-note", _set(S, "A-test", note=""), ((S, 3, "note"),), "needs its one-line reasoning"),
    Case("source-date-format", _set(S, "S-test", date="24/11/2026"), ((S, 2, "date"),), "YYYY-MM-DD"),
    # keys and references
    Case("duplicate-id", lambda d: copy_row(d, N, "isle"), ((N, 7, "node_id"),), "duplicate node_id 'isle' (first on line 6)"),
    Case("duplicate-composite-key", lambda d: copy_row(d, E, "ferry"), ((E, 5, "energy"),), "duplicate mode/energy 'ferry/hfo'"),
    Case("link-to-unknown-node", _set(L, "l4", to_node="islee"), ((L, 5, "to_node"),), "node 'islee' is not in nodes.csv (did you mean 'isle'?)"),
    Case("facility-at-unknown-node", _set(F, "port_isle", node_id="atlantis"), ((F, 6, "node_id"), (L, 5, "to_node")), "node 'atlantis' is not in nodes.csv"),
    Case("closure-target-missing", _set(CL, "storm", target_id="l9"), ((CL, 2, "target_id"),), "link 'l9' does not exist"),
    Case("closure-target-broken-no-cascade", _set(L, "l4", speed_km_day="fast"), ((L, 5, "speed_km_day"),), "not a number"),
    Case("self-loop", _set(L, "l3", to_node="gate_kz"), ((L, 4, "to_node"),), "same node"),
    # rules between columns of a row, and between tables
    Case("rail-needs-gauge", _set(L, "l3", gauge_mm=""), ((L, 4, "gauge_mm"),), "needs its gauge"),
    Case("rail-needs-tracks", _set(L, "l3", tracks=""), ((L, 4, "tracks"),), "number of tracks"),
    Case("whole-tracks", _set(L, "l3", tracks="1.5"), ((L, 4, "tracks"),), "1.5 is not a whole number of tracks"),
    Case("gauge-on-ferry", _set(L, "l4", gauge_mm="1435"), ((L, 5, "gauge_mm"),), "only rail links have a gauge"),
    Case("ferry-needs-departures", _set(L, "l4", departures_per_week="", departures_per_week_src="", first_departure_h="", first_departure_h_src=""), ((L, 5, "departures_per_week"),), "needs 'departures_per_week'"),
    Case("first-departure-needs-departures", _set(L, "l3", first_departure_h="5", first_departure_h_src="A-test"), ((L, 4, "first_departure_h"),), "departures_per_week is not"),
    Case("energy-fits-mode", _set(L, "l4", energy="diesel"), ((L, 5, "energy"),), "does not fit mode ferry"),
    Case("electric-needs-wires", _set(L, "l1", electrified="no"), ((L, 2, "energy"),), "not electrified"),
    Case("speed-plausible-for-mode", _set(L, "l4", speed_km_day="1500"), ((L, 5, "speed_km_day"),), "implausible for ferry"),
    Case("unknown-corridor", _set(L, "l1", corridor="china;silk"), ((L, 2, "corridor"),), "unknown corridor 'silk'"),
    Case("via-country-code", _set(L, "l4", via_countries="Egypt"), ((L, 5, "via_countries"),), "'Egypt' is not an ISO"),
    Case("shorter-than-straight-line", _set(L, "l3", distance_km="100"), ((L, 4, "distance_km"),), "shorter than the straight line"),
    Case("far-longer-than-straight-line", _set(L, "l3", distance_km="1000"), ((L, 4, "distance_km"),), "more than 3x"),
    Case("gauge-change-needs-gauges", _set(F, "gc_gate", gauges="1435"), ((F, 2, "gauges"), (N, 3, "node_id")), "two gauges"),
    Case("gauge-break-needs-facility", lambda d: delete_row(d, F, "gc_gate"), ((N, 3, "node_id"),), "gauge break between 'gate_cn', 'gate_kz'"),
    Case("gauge-break-at-node", lambda d: (delete_row(d, F, "gc_gate"), set_cell(d, L, "l2", "gauge_mm", "1520")), ((N, 3, "node_id"),), "gauge break at 'gate_cn'"),
    Case("border-needs-facility", lambda d: delete_row(d, F, "bd_gate_kz"), ((L, 3, "to_node"),), "crosses CN-KZ but 'gate_kz' has no border facility"),
    Case("port-needs-facility", lambda d: delete_row(d, F, "port_isle"), ((L, 5, "to_node"),), "no seaport facility"),
    Case("handling-p90-below-median", _set(F, "gc_gate", handling_h_p90="1"), ((F, 2, "handling_h_p90"),), "P90 1 h is below the median 2 h"),
    Case("handling-p90-missing", _set(F, "gc_gate", handling_h_p90=""), ((F, 2, "handling_h_p90"),), "give both"),
    Case("recurring-closure-needs-start", _set(CL, "storm", kind="recurring", events_per_year=""), ((CL, 2, "start_day_of_year"),), "needs start_day_of_year"),
    Case("random-closure-needs-rate", _set(CL, "storm", events_per_year=""), ((CL, 2, "events_per_year"),), "needs events_per_year"),
    Case("emission-factor-missing", lambda d: delete_row(d, E, "rail", "diesel"), ((L, 3, "energy"), (L, 4, "energy")), "no emission factor for rail/diesel"),
    Case("emission-factor-broken-no-cascade", lambda d: set_cells(d, E, "rail", co2e_g_per_tkm="-3"), ((E, 2, "co2e_g_per_tkm"),), "greater than 0"),
    Case("cost-rate-missing", lambda d: delete_row(d, C, "ferry"), ((L, 5, "mode"),), "no cost rate for ferry in XX"),
    Case("cost-rate-country", _set(C, "ferry", country="Sea"), ((C, 4, "country"),), "'Sea' is not an ISO"),
    Case("required-param-missing", lambda d: delete_row(d, P, "train_teu"), ((P, None, "param"),), "required parameter 'train_teu' is missing"),
    Case("required-param-positive", _set(P, "train_teu", value="0"), ((P, 3, "value"),), "must be greater than 0"),
    Case("params-file-missing-no-cascade", _remove(P), ((P, None, None),), "file is missing"),
    Case("disconnected-node", lambda d: append_row(d, N, ["lonely", "Lonely", "", "KZ", "45", "70", "S-test", "city", ""]), ((N, 7, "node_id"),), "not connected"),
    Case("empty-table-of-nodes", _write(N, "node_id,name,aliases,country,lat,lon,coord_src,node_kind,note\n"), ((N, 1, None),), "a header but no rows"),
    # manifest
    Case("manifest-missing", _remove(M), ((M, None, None),), "file is missing"),
    Case("manifest-not-toml", _write(M, 'name = "tiny"\nversion = \n'), ((M, 2, None),), "not valid TOML"),
    Case("manifest-deep-nesting", _write(M, "name = " + "[" * 3000 + "]" * 3000 + "\n"), ((M, None, None),), "nested too deeply"),
    Case("manifest-empty-name", lambda d: (d / M).write_text((d / M).read_text().replace('name = "tiny"', 'name = ""')), ((M, None, "name"),), "'name' must be a non-empty string"),
    Case("manifest-format-version", lambda d: (d / M).write_text((d / M).read_text().replace("format_version = 1", "format_version = 2")), ((M, None, "format_version"),), "format_version 2 is not supported"),
    Case("manifest-format-version-bool", lambda d: (d / M).write_text((d / M).read_text().replace("format_version = 1", "format_version = true")), ((M, None, "format_version"),), "True is not supported"),
    Case("manifest-unknown-key", lambda d: (d / M).write_text((d / M).read_text() + 'author = "me"\n'), ((M, None, "author"),), "unknown key 'author'"),
]


def _problems(folder: Path) -> DataError:
    with pytest.raises(DataError) as info:
        read_dataset(folder)
    return info.value


def test_tiny_fixture_is_valid(tiny_dir: Path) -> None:
    net = read_dataset(tiny_dir)
    assert (len(net.nodes), len(net.links), len(net.facilities)) == (5, 4, 5)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case, dataset_copy: Callable[..., Path]) -> None:
    folder = dataset_copy()
    case.mutate(folder)
    err = _problems(folder)
    got = sorted(((p.file, p.line, p.field) for p in err.problems), key=repr)
    assert got == sorted(case.expected, key=repr), "\n".join(map(str, err.problems))
    assert any(case.says in p.message for p in err.problems), "\n".join(map(str, err.problems))


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


def test_all_problems_reported_at_once(dataset_copy: Callable[..., Path]) -> None:
    """Several independent breakages in several files: every one is reported, in file order."""
    folder = dataset_copy()
    set_cell(folder, N, "gate_cn", "lon", "283")
    set_cell(folder, L, "l1", "speed_km_day", "-5")
    set_cell(folder, F, "port_isle", "cost_usd_per_teu_src", "")
    delete_row(folder, P, "train_teu")
    (folder / E).unlink()
    err = _problems(folder)
    assert [(p.file, p.line, p.field) for p in err.problems] == [
        (N, 3, "lon"),
        (L, 2, "speed_km_day"),
        (F, 6, "cost_usd_per_teu_src"),
        (E, None, None),
        (P, None, "param"),
    ]
    assert str(err).startswith(f"{folder}: 5 problems found")


# ---------------------------------------------------------------- the embedded dataset, broken in one way

EURASIA_CASES = [
    Case("eurasia-longitude-no-cascade", lambda d: set_cell(d, N, "dostyk", "lon", "283"), ((N, "dostyk", "lon"),), "283 is above"),
    Case("eurasia-duplicate-node", lambda d: copy_row(d, N, "dostyk"), ((N, "@appended", "node_id"),), "duplicate node_id 'dostyk'"),
    Case("eurasia-broken-source-no-cascade", lambda d: set_cell(d, S, "A-handling-gauge", "kind", "book"), ((S, "A-handling-gauge", "kind"),), "'book' is not one of"),
    Case("eurasia-unknown-source", lambda d: set_cell(d, L, _first_link(d), "speed_km_day_src", "S-nowhere"), ((L, "@first-link", "speed_km_day_src"),), "'S-nowhere' is not in sources.csv"),
    Case("eurasia-zero-speed", lambda d: set_cell(d, L, _first_link(d), "speed_km_day", "0"), ((L, "@first-link", "speed_km_day"),), "must be greater than 0"),
    Case("eurasia-nodes-missing-no-cascade", _remove(N), ((N, None, None),), "file is missing"),
    Case("eurasia-params-missing-no-cascade", _remove(P), ((P, None, None),), "file is missing"),
]


def _first_link(folder: Path) -> str:
    return read_rows(folder, L)[1][0]


def _resolve(folder: Path, file: str, line: int | str | None) -> int | None:
    """Expected line (read before the change): a number, the key of a row, '@first-link' or '@appended'."""
    if line == "@first-link":
        return 2
    if line == "@appended":
        return len(read_rows(folder, file)) + 1
    return line_of(folder, file, line) if isinstance(line, str) else line


@pytest.mark.parametrize("case", EURASIA_CASES, ids=[c.id for c in EURASIA_CASES])
def test_rule_on_embedded_dataset(case: Case, dataset_copy: Callable[..., Path]) -> None:
    folder = dataset_copy(default_dataset_path())
    expected = sorted(((f, _resolve(folder, f, line), field) for f, line, field in case.expected), key=repr)
    case.mutate(folder)
    err = _problems(folder)
    got = sorted(((p.file, p.line, p.field) for p in err.problems), key=repr)
    assert got == expected, "\n".join(map(str, err.problems))
    assert any(case.says in p.message for p in err.problems), "\n".join(map(str, err.problems))


@pytest.mark.parametrize("name", ["nowhere", "a" * 5000])
def test_not_a_folder(tmp_path: Path, name: str) -> None:
    err = _problems(tmp_path / name)
    assert [(p.line, p.field) for p in err.problems] == [(None, None)]
    assert err.problems[0].file == str(tmp_path / name)
    assert "is not a folder" in err.problems[0].message or "cannot be opened: File name too long" in err.problems[0].message


def test_a_file_is_not_a_dataset(tiny_dir: Path) -> None:
    err = _problems(tiny_dir / "nodes.csv")
    assert "is not a folder" in err.problems[0].message


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["crlf", "cr"])
def test_line_numbers_with_other_line_endings_and_bom(dataset_copy: Callable[..., Path], newline: bytes) -> None:
    """Windows (CRLF) or old Mac (CR) line ends, a UTF-8 BOM and a blank line: lines still count as a spreadsheet shows them."""
    folder = dataset_copy()
    set_cell(folder, N, "harbour", "lat", "95")
    raw = (folder / N).read_bytes().replace(b"\n", newline)
    lines = raw.split(newline)
    lines.insert(2, b"")  # a blank line 3: harbour moves from line 5 to 6
    (folder / N).write_bytes(b"\xef\xbb\xbf" + newline.join(lines))
    err = _problems(folder)
    assert [(p.file, p.line, p.field) for p in err.problems] == [(N, 6, "lat")]
