"""HTTP Basic on every registry route (extension routes included), public docs and OpenAPI, and
users created with the CLI."""

from __future__ import annotations

import httpx
import pytest

from tests.registry_server.cli import run_cli


def _operations(registry) -> list[tuple[str, str]]:
    document = httpx.get(f"{registry.api_url}/openapi.json", timeout=30).json()
    return [
        (method.upper(), path.replace("{_id}", "1"))
        for path, item in document["paths"].items()
        for method in item
    ]


def test_every_operation_requires_basic_auth(registry, anonymous):
    operations = _operations(registry)
    assert len(operations) >= 8
    for method, path in operations:
        answer = anonymous.request(method, path, json=[] if method == "PUT" else {})
        assert answer.status_code == 401, (method, path, answer.text)
        assert answer.headers["WWW-Authenticate"] == "Basic"


@pytest.mark.parametrize(
    "credentials",
    [("admin", "wrong password"), ("nobody", "whatever"), ("ad\x00min", "x"), ("", "")],
)
def test_wrong_credentials_are_401(registry, credentials):
    answer = httpx.get(f"{registry.api_url}/individual", auth=credentials, timeout=30)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Basic"


def test_unauthenticated_bad_body_is_401_not_422(anonymous):
    answer = anonymous.post("/individual", content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 401
    assert anonymous.get("/no-such-route").status_code == 401


def test_non_ascii_password_works(registry):
    created = run_cli(
        registry.database_url, "create-user", "amelie", "--password-stdin", stdin="mot de passe été\n"
    )
    assert created.returncode == 0, created.stderr
    answer = httpx.get(f"{registry.api_url}/individual/1", auth=("amelie", "mot de passe été"), timeout=30)
    assert answer.status_code in (200, 400)


def test_garbled_authorization_header_is_401(anonymous):
    for header in ("Basic !!!", "Basic " + "YWRtaW4=", "Bearer abc", "Basic"):
        answer = anonymous.get("/individual", headers={"Authorization": header})
        assert answer.status_code == 401, header


def test_docs_and_openapi_are_public(anonymous):
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert anonymous.get(path).status_code == 200, path
    document = anonymous.get("/openapi.json").json()
    assert document["components"]["securitySchemes"] == {"HTTPBasic": {"type": "http", "scheme": "basic"}}


def test_healthz_is_public(registry):
    answer = httpx.get(f"{registry.base_url}/healthz", timeout=30)
    assert answer.json() == {"status": "ok"}


def _cli(registry, *args: str, stdin: str = ""):
    return run_cli(registry.database_url, *args, stdin=stdin)


def test_create_user_cli_then_login(registry):
    created = _cli(
        registry, "create-user", "field-officer", "--password-stdin", stdin="correct horse battery\n"
    )
    assert created.returncode == 0, created.stderr
    assert "Created user field-officer" in created.stdout
    url = f"{registry.api_url}/get_individual_ids"
    params = {"include_id_type": "National ID"}
    assert (
        httpx.get(url, params=params, auth=("field-officer", "correct horse battery"), timeout=30).status_code
        == 200
    )
    assert (
        httpx.get(url, params=params, auth=("field-officer", "correct horse"), timeout=30).status_code == 401
    )

    again = _cli(registry, "create-user", "field-officer", "--password-stdin", stdin="another password\n")
    assert again.returncode == 1
    assert "exists already" in again.stderr
    too_short = _cli(registry, "create-user", "someone", "--password-stdin", stdin="short\n")
    assert too_short.returncode == 2
    assert "at least 8" in too_short.stderr
    bad_name = _cli(registry, "create-user", "bad name", "--password-stdin", stdin="long enough password\n")
    assert bad_name.returncode == 2


def test_passwords_are_stored_as_argon2id(registry):
    from sqlalchemy import create_engine, text

    from g2p_registry_server.db import normalize_database_url

    engine = create_engine(normalize_database_url(registry.database_url))
    with engine.connect() as connection:
        hashes = connection.execute(text("SELECT password_hash FROM api_user")).scalars().all()
    engine.dispose()
    assert hashes
    assert all(value.startswith("$argon2id$") for value in hashes)
    assert registry.admin_password not in "".join(hashes)
