"""Typed exception hierarchy.

Every error a user can cause derives from :class:`SilkwayError`; interfaces catch that one class
and print its message, so a user never sees a traceback for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a dataset: file, spreadsheet line (header = 1), field, message."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class SilkwayError(Exception):
    """Base class of every error silkway raises on purpose."""


class DataError(SilkwayError):
    """A dataset (or demand/scenario table) is invalid. Holds *all* problems found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str = "dataset"):
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: {n} problem{'s' if n != 1 else ''} found"
        super().__init__(head + "".join(f"\n  - {p}" for p in self.problems))


class RoutingError(SilkwayError):
    """No route satisfies the request, or a place name is unknown."""


class ScenarioError(SilkwayError):
    """A scenario file is invalid or cannot be applied."""


class SimulationError(SilkwayError):
    """A simulation cannot run with the given inputs."""


class StoreError(SilkwayError):
    """The results store cannot be opened or does not hold what was asked for."""
