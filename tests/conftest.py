"""Fixtures shared by every test package: backends, throw-away databases and real servers.

Every behaviour test runs on both backends: SQLite (a fresh file) and PostgreSQL (a fresh
database on the server named by ``G2P_TEST_POSTGRES_URL``, an administrative URL). Without that
variable the PostgreSQL runs are skipped, unless ``G2P_REQUIRE_POSTGRES=1`` makes that an error,
as the test script and CI do.

A module marked ``pytestmark = pytest.mark.in_process`` talks to the app in the test's own
process, each test in a transaction rolled back at its end (`tests.support.in_process`); its
``client`` (and the packages' ``database``) then reach that app. Other modules talk to live
server processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.databases import PostgresServer, sqlite_url
from tests.support.in_process import InProcessApp, runs_in_process
from tests.support.live_server import LiveServer

BACKENDS = ("sqlite", "postgresql")


def _postgres_server() -> PostgresServer | None:
    admin_url = os.environ.get("G2P_TEST_POSTGRES_URL")
    if admin_url:
        return PostgresServer(admin_url)
    if os.environ.get("G2P_REQUIRE_POSTGRES") == "1":
        pytest.fail("G2P_REQUIRE_POSTGRES=1 but G2P_TEST_POSTGRES_URL is not set")
    pytest.skip("PostgreSQL runs need G2P_TEST_POSTGRES_URL")
    return None


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def database_factory(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """Makes fresh, empty databases on the module's backend; drops them afterwards."""
    created: list[str] = []
    postgres = _postgres_server() if backend == "postgresql" else None

    def make() -> str:
        url = postgres.create_database() if postgres else sqlite_url(tmp_path_factory.mktemp("db"))
        created.append(url)
        return url

    yield make
    if postgres:
        for url in created:
            postgres.drop_database(url)


@pytest.fixture(scope="module")
def database_url(database_factory: Callable[[], str]) -> str:
    return database_factory()


@pytest.fixture(scope="module")
def server_factory(
    database_factory: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., LiveServer]]:
    """Starts servers on new databases (`server_factory(workers=2, env={...})`); stopped after the module."""
    servers: list[LiveServer] = []

    def start(
        *, workers: int = 1, env: dict[str, str] | None = None, database_url: str | None = None
    ) -> LiveServer:
        log_path = tmp_path_factory.mktemp("server") / "server.log"
        server = LiveServer(database_url or database_factory(), log_path=log_path, workers=workers, env=env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def live_server(server_factory: Callable[..., LiveServer]) -> LiveServer:
    """One server per test module and backend, on its own fresh database."""
    return server_factory()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "in_process: the module's tests use the app in process, each in a rolled-back transaction"
    )


# The longest test files (measured on 2 cores), started first: pytest-xdist hands files to its
# workers in collection order, and a long file handed out last would run alone at the end.
LONGEST_FIRST = (
    "tests/conformance/test_bad_input.py",
    "tests/conformance/test_fuzz.py",
    "tests/bench/test_bench_smoke.py",
    "tests/bulk/test_import_cli.py",
    "tests/registry_server/test_login_throttle.py",
    "tests/registry_server/test_api_keys.py",
    "tests/bulk/test_export_cli.py",
    "tests/bank_server/test_shared_accounts.py",
    "tests/bank_server/test_shared_concurrency.py",
    "tests/registry_server/test_cli.py",
    "tests/conformance/test_crash_safety.py",
    "tests/bulk/test_bench_smoke.py",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    missing = [path for path in LONGEST_FIRST if not (config.rootpath / path).is_file()]
    if missing:
        raise pytest.UsageError(f"LONGEST_FIRST names files that do not exist: {missing}")
    rank = {path: index for index, path in enumerate(LONGEST_FIRST)}
    order = {id(item): index for index, item in enumerate(items)}

    def place(item: pytest.Item) -> tuple[int, int]:
        path = item.nodeid.partition("::")[0]
        return (rank.get(path, len(rank)), order[id(item)])

    items.sort(key=place)


@pytest.fixture(scope="module")
def app_settings() -> dict[str, object]:
    """Settings of the module's in-process app beyond the test defaults (packages override)."""
    return {}


@pytest.fixture(scope="module")
def in_process_app(database_url: str, app_settings: dict[str, object]) -> Iterator[InProcessApp]:
    app = InProcessApp(database_url, **app_settings)
    yield app
    app.close()


@pytest.fixture(autouse=True)
def _rolled_back(request: pytest.FixtureRequest) -> Iterator[None]:
    if not runs_in_process(request):
        yield
        return
    app: InProcessApp = request.getfixturevalue("in_process_app")
    with app.rolled_back():
        yield


def _serving(request: pytest.FixtureRequest) -> InProcessApp | LiveServer:
    """What the requesting test talks to: the module's in-process app, or its live server."""
    return request.getfixturevalue("in_process_app" if runs_in_process(request) else "live_server")


@pytest.fixture
def client(request: pytest.FixtureRequest, backend: str) -> Iterator[httpx.Client]:
    """The registry API with the admin's credentials (on the module's `backend`, which this
    fixture names so that tests are run on each)."""
    with _serving(request).client() as http:
        yield http


@pytest.fixture
def anonymous(request: pytest.FixtureRequest, backend: str) -> Iterator[httpx.Client]:
    """The registry API without credentials, as `client` reaches it."""
    with _serving(request).client(anonymous=True) as http:
        yield http
