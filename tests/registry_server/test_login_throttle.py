"""Login throttling on real servers with two workers, at the contract's limits (5 failures per
login, 20 per client address): blocked attempts answer 429 with Retry-After before any password
hash is computed, whatever the password; the counters are in the database, so both workers (and
every machine) share them; a success resets its login's count; other logins are not blocked.

The server `behind_proxy` trusts 127.0.0.1 as a proxy, so each test sends its own client address
in X-Forwarded-For and the tests do not add to each other's address counts; `direct` trusts no
proxy, so X-Forwarded-For changes nothing there."""

from __future__ import annotations

import statistics
import time
from itertools import count

import httpx
import pytest
from sqlalchemy import create_engine, text

from g2p_registry_server.auth.throttle import penalty_seconds
from g2p_registry_server.db import normalize_database_url
from tests.registry_server.cli import new_user, run_cli
from tests.support.live_server import LiveServer

LIMITS = {"G2P_EXTENSIONS": "", "G2P_LOGIN_FAILURES_PER_LOGIN": "5", "G2P_LOGIN_FAILURES_PER_ADDRESS": "20"}
_addresses = count(1)


@pytest.fixture(scope="module")
def behind_proxy(server_factory) -> LiveServer:
    return server_factory(workers=2, env={**LIMITS, "G2P_TRUSTED_PROXIES": "127.0.0.1, ::1"})


@pytest.fixture(scope="module")
def direct(server_factory) -> LiveServer:
    return server_factory(workers=2, env=LIMITS)


def _new_address() -> str:
    number = next(_addresses)
    return f"198.51.100.{number}"


def _user(server: LiveServer, name: str, **settings: str) -> tuple[str, str]:
    password = f"{name} secret password"
    new_user(server.database_url, name, password, **settings)
    return name, password


def _attempt(server: LiveServer, auth: tuple[str, str], address: str | None) -> tuple[httpx.Response, float]:
    headers = {"X-Forwarded-For": address} if address else {}
    started = time.perf_counter()
    # A new connection each time: the attempts spread over both workers.
    response = httpx.get(
        f"{server.api_url}/get_individual_ids",
        params={"include_id_type": "National ID"},
        auth=auth,
        headers=headers,
        timeout=30,
    )
    return response, time.perf_counter() - started


def test_six_wrong_passwords_then_the_right_one_is_refused_at_once(behind_proxy: LiveServer) -> None:
    # A real deployment's hash, so that a refusal that verified it takes measurably long.
    user, password = _user(behind_proxy, "throttled", G2P_PASSWORD_HASH_COST="standard")  # noqa: S106
    address = _new_address()
    refusals = [_attempt(behind_proxy, (user, "wrong password"), address) for _ in range(5)]
    assert [response.status_code for response, _ in refusals] == [401] * 5
    sixth, _ = _attempt(behind_proxy, (user, "wrong password"), address)
    right, right_took = _attempt(behind_proxy, (user, password), address)
    for response in (sixth, right):
        assert response.status_code == 429, response.text
        assert 55 <= int(response.headers["retry-after"]) <= 60
        assert "retry after" in response.json()["detail"]
        assert "www-authenticate" not in response.headers
    # No hash computed: far faster than a refusal that verified a password. Measured in turns
    # with refusals of another login (wrong passwords, 4: below its limit), so that the load of
    # a shared machine weighs on both alike.
    control, _ = _user(behind_proxy, "control", G2P_PASSWORD_HASH_COST="standard")  # noqa: S106
    blocked, verified = [right_took], []
    for _ in range(4):
        blocked.append(_attempt(behind_proxy, (user, password), address)[1])
        refused, took = _attempt(behind_proxy, (control, "wrong password"), _new_address())
        assert refused.status_code == 401
        verified.append(took)
        blocked.append(_attempt(behind_proxy, (user, password), address)[1])
    assert statistics.median(blocked) < statistics.median(verified) / 2, (blocked, verified)
    # Blocked for that login from anywhere, not only from that address.
    elsewhere, _ = _attempt(behind_proxy, (user, password), _new_address())
    assert elsewhere.status_code == 429


def test_other_logins_are_not_blocked(behind_proxy: LiveServer) -> None:
    attacked, _ = _user(behind_proxy, "attacked")
    bystander = _user(behind_proxy, "bystander")
    address = _new_address()
    for _ in range(7):
        _attempt(behind_proxy, (attacked, "guess"), address)
    assert _attempt(behind_proxy, (attacked, "guess"), address)[0].status_code == 429
    # Same client address (7 failures, below its 20), another login.
    assert _attempt(behind_proxy, bystander, address)[0].status_code == 200


def test_a_success_resets_its_login_count(behind_proxy: LiveServer) -> None:
    user, password = _user(behind_proxy, "forgetful")
    address = _new_address()
    for _ in range(2):
        # 4 failures each round: 8 in all would have blocked the login without the reset between.
        statuses = [_attempt(behind_proxy, (user, "typo"), address)[0].status_code for _ in range(4)]
        assert statuses == [401] * 4
        assert _attempt(behind_proxy, (user, password), address)[0].status_code == 200
        # A new password each round: the right one is verified again (not remembered), and resets.
        password = password + "!"
        changed = run_cli(
            behind_proxy.database_url,
            "create-user",
            user,
            "--update",
            "--password-stdin",
            stdin=password + "\n",
        )
        assert changed.returncode == 0, changed.stderr


def test_the_penalty_doubles_with_each_further_failure(behind_proxy: LiveServer) -> None:
    user, _ = _user(behind_proxy, "persistent")
    address = _new_address()
    for _ in range(5):
        _attempt(behind_proxy, (user, "guess"), address)
    engine = create_engine(normalize_database_url(behind_proxy.database_url))
    try:
        with engine.begin() as connection:  # the first block is over
            connection.execute(
                text("UPDATE login_throttle SET blocked_until = NULL WHERE subject = :subject"),
                {"subject": f"login:{user}"},
            )
        assert _attempt(behind_proxy, (user, "guess"), address)[0].status_code == 401
        after_sixth, _ = _attempt(behind_proxy, (user, "guess"), address)
        assert after_sixth.status_code == 429
        assert 115 <= int(after_sixth.headers["retry-after"]) <= 120
    finally:
        engine.dispose()
    assert [penalty_seconds(failures, 5) for failures in (4, 5, 6, 7, 9, 30)] == [
        None,
        60,
        120,
        240,
        900,
        900,
    ]


def test_one_client_address_is_blocked_after_twenty_failures(behind_proxy: LiveServer) -> None:
    user = _user(behind_proxy, "shared-office")
    address = _new_address()
    for attempt in range(20):  # 4 per login: no login reaches its limit
        response, _ = _attempt(behind_proxy, (f"nobody-{attempt // 4}", "guess"), address)
        assert response.status_code == 401
    assert _attempt(behind_proxy, user, address)[0].status_code == 429
    assert _attempt(behind_proxy, user, _new_address())[0].status_code == 200


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(direct: LiveServer) -> None:
    user = _user(direct, "behind-nat")
    # Each failure claims another address; the server counts its peer, 127.0.0.1, for all.
    for attempt in range(20):
        response, _ = _attempt(direct, (f"nobody-{attempt // 4}", "guess"), _new_address())
        assert response.status_code == 401
    assert _attempt(direct, user, _new_address())[0].status_code == 429
