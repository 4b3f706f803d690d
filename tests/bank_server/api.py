"""Calls of the registry API that tests repeat, each asserting that the call succeeded."""

from __future__ import annotations

from typing import Any

import httpx

UPDATE_PATH = "/update_individual"
BY_NATIONAL_ID = {"id_type": "National ID"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def create_individual(client: httpx.Client, body: dict) -> dict:
    return ok(client.post("/individual", json=body))


def create_group(client: httpx.Client, body: dict) -> dict:
    return ok(client.post("/group", json=body))


def update_individuals(client: httpx.Client, updates: list[dict]) -> list[dict]:
    return ok(client.put(UPDATE_PATH, params=BY_NATIONAL_ID, json=updates))


def accounts_path(registrant_id: int) -> str:
    return f"/registrant/{registrant_id}/bank_accounts"


def listed_accounts(client: httpx.Client, registrant_id: int) -> list[dict]:
    return ok(client.get(accounts_path(registrant_id)))


def numbers(accounts: list[dict]) -> list[str]:
    """The account numbers of answered accounts, in answer order (primary first)."""
    return [account["acc_number"] for account in accounts]


def primary_flags(accounts: list[dict]) -> list[bool]:
    return [account["primary"] for account in accounts]
