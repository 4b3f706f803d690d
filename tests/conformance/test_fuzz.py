"""Property-based fuzzing of every route from the deployment's own OpenAPI document (issue 5, item 3).

schemathesis generates requests that fit each operation's schema (positive) and that break it
(negative); none may be answered 5xx, and every answer must match the schema declared for its
status. ``G2P_FUZZ_EXAMPLES`` bounds the examples per operation and mode (default 25) so that CI
stays fast; raise it for a deeper run.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.conformance import exposure
from tests.conformance.figures import FIGURES
from tests.conformance.target import API_ROOT, Target
from tests.conformance.test_registry_api import CONTRACT_ROUTES

EXAMPLES = int(os.environ.get("G2P_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
_SHAPE = re.compile(r"\{[^}]+\}")


def _shape(path: str) -> str:
    return _SHAPE.sub("{}", path)


@pytest.fixture(scope="module")
def openapi(target: Target) -> tuple[Any, str]:
    """The loaded schema and the base URL its paths are relative to."""
    document = httpx.get(f"{target.api_url}/openapi.json", timeout=30).raise_for_status().json()
    schema = schemathesis.openapi.from_dict(document)
    servers = [server.get("url", "") for server in document.get("servers") or []]
    if any(url.rstrip("/").endswith(API_ROOT) for url in servers):
        base_url = target.api_url
    else:
        relative = all(not path.startswith(API_ROOT) for path in document["paths"])
        base_url = target.api_url if relative else target.origin
    return schema, base_url


def _operations(schema: Any) -> dict[tuple[str, str], Any]:
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        path = operation.path[len(API_ROOT) :] if operation.path.startswith(API_ROOT) else operation.path
        found[(operation.method.lower(), _shape(path))] = operation
    return found


def _an_address(text: str) -> bool:
    # The generator sometimes sends an IP address ("127.0.0.1"); every server log names the
    # address it listens on, which is no account number leaking.
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


def _remember_account_numbers(value: Any) -> None:
    # Generated numbers are traced in the logs too, when they look like real numbers (6+ digits).
    if isinstance(value, dict):
        number = value.get("acc_number")
        if isinstance(number, str) and sum(ch.isdigit() for ch in number) >= 6 and not _an_address(number):
            exposure.sent_account_number(number)
        for nested in value.values():
            _remember_account_numbers(nested)
    elif isinstance(value, list):
        for nested in value:
            _remember_account_numbers(nested)


def _fuzz(target: Target, operation: Any, base_url: str, mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        _remember_account_numbers(case.body)
        FIGURES.add("fuzz_cases")
        case.call_and_validate(base_url=base_url, auth=target.auth, timeout=60, checks=CHECKS)

    run()


ROUTES = sorted(CONTRACT_ROUTES)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m.upper()} {p}" for m, p in ROUTES])
def test_contract_route_survives_fuzzing(target: Target, openapi, method: str, path: str, mode) -> None:
    schema, base_url = openapi
    operation = _operations(schema).get((method, _shape(path)))
    assert operation is not None, f"{method.upper()} {path} is not in the OpenAPI document"
    _fuzz(target, operation, base_url, mode)


def test_routes_beyond_the_contract_survive_fuzzing(target: Target, openapi) -> None:
    schema, base_url = openapi
    known = {(method, _shape(path)) for method, path in CONTRACT_ROUTES}
    for key, operation in sorted(_operations(schema).items()):
        if key not in known:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(target, operation, base_url, mode)
