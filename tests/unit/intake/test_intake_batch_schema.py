"""The envelope of POST /v1/cases/batch: its own faults refuse the whole batch; a case's faults do not."""

import pytest
from pydantic import ValidationError

from services.intake.api.schemas import MAX_BATCH_ITEMS, CaseBatch, field_errors

from .factories import body


def _items(count: int) -> list[dict]:
    return [{"idempotency_key": f"k-{i}", "case": body(external_ref=f"R-{i}")} for i in range(count)]


def _fields(envelope) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        CaseBatch.model_validate(envelope)
    return [e.field for e in field_errors(caught.value.errors())]


def test_up_to_500_items_pass_the_envelope_with_their_cases_unchecked():
    batch = CaseBatch.model_validate({"items": [*_items(MAX_BATCH_ITEMS - 1), {"idempotency_key": "bad", "case": 5}]})
    assert len(batch.items) == MAX_BATCH_ITEMS == 500
    assert batch.items[-1].case == 5  # refused later, as that item's own 422


@pytest.mark.parametrize("envelope,expected", [
    ({"items": _items(501)}, ["items"]),
    ({"items": []}, ["items"]),
    ({"items": {"idempotency_key": "k", "case": {}}}, ["items"]),
    ([{"idempotency_key": "k", "case": {}}], ["body"]),
    ({}, ["items"]),
    ({"items": _items(2), "extra": 1}, ["extra"]),
    ({"items": [{"case": body()}]}, ["items[0].idempotency_key"]),
    ({"items": [{"idempotency_key": "", "case": body()}]}, ["items[0].idempotency_key"]),
    ({"items": [{"idempotency_key": "k" * 201, "case": body()}]}, ["items[0].idempotency_key"]),
    ({"items": [{"idempotency_key": "k"}]}, ["items[0].case"]),
], ids=["over 500", "empty", "not a list", "not an object", "no items", "unknown field", "key missing",
        "key empty", "key oversize", "case missing"])
def test_envelope_faults_name_their_field(envelope, expected):
    assert _fields(envelope) == expected


def test_a_key_twice_in_one_batch_names_every_repeat():
    items = _items(4)
    items[2]["idempotency_key"] = items[3]["idempotency_key"] = "k-0"
    with pytest.raises(ValidationError) as caught:
        CaseBatch.model_validate({"items": items})
    errors = field_errors(caught.value.errors())
    assert [e.field for e in errors] == ["items[2].idempotency_key", "items[3].idempotency_key"]
    assert errors[0].message == "the same idempotency_key as items[0]"
