"""Bad create requests beyond single bank items: wrong JSON types, missing keys, oversized and
undecodable bodies, unknown reference data, and failures after valid members.

Each case builds its request from a Scene (fresh names each time) and says what must follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tests import factories as make
from tests.conformance.scenes import Attempt, Scene

BODY_LIMIT = 1_000_000  # the standalone server's default G2P_MAX_BODY_BYTES
JSON = {"content-type": "application/json"}


@dataclass(frozen=True)
class RequestCase:
    """A named bad request, built fresh from a Scene each time."""

    name: str
    build: Callable[[Scene], Attempt]


def _person(scene: Scene, **changes: Any) -> dict[str, Any]:
    body = make.individual(scene.ref, name=f"{scene.marker} person", bank_ids=[make.bank_item()])
    for key, value in changes.items():
        if value is _DROP:
            body.pop(key)
        else:
            body[key] = value
    return body


_DROP = object()


def _create_person(
    loc: tuple[Any, ...] | None = None, statuses=(422,), **changes: Any
) -> Callable[[Scene], Attempt]:
    def build(scene: Scene) -> Attempt:
        body = _person(scene, **changes)
        banks = tuple(item["bank_name"] for item in body.get("bank_ids") or [] if isinstance(item, dict))
        return Attempt(
            "POST",
            "/individual",
            body,
            statuses=statuses,
            loc=loc,
            new_names=(scene.marker,),
            new_banks=banks,
        )

    return build


def _raw_person(
    content: Callable[[Scene], bytes | Iterator[bytes]], statuses=(422,), headers=JSON, loc=("body",)
):
    def build(scene: Scene) -> Attempt:
        return Attempt(
            "POST",
            "/individual",
            content=content(scene),
            headers=headers,
            statuses=statuses,
            loc=loc,
            new_names=(scene.marker,),
        )

    return build


def _oversized(scene: Scene) -> bytes:
    body = _person(scene, address="A" * (BODY_LIMIT + 1000))
    return json.dumps(body).encode()


def _chunks(scene: Scene) -> Iterator[bytes]:
    data = _oversized(scene)
    for start in range(0, len(data), 64 * 1024):
        yield data[start : start + 64 * 1024]


def _group(scene: Scene, member_changes: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    members = [
        make.member(scene.ref, name=f"{scene.marker} member{i}", bank_ids=[make.bank_item()])
        for i in range(3)
    ]
    members[2].update(member_changes or {})
    body = make.group(scene.ref, name=f"{scene.marker} group", members=members, bank_ids=[make.bank_item()])
    body.update(changes)
    return body


def _create_group(loc=None, statuses=(422,), mentions=None, member_changes=None, **changes) -> Callable:
    def build(scene: Scene) -> Attempt:
        body = _group(scene, member_changes, **changes)
        members = body["members"] if isinstance(body["members"], list) else []
        banks = (body["bank_ids"][0]["bank_name"],)
        banks += tuple(
            m["bank_ids"][0]["bank_name"] for m in members if isinstance(m, dict) and m.get("bank_ids")
        )
        return Attempt(
            "POST",
            "/group",
            body,
            statuses=statuses,
            loc=loc,
            mentions=mentions,
            new_names=(scene.marker,),
            new_banks=banks,
        )

    return build


def unknown_type(scene: Scene) -> str:
    return f"No Such ID Type {scene.marker.split()[-1]}"


REQUEST_CASES: tuple[RequestCase, ...] = (
    RequestCase("individual-name-missing", _create_person(("body", "name"), name=_DROP)),
    RequestCase("individual-name-null", _create_person(("body", "name"), name=None)),
    RequestCase("individual-name-number", _create_person(("body", "name"), name=12345)),
    RequestCase("individual-name-1000000-chars", _create_person(None, (413, 422), name="N" * 1_000_000)),
    RequestCase("individual-ids-string", _create_person(("body", "ids"), ids="National ID")),
    RequestCase("individual-ids-element-number", _create_person(("body", "ids", 0), ids=[7])),
    RequestCase(
        "individual-id-missing-value",
        _create_person(("body", "ids", 0, "value"), ids=[{"id_type": "National ID"}]),
    ),
    RequestCase(
        "individual-id-missing-id_type", _create_person(("body", "ids", 0, "id_type"), ids=[{"value": "1"}])
    ),
    RequestCase(
        "individual-phone_numbers-string", _create_person(("body", "phone_numbers"), phone_numbers="+49")
    ),
    RequestCase(
        "individual-phone-missing-phone_no",
        _create_person(
            ("body", "phone_numbers", 0, "phone_no"), phone_numbers=[{"date_collected": "2024-01-01"}]
        ),
    ),
    RequestCase(
        "individual-birthdate-not-a-date", _create_person(("body", "birthdate"), birthdate="01/04/1990")
    ),
    RequestCase(
        "individual-registration_date-impossible",
        _create_person(("body", "registration_date"), registration_date="2024-02-30"),
    ),
    RequestCase("individual-email-number", _create_person(("body", "email"), email=42)),
    RequestCase("individual-bank_ids-string", _create_person(("body", "bank_ids"), bank_ids="DE89")),
    RequestCase(
        "individual-bank_ids-object", _create_person(("body", "bank_ids"), bank_ids={"bank_name": "X"})
    ),
    RequestCase("individual-body-list", _raw_person(lambda s: json.dumps([_person(s)]).encode())),
    RequestCase("individual-body-string", _raw_person(lambda s: b'"person"')),
    RequestCase("individual-body-null", _raw_person(lambda s: b"null")),
    RequestCase("individual-body-empty", _raw_person(lambda s: b"")),
    RequestCase("individual-json-truncated", _raw_person(lambda s: json.dumps(_person(s)).encode()[:-7])),
    RequestCase(
        "individual-json-trailing-garbage", _raw_person(lambda s: json.dumps(_person(s)).encode() + b" }x")
    ),
    RequestCase(
        "individual-json-single-quotes",
        _raw_person(lambda s: json.dumps(_person(s)).replace('"', "'").encode()),
    ),
    RequestCase(
        "individual-body-not-utf8",
        _raw_person(
            lambda s: json.dumps(_person(s)).encode().replace(b"person", b"pers\xff\xfeon"),
            (400, 422),
            loc=None,
        ),
    ),
    RequestCase(
        "individual-body-latin1",
        _raw_person(
            lambda s: json.dumps(_person(s, address="Stra\u00dfe"), ensure_ascii=False).encode("latin-1"),
            (400, 422),
            loc=None,
        ),
    ),
    RequestCase(
        "individual-body-text-plain",
        _raw_person(
            lambda s: json.dumps(_person(s)).encode(),
            (415, 422),
            headers={"content-type": "text/plain"},
            loc=None,
        ),
    ),
    RequestCase("individual-body-over-limit", _raw_person(_oversized, (413,), loc=None)),
    RequestCase("individual-body-over-limit-chunked", _raw_person(_chunks, (413,), loc=None)),
    RequestCase(
        "individual-unknown-id-type",
        lambda s: Attempt(
            "POST",
            "/individual",
            _person(s, ids=[make.registrant_id(s.ref) | {"id_type": unknown_type(s)}]),
            statuses=(400,),
            mentions=unknown_type(s),
            new_names=(s.marker,),
        ),
    ),
    RequestCase(
        "individual-unknown-id-type-after-valid-id",
        lambda s: Attempt(
            "POST",
            "/individual",
            _person(s, ids=[make.registrant_id(s.ref), {"id_type": unknown_type(s), "value": "1"}]),
            statuses=(400,),
            mentions=unknown_type(s),
            new_names=(s.marker,),
        ),
    ),
    RequestCase("group-name-missing", _create_group(("body", "name"), name=None)),
    RequestCase("group-members-string", _create_group(("body", "members"), members="all")),
    RequestCase("group-members-element-number", _create_group(("body", "members", 0), members=[1])),
    RequestCase(
        "group-member-2-name-missing",
        _create_group(("body", "members", 2, "name"), member_changes={"name": None}),
    ),
    RequestCase(
        "group-member-2-kind-string",
        _create_group(("body", "members", 2, "kind"), member_changes={"kind": "Head"}),
    ),
    RequestCase(
        "group-is_partial_group-not-boolean",
        _create_group(("body", "is_partial_group"), is_partial_group="maybe"),
    ),
    RequestCase(
        "group-unknown-kind-after-valid-members",
        lambda s: _create_group(
            statuses=(400,), mentions=f"No Kind {s.marker[-6:]}", kind=f"No Kind {s.marker[-6:]}"
        )(s),
    ),
    RequestCase(
        "group-member-2-unknown-membership-kind",
        lambda s: _create_group(
            statuses=(400,),
            mentions=f"No Role {s.marker[-6:]}",
            member_changes={"kind": [{"name": f"No Role {s.marker[-6:]}"}]},
        )(s),
    ),
    RequestCase(
        "group-member-2-unknown-id-type",
        lambda s: _create_group(
            statuses=(400,),
            mentions=unknown_type(s),
            member_changes={"ids": [{"id_type": unknown_type(s), "value": "1"}]},
        )(s),
    ),
    RequestCase(
        "group-unknown-id-type",
        lambda s: _create_group(
            statuses=(400,), mentions=unknown_type(s), ids=[{"id_type": unknown_type(s), "value": "1"}]
        )(s),
    ),
)
