"""The registry's OpenAPI document against upstream's (the wire format to stay compatible with):
same operations, tags, operation ids, security, parameters, body and answer schemas, and schema
properties, except for the deliberate differences listed here."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "upstream-openapi.json"

# The registry alone: bank fields come with the bank extension.
BANK_ONLY_SCHEMAS = {"BankDetailsRequest", "BankDetailsResponse"}
MISSING_PROPERTIES = {
    # A profile image is not stored by the standalone server; a client sending it is not refused.
    ("UpdateIndividualInfoRequest", "image_1920"),
}
EXTRA_PROPERTIES = {
    # The group's kind is answered (upstream has it commented out).
    ("GroupInfoResponse", "kind"),
}
# Upstream requires these keys although they may be null; here they have defaults.
RELAXED_REQUIRED = {
    "GroupInfoRequest": {"kind", "is_partial_group"},
    "GroupMembersInfoRequest": {"email", "address", "gender", "birth_place", "bank_ids"},
    "IndividualInfoRequest": {"gender", "birth_place"},
    "UpdateIndividualInfoRequest": {"gender", "birth_place", "given_name", "ids", "name"},
}


# The scope each upstream route needs (CONTRACT section 5).
SCOPES = {
    ("get", "/individual/{_id}"): "registry:read",
    ("get", "/individual"): "registry:read",
    ("get", "/get_individual_ids"): "registry:read",
    ("get", "/group/{_id}"): "registry:read",
    ("get", "/group"): "registry:read",
    ("post", "/individual"): "registry:write",
    ("put", "/update_individual"): "registry:write",
    ("post", "/group"): "registry:write",
}


@pytest.fixture(scope="module")
def documents(backend, request):
    if not REFERENCE.exists():
        pytest.skip("upstream's OpenAPI document is not beside the repository")
    if backend != "sqlite":
        pytest.skip("the OpenAPI document does not depend on the database backend")
    server = request.getfixturevalue("registry")
    mine = httpx.get(f"{server.api_url}/openapi.json", timeout=30).json()
    return json.loads(REFERENCE.read_text(encoding="utf-8")), mine


def _operations(document):
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def _answer_schema(operation):
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return schema.get("items", {}).get("$ref") or schema.get("$ref")


def test_same_operations(documents):
    reference, mine = documents
    theirs, ours = _operations(reference), _operations(mine)
    assert set(ours) == set(theirs)
    for key, operation in theirs.items():
        own = ours[key]
        assert own["tags"] == operation["tags"], key
        assert own["operationId"] == operation["operationId"], key
        # The same scheme; the scope a route needs is named in its requirement (OpenAPI 3.1 allows
        # role names for non-OAuth schemes), with a documented 403.
        assert [list(r) for r in own["security"]] == [list(r) for r in operation["security"]], key
        assert own["security"] == [{"HTTPBasic": [SCOPES[key]]}], key
        assert "403" in own["responses"], key
        params = {(p["name"], p["in"], p.get("required", False)) for p in operation.get("parameters", [])}
        own_params = {(p["name"], p["in"], p.get("required", False)) for p in own.get("parameters", [])}
        assert own_params == params, key
        body = (
            operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        )
        own_body = own.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        assert (own_body.get("$ref"), own_body.get("items")) == (body.get("$ref"), body.get("items")), key
        assert _answer_schema(own) == _answer_schema(operation), key
    assert mine["components"]["securitySchemes"] == reference["components"]["securitySchemes"]


def test_same_schemas_and_properties(documents):
    reference, mine = documents
    theirs, ours = reference["components"]["schemas"], mine["components"]["schemas"]
    assert set(ours) == set(theirs) - BANK_ONLY_SCHEMAS
    for name, schema in ours.items():
        expected = {p for p in theirs[name].get("properties", {}) if p != "bank_ids"}
        actual = set(schema.get("properties", {}))
        assert {(name, p) for p in expected - actual} <= MISSING_PROPERTIES, name
        assert {(name, p) for p in actual - expected} <= EXTRA_PROPERTIES, name
        required = set(theirs[name].get("required", []))
        own_required = set(schema.get("required", []))
        assert own_required <= required, name
        assert required - own_required <= RELAXED_REQUIRED.get(name, set()), name
