"""Command-line options of the conformance suite, loaded as a plugin (``-p``, see pyproject.toml)
so that ``pytest --base-url ...`` works from the repository's top as well as on the folder."""

from __future__ import annotations

import pytest

from tests.conformance.figures import FIGURES
from tests.conformance.target import Reference

_WORKER_FIGURES = "conformance_figures"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "registry conformance suite")
    group.addoption("--base-url", default=None, help="run against this deployment instead of a local server")
    group.addoption("--user", default=None, help="HTTP Basic user of the deployment")
    group.addoption("--password", default=None, help="HTTP Basic password of the deployment")
    group.addoption("--id-type", default=Reference.id_type, help="an ID type the deployment holds")
    group.addoption("--group-kind", default=Reference.group_kind, help="a group kind the deployment holds")
    group.addoption(
        "--membership-kind", default=Reference.membership_kind, help="a membership kind the deployment holds"
    )
    group.addoption("--gender", default=Reference.gender, help="a gender code the deployment holds")
    group.addoption(
        "--deployment-setting",
        action="append",
        metavar="NAME=VALUE",
        help="a setting the deployment runs with (e.g. shared_account_policy=block), repeatable; "
        "scenarios needing other settings are skipped",
    )
    group.addoption(
        "--scoped-credentials",
        action="append",
        default=[],
        metavar="ROLE=USER:PASSWORD",
        help=(
            "a login of the deployment holding only some scopes, for tests/conformance/test_scopes.py "
            "(repeatable; the password may be an API key). ROLE is one of: "
            "registry-reader (registry:read), masked-reader (registry:read, bank:read), "
            "enroller (registry:read, registry:write, bank:read). Without it the tests of that "
            "role are skipped against a deployment; the standalone server gets such users created."
        ),
    )


# The figures' summary line, printed by the process that reports (the controller under xdist).


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:  # an xdist worker: its tally goes to the controller
        worker_output[_WORKER_FIGURES] = FIGURES.tallies()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    tallies = getattr(node, "workeroutput", {}).get(_WORKER_FIGURES)
    if tallies:
        FIGURES.merge(tallies)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if FIGURES.any():
        terminalreporter.write_line(FIGURES.summary_line())
