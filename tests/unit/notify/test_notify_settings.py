"""Development conveniences are on only in development."""

import pytest

from services.notify.settings import EMBEDDED_SIMULATOR_ENDPOINT, Settings

SECRET = "x" * 40
# Production needs its own key for the webhook secrets at rest (store/sealed.py).
SECRET_KEYS = "bm90LWEtcmVhbC1rZXktanVzdC1mb3ItdGhlLXRlc3Q="


def test_development_allows_loopback_webhooks_and_uses_the_simulator():
    settings = Settings(env="development", database_url="sqlite:///x.db")
    assert settings.allow_private_webhooks is True and settings.court_simulator is True
    assert settings.court_endpoint == EMBEDDED_SIMULATOR_ENDPOINT


def test_production_refuses_private_webhooks_and_has_no_simulator():
    settings = Settings(env="production", jwt_secret=SECRET, secret_keys=SECRET_KEYS, database_url="sqlite:///x.db")
    assert settings.allow_private_webhooks is False and settings.court_simulator is False
    assert settings.court_endpoint_for("370202") is None


def test_per_court_endpoints_override_the_default():
    settings = Settings(env="production", jwt_secret=SECRET, secret_keys=SECRET_KEYS, database_url="sqlite:///x.db",
                        court_endpoint="https://court.example/handoffs",
                        court_endpoints={"370211": "https://west.example/handoffs"})
    assert settings.court_endpoint_for("370211") == "https://west.example/handoffs"
    assert settings.court_endpoint_for("370202") == "https://court.example/handoffs"


def test_per_court_endpoints_from_the_environment(monkeypatch):
    monkeypatch.setenv("NOTIFY_COURT_ENDPOINTS", '{"370202": "https://a.example/h"}')
    assert Settings(env="test", database_url="sqlite:///x.db").court_endpoint_for("370202") == "https://a.example/h"


def test_the_lease_must_outlast_an_attempt():
    with pytest.raises(ValueError):
        Settings(env="test", database_url="sqlite:///x.db", http_timeout_seconds=10, claim_lease_seconds=5)
