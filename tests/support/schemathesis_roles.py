"""schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by tests/integration/test_api_schemas.py):
each generated request carries the token of the next principal in turn (two clerks of two courts,
two partners, two mediators of two partners, ops) or none at all, so every operation is tried
with every role."""

from __future__ import annotations

import itertools

import schemathesis

from shared.auth import issue_token
from shared.settings import DEV_JWT_SECRET

PRINCIPALS = {
    "clerk A": {"role": "clerk", "court_code": "370202"},
    "clerk B": {"role": "clerk", "court_code": "370203"},
    "partner A": {"role": "partner", "partner_id": "P01"},
    "partner B": {"role": "partner", "partner_id": "P02"},
    "mediator A": {"role": "mediator", "partner_id": "P01", "mediator_id": "P01-M01"},
    "mediator B": {"role": "mediator", "partner_id": "P02", "mediator_id": "P02-M01"},
    "ops": {"role": "ops"},
    "none": None,
}
_TOKENS = itertools.cycle([None if claims is None else issue_token(DEV_JWT_SECRET, **claims)
                           for claims in PRINCIPALS.values()])


@schemathesis.auth(refresh_interval=None, retry_on=[])
class EveryRoleInTurn:
    def get(self, case, context):
        return next(_TOKENS) or ""

    def set(self, case, data, context):
        if data:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
