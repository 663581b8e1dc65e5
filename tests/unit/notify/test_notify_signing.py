import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notify.domain.signing import ROTATION_OVERLAP, new_secret, sign, signing_secrets

BODY = json.dumps({"type": "case.routed", "timestamp": "2026-03-02T09:00:00+08:00",
                   "data": {"case_id": "c1", "partner_id": "P01"}}, ensure_ascii=False)


def now() -> datetime:
    # The verifier refuses timestamps more than 5 minutes from its own clock.
    return datetime.now(timezone.utc)


def test_new_secret_is_whsec_base64_of_at_least_24_bytes():
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
    assert new_secret() != secret


def test_new_secret_uses_the_given_random_source():
    assert new_secret(lambda n: b"\x01" * n) == "whsec_" + base64.b64encode(b"\x01" * 32).decode()


def test_signed_delivery_verifies_with_standardwebhooks():
    secret = new_secret()
    headers = sign([secret], "msg_1", now(), BODY)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert Webhook(secret).verify(BODY, headers) == json.loads(BODY)


def test_tampered_body_fails_verification():
    secret = new_secret()
    headers = sign([secret], "msg_1", now(), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("P01", "P02"), headers)


def test_tampered_id_fails_verification():
    secret = new_secret()
    headers = sign([secret], "msg_1", now(), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**headers, "webhook-id": "msg_2"})


def test_other_secret_fails_verification():
    headers = sign([new_secret()], "msg_1", now(), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY, headers)


def test_rotation_signs_with_new_and_old_secret_and_each_verifies():
    old, new = new_secret(), new_secret()
    headers = sign([new, old], "msg_1", now(), BODY)
    parts = headers["webhook-signature"].split(" ")
    assert len(parts) == 2 and all(p.startswith("v1,") for p in parts)
    for secret in (old, new):
        Webhook(secret).verify(BODY, headers)


def test_non_utc_timestamp_gives_the_true_epoch_seconds():
    china = timezone(timedelta(hours=8))
    moment = now().astimezone(china)
    headers = sign([new_secret()], "msg_1", moment, BODY)
    assert int(headers["webhook-timestamp"]) == int(moment.timestamp())


def test_naive_timestamp_and_no_secret_are_refused():
    with pytest.raises(ValueError):
        sign([new_secret()], "m", datetime(2026, 1, 1), BODY)
    with pytest.raises(ValueError):
        sign([], "m", now(), BODY)


def test_old_secret_keeps_signing_for_24_hours_after_rotation_only():
    rotated = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert signing_secrets("new", "old", rotated, rotated + timedelta(hours=23, minutes=59)) == ["new", "old"]
    assert signing_secrets("new", "old", rotated, rotated + ROTATION_OVERLAP) == ["new"]
    assert signing_secrets("new", None, None, rotated) == ["new"]


def test_no_previous_secret_signs_with_the_current_one_only_even_just_after_a_rotation():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert signing_secrets("whsec_new", None, now - timedelta(minutes=1), now) == ["whsec_new"]
    assert signing_secrets("whsec_new", "whsec_old", None, now) == ["whsec_new"]


def test_refusals_say_why():
    with pytest.raises(ValueError, match="^at least one signing secret is needed$"):
        sign([], "msg_1", datetime(2026, 3, 2, tzinfo=timezone.utc), "{}")
    with pytest.raises(ValueError, match="^timestamp must be timezone-aware$"):
        sign([new_secret()], "msg_1", datetime(2026, 3, 2), "{}")


def test_a_server_on_beijing_local_time_still_signs_the_true_instant(monkeypatch):
    """The conversion is to UTC itself, not to the machine's local zone (Webhook.sign drops the
    offset): on a machine whose TZ is Asia/Shanghai the receiver must still verify."""
    import time

    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        secret = new_secret()
        at = datetime(2026, 3, 2, 17, 0, tzinfo=timezone(timedelta(hours=8)))
        headers = sign([secret], "msg_tz", at, '{"a":1}')
        assert headers["webhook-timestamp"] == str(int(at.timestamp()))
        expected = Webhook(secret).sign("msg_tz", datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), '{"a":1}')
        assert headers["webhook-signature"] == expected
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
