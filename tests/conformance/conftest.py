"""Where the conformance suite runs, and what it reports when done.

By default each test module gets our standalone server as a real process on a fresh database,
for each backend (SQLite; PostgreSQL when G2P_TEST_POSTGRES_URL is set). With ``--base-url`` (and
``--user``/``--password``) every test runs once against that deployment instead; tests that need
to kill or read the server process (``needs_process``) are then skipped. Tests relying on what
only our server fills in answers carry ``standalone_only`` for ``-m "not standalone_only"``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conformance import exposure
from tests.conformance.figures import FIGURES
from tests.conformance.target import REMOTE, Reference, Target, api_url_of, local_target
from tests.support.live_server import LiveServer

LOCAL_BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "standalone_only: relies on answers only the standalone server fills (deselect for upstream)",
    )
    config.addinivalue_line(
        "markers", "needs_process: kills, restarts or reads the logs of a server the suite started"
    )


def _remote(config: pytest.Config) -> bool:
    return bool(config.getoption("base_url", default=None))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # One run against a given deployment; otherwise one per local database backend.
    if "backend" in metafunc.fixturenames:
        params = [REMOTE] if _remote(metafunc.config) else list(LOCAL_BACKENDS)
        metafunc.parametrize("backend", params, indirect=True, scope="module")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _remote(config):
        return
    skip = pytest.mark.skip(reason="needs a server process the suite started; not with --base-url")
    for item in items:
        if "needs_process" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    """Overrides the shared fixture so that a remote run is not repeated per database backend."""
    return request.param


@pytest.fixture(scope="module")
def server_factory(server_factory: Callable[..., LiveServer]) -> Callable[..., LiveServer]:
    """The shared factory, remembering each server's log for the end-of-session scan."""

    def start(**kwargs) -> LiveServer:
        server = server_factory(**kwargs)
        exposure.server_log(server.log_path)
        return server

    return start


@pytest.fixture(scope="session")
def reference(pytestconfig: pytest.Config) -> Reference:
    return Reference(
        id_type=pytestconfig.getoption("id_type", default=Reference.id_type),
        group_kind=pytestconfig.getoption("group_kind", default=Reference.group_kind),
        membership_kind=pytestconfig.getoption("membership_kind", default=Reference.membership_kind),
        gender=pytestconfig.getoption("gender", default=Reference.gender),
    )


@pytest.fixture(scope="session")
def remote_target(pytestconfig: pytest.Config, reference: Reference) -> Target:
    base_url = pytestconfig.getoption("base_url")
    user, password = pytestconfig.getoption("user"), pytestconfig.getoption("password")
    if not (user and password):
        raise pytest.UsageError("--base-url needs --user and --password")
    return Target(
        api_url=api_url_of(base_url), auth=(user, exposure.sent_password(password)), reference=reference
    )


@pytest.fixture(scope="module")
def target(backend: str, request: pytest.FixtureRequest, reference: Reference) -> Target:
    """The deployment this module's tests talk to."""
    if backend == REMOTE:
        return request.getfixturevalue("remote_target")
    return local_target(request.getfixturevalue("live_server"), reference)


# The roles of --scoped-credentials and the scopes each holds (tests/conformance/test_scopes.py).
ROLES = {
    "registry-reader": ("registry:read",),
    "masked-reader": ("registry:read", "bank:read"),
    "enroller": ("registry:read", "registry:write", "bank:read"),
}


@pytest.fixture(scope="module")
def scoped_callers(target: Target, pytestconfig: pytest.Config) -> dict[str, tuple[str, str]]:
    """Logins holding only the scopes of their role: given with --scoped-credentials for a
    deployment; created with the command line on the standalone server the suite started."""
    callers: dict[str, tuple[str, str]] = {}
    if target.server is None:
        for given in pytestconfig.getoption("scoped_credentials", default=[]) or []:
            role, _, credentials = given.partition("=")
            user, _, password = credentials.partition(":")
            if role not in ROLES or not (user and password):
                raise pytest.UsageError(
                    f"--scoped-credentials {given!r}: expected ROLE=USER:PASSWORD, ROLE in {list(ROLES)}"
                )
            callers[role] = (user, exposure.sent_password(password))
        return callers
    from tests.registry_server.cli import EVERY_EXTENSION, new_user

    for role, scopes in ROLES.items():
        password = exposure.sent_password(secrets.token_urlsafe(12))
        new_user(
            target.server.database_url,
            role,
            password,
            *scopes,
            **EVERY_EXTENSION,
        )
        callers[role] = (role, password)
    return callers


@pytest.fixture
def api(target: Target) -> Iterator[httpx.Client]:
    with target.client() as client:
        yield client


@pytest.fixture
def ref(target: Target) -> Reference:
    return target.reference


@pytest.fixture(scope="session", autouse=True)
def account_numbers_never_logged() -> Iterator[None]:
    """After the whole run: no server log holds an account number or password whole (CONTRACT section 3)."""
    yield
    findings = []
    for path in exposure.log_paths():
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        assert text, f"server log {path} is empty: the scan would prove nothing"
        findings += [f"{path.parent.name}: {exposure.masked(secret)}" for secret in exposure.leaks_in(text)]
    FIGURES.add("logs_scanned", len(exposure.log_paths()))
    FIGURES.add("secrets_in_logs", len(findings))
    assert not findings, "secrets found whole in server logs:\n" + "\n".join(findings[:50])
