"""Scopes on the command line and in the database: users and keys that existed before scopes keep
every scope (registry_0003); users and keys are created, listed and changed with scopes; unknown
scope names are refused with the list of valid ones."""

from __future__ import annotations

import httpx
from alembic import command
from sqlalchemy import create_engine, text

from g2p_registry_server.auth.api_keys import key_digest, new_key
from g2p_registry_server.auth.passwords import hash_password
from g2p_registry_server.db import normalize_database_url
from g2p_registry_server.db.migrate import alembic_config
from g2p_registry_server.extensions import load_extensions
from tests.registry_server.cli import run_cli

EVERY_SCOPE = "audit:read,bank:read,bank:reveal,bank:write,registry:read,registry:write"
BANK = {"G2P_EXTENSIONS": "bank,bulk"}


def _rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(normalize_database_url(url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_users_and_keys_that_existed_keep_every_scope(database_factory, server_factory):
    url = database_factory()
    engine = create_engine(normalize_database_url(url))
    key = new_key()
    try:
        with engine.connect() as connection:
            command.upgrade(alembic_config(load_extensions(None), connection), "registry_0002")
            connection.execute(
                text(
                    "INSERT INTO api_user (username, password_hash, active, create_date) "
                    "VALUES (:u, :h, :a, :d)"
                ),
                {"u": "veteran", "h": hash_password("veteran password"), "a": True, "d": "2026-01-01"},
            )
            connection.execute(
                text(
                    "INSERT INTO api_key (user_id, name, prefix, key_hash, create_date) "
                    "SELECT id, 'old', :prefix, :digest, :d FROM api_user WHERE username = 'veteran'"
                ),
                {"prefix": key[:12], "digest": key_digest(key), "d": "2026-01-01"},
            )
            connection.commit()
    finally:
        engine.dispose()
    assert run_cli(url, "migrate", **BANK).returncode == 0
    assert _rows(url, "SELECT scopes FROM api_user") == [(EVERY_SCOPE.replace(",", " "),)]
    assert _rows(url, "SELECT scopes FROM api_key") == [(EVERY_SCOPE.replace(",", " "),)]

    # An upstream-style client with the old credentials sees full numbers and may write accounts.
    server = server_factory(database_url=url, env=BANK)
    body = {
        "name": "OLD, Client",
        "given_name": "Client",
        "ids": [{"id_type": "National ID", "value": "NID-veteran"}],
    }
    body["bank_ids"] = [{"bank_name": "Old Bank", "acc_number": "DE89370400440532013000"}]
    for secret in ("veteran password", key):
        answer = httpx.post(f"{server.api_url}/individual", json=body, auth=("veteran", secret), timeout=30)
        if secret == key:
            assert answer.status_code == 400  # the same ID again: past the scope checks
            continue
        assert answer.status_code == 200, answer.text
        assert answer.json()["bank_ids"][0]["acc_number"] == "DE89370400440532013000"


def test_scopes_are_given_listed_and_changed(database_factory):
    url = database_factory()
    assert run_cli(url, "migrate", **BANK).returncode == 0

    created = run_cli(
        url, "create-user", "teller", "--password-stdin", "--scope", "registry:read", "--scope", "bank:read",
        stdin="teller password\n", **BANK,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "with scopes bank:read,registry:read" in created.stdout
    everything = run_cli(
        url, "create-user", "supervisor", "--password-stdin", stdin="supervisor pw\n", **BANK
    )
    assert "with scopes " + EVERY_SCOPE in everything.stdout, "a person's account: every scope by default"

    listed = run_cli(url, "users", "list", **BANK).stdout.splitlines()
    assert listed[0].split() == ["ID", "USER", "ACTIVE", "SCOPES"]
    assert listed[1].split()[1:] == ["teller", "yes", "bank:read,registry:read"]

    changed = run_cli(
        url, "users", "scopes", "teller", "--add", "bank:reveal", "--remove", "bank:read", **BANK
    )
    assert changed.stdout.strip() == "User teller holds: bank:reveal,registry:read"
    exactly = run_cli(
        url, "users", "scopes", "teller", "--set", "registry:read", "--set", "registry:write", **BANK
    )
    assert exactly.stdout.strip() == "User teller holds: registry:read,registry:write"
    nothing = run_cli(url, "users", "scopes", "teller", "--set", "none", **BANK)
    assert nothing.stdout.strip() == "User teller holds: -"
    assert run_cli(url, "users", "scopes", "nobody", "--add", "bank:read", **BANK).returncode == 1
    assert run_cli(url, "users", "scopes", "teller", **BANK).returncode == 2, "nothing to change"

    key = run_cli(url, "api-key", "create", "supervisor", "--scope", "registry:read", **BANK)
    assert key.returncode == 0, key.stderr
    assert "scopes: registry:read" in key.stderr
    [row] = [
        line for line in run_cli(url, "api-key", "list", **BANK).stdout.splitlines() if "supervisor" in line
    ]
    assert row.split()[-2:] == ["registry:read", "active"]
    more = run_cli(url, "api-key", "scopes", key.stdout.strip()[:12], "--add", "bank:read", **BANK)
    assert more.returncode == 0, more.stderr
    assert more.stdout.strip().endswith("holds: bank:read,registry:read")
    run_cli(url, "users", "scopes", "supervisor", "--set", "registry:read", **BANK)
    beyond = run_cli(url, "api-key", "scopes", key.stdout.strip()[:12], "--add", "bank:write", **BANK)
    assert beyond.returncode == 2
    assert "does not hold the scope(s) bank:write" in beyond.stderr


def test_unknown_scope_names_are_refused_with_the_valid_ones(database_factory):
    url = database_factory()
    assert run_cli(url, "migrate", **BANK).returncode == 0
    typo = run_cli(
        url, "create-user", "clerk", "--password-stdin", "--scope", "bank:raed", stdin="clerk pw 1\n", **BANK
    )
    assert typo.returncode == 2
    valid = "registry:read, registry:write, bank:read, bank:reveal, bank:write, audit:read"
    assert typo.stderr.strip() == f"error: Unknown scope(s) 'bank:raed'; valid scopes: {valid}"
    assert _rows(url, "SELECT username FROM api_user") == []
    # The bare registry (no bank extension) knows only its own two scopes.
    bare = run_cli(
        url, "create-user", "clerk", "--password-stdin", "--scope", "bank:read", stdin="clerk pw 1\n"
    )
    assert bare.returncode == 2
    assert "valid scopes: registry:read, registry:write" in bare.stderr
    run_cli(url, "create-user", "clerk", "--password-stdin", "--scope", "registry:read", stdin="clerk pw 1\n")
    keyless = run_cli(url, "api-key", "create", "clerk", "--scope", "registry:reed")
    assert keyless.returncode == 2
    assert "Unknown scope(s) 'registry:reed'" in keyless.stderr
    assert _rows(url, "SELECT count(*) FROM api_key") == [(0,)]
