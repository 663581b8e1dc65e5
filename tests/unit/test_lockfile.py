"""requirements.lock is what `make run` and `make test` install, and the project itself is then
installed without dependencies: a pin changed in pyproject.toml but not locked (`make lock`
forgotten) would silently run the old version."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>\S+)$")


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()  # PEP 503: pyyaml, PyYAML and py_yaml are one package


def _pins(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        match = PIN.match(line.split(";")[0].strip())
        assert match, f"not an exact pin: {line!r}"
        found[_name(match["name"])] = match["version"]
    return found


def _declared() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _pins([*project["dependencies"], *project["optional-dependencies"]["dev"]])


def _locked() -> dict[str, str]:
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return _pins([line for line in lines if line.strip() and not line.lstrip().startswith("#")])


def test_every_pin_of_pyproject_is_locked_at_the_same_version():
    locked = _locked()
    differ = {name: (version, locked.get(name)) for name, version in _declared().items() if locked.get(name) != version}
    assert not differ, f"pyproject.toml pin vs requirements.lock (run `make lock`): {differ}"
