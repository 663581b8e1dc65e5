"""The alert rules pass `promtool check rules` and their unit tests (`promtool test rules`, Debian's
prometheus package, installed by `make test`); an alert broken on purpose fails its test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from tests.support.promql import MONITORING, RULES

TESTS = MONITORING / "alerts.test.yaml"


def _promtool() -> str:
    found = shutil.which("promtool")
    assert found, "promtool is missing: `make test` installs Debian's prometheus package"
    return found


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def _write(tmp_path: Path, spec: dict) -> None:
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    shutil.copy(TESTS, tmp_path / TESTS.name)


def _spec() -> dict:
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))["spec"]


def test_rules_are_valid_and_their_unit_tests_pass(tmp_path):
    _write(tmp_path, _spec())
    checked = _run("check", "rules", "rules.yaml", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = _run("test", "rules", TESTS.name, cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_has_a_unit_test_and_a_runbook():
    alerts = {r["alert"]: r for g in _spec()["groups"] for r in g["rules"] if "alert" in r}
    tested = {t["alertname"] for case in yaml.safe_load(TESTS.read_text(encoding="utf-8"))["tests"]
              for t in case.get("alert_rule_test", []) if t.get("exp_alerts")}
    assert set(alerts) == tested
    readme = (MONITORING.parents[3] / "README.md").read_text(encoding="utf-8")
    for name, rule in alerts.items():
        anchor = rule["annotations"]["runbook"].split("#", 1)[1]
        assert anchor == name.lower() and f"#### {name}" in readme, f"{name} has no runbook in the README"


def test_a_broken_alert_fails_its_unit_test(tmp_path):
    spec = _spec()
    for group in spec["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "CourtmedQueueWithoutConsumer":
                rule["expr"] = rule["expr"].replace("< 1", "< 0")  # can never fire
            if rule.get("alert") == "CourtmedHigh5xxRate":
                rule["expr"] = rule["expr"].replace('status=~"5.."', 'status=~"4.."')
    _write(tmp_path, spec)
    tested = _run("test", "rules", TESTS.name, cwd=tmp_path)
    assert tested.returncode != 0
    assert "CourtmedQueueWithoutConsumer" in tested.stdout + tested.stderr
    assert "CourtmedHigh5xxRate" in tested.stdout + tested.stderr
