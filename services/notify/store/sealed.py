"""Webhook signing secrets encrypted at rest.

HMAC signing needs the secret itself (it cannot be hashed like a password), so the column holds it
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under keys that live outside the database
(`NOTIFY_SECRET_KEYS`, from a Kubernetes Secret): a copy of the database or of a backup reveals no
secret. The model attribute is the plain secret; only this column type sees the ciphertext.

Key rotation (README, "Secrets and personal data at rest"): put a new key first in
`NOTIFY_SECRET_KEYS`, keeping the old ones after it (MultiFernet encrypts with the first, decrypts
with any), roll the pods, run `python -m services.notify.rekey` to re-encrypt every row with the new
key, then drop the old key. The mechanism is shared/sealed.py's; these are notify's names and keys.
"""

from __future__ import annotations

from shared.sealed import SealedText, Sealer, SecretBox

__all__ = ["DEV_SECRET_KEY", "WEBHOOK_SECRETS", "SealedSecret", "SecretBox", "use_secret_keys"]

# Development and tests only (the settings refuse it elsewhere): a fixed key, so `make run`'s SQLite
# files stay readable across restarts.
DEV_SECRET_KEY = "ZGV2LW9ubHktd2ViaG9vay1zZWNyZXQta2V5LTAwMDA="

WEBHOOK_SECRETS = Sealer(setting="NOTIFY_SECRET_KEYS", what="a webhook secret", dev_key=DEV_SECRET_KEY)
use_secret_keys = WEBHOOK_SECRETS.install


class SealedSecret(SealedText):
    """A webhook signing secret, sealed with notify's keys."""

    sealer = WEBHOOK_SECRETS
