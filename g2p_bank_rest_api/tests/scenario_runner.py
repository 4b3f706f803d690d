"""Behaviour scenarios kept as data (`scenarios/*.json`), run by both runtimes.

One scenario, two runtimes, one verdict: the addon's Odoo tests play each scenario through
Odoo's real HTTP dispatcher, and the conformance suite plays the same files over HTTP against
the standalone server (or any deployment). This module is plain Python, with no Odoo import,
so that both can load it.

A scenario file holds::

    {"name": "...", "contract": "CONTRACT.md section ...",
     "steps": [{"request": "PUT /registrant/{person}/bank_accounts",
                "body": ..., "status": 200, "answer": ..., "save": {"person": "id"}}]}

- ``{name}`` in a path or in any string of a body is replaced by a value saved by an earlier
  step (``save`` maps a name to a key of the answer, or a dotted path such as ``0.id``), by a
  value of the runtime (``{id_type}``, ``{group_kind}``: reference data the registry holds),
  or, for ``{unique:x}``, by a value unique to this run (the same within the run).
- ``{"$individual": {...}}`` in a body is an individual with every key the registry requires
  (nullable ones null), updated with the given keys; ``{"$update": {...}}`` likewise for an
  item of ``PUT /update_individual``.
- ``answer`` is a fragment: an object matches when each of its keys matches (other keys are
  not looked at), a list when it has as many elements and each matches, anything else when equal;
  ``{"$exactly": {...}}`` is an object that must have those keys and no other.
- ``{{x}}`` is the text ``{x}`` itself (a route template in an answer).
- Runtime values: ``{id_type}``, ``{group_kind}``, and ``{user}``, the login the runtime calls with.
- ``"settings": {"shared_account_policy": "block"}`` at the top of a file: the deployment's
  settings the scenario needs (see ``SETTINGS``); each runtime plays it with them, or, when it
  cannot change them (a remote deployment), skips it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCENARIO_FOLDER = Path(__file__).resolve().parent / "scenarios"
# "{{x}}" (group 1) is the text "{x}" itself; "{x}" (group 2) a value.
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}|\{([a-z_]+(?::[a-z0-9_]+)?)\}")
# The keys both registries require of an individual (upstream's schema requires some nullable ones).
_INDIVIDUAL = {"name": None, "given_name": None, "ids": [], "gender": None, "birth_place": None}
_UPDATE = {"updateId": None, "ids": [], "name": None, "given_name": None, "gender": None, "birth_place": None}

# The settings a scenario may need, with each one's value when the scenario says nothing.
SETTINGS = {"shared_account_policy": "flag"}

# send(method, path with query, JSON body or None) -> (status, decoded JSON answer or None)
Send = Callable[[str, str, Any], tuple[int, Any]]


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    steps: tuple[dict[str, Any], ...]
    settings: dict[str, str]
    """Every setting of ``SETTINGS``: the scenario's values over the defaults."""

    @property
    def needs_settings(self) -> bool:
        return self.settings != SETTINGS


class ScenarioFailed(AssertionError):
    pass


def load_scenarios(folder: Path = SCENARIO_FOLDER) -> list[Scenario]:
    scenarios = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data.get("settings", {})) - set(SETTINGS)
        if unknown:
            raise ValueError(f"{path.name}: unknown settings {sorted(unknown)}; known: {sorted(SETTINGS)}")
        scenarios.append(
            Scenario(
                name=data["name"],
                path=path,
                steps=tuple(data["steps"]),
                settings=SETTINGS | data.get("settings", {}),
            )
        )
    return scenarios


def run_scenario(scenario: Scenario, send: Send, runtime: dict[str, str]) -> None:
    """Play every step; raise ScenarioFailed naming the step and the difference."""
    values: dict[str, Any] = dict(runtime)
    run = secrets.token_hex(4)
    for number, step in enumerate(scenario.steps, start=1):
        method, _, path = step["request"].partition(" ")
        body = _expand(step.get("body"), values, run)
        status, answer = send(method, _substitute(path, values, run), body)
        where = f"{scenario.path.name}, step {number} ({step['request']})"
        if status != step["status"]:
            raise ScenarioFailed(f"{where}: status {status}, expected {step['status']}: {answer}")
        if "answer" in step:
            difference = _difference(_expand(step["answer"], values, run), answer, "answer")
            if difference:
                raise ScenarioFailed(f"{where}: {difference}; the answer was {json.dumps(answer)}")
        for name, key in step.get("save", {}).items():
            values[name] = _dig(answer, key)


def _substitute(text: str, values: dict[str, Any], run: str) -> Any:
    def value_of(match: re.Match[str]) -> str:
        literal, key = match.groups()
        if literal:
            return f"{{{literal}}}"
        if key.startswith("unique:"):
            return f"{key.split(':', 1)[1].upper()}-{run}"
        if key not in values:
            raise ScenarioFailed(f"no value saved for {{{key}}}")
        return str(values[key])

    whole = _PLACEHOLDER.fullmatch(text)
    if whole and whole.group(2) and not whole.group(2).startswith("unique:") and whole.group(2) in values:
        return values[whole.group(2)]  # keeps its type (an id stays a number)
    return _PLACEHOLDER.sub(value_of, text)


def _expand(data: Any, values: dict[str, Any], run: str) -> Any:
    if isinstance(data, str):
        return _substitute(data, values, run)
    if isinstance(data, list):
        return [_expand(item, values, run) for item in data]
    if isinstance(data, dict):
        if set(data) == {"$individual"}:
            return _expand(_INDIVIDUAL | data["$individual"], values, run)
        if set(data) == {"$update"}:
            return _expand(_UPDATE | data["$update"], values, run)
        return {key: _expand(value, values, run) for key, value in data.items()}
    return data


def _difference(expected: Any, actual: Any, where: str) -> str | None:
    if isinstance(expected, dict) and set(expected) == {"$exactly"}:
        expected = expected["$exactly"]
        if isinstance(actual, dict) and set(actual) != set(expected):
            return f"{where} has the keys {sorted(actual)}, expected exactly {sorted(expected)}"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where} is {actual!r}, expected an object"
        for key, value in expected.items():
            if key not in actual:
                return f"{where}.{key} is missing"
            found = _difference(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where} is {actual!r}, expected {len(expected)} elements"
        for index, (value, element) in enumerate(zip(expected, actual, strict=True)):
            found = _difference(value, element, f"{where}[{index}]")
            if found:
                return found
        return None
    return None if expected == actual else f"{where} is {actual!r}, expected {expected!r}"


def _dig(answer: Any, key: str) -> Any:
    for part in key.split("."):
        answer = answer[int(part)] if isinstance(answer, list) else answer[part]
    return answer
