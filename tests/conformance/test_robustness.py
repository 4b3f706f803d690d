"""Unusual but possible text: stored and answered faithfully, or refused 4xx; never a 5xx.

Databases differ on NUL characters, lone surrogates and very long text, and substring searches
meet SQL wildcards; the contract allows a refusal but not a crash or a half-written request.
"""

from __future__ import annotations

import json

import httpx
import pytest

from tests import factories as make
from tests.conformance import exposure
from tests.conformance.scenes import nothing_named

ODD_NAMES = {
    "emoji-and-scripts": "Zoë 😀 مرحبا 北京 {tag}",
    "combining-marks": "Ame\u0301lie\u0308 {tag}",
    "5000-chars": "{tag} " + "n" * 5000,
    "nul-character": "Nul\u0000Name {tag}",
    "lone-surrogate": "Half\ud800Pair {tag}",
    "quotes-and-backslashes": 'O\'Brien "Jr" \\ {tag}',
}


@pytest.mark.parametrize("kind", ODD_NAMES)
def test_odd_registrant_names(api: httpx.Client, ref, kind: str) -> None:
    tag = make.unique_value("Odd ").split()[-1]
    name = ODD_NAMES[kind].format(tag=tag)
    body = make.individual(ref, bank_ids=[make.bank_item()])
    body["name"] = name
    # json.dumps keeps a lone surrogate as an escape, as a client in another language might send it.
    response = api.post("/individual", content=json.dumps(body), headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 200:
        fetched = make.created(api.get(f"/individual/{response.json()['id']}"))
        assert fetched["name"] == name
        assert len(fetched["bank_ids"]) == 1
    else:
        assert 400 <= response.status_code < 500
        assert not nothing_named(api, tag)


def test_unicode_account_numbers_and_bank_names(api: httpx.Client, ref) -> None:
    arabic_digits = exposure.sent_account_number("٣٤٥٦٧٨٩٠١٢٣٤٥٦")
    items = [
        make.bank_item(
            acc_number=arabic_digits, bank_name=make.unique_value("Banque C\u00f4te d\u2019Ivoire ")
        ),
        make.bank_item(acc_number=exposure.sent_account_number(f"ÅÄÖ_{make.plain_number()}")),
    ]
    answer = make.created(api.post("/individual", json=make.individual(ref, bank_ids=items)))
    assert make.numbers_of(answer) == [make.normalized(item["acc_number"]) for item in items]
    assert answer["bank_ids"][0]["bank_name"] == items[0]["bank_name"]


@pytest.mark.parametrize("query", ["%25", "_", "%5C", "'", "%00", "%25%25%25", "%ED%A0%80", "%FF%FE"])
def test_odd_search_terms_never_crash(api: httpx.Client, query: str) -> None:
    # Written percent-encoded: the last two are not UTF-8 at all, which no client library would send.
    for path in ("/individual", "/group"):
        response = api.get(f"{path}?name={query}")
        assert response.status_code < 500, f"{path}?name={query}: {response.status_code}"


@pytest.mark.standalone_only
@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_name_search_treats_sql_wildcards_as_text(api: httpx.Client, ref, wildcard: str) -> None:
    make.created(
        api.post("/individual", json=make.individual(ref, name=make.unique_value(f"Odd{wildcard}Name ")))
    )
    make.created(api.post("/individual", json=make.individual(ref)))
    found = make.created(api.get("/individual", params={"name": wildcard}))
    assert found and all(wildcard in person["name"] for person in found)
