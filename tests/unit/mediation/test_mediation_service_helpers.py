"""The small pure helpers around the domain: the statutory period fallback, masking, the outcome
form, and the calendar fallback being logged and counted."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from services.mediation.actions.offers import open_offer
from shared.masking import mask_id_number, mask_name
from services.mediation.domain.period import statutory_period_days
from services.mediation.metrics import CALENDAR_PROVISIONAL
from services.mediation.web.forms import outcome_payload


@pytest.mark.parametrize("mode, procedure, stated, days", [
    ("delegation", None, None, 30), ("entrustment", "ordinary", None, 15), ("entrustment", "summary", None, 7),
    ("invitation", "summary", None, 7), ("self", None, None, 30), ("self", None, 45, 45),
    ("entrustment", "ordinary", 0, 15),
])
def test_statutory_period(mode, procedure, stated, days):
    assert statutory_period_days(mode, procedure, stated) == days


def test_masking():
    assert mask_name("张三") == "张*"
    assert mask_name("青岛某物业服务有限公司") == "青岛*******公司"
    assert mask_id_number("370202198001011232") == "370202********1232"
    assert mask_name(None) is None


class _Form(dict):
    def getlist(self, key):
        value = self.get(key)
        return value if isinstance(value, list) else ([] if value is None else [value])


def test_outcome_form_becomes_the_api_body():
    settled = outcome_payload(_Form(result="settled", signed_by=["a", "b"], terms="pay 100\n\n and sign ",
                                    withdraw_suit="on"))
    assert settled["agreement"]["terms"] == ["pay 100", "and sign"]
    assert settled["agreement"]["withdraw_suit"] is True
    assert settled["agreement"]["apply_for_judicial_confirmation"] is False
    failed = outcome_payload(_Form(result="failed", facts_signed_by=["a", "b"], ground="party_refuses",
                                   facts="fact one"))
    assert failed["ground"] == "party_refuses"
    assert failed["undisputed_facts"] == [{"text": "fact one", "signed_by": ["a", "b"]}]
    assert "agreement" not in failed


def test_an_offer_in_a_year_the_calendar_does_not_know_is_counted_and_logged():
    added = []
    fake_session = SimpleNamespace(add=added.append)
    before = CALENDAR_PROVISIONAL.labels(window="offer")._value.get()
    data = {"attempt": 1, "partner_id": "P12", "mode": "delegation", "case": {"parties": []}}
    opened = open_offer(fake_session, None, "c1", data, datetime(2040, 3, 1, 10, tzinfo=timezone.utc))
    assert opened.status == "offered"
    assert CALENDAR_PROVISIONAL.labels(window="offer")._value.get() == before + 1
