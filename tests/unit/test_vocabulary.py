"""The vocabulary is defined once (silkway.vocabulary): the tables, the planner and the simulation use its values."""

from __future__ import annotations

from silkway.network import schema
from silkway.routing import model, stategraph
from silkway.routing.hazards import VESSEL_MODES
from silkway.simulation import paths, plan
from silkway.vocabulary import WATER_MODES, FacilityKind, LegKind, Mode, Platform


def test_the_dataset_format_takes_its_choices_from_the_vocabulary():
    assert schema.MODES == tuple(Mode) and schema.FACILITY_KINDS == tuple(FacilityKind)
    links = {c.name: c for c in schema.TABLES["links"].cols}
    assert links["mode"].choices == tuple(Mode)


def test_planner_and_simulation_spell_modes_platforms_and_leg_kinds_as_the_vocabulary():
    # the state graph orders its states by platform: the same order as Platform
    assert stategraph.PLATFORMS == tuple(Platform)
    assert (stategraph.MOVE, stategraph.WAIT, stategraph.HANDLING, stategraph.CUSTOMS, model.QUEUE) == tuple(LegKind)
    assert VESSEL_MODES == plan.VESSEL_MODES == WATER_MODES and paths.RAIL_MODES <= set(Mode)
