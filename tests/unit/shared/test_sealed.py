"""The one sealing mechanism (shared/sealed.py): each service's column type seals with its own keys,
also when the embedded mode holds several services in one process."""

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql.cache_key import NO_CACHE

from services.intake.store.sealed import PARTY_DATA, SealedPersonal
from services.notify.store.sealed import WEBHOOK_SECRETS, SealedSecret
from shared.sealed import LookupKey, SealedText, SecretBox


@pytest.fixture
def installed():
    """Restore each service's keys afterwards (other tests install their own at runtime start)."""
    before = PARTY_DATA.box, WEBHOOK_SECRETS.box
    yield
    PARTY_DATA.box, WEBHOOK_SECRETS.box = before


def test_two_services_in_one_process_seal_with_their_own_keys(installed):
    intake_key, notify_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    PARTY_DATA.install([intake_key])
    WEBHOOK_SECRETS.install([notify_key])
    dialect = sqlite.dialect()
    sealed_party = SealedPersonal().process_bind_param("370202198001011232", dialect)
    sealed_secret = SealedSecret().process_bind_param("whsec_abc", dialect)
    assert SecretBox([intake_key]).open(sealed_party) == "370202198001011232"
    assert SecretBox([notify_key]).open(sealed_secret) == "whsec_abc"
    with pytest.raises(ValueError, match="^a webhook secret cannot be decrypted with the configured "
                                         "NOTIFY_SECRET_KEYS$"):
        SealedSecret().process_result_value(sealed_party, dialect)
    with pytest.raises(ValueError, match="^a party's id number or phone cannot be decrypted with the configured "
                                         "INTAKE_DATA_KEYS$"):
        SealedPersonal().process_result_value(sealed_secret, dialect)
    assert SealedPersonal().process_bind_param(None, dialect) is None


def test_a_clear_value_is_refused_not_returned():
    with pytest.raises(ValueError, match="cannot be decrypted"):
        PARTY_DATA.box_for([Fernet.generate_key().decode()]).open("13912345678")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        PARTY_DATA.box_for([Fernet.generate_key().decode()]).open("不是密文")


def test_rotation_opens_with_any_key_and_reseals_with_the_first():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = SecretBox([old]).seal("13912345678")
    both = SecretBox([new, old])
    assert both.open(sealed) == "13912345678"
    assert SecretBox([new]).open(both.reseal(sealed)) == "13912345678"


def test_a_column_type_must_name_its_sealer():
    with pytest.raises(TypeError, match="must name the Sealer"):
        type("Nameless", (SealedText,), {})


@pytest.mark.parametrize("column_type", [SealedPersonal, SealedSecret])
def test_statements_with_a_sealed_column_are_cached(column_type):
    # SQLAlchemy takes cache_ok from the class's own __dict__ only; without it every statement naming
    # the column is compiled anew (and a warning says so).
    assert column_type.__dict__.get("cache_ok") is True
    assert column_type()._static_cache_key is not NO_CACHE


def test_the_lookup_hash_is_hmac_sha256_of_the_value():
    key = "k" * 40
    assert LookupKey(key).hash("370202198001011232") == hmac.new(key.encode(), b"370202198001011232",
                                                                 hashlib.sha256).hexdigest()
    assert LookupKey(key).hash("a") != LookupKey("j" * 40).hash("a")
