"""Webhook signing secrets encrypted at rest.

HMAC signing needs the secret itself (it cannot be hashed like a password), so the column holds it
encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under keys that live outside the database
(`NOTIFY_SECRET_KEYS`, from a Kubernetes Secret): a copy of the database or of a backup reveals no
secret. The model attribute is the plain secret; only this column type sees the ciphertext.

Key rotation (README, "Webhook secrets at rest"): put a new key first in `NOTIFY_SECRET_KEYS`,
keeping the old ones after it (MultiFernet encrypts with the first, decrypts with any), roll the
pods, run `python -m services.notify.rekey` to re-encrypt every row with the new key, then drop the
old key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

# Development and tests only (the settings refuse it elsewhere): a fixed key, so `make run`'s SQLite
# files stay readable across restarts.
DEV_SECRET_KEY = "ZGV2LW9ubHktd2ViaG9vay1zZWNyZXQta2V5LTAwMDA="


class SecretBox:
    """Seal and open secrets with the configured keys, the first of them encrypting."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one secret key is needed")
        self.keys = tuple(keys)
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken:
            raise ValueError("a webhook secret cannot be decrypted with the configured NOTIFY_SECRET_KEYS") from None

    def reseal(self, sealed: str) -> str:
        """The same secret encrypted with the first key (key rotation)."""
        return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")


def check_keys(keys: Sequence[str]) -> None:
    """ValueError naming the problem when a key is not a Fernet key (32 url-safe base64 bytes)."""
    for position, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(f"NOTIFY_SECRET_KEYS entry {position + 1} is not a Fernet key "
                             "(32 url-safe base64-encoded bytes; make one with "
                             "`python -c 'from cryptography.fernet import Fernet; "
                             "print(Fernet.generate_key().decode())'`)") from None


_box = SecretBox([DEV_SECRET_KEY])


def use_secret_keys(keys: Sequence[str]) -> SecretBox:
    """Install the keys notify's runtime was configured with (called once at start)."""
    global _box
    _box = SecretBox(keys)
    return _box


class SealedSecret(TypeDecorator):
    """A text column holding a Fernet token; Python sees the plain value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else _box.seal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else _box.open(value)
