"""The observation format: parsing, located errors for bad rows, round trips (docs/nowcast.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from silkway.errors import DataError
from silkway.nowcast.observations import (
    Observation,
    ObsKind,
    Stage,
    TargetKind,
    check_places,
    format_csv,
    format_jsonl,
    parse_text,
    read_observations,
)

GOOD = """time,kind,train_id,flow_id,place,stage,teu,containers,closure_id,target_kind,until
2024-03-01T08:00Z,departed,X1,cn_pl,xian,,100,50,,,
2024-03-05T14:30,arrived,X1,,dostyk_station,handling,,,,,
2024-03-05T20:00+06:00,closure_started,,,dostyk,,,,storm,node,2024-03-07T00:00Z
"""


def test_good_rows_parse_with_types_and_utc_times():
    obs, problems = parse_text(GOOD, "obs.csv", jsonl=False)
    assert problems == []
    assert [o.kind for o in obs] == [ObsKind.DEPARTED, ObsKind.CLOSURE_STARTED, ObsKind.ARRIVED]  # sorted by time
    dep, closure, arr = obs
    assert dep.teu == 100.0 and dep.containers == 50 and dep.time == datetime(2024, 3, 1, 8, tzinfo=UTC)
    assert closure.time == datetime(2024, 3, 5, 14, tzinfo=UTC)  # +06:00 converted to UTC
    assert closure.target_kind is TargetKind.NODE and closure.until == datetime(2024, 3, 7, tzinfo=UTC)
    assert arr.stage is Stage.HANDLING and arr.line == 3


def test_every_bad_row_is_reported_with_file_line_and_field():
    text = """time,kind,train_id,flow_id,place,stage,teu,count
yesterday,departed,X1,cn_pl,xian,,100,
2024-03-01T08:00Z,teleported,X1,,xian,,,
2024-03-01T08:00Z,arrived,X1,,dostyk,waiting,,
2024-03-01T08:00Z,queue_count,,,dostyk,handling,,2.5
2024-03-01T08:00Z,departed,X2,cn_pl,xian,,-3,
2024-03-01T08:00Z,arrived,,,dostyk,handling,,
"""
    obs, problems = parse_text(text, "feed.csv", jsonl=False)
    where = {(p.line, p.field) for p in problems}
    assert (2, "time") in where  # not ISO 8601
    assert (2, "containers") in where  # a departed row needs containers
    assert (3, "kind") in where
    assert (4, "stage") in where
    assert (5, "count") in where  # whole number
    assert (6, "teu") in where  # negative
    assert (7, "train_id") in where  # an arrival names its train
    assert all(p.file == "feed.csv" for p in problems)
    assert obs == []
    assert "feed.csv, line 3, field 'kind': 'teleported' is not one of" in str(next(p for p in problems if p.line == 3))


def test_read_raises_one_error_listing_all_problems(tmp_path):
    f = tmp_path / "obs.jsonl"
    f.write_text('{"time": "2024-03-01T08:00Z", "kind": "delivered", "train_id": "X1", "place": "malaszewicze"}\n'
                 "not json\n"
                 '{"time": "2024-03-01T08:00Z", "kind": "sailed", "place": "fy_kuryk_alat", "node": "kuryk"}\n'
                 '["a list"]\n', encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_observations(f)
    lines = sorted(p.line for p in exc.value.problems)
    assert lines == [2, 3, 4]  # bad JSON, a sailing naming neither vessel nor train, not an object
    assert "obs.jsonl, line 3, field 'vessel_id'" in str(exc.value)


def test_unknown_column_and_missing_header():
    _, problems = parse_text("time,kind,speed\n2024-01-01,delivered,3\n", "a.csv", jsonl=False)
    assert any(p.field == "speed" for p in problems)
    _, problems = parse_text("when,what\n", "b.csv", jsonl=False)
    assert problems and problems[0].line == 1


def test_csv_and_jsonl_round_trip(tmp_path):
    obs = [
        Observation(datetime(2024, 1, 2, 3, tzinfo=UTC), ObsKind.DEPARTED, train_id="T1", flow_id="f", place="a", teu=42.0,
                    containers=21, green=True),
        Observation(datetime(2024, 1, 2, 5, tzinfo=UTC), ObsKind.NEXT_SLOT, place="l1", stage=Stage.LINK, node="a",
                    until=datetime(2024, 1, 2, 7, tzinfo=UTC)),
        Observation(datetime(2024, 1, 3, tzinfo=UTC), ObsKind.SAILED, vessel_id="fy#0", place="fy", node="a", teu=0.0),
    ]
    for name, text in (("o.csv", format_csv(obs)), ("o.jsonl", format_jsonl(obs))):
        (tmp_path / name).write_text(text, encoding="utf-8")
        back = read_observations(tmp_path / name)
        assert [o.__class__(**{**{f: getattr(o, f) for f in o.__slots__}, "line": None}) for o in back] == obs
    assert json.loads(format_jsonl(obs[:1]))["green"] is True


def test_places_are_checked_against_the_network():
    obs, _ = parse_text(GOOD.replace("dostyk_station", "atlantis"), "obs.csv", jsonl=False)
    problems = check_places(obs, {"xian", "dostyk"}, set(), {"dostyk_station"}, {"cn_pl"}, "obs.csv")
    assert [(p.line, p.field) for p in problems] == [(3, "place")]
