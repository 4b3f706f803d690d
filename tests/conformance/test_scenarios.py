"""The behaviour scenarios kept as data (`g2p_bank_rest_api/tests/scenarios/*.json`), played over
HTTP against the deployment under test. The addon's Odoo tests play the same files through
Odoo's dispatcher (`g2p_bank_rest_api/tests/test_scenarios.py`): one scenario, two runtimes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import httpx
import pytest

from tests.conformance.target import Reference

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


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.path.stem for scenario in SCENARIOS])
def test_scenario(scenario, api: httpx.Client, ref: Reference) -> None:
    def send(method: str, path: str, body: object) -> tuple[int, object]:
        answer = api.request(method, path, json=body)
        return answer.status_code, answer.json() if answer.content else None

    runner.run_scenario(scenario, send, {"id_type": ref.id_type, "group_kind": ref.group_kind})
