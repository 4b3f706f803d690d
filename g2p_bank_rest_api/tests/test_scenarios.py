"""The behaviour scenarios kept as data (`scenarios/*.json`), played through Odoo's real HTTP
dispatcher with Basic auth. The conformance suite plays the same files against the standalone
server (`tests/conformance/test_scenarios.py` at the top of the repository): one scenario, two
runtimes, one verdict."""

from contextlib import contextmanager

from odoo.tests import tagged

from .common import ID_TYPE, RegistryHttpCase
from .scenario_runner import load_scenarios, run_scenario


# After installation, as every test through the dispatcher: the HTTP app is built once per
# process, and one built while the module is still being installed lacks its extensions.
@tagged("post_install", "-at_install")
class TestScenarios(RegistryHttpCase):
    def test_every_scenario(self):
        scenarios = load_scenarios()
        self.assertGreaterEqual(len(scenarios), 4)
        for scenario in scenarios:
            with self.subTest(scenario=scenario.path.stem), self._settings(scenario.settings):
                run_scenario(
                    scenario,
                    self._send,
                    {"id_type": ID_TYPE, "group_kind": self.group_kind.name, "user": self.api_user.login},
                )

    @contextmanager
    def _settings(self, settings):
        """The scenario's settings as the addon's system parameters, restored afterwards."""
        parameters = self.env["ir.config_parameter"].sudo()
        keys = {name: f"g2p_bank_rest_api.{name}" for name in settings}
        before = {name: parameters.get_param(key) for name, key in keys.items()}
        for name, key in keys.items():
            parameters.set_param(key, settings[name])
        try:
            yield
        finally:
            for name, key in keys.items():
                parameters.set_param(key, before[name] or False)

    def _send(self, method, path, body):
        answer = self.call(method, path, body)
        return answer.status_code, answer.json() if answer.content else None
