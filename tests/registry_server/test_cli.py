"""The command line: migrations and seeding are idempotent and safe when several processes run
them at once; reference data can be replaced by a file; `openapi` prints the document; a first
start without a configured password creates the admin once and prints its password."""

from __future__ import annotations

import json
import re

import httpx
from sqlalchemy import create_engine, text

from g2p_registry_server.db import normalize_database_url
from tests.registry_server.cli import run_cli, start_cli


def _table_rows(database_url: str, table: str) -> list[tuple]:
    engine = create_engine(normalize_database_url(database_url))
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))]  # noqa: S608
    finally:
        engine.dispose()


def test_concurrent_migrate_and_seed_apply_once(database_factory):
    url = database_factory()
    migrators = [start_cli(url, "migrate") for _ in range(3)]
    for process in migrators:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    engine = create_engine(normalize_database_url(url))
    with engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert versions == ["registry_0004"]

    seeders = [start_cli(url, "seed") for _ in range(4)]
    added = 0
    for process in seeders:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        added += int(re.search(r"Added (\d+)", out).group(1))
    assert added == 13
    assert [row[1] for row in _table_rows(url, "id_type")] == ["National ID", "Passport", "Tax ID"]
    assert [row[1] for row in _table_rows(url, "membership_kind")] == [
        "Head",
        "Spouse",
        "Child",
        "Principal Recipient",
        "Alternative Recipient",
    ]
    assert run_cli(url, "migrate").returncode == 0


def test_seed_from_a_file_adds_what_is_missing(database_factory, tmp_path):
    url = database_factory()
    assert run_cli(url, "migrate").returncode == 0
    assert run_cli(url, "seed").returncode == 0
    custom = tmp_path / "reference.json"
    custom.write_text(json.dumps({"id_types": ["Voter Card", "Passport"], "group_kinds": ["Cooperative"]}))
    seeded = run_cli(url, "seed", "--file", str(custom))
    assert seeded.returncode == 0, seeded.stderr
    assert "Added 2" in seeded.stdout
    assert "Voter Card" in [row[1] for row in _table_rows(url, "id_type")]

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"id_types": ["ok"], "colours": ["red"]}))
    refused = run_cli(url, "seed", "--file", str(broken))
    assert refused.returncode == 2
    assert "colours" in refused.stderr
    missing = run_cli(url, "seed", "--file", str(tmp_path / "absent.json"))
    assert missing.returncode == 2


def test_reference_data_setting_is_used_at_start(server_factory, tmp_path):
    custom = tmp_path / "reference.json"
    custom.write_text(json.dumps({"id_types": ["Refugee ID"], "genders": [{"code": "F", "value": "Female"}]}))
    server = server_factory(env={"G2P_EXTENSIONS": "", "G2P_REFERENCE_DATA": str(custom)})
    body = {
        "name": "Amina",
        "given_name": "Amina",
        "ids": [{"id_type": "Refugee ID", "value": "R-1"}],
        "gender": "F",
    }
    with server.client() as http:
        answer = http.post("/individual", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["gender"] == "Female"


def test_openapi_command_prints_the_document(database_factory):
    printed = run_cli(database_factory(), "openapi")
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert document["openapi"].startswith("3.1")
    assert len(document["paths"]) == 6
    assert "IndividualInfoRequest" in document["components"]["schemas"]


def test_first_start_generates_the_admin_password_once(server_factory, database_factory):
    url = database_factory()
    server = server_factory(database_url=url, env={"G2P_EXTENSIONS": "", "G2P_ADMIN_PASSWORD": ""})
    announcements = re.findall(r"Created user admin with password: (\S+)", server.log_text())
    assert len(announcements) == 1
    password = announcements[0]
    url_ids = f"{server.api_url}/get_individual_ids"
    params = {"include_id_type": "Passport"}
    assert httpx.get(url_ids, params=params, auth=("admin", password), timeout=30).status_code == 200
    server.restart()
    assert len(re.findall(r"Created user admin", server.log_text())) == 1
    assert httpx.get(url_ids, params=params, auth=("admin", password), timeout=30).status_code == 200


def test_seed_before_migrate_says_what_to_do(database_factory):
    refused = run_cli(database_factory(), "seed")
    assert refused.returncode == 1
    assert "migrate" in refused.stderr


def test_bad_settings_stop_with_a_message(database_factory):
    refused = run_cli(database_factory(), "migrate", G2P_LOG_LEVEL="LOUD")
    assert refused.returncode == 2
    assert "log_level" in refused.stderr
