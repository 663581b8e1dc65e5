"""The supervisor of `make run-distributed` (composition/supervisor.py) with small stand-in programs:
a SIGKILLed child comes back, a crash-looping one waits longer each time, logs survive restarts,
stopping stops all."""

from __future__ import annotations

import io
import json
import os
import signal
import sys
import time

from composition.supervisor import Program, Supervisor

SERVE = "import sys, time; print('serving', flush=True); time.sleep(60)"
CRASH = "import sys; print('boom', flush=True); sys.exit(3)"


def _wait(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_killed_child_is_restarted_the_others_untouched_and_its_log_kept(tmp_path):
    out = io.StringIO()
    supervisor = Supervisor([Program("a", [sys.executable, "-c", SERVE], dict(os.environ)),
                             Program("b", [sys.executable, "-c", SERVE], dict(os.environ))],
                            log_dir=tmp_path, out=out, initial_backoff=0.2)
    supervisor.start()
    try:
        _wait(lambda: (tmp_path / "a.log").read_bytes().count(b"serving") == 1)
        first_a, first_b = supervisor.children["a"].proc.pid, supervisor.children["b"].proc.pid
        os.kill(first_a, signal.SIGKILL)
        _wait(lambda: (supervisor.check() or True) and supervisor.children["a"].restarts == 1
              and supervisor.children["a"].proc.poll() is None)
        _wait(lambda: (tmp_path / "a.log").read_bytes().count(b"serving") == 2)
        assert supervisor.children["a"].proc.pid != first_a
        assert supervisor.children["b"].proc.pid == first_b and supervisor.children["b"].restarts == 0
        state = json.loads((tmp_path / "supervisor.json").read_text())
        assert state["a"] == {"pid": supervisor.children["a"].proc.pid, "restarts": 1, "running": True}
        log = (tmp_path / "a.log").read_text()
        assert "killed by SIGKILL" in log and "restart 1" in log
        assert "a              | serving" in out.getvalue()
    finally:
        supervisor.stop_all(grace=5)
    assert all(c.proc.poll() is not None for c in supervisor.children.values())
    assert "stopped" in (tmp_path / "b.log").read_text()


def test_a_crash_looping_child_waits_longer_each_time(tmp_path):
    supervisor = Supervisor([Program("c", [sys.executable, "-c", CRASH], dict(os.environ))], log_dir=tmp_path,
                            out=io.StringIO(), initial_backoff=0.1, max_backoff=0.4, stable_after=60)
    supervisor.start()
    delays = []
    try:
        child = supervisor.children["c"]
        while len(delays) < 4:
            child.proc.wait(10)
            supervisor.check()
            delays.append(round(child.restart_at - time.monotonic(), 1))
            _wait(lambda: (supervisor.check() or True) and child.restart_at is None)
    finally:
        supervisor.stop_all(grace=2)
    assert delays == [0.1, 0.2, 0.4, 0.4]
    assert (tmp_path / "c.log").read_text().count("boom") >= 4


def test_stop_all_kills_a_child_that_ignores_sigterm(tmp_path):
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    supervisor = Supervisor([Program("s", [sys.executable, "-c", stubborn], dict(os.environ))], log_dir=tmp_path,
                            out=io.StringIO())
    supervisor.start()
    _wait(lambda: b"up" in (tmp_path / "s.log").read_bytes())
    started = time.monotonic()
    supervisor.stop_all(grace=0.5)
    assert supervisor.children["s"].proc.returncode == -signal.SIGKILL and time.monotonic() - started < 5
    supervisor.check()  # stopping: nothing is restarted
    assert supervisor.children["s"].restarts == 0
