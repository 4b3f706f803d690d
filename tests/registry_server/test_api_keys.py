"""API keys of integrations and the cache of verified passwords, on a server with two workers:
a key works as the Basic password of its user, is stored only as a digest, and stops working at
once, in every worker, when revoked or expired; a cached password stops working at once when it
is changed or its user is deactivated."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text, update

from g2p_registry_server.auth.models import ApiKey, LoginThrottle, User
from g2p_registry_server.db import Base, normalize_database_url
from tests.registry_server.cli import new_user, run_cli
from tests.registry_server.conftest import REGISTRY_ONLY

KEY_SHAPE = re.compile(r"g2p_[A-Za-z0-9_-]{43}")
# Fresh connections spread requests over both workers, so that both have cached what is tested.
ATTEMPTS = 10


@pytest.fixture(scope="module")
def pool(server_factory):
    return server_factory(workers=2, env=REGISTRY_ONLY)


@pytest.fixture(scope="module")
def database(pool):
    engine = create_engine(normalize_database_url(pool.database_url))
    yield engine
    engine.dispose()


def _statuses(server, auth: tuple[str, str]) -> set[int]:
    url = f"{server.api_url}/get_individual_ids"
    params = {"include_id_type": "National ID"}
    return {httpx.get(url, params=params, auth=auth, timeout=30).status_code for _ in range(ATTEMPTS)}


def _cli(server, *args: str, stdin: str = ""):
    return run_cli(server.database_url, *args, stdin=stdin)


def _new_key(server, username: str, *options: str) -> str:
    if "--scope" not in options:
        options = (*options, "--all-scopes")
    created = _cli(server, "api-key", "create", username, *options)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert KEY_SHAPE.fullmatch(key), "stdout carries the key alone"
    assert "shown only now" in created.stderr
    return key


def test_key_is_the_basic_password_of_its_user_only(pool, database):
    new_user(pool.database_url, "payments", "payments password")
    new_user(pool.database_url, "other", "other password")
    key = _new_key(pool, "payments", "--name", "payment gateway")
    assert _statuses(pool, ("payments", key)) == {200}
    assert _statuses(pool, ("other", key)) == {401}
    assert _statuses(pool, ("payments", key[:-1] + ("A" if key[-1] != "A" else "B"))) == {401}
    # The password keeps working beside the key.
    assert _statuses(pool, ("payments", "payments password")) == {200}

    with database.connect() as connection:
        stored = connection.execute(text("SELECT prefix, key_hash, name FROM api_key")).all()
    assert [(row.prefix, row.key_hash, row.name) for row in stored] == [
        (key[:12], hashlib.sha256(key.encode()).hexdigest(), "payment gateway")
    ]


def test_list_shows_prefixes_never_keys(pool):
    key = _new_key(pool, "admin", "--name", "listing", "--expires-days", "30")
    listed = _cli(pool, "api-key", "list", "admin")
    assert listed.returncode == 0, listed.stderr
    assert key not in listed.stdout
    [line] = [line for line in listed.stdout.splitlines() if key[:12] in line]
    assert "listing" in line
    assert line.split()[-1] == "active"
    assert "payments" not in listed.stdout, "only the named user's keys"
    assert "payments" in _cli(pool, "api-key", "list").stdout


def test_revocation_takes_effect_at_once_in_every_worker(pool):
    by_prefix, by_id, by_key = (_new_key(pool, "admin") for _ in range(3))
    for key in (by_prefix, by_id, by_key):
        assert _statuses(pool, ("admin", key)) == {200}

    assert _cli(pool, "api-key", "revoke", by_prefix[:12]).returncode == 0
    assert _statuses(pool, ("admin", by_prefix)) == {401}

    listed = _cli(pool, "api-key", "list", "admin").stdout
    [line] = [line for line in listed.splitlines() if by_id[:12] in line]
    revoked = _cli(pool, "api-key", "revoke", line.split()[0])
    assert revoked.returncode == 0, revoked.stderr
    assert f"Revoked API key {line.split()[0]} ({by_id[:12]})" in revoked.stdout
    assert _statuses(pool, ("admin", by_id)) == {401}

    assert _cli(pool, "api-key", "revoke", by_key).returncode == 0
    assert _statuses(pool, ("admin", by_key)) == {401}
    statuses = {line.split()[-1] for line in _cli(pool, "api-key", "list").stdout.splitlines()}
    assert "revoked" in statuses

    missing = _cli(pool, "api-key", "revoke", "g2p_notakey")
    assert missing.returncode == 1
    assert "No such API key" in missing.stderr


def test_expired_key_is_refused(pool, database):
    key = _new_key(pool, "admin", "--expires-days", "1")
    assert _statuses(pool, ("admin", key)) == {200}
    with database.begin() as connection:
        connection.execute(
            update(ApiKey).where(ApiKey.prefix == key[:12]).values(expires_at=datetime(2000, 1, 1))
        )
    assert _statuses(pool, ("admin", key)) == {401}
    [line] = [line for line in _cli(pool, "api-key", "list").stdout.splitlines() if key[:12] in line]
    assert line.split()[-1] == "expired"


def test_bad_key_requests_are_refused_plainly(pool):
    unknown = _cli(pool, "api-key", "create", "nobody", "--all-scopes")
    assert unknown.returncode == 2
    assert "No active user" in unknown.stderr
    assert unknown.stdout == ""
    bad_expiry = _cli(pool, "api-key", "create", "admin", "--all-scopes", "--expires-days", "0")
    assert bad_expiry.returncode == 2
    unstated = _cli(pool, "api-key", "create", "admin")
    assert unstated.returncode == 2
    assert "--scope SCOPE (repeatable) or --all-scopes" in unstated.stderr


def test_changed_password_and_deactivated_user_take_effect_at_once(pool, database):
    new_user(pool.database_url, "officer", "first password")
    key = _new_key(pool, "officer")
    assert _statuses(pool, ("officer", "first password")) == {200}, "now cached in both workers"

    changed = _cli(pool, "create-user", "officer", "--update", "--password-stdin", stdin="second password\n")
    assert changed.returncode == 0, changed.stderr
    assert _statuses(pool, ("officer", "first password")) == {401}
    assert _statuses(pool, ("officer", "second password")) == {200}

    with database.begin() as connection:
        connection.execute(text("UPDATE api_user SET active = false WHERE username = 'officer'"))
    assert _statuses(pool, ("officer", "second password")) == {401}
    assert _statuses(pool, ("officer", key)) == {401}
    with database.begin() as connection:
        connection.execute(text("UPDATE api_user SET active = true WHERE username = 'officer'"))
    assert _statuses(pool, ("officer", "second password")) == {200}
    assert _statuses(pool, ("officer", key)) == {200}


def test_migration_matches_the_model(database):
    tables = {ApiKey.__tablename__, User.__tablename__, LoginThrottle.__tablename__}

    def only_api_key(obj, name, type_, reflected, compare_to) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        return table is not None and table.name in tables

    with database.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": only_api_key, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []
