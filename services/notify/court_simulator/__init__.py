"""A stand-in for the court's case system, receiving hand-offs in local runs and tests."""

from services.notify.court_simulator.app import create_app

__all__ = ["create_app"]
