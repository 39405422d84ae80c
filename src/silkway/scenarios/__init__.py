"""What-if scenarios and studies: scenario files, apply/diff, replications (local or Dask), results store,
calibration. See docs/studies.md."""

from silkway.scenarios.load import LoadedScenario, load_scenario, parse_scenario, scenario_hash
from silkway.scenarios.model import Scenario

__all__ = ["LoadedScenario", "Scenario", "load_scenario", "parse_scenario", "scenario_hash"]
