"""The behaviour scenarios kept as data (`g2p_bank_rest_api/tests/scenarios/*.json`), played over
HTTP against the deployment under test. The addon's Odoo tests play the same files through
Odoo's dispatcher (`g2p_bank_rest_api/tests/test_scenarios.py`): one scenario, two runtimes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.conformance.target import Target, local_target

_RUNNER_PATH = Path(__file__).resolve().parents[2] / "g2p_bank_rest_api" / "tests" / "scenario_runner.py"


def _load_runner():
    # By path: importing the addon's package would import Odoo.
    spec = importlib.util.spec_from_file_location("g2p_scenario_runner", _RUNNER_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
SCENARIOS = runner.load_scenarios()


def test_there_are_scenarios():
    assert len(SCENARIOS) >= 4


@pytest.fixture(scope="module")
def targets_with_settings(target: Target, server_factory, pytestconfig: pytest.Config):
    """A target playing with given settings: a server of ours started with them (once per
    settings), or the deployment itself when it runs with them (``--deployment-setting``)."""
    started: dict[tuple, Target] = {}

    def target_for(settings: dict[str, str]) -> Target | None:
        if target.server is None:
            declared = runner.SETTINGS | dict(
                option.split("=", 1) for option in pytestconfig.getoption("deployment_setting") or []
            )
            return target if declared == settings else None
        if settings == runner.SETTINGS:
            return target
        key = tuple(sorted(settings.items()))
        if key not in started:
            env = {f"G2P_{name.upper()}": value for name, value in settings.items()}
            started[key] = local_target(server_factory(env=env), target.reference)
        return started[key]

    return target_for


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.path.stem for scenario in SCENARIOS])
def test_scenario(scenario, targets_with_settings) -> None:
    played_on = targets_with_settings(scenario.settings)
    if played_on is None:
        pytest.skip(f"needs the deployment's settings {scenario.settings} (see --deployment-setting)")
    with played_on.client() as api:

        def send(method: str, path: str, body: object) -> tuple[int, object]:
            answer = api.request(method, path, json=body)
            return answer.status_code, answer.json() if answer.content else None

        reference = played_on.reference
        runtime = {
            "id_type": reference.id_type,
            "group_kind": reference.group_kind,
            "user": played_on.auth[0],
        }
        runner.run_scenario(scenario, send, runtime)
