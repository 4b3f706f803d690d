"""The plain copy of the request schema that bulk imports validate with accepts and refuses
exactly what the assembled extendable schema (what `POST /individual` uses) does."""

from __future__ import annotations

import pytest
from extendable import context
from pydantic import BaseModel, ValidationError

from g2p_registry_server.bulk.schema_copy import plain_copy
from g2p_registry_server.extensions import build_extendable_registry, load_extensions
from g2p_registry_server.registrants.schemas import IndividualInfoRequest
from tests.factories import Run

_run = Run()
SAMPLES = [
    _run.item(1),
    _run.item(2, accounts=0, email="a@b.org", address="Line 1\nLine 2", registration_date="2020-02-29"),
    {
        "name": "",
        "ids": [{"id_type": "X", "value": "", "expiry_date": "2020-13-01"}],
        "birthdate": "3000-01-01",
    },
    _run.item(3, phone_numbers=[{"phone_no": "abc"}], email="nope", gender=""),
    _run.item(4, ids=[{"id_type": "National ID", "value": str(n)} for n in range(51)]),
    _run.item(
        5, bank_ids=[{"bank_name": " ", "acc_number": "DE00 1234 5678"}, {"acc_number": "1", "bic": "X"}]
    ),
    _run.item(6, bank_ids=[{"bank_name": "A", "acc_number": "x-1"}, {"bank_name": "B", "acc_number": "X1"}]),
    _run.item(7, name="A\x00B", given_name="x" * 256, unknown_field="ignored"),
]


def _outcome(model: type[BaseModel], sample: dict) -> object:
    try:
        return model.model_validate(sample).model_dump()
    except ValidationError as error:
        return error.errors(include_url=False)


@pytest.fixture(scope="module")
def schemas():
    registry = build_extendable_registry(load_extensions(None))
    token = context.extendable_registry.set(registry)
    try:
        assembled = IndividualInfoRequest._get_assembled_cls()
        yield assembled, plain_copy(assembled)
    finally:
        context.extendable_registry.reset(token)


@pytest.mark.parametrize("index", range(len(SAMPLES)))
def test_copy_validates_like_the_assembled_schema(schemas, index):
    assembled, copy = schemas
    assert copy is not assembled
    assert set(copy.model_fields) == set(assembled.model_fields) >= {"bank_ids", "ids", "phone_numbers"}
    assert _outcome(copy, SAMPLES[index]) == _outcome(assembled, SAMPLES[index])
