"""Authentication and exposure (issue 5, item 6): every API route refuses missing or wrong
credentials alike, an unknown user is refused as fast as a known one with a wrong password, and
answers never repeat passwords. The scan of server logs for account numbers and passwords runs
once at the end of the session, and every answer read through ``Target.client`` is checked for
the suite's own password (conftest, target).
"""

from __future__ import annotations

import base64
import secrets
import statistics
import time

import httpx
import pytest

from tests import factories as make
from tests.conformance import exposure
from tests.conformance.figures import FIGURES
from tests.conformance.target import Reference, Target
from tests.support.live_server import LiveServer

TIMING_TRIES = 9
# Medians of known-user and unknown-user refusals may differ by this factor (plus a small absolute
# allowance for loopback jitter when both are very fast): generous, yet a skipped password hash
# (a factor of 10 to 100) fails it.
TIMING_RATIO = 2.5
TIMING_SLACK_SECONDS = 0.003


@pytest.fixture(scope="module")
def live_server(server_factory) -> LiveServer:
    """The standalone target at a real deployment's hashing cost (test servers hash cheaply):
    a refusal's time is what this module measures."""
    return server_factory(env={"G2P_PASSWORD_HASH_COST": "standard"})


def _routes(ref: Reference) -> list[tuple[str, str, object]]:
    return [
        ("GET", "/individual/1", None),
        ("GET", "/individual", None),
        ("POST", "/individual", make.individual(ref, bank_ids=[make.bank_item()])),
        ("GET", "/get_individual_ids?include_id_type=x", None),
        ("PUT", "/update_individual?id_type=x", [make.update(make.unique_value())]),
        ("GET", "/group/1", None),
        ("GET", "/group", None),
        ("POST", "/group", make.group(ref)),
        ("GET", "/registrant/1/bank_accounts", None),
        ("POST", "/registrant/1/bank_accounts", make.bank_item()),
        ("PUT", "/registrant/1/bank_accounts", [make.bank_item()]),
        ("DELETE", "/registrant/1/bank_accounts/1", None),
    ]


def _credentials(target: Target) -> dict[str, dict[str, str]]:
    user = target.auth[0]
    wrong = exposure.sent_password(f"Wrong-{secrets.token_urlsafe(12)}")
    unknown_user = f"nobody-{make.token()}"

    def basic(name: str, password: str) -> str:
        return "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()

    return {
        "none": {},
        "wrong-password": {"authorization": basic(user, wrong)},
        "unknown-user": {"authorization": basic(unknown_user, wrong)},
        "empty-password": {"authorization": basic(user, "")},
        "not-base64": {"authorization": "Basic !!!not-base64!!!"},
        "no-colon": {"authorization": "Basic " + base64.b64encode(user.encode()).decode()},
        "not-utf8": {"authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()},
        "bearer": {"authorization": f"Bearer {secrets.token_urlsafe(16)}"},
    }


ON_EVERY_ROUTE = ("none", "wrong-password", "unknown-user")
ON_SOME_ROUTES = ("empty-password", "not-base64", "no-colon", "not-utf8", "bearer")


@pytest.mark.parametrize("kind", ON_EVERY_ROUTE + ON_SOME_ROUTES)
def test_routes_refuse_bad_credentials(target: Target, kind: str) -> None:
    headers = _credentials(target)[kind]
    routes = _routes(target.reference)
    # Malformed headers take one code path whatever the route: three routes (read, write, account) suffice.
    routes = routes if kind in ON_EVERY_ROUTE else [routes[0], routes[2], routes[9]]
    with target.client(auth=None) as anonymous:
        for method, path, body in routes:
            response = anonymous.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, f"{method} {path} with {kind}: {response.status_code}"
            assert response.headers.get("www-authenticate", "").lower().startswith("basic"), (
                f"{method} {path}: 401 without WWW-Authenticate: Basic"
            )
            assert not exposure.leaks_in(response.text), f"{method} {path}: the answer repeats a secret"
            FIGURES.add("auth_refusals")


def test_refused_requests_write_nothing(target: Target, api: httpx.Client) -> None:
    body = make.individual(target.reference, bank_ids=[make.bank_item()])
    with target.client(auth=(target.auth[0], exposure.sent_password(secrets.token_urlsafe(12)))) as intruder:
        assert intruder.post("/individual", json=body).status_code == 401
    assert api.get("/individual", params={"name": body["name"]}).status_code == 400


def test_unknown_user_is_refused_in_the_time_of_a_wrong_password(target: Target) -> None:
    credentials = _credentials(target)
    timings: dict[str, list[float]] = {"wrong-password": [], "unknown-user": []}
    with target.client(auth=None) as anonymous:
        anonymous.get("/individual/1")  # open the connection before timing
        for _ in range(TIMING_TRIES):  # interleaved, so that a change of machine load hits both alike
            for kind, samples in timings.items():
                started = time.perf_counter()
                response = anonymous.get("/individual/1", headers=credentials[kind])
                samples.append(time.perf_counter() - started)
                assert response.status_code == 401
    known, unknown = (statistics.median(samples) for samples in timings.values())
    slow, fast = max(known, unknown), min(known, unknown)
    assert slow <= fast * TIMING_RATIO + TIMING_SLACK_SECONDS, (
        f"median refusal: known user {known * 1000:.1f} ms, unknown user {unknown * 1000:.1f} ms"
    )
