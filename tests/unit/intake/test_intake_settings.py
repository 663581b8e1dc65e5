"""Intake's keys of the parties' personal data at rest: development keys only in development."""

import pytest
from cryptography.fernet import Fernet

from services.intake.settings import Settings
from services.intake.store.sealed import DEV_DATA_KEY, DEV_LOOKUP_KEY

PRODUCTION = {"env": "production", "jwt_secret": "x" * 40, "database_url": "sqlite:///x.db"}
DATA_KEY = Fernet.generate_key().decode()
LOOKUP_KEY = "k" * 40


def test_development_uses_the_development_keys():
    settings = Settings(env="development", database_url="sqlite:///x.db")
    assert settings.data_key_list == [DEV_DATA_KEY] and settings.lookup_key == DEV_LOOKUP_KEY


def test_production_refuses_missing_keys():
    with pytest.raises(ValueError, match="INTAKE_DATA_KEYS must be set outside development"):
        Settings(**PRODUCTION, lookup_key=LOOKUP_KEY)
    with pytest.raises(ValueError, match="INTAKE_LOOKUP_KEY must be set outside development"):
        Settings(**PRODUCTION, data_keys=DATA_KEY)


def test_production_refuses_the_development_keys():
    with pytest.raises(ValueError, match="INTAKE_DATA_KEYS must not hold the development key"):
        Settings(**PRODUCTION, data_keys=f"{DATA_KEY},{DEV_DATA_KEY}", lookup_key=LOOKUP_KEY)
    with pytest.raises(ValueError, match="INTAKE_LOOKUP_KEY must not hold the development key"):
        Settings(**PRODUCTION, data_keys=DATA_KEY, lookup_key=DEV_LOOKUP_KEY)


def test_keys_must_be_keys():
    with pytest.raises(ValueError, match="INTAKE_DATA_KEYS entry 2 is not a Fernet key"):
        Settings(**PRODUCTION, data_keys=f"{DATA_KEY},not-a-key", lookup_key=LOOKUP_KEY)
    with pytest.raises(ValueError, match="INTAKE_LOOKUP_KEY must be at least 32 characters"):
        Settings(**PRODUCTION, data_keys=DATA_KEY, lookup_key="short")


def test_production_keys_from_the_environment(monkeypatch):
    new = Fernet.generate_key().decode()
    monkeypatch.setenv("INTAKE_DATA_KEYS", f" {new} , {DATA_KEY} ")
    monkeypatch.setenv("INTAKE_LOOKUP_KEY", LOOKUP_KEY)
    settings = Settings(**PRODUCTION)
    assert settings.data_key_list == [new, DATA_KEY] and settings.lookup_key == LOOKUP_KEY


@pytest.mark.parametrize("service", ["intake", "routing", "mediation", "notify"])
def test_a_refused_setting_is_reported_without_its_value(service):
    """Start-up errors go to the logs: they name the setting, never the value it was given (here a
    key pasted into the wrong variable)."""
    import importlib

    from pydantic import ValidationError

    settings_class = importlib.import_module(f"services.{service}.settings").Settings
    secret = Fernet.generate_key().decode()
    with pytest.raises(ValidationError) as refused:
        settings_class(env="development", database_url="sqlite:///x.db", port=secret)
    assert "port" in str(refused.value) and secret not in str(refused.value)


def test_filing_concurrency_from_the_environment(monkeypatch):
    monkeypatch.setenv("INTAKE_FILING_CONCURRENCY", "2")
    assert Settings(database_url="sqlite:///x.db").filing_concurrency == 2
    monkeypatch.setenv("INTAKE_FILING_CONCURRENCY", "0")  # no filing could ever start
    with pytest.raises(ValueError, match="filing_concurrency"):
        Settings(database_url="sqlite:///x.db")
