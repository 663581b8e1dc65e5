"""Values sealed at rest: a column that holds a Fernet token (AES-128-CBC + HMAC-SHA256) under keys
kept outside the database, and a keyed hash to find such a value by equality.

A copy of the database or of a backup then reveals neither the value nor, without the lookup key, a
way to test a guess against it (an 18-character id number has few enough plausible values that a
plain hash of it could be reversed by trying them all).

Each service has its own keys, named by its own setting (`NOTIFY_SECRET_KEYS`, `INTAKE_DATA_KEYS`):
a `Sealer` per service holds the keys its runtime installed, and that service's column type
(a `SealedText` subclass naming the Sealer) seals with them. The embedded mode runs four services in
one process, so the keys cannot be one module-global box.

Key rotation: put a new key first in the setting, keeping the old ones after it (MultiFernet
encrypts with the first, decrypts with any), roll the pods, re-encrypt every row with the new key
(`SecretBox.reseal`, the service's rekey command), then drop the old key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any, ClassVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

# A lookup key shorter than this is refused: HMAC-SHA256 wants at least 32 bytes of secret.
MIN_LOOKUP_KEY_CHARS = 32


def key_list(value: str) -> list[str]:
    """A keys setting's entries: comma-separated, the newest first."""
    return [key.strip() for key in value.split(",") if key.strip()]


class SecretBox:
    """Seal and open values with a list of keys, the first of them encrypting. `setting` and `what`
    name the keys and the value in errors ("a webhook secret cannot be decrypted with the configured
    NOTIFY_SECRET_KEYS"), never the value itself."""

    def __init__(self, keys: Sequence[str], *, setting: str = "keys", what: str = "a sealed value") -> None:
        if not keys:
            raise ValueError(f"at least one key is needed in {setting}")
        self.keys = tuple(keys)
        self.setting, self.what = setting, what
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError):
            raise ValueError(f"{self.what} cannot be decrypted with the configured {self.setting}") from None

    def reseal(self, sealed: str) -> str:
        """The same value encrypted with the first key (key rotation)."""
        try:
            return self._fernet.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise ValueError(f"{self.what} cannot be decrypted with the configured {self.setting}") from None


def check_keys(keys: Sequence[str], *, setting: str) -> None:
    """ValueError naming the setting and the entry when a key is not a Fernet key (32 url-safe base64 bytes)."""
    for position, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ValueError(f"{setting} entry {position + 1} is not a Fernet key "
                             "(32 url-safe base64-encoded bytes; make one with "
                             "`python -c 'from cryptography.fernet import Fernet; "
                             "print(Fernet.generate_key().decode())'`)") from None


def _required(value: str, entries: Sequence[str], *, setting: str, dev_value: str, development: bool) -> str:
    """The value, or the development one when unset in development; refused unset or holding the
    development value anywhere else (APP_ENV other than development/test)."""
    if not value:
        if not development:
            raise ValueError(f"{setting} must be set outside development (APP_ENV=production)")
        return dev_value
    if not development and dev_value in entries:
        raise ValueError(f"{setting} must not hold the development key outside development")
    return value


def keys_setting(value: str, *, setting: str, dev_key: str, development: bool) -> str:
    """A Fernet keys setting as validated at start-up (required outside development, every entry a key)."""
    value = _required(value, key_list(value), setting=setting, dev_value=dev_key, development=development)
    check_keys(key_list(value), setting=setting)
    return value


def lookup_key_setting(value: str, *, setting: str, dev_key: str, development: bool) -> str:
    """An HMAC key setting as validated at start-up (required outside development, 32+ characters)."""
    value = _required(value, [value], setting=setting, dev_value=dev_key, development=development)
    if len(value) < MIN_LOOKUP_KEY_CHARS:
        raise ValueError(f"{setting} must be at least {MIN_LOOKUP_KEY_CHARS} characters "
                         "(make one with `openssl rand -hex 32`)")
    return value


class Sealer:
    """One service's sealing keys: the development key until its runtime installs its own."""

    def __init__(self, *, setting: str, what: str, dev_key: str) -> None:
        self.setting, self.what, self.dev_key = setting, what, dev_key
        self.box = self.box_for([dev_key])

    def box_for(self, keys: Sequence[str]) -> SecretBox:
        """A box for these keys, not installed (migrations, the rekey command)."""
        return SecretBox(keys, setting=self.setting, what=self.what)

    def install(self, keys: Sequence[str]) -> SecretBox:
        """The keys the service's runtime was configured with (called once at start)."""
        self.box = self.box_for(keys)
        return self.box


class SealedText(TypeDecorator):
    """A text column holding a Fernet token; Python sees the plain value. Subclass it once per
    service, naming that service's Sealer: `class SealedSecret(SealedText): sealer = WEBHOOK_SECRETS`."""

    impl = Text
    cache_ok = True
    sealer: ClassVar[Sealer]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not isinstance(getattr(cls, "sealer", None), Sealer):
            raise TypeError(f"{cls.__name__} must name the Sealer whose keys it seals with")
        # SQLAlchemy reads cache_ok from the class's own __dict__, never inherited; without it every
        # statement naming a sealed column was compiled anew. A subclass only names its sealer,
        # which is not part of the SQL, so its statements are safe to cache.
        cls.cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.sealer.box.seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.sealer.box.open(value)


class LookupKey:
    """A keyed hash (HMAC-SHA256, hex) of a sealed value, stored beside it so that equal values can
    be found by an indexed equality; without the key a guess cannot be tested against it."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def hash(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()
