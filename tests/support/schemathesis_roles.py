"""schemathesis hooks (loaded through SCHEMATHESIS_HOOKS by tests/integration/test_api_schemas.py):
each generated request carries the token of the next principal in turn (two clerks of two courts,
two partners, two mediators of two partners, ops) or none at all, so every operation is tried
with every role."""

from __future__ import annotations

import itertools

import schemathesis

from shared.auth import issue_token
from shared.settings import DEV_JWT_SECRET
from tests.support.principals import CLAIMS

# The last "token" is none at all.
_TOKENS = itertools.cycle([*(issue_token(DEV_JWT_SECRET, **claims) for claims in CLAIMS.values()), None])


@schemathesis.auth(refresh_interval=None, retry_on=[])
class EveryRoleInTurn:
    def get(self, case, context):
        return next(_TOKENS) or ""

    def set(self, case, data, context):
        if data:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
