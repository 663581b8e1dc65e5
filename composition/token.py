"""`make token ROLE=clerk COURT=370202`: print a development bearer token, and nothing else."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from shared.auth import issue_token
from shared.settings import ServiceSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Issue a bearer token signed with the configured secret.")
    parser.add_argument("--role", required=True, choices=["clerk", "partner", "mediator", "ops", "bureau"])
    parser.add_argument("--court", default=None, help="court code, for a clerk (e.g. 370202)")
    parser.add_argument("--partner", default=None, help="partner id, for a partner or mediator (e.g. P12)")
    parser.add_argument("--mediator", default=None, help="mediator id, for a mediator (e.g. P12-M01)")
    parser.add_argument("--hours", type=float, default=12.0)
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    try:
        token = issue_token(settings.jwt_secret, role=args.role, court_code=args.court or None,
                            partner_id=args.partner or None, mediator_id=args.mediator or None,
                            issuer=settings.jwt_issuer, ttl=timedelta(hours=args.hours))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
