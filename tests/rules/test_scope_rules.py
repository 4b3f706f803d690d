"""The scope rules both runtimes share: what a set of scopes shows of bank accounts, which write
bodies carry accounts, how masked items look; that the registry core spells its two scopes as the
shared rules do, and that every scope has its Odoo group; and the pure pieces of login throttling
(penalty, trusted proxies)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from g2p_bank_server.rules import (
    BankDetailsResponse,
    BankVisibility,
    Scope,
    bank_visibility,
    visible_accounts,
)
from g2p_bank_server.rules.scopes import BANK_SCOPES, DESCRIPTIONS, SCOPE_GROUPS, carries_bank_details
from g2p_registry_server.api.client_address import TrustedProxies, parse_networks
from g2p_registry_server.auth.scopes import (
    REGISTRY_SCOPES,
    UnknownScope,
    effective_scopes,
    known_scopes,
    parse_scope_names,
)

GROUPS_XML = (
    Path(__file__).resolve().parents[2] / "g2p_bank_rest_api" / "security" / "registry_api_groups.xml"
)


@pytest.mark.parametrize(
    ("scopes", "visibility"),
    [
        ((), BankVisibility.HIDDEN),
        (("registry:read",), BankVisibility.HIDDEN),
        (("bank:reveal",), BankVisibility.REVEALED),  # reveal implies seeing the accounts
        (("bank:read",), BankVisibility.MASKED),
        (("bank:read", "bank:write"), BankVisibility.MASKED),
        (("bank:read", "bank:reveal"), BankVisibility.REVEALED),
    ],
)
def test_what_a_set_of_scopes_shows(scopes, visibility) -> None:
    assert bank_visibility(scopes) is visibility


def test_visible_accounts() -> None:
    accounts = [
        BankDetailsResponse(id=1, acc_number="DE89370400440532013000", primary=True),
        BankDetailsResponse(id=2, acc_number="123"),
    ]
    assert visible_accounts(accounts, BankVisibility.HIDDEN) is None
    assert visible_accounts([], BankVisibility.HIDDEN) is None
    assert visible_accounts([], BankVisibility.MASKED) == []
    masked = visible_accounts(accounts, BankVisibility.MASKED)
    assert [(a.acc_number, a.masked, a.primary) for a in masked] == [
        ("…3000", True, True),
        ("…", True, False),
    ]
    assert visible_accounts(accounts, BankVisibility.REVEALED) == accounts
    assert [a.masked for a in accounts] == [False, False], "the originals are untouched"


@pytest.mark.parametrize(
    ("body", "carries"),
    [
        ({"name": "x"}, False),
        ({"bank_ids": None}, False),
        ({"bank_ids": []}, False),
        ({"bank_ids": [{"acc_number": "1"}]}, True),
        ({"members": [{"name": "m"}, {"bank_ids": [{"acc_number": "1"}]}]}, True),
        ([{"name": "a"}, {"updateId": "b", "bank_ids": [{}]}], True),
        ([{"name": "a"}, "not an object", 3], False),
        ("bank_ids", False),
    ],
)
def test_which_bodies_carry_accounts(body, carries) -> None:
    assert carries_bank_details(body) is carries


def test_core_and_shared_rules_agree_on_the_scopes() -> None:
    assert set(REGISTRY_SCOPES) == {Scope.REGISTRY_READ, Scope.REGISTRY_WRITE}
    assert {name: DESCRIPTIONS[Scope(name)] for name in REGISTRY_SCOPES} == REGISTRY_SCOPES
    assert set(REGISTRY_SCOPES) | set(BANK_SCOPES) == set(Scope)
    assert set(DESCRIPTIONS) == set(Scope) == set(SCOPE_GROUPS)
    declared = set(re.findall(r'<record id="(group_[a-z_]+)" model="res.groups"', GROUPS_XML.read_text()))
    assert {xmlid.split(".")[1] for xmlid in SCOPE_GROUPS.values()} <= declared


def test_scope_names_and_effective_scopes() -> None:
    known = list(known_scopes([{"bank:read": "masked numbers"}]))
    assert known == ["registry:read", "registry:write", "bank:read"]
    assert parse_scope_names([" bank:read", "registry:read"], known) == {"bank:read", "registry:read"}
    with pytest.raises(UnknownScope, match=r"'bank:raed', 'x'; valid scopes: registry:read, registry:write"):
        parse_scope_names(["bank:raed", "x"], known)
    assert effective_scopes("registry:read bank:read") == {"registry:read", "bank:read"}
    assert effective_scopes("registry:read bank:read", "bank:read bank:reveal") == {"bank:read"}
    assert effective_scopes("", "registry:read") == frozenset()


def test_client_address_behind_trusted_proxies() -> None:
    trusted = TrustedProxies(parse_networks("10.0.0.0/8, 192.0.2.1"))
    assert trusted.client_address("10.1.2.3", "203.0.113.7") == "203.0.113.7"
    # Read from the right: what the client wrote on the left does not count.
    assert trusted.client_address("10.1.2.3", "1.1.1.1, 203.0.113.7, 192.0.2.1") == "203.0.113.7"
    assert trusted.client_address("10.1.2.3", "10.9.9.9") == "10.9.9.9"
    assert trusted.client_address("10.1.2.3", "garbage") == "10.1.2.3"
    assert trusted.client_address("10.1.2.3", None) == "10.1.2.3"
    # A peer that is not a trusted proxy: the header is ignored.
    assert trusted.client_address("203.0.113.9", "10.0.0.1") == "203.0.113.9"
    assert TrustedProxies().client_address("127.0.0.1", "203.0.113.7") == "127.0.0.1"
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an IP address or network"):
        parse_networks("10.0.0.1, 10.0.0.300")
