"""Strict YAML for scenario files: bounded nesting, no duplicate keys, located errors.

``yaml.safe_load`` recurses once per nesting level (a file nested 100,000 levels deep ends in a RecursionError)
and keeps the last of two equal keys silently. Here the nesting is measured on the event stream first (no
recursion; libyaml when installed), then the document is built by a loader that refuses a repeated key.
"""

from __future__ import annotations

from typing import Any

import yaml

from silkway.errors import ScenarioError

#: Deepest nesting of mappings and lists a scenario may use (a real one uses 4).
MAX_NESTING = 32
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class _StrictLoader(_Base):  # type: ignore[misc]
    """A safe loader whose mappings refuse a key that appears twice."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: the base constructor reports it
                break
            if first != key_node.start_mark.line + 1:
                raise _Duplicate(f"key '{str(key)[:60]}' appears twice (lines {first} and {key_node.start_mark.line + 1})",
                                 key_node.start_mark.line + 1)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


class _Duplicate(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def load(text: str, label: str) -> Any:
    """The YAML document in ``text``; a :class:`ScenarioError` naming ``label`` and the line otherwise."""
    try:
        depth = deepest = 0
        for event in yaml.parse(text, Loader=_Base):
            if isinstance(event, _OPEN):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_NESTING:
                    raise ScenarioError(f"{label} (line {event.start_mark.line + 1}): nested more than {MAX_NESTING} levels deep")
            elif isinstance(event, _CLOSE):
                depth -= 1
        return yaml.load(text, Loader=_StrictLoader)
    except _Duplicate as exc:
        raise ScenarioError(f"{label} (line {exc.line}): {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise ScenarioError(f"{label}{where}: not valid YAML: {str(getattr(exc, 'problem', None) or exc)[:200]}") from None
    except (RecursionError, MemoryError):
        raise ScenarioError(f"{label}: not valid YAML: nested too deeply") from None
