"""The extension points through a real server: a small extension installed with an entry point
adds a field to the base request and answer schemas, stores it through the processing hooks,
brings a migration and a router. Its field must reach every subclass (individual, update,
group, member) in requests, answers and the OpenAPI document; disabled, it changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.factories import group, individual, member

DEMO_SOURCE = Path(__file__).parent / "extension_demo"


@pytest.fixture(scope="module")
def extension_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A search path on which the demo extension is installed: its package plus the metadata
    (entry point) that `importlib.metadata` discovers."""
    site = tmp_path_factory.mktemp("site")
    dist_info = site / "g2p_nickname_extension-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: g2p-nickname-extension\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text(
        "[g2p_registry_server.extensions]\nnickname = g2p_nickname_extension:extension\n"
    )
    return os.pathsep.join([str(site), str(DEMO_SOURCE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)


@pytest.fixture(scope="module")
def extended(server_factory, extension_path):
    return server_factory(env={"PYTHONPATH": extension_path, "G2P_EXTENSIONS": "nickname"})


@pytest.fixture
def extended_api(extended):
    with extended.client() as http:
        yield http


def test_extended_field_travels_through_create_read_update(extended_api):
    body = individual(nickname="Gigi")
    created = extended_api.post("/individual", json=body)
    assert created.status_code == 200, created.text
    assert created.json()["nickname"] == "Gigi"
    assert extended_api.get(f"/individual/{created.json()['id']}").json()["nickname"] == "Gigi"

    updated = extended_api.put(
        "/update_individual",
        params={"id_type": "National ID"},
        json=[{"updateId": body["ids"][0]["value"], "nickname": "G"}],
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()[0]["nickname"] == "G"


def test_extended_field_reaches_groups_and_members(extended_api):
    body = group(nickname="The Otienos", members=[member(nickname="Paulo"), member(kind=[])])
    created = extended_api.post("/group", json=body)
    assert created.status_code == 200, created.text
    answer = created.json()
    assert answer["nickname"] == "The Otienos"
    assert [m["individual"]["nickname"] for m in answer["group_membership_ids"]] == ["Paulo", None]
    member_id = answer["group_membership_ids"][0]["individual"]["id"]
    assert extended_api.get(f"/registrant/{member_id}/nickname").json() == {"nickname": "Paulo"}


def test_extended_field_is_validated(
    extended_api,
):
    answer = extended_api.post("/individual", json=individual(nickname="x" * 21))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "nickname"]


def test_extension_router_is_authenticated_and_documented(extended):
    assert httpx.get(f"{extended.api_url}/registrant/1/nickname", timeout=30).status_code == 401
    document = httpx.get(f"{extended.api_url}/openapi.json", timeout=30).json()
    assert "/registrant/{registrant_id}/nickname" in document["paths"]
    schemas = document["components"]["schemas"]
    for name in (
        "IndividualInfoRequest",
        "UpdateIndividualInfoRequest",
        "GroupInfoRequest",
        "GroupMembersInfoRequest",
        "IndividualInfoResponse",
        "UpdateIndividualInfoResponse",
        "GroupInfoResponse",
    ):
        assert "nickname" in schemas[name]["properties"], name


def test_installed_but_disabled_extension_changes_nothing(server_factory, extension_path):
    server = server_factory(env={"PYTHONPATH": extension_path, "G2P_EXTENSIONS": ""})
    document = httpx.get(f"{server.api_url}/openapi.json", timeout=30).json()
    assert "nickname" not in document["components"]["schemas"]["IndividualInfoRequest"]["properties"]
    assert not any("nickname" in path for path in document["paths"])
    with server.client() as http:
        created = http.post("/individual", json=individual(nickname="ignored"))
    assert created.status_code == 200
    assert "nickname" not in created.json()


def test_unknown_extension_name_stops_the_server_with_a_clear_message(server_factory):
    from tests.support.live_server import ServerDidNotStart

    with pytest.raises(ServerDidNotStart, match="Unknown extension"):
        server_factory(env={"G2P_EXTENSIONS": "no-such-extension"})


def test_unexpected_error_rolls_back_and_keeps_its_message_out(extended, extended_api):
    created = extended_api.post("/individual", json=individual(nickname="Before")).json()
    failed = extended_api.post(f"/registrant/{created['id']}/nickname/write_then_fail")
    assert failed.status_code == 500
    assert failed.json() == {"detail": "Internal server error"}
    assert extended_api.get(f"/registrant/{created['id']}/nickname").json() == {"nickname": "Before"}
    log = extended.log_text()
    assert "Unexpected RuntimeError" in log
    assert "SECRET-4411" not in log
