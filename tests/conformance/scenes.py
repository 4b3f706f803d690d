"""The stage bad requests are played on, and the checks that a rejected request wrote nothing.

A Scene holds three registrants created for the test module (for updates and account routes)
and a fresh name marker per case. ``place_items`` puts bank items into each kind of request that
carries them, always after valid items, so that a partial write would be seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from tests import factories as make
from tests.conformance.target import Reference

UNKNOWN_ID = 2_147_483_000  # a registrant or account id no deployment has reached (PostgreSQL int4 range)


@dataclass(frozen=True)
class Holder:
    """A registrant created for the module, with the accounts it holds."""

    id: int
    id_value: str
    name: str
    account_ids: tuple[int, ...]


@dataclass(frozen=True)
class Scene:
    ref: Reference
    holders: tuple[Holder, ...]
    marker: str


_NO_BODY = object()


@dataclass
class Attempt:
    """One bad request and what must (not) follow from it."""

    method: str
    path: str
    json: Any = _NO_BODY
    content: bytes | Iterable[bytes] | None = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    statuses: tuple[int, ...] = (422,)
    loc: tuple[Any, ...] | None = None
    """A 422 must carry an error whose ``loc`` starts with this."""
    mentions: str | None = None
    """A 400's message must name this value (checked on the standalone server)."""
    new_names: tuple[str, ...] = ()
    """No individual or group may exist under these names afterwards."""
    new_banks: tuple[str, ...] = ()
    """No bank may exist under these names afterwards."""
    holders_unchanged: bool = False

    def send(self, api: httpx.Client) -> httpx.Response:
        kwargs: dict[str, Any] = {"params": self.params, "headers": self.headers}
        if self.json is not _NO_BODY:
            kwargs["json"] = self.json
        elif self.content is not None:
            kwargs["content"] = self.content
        return api.request(self.method, self.path, **kwargs)


def _valid_bank_names(items: list[Any]) -> tuple[str, ...]:
    return tuple(
        item["bank_name"].strip()
        for item in items
        if isinstance(item, dict) and isinstance(item.get("bank_name"), str) and item["bank_name"].strip()
    )


def place_items(
    context: str, scene: Scene, items: list[Any], offender: int, field_name: str | None
) -> Attempt:
    """Send ``items`` (``items[offender]`` bad) where ``context`` says; the 422 must point at it."""
    tail = (offender,) if field_name is None else (offender, field_name)
    ref, marker = scene.ref, scene.marker
    banks = _valid_bank_names(items[:offender] + items[offender + 1 :])
    if context == "individual":
        body = make.individual(ref, name=f"{marker} person", bank_ids=items)
        return Attempt(
            "POST", "/individual", body, loc=("body", "bank_ids", *tail), new_names=(marker,), new_banks=banks
        )
    if context == "group":
        members = [make.member(ref, name=f"{marker} member", bank_ids=[make.bank_item()])]
        body = make.group(ref, name=f"{marker} group", members=members, bank_ids=items)
        banks += (members[0]["bank_ids"][0]["bank_name"],)
        return Attempt(
            "POST", "/group", body, loc=("body", "bank_ids", *tail), new_names=(marker,), new_banks=banks
        )
    if context == "member":
        members = [
            make.member(ref, name=f"{marker} member{i}", bank_ids=[make.bank_item()]) for i in range(2)
        ]
        members.append(make.member(ref, name=f"{marker} member2", bank_ids=items))
        banks += tuple(m["bank_ids"][0]["bank_name"] for m in members[:2])
        body = make.group(ref, name=f"{marker} group", members=members)
        loc = ("body", "members", 2, "bank_ids", *tail)
        return Attempt("POST", "/group", body, loc=loc, new_names=(marker,), new_banks=banks)
    holder = scene.holders[0]
    if context == "update":
        valid = [make.bank_item() for _ in scene.holders[:2]]
        body = [
            make.update(h.id_value, name=f"{marker} renamed{i}", bank_ids=[valid[i]])
            for i, h in enumerate(scene.holders[:2])
        ]
        body.append(make.update(scene.holders[2].id_value, name=f"{marker} renamed2", bank_ids=items))
        return Attempt(
            "PUT",
            "/update_individual",
            body,
            params={"id_type": ref.id_type},
            loc=("body", 2, "bank_ids", *tail),
            new_names=(marker,),
            new_banks=banks + _valid_bank_names(valid),
            holders_unchanged=True,
        )
    path = f"/registrant/{holder.id}/bank_accounts"
    if context == "account_put":
        return Attempt("PUT", path, items, loc=("body", *tail), new_banks=banks, holders_unchanged=True)
    if context == "account_post":
        loc = ("body",) if field_name is None else ("body", field_name)
        return Attempt("POST", path, items[offender], loc=loc, holders_unchanged=True)
    raise ValueError(context)


ITEM_CONTEXTS = ("individual", "group", "member", "update", "account_put", "account_post")
LIST_CONTEXTS = ("individual", "group", "member", "update", "account_put")


def nothing_named(api: httpx.Client, name: str) -> list[str]:
    """Problems found: registrants whose name contains ``name``."""
    problems = []
    for path in ("/individual", "/group"):
        response = api.get(path, params={"name": name})
        if response.status_code == 200 and response.json():
            found = [r.get("name") for r in response.json()]
            problems.append(f"{path}?name={name} found {found}")
        elif response.status_code not in (200, 400):
            problems.append(f"{path}?name={name} answered {response.status_code}")
    return problems


def banks_absent(api: httpx.Client, ref: Reference, bank_names: tuple[str, ...]) -> list[str]:
    """Problems found: banks existing under these names (a probe with other casing would get them)."""
    if not bank_names:
        return []
    probe_names = [name.upper() for name in bank_names]
    items = [make.bank_item(bank_name=name) for name in probe_names]
    answer = make.created(api.post("/individual", json=make.individual(ref, bank_ids=items)))
    answered = {account["bank_name"] for account in answer["bank_ids"]}
    pairs = zip(bank_names, probe_names, strict=True)
    return [f"bank {name!r} exists" for name, probe in pairs if probe not in answered]


def snapshot(api: httpx.Client, holders: tuple[Holder, ...]) -> list[Any]:
    return [api.get(f"/individual/{holder.id}").json() for holder in holders]
