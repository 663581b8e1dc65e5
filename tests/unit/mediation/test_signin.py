"""The workbench's sign-in rules: the growing delay after wrong passwords, the password a mediator
may choose, and when a session ends."""

from datetime import datetime, timedelta, timezone

from services.mediation.domain.signin import Throttle, password_problems, session_expired

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)


def _fail(throttle: Throttle, times: int, start: datetime, step: timedelta = timedelta(seconds=5)) -> Throttle:
    for i in range(times):
        throttle = throttle.failed(start + step * i)
    return throttle


def test_five_wrong_passwords_in_a_minute_lock_the_sixth_out():
    four = _fail(Throttle(), 4, T0)
    assert four.locked(T0 + timedelta(seconds=20)) is None
    five = four.failed(T0 + timedelta(seconds=25))
    assert five.locked(T0 + timedelta(seconds=26)) is not None  # the sixth attempt waits
    assert five.locked(T0 + timedelta(seconds=56)) is None  # 30 s later it may be tried again


def test_the_delay_doubles_with_every_further_failure_up_to_a_cap():
    throttle = _fail(Throttle(), 5, T0)
    delays = []
    now = T0 + timedelta(minutes=1)
    for _ in range(8):
        throttle = throttle.failed(now)
        delays.append(throttle.locked_until - now)
        now = throttle.locked_until + timedelta(seconds=1)
    assert delays[:3] == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert max(delays) == timedelta(minutes=15)


def test_slow_failures_below_the_limit_are_forgotten():
    throttle = _fail(Throttle(), 4, T0, step=timedelta(seconds=1))
    later = throttle.failed(T0 + timedelta(minutes=2))
    assert later.failures == 1 and later.locked_until is None


def test_a_new_password_must_be_long_not_the_id_and_typed_twice_alike():
    assert "new_password" in password_problems("short", "short", mediator_id="P24-M01")
    assert "new_password" in password_problems("p24-m01", "p24-m01", mediator_id="P24-M01")
    assert "new_password" in password_problems("mediator-demo", "mediator-demo", mediator_id="P24-M01",
                                               current="mediator-demo")
    assert "new_password" in password_problems("aaaaaaaaaaaa", "aaaaaaaaaaaa", mediator_id="P24-M01")
    assert password_problems("调解-Workbench-2026", "other", mediator_id="P24-M01") == {
        "repeat_password": "两次输入的新密码不一致。"}
    assert password_problems("调解-Workbench-2026", "调解-Workbench-2026", mediator_id="P24-M01") == {}


def test_a_session_ends_when_idle_and_after_its_absolute_lifetime():
    idle, absolute = timedelta(minutes=30), timedelta(hours=12)
    assert not session_expired(created_at=T0, last_seen_at=T0 + timedelta(hours=11), now=T0 + timedelta(hours=11, minutes=29),
                               idle=idle, absolute=absolute)
    assert session_expired(created_at=T0, last_seen_at=T0, now=T0 + timedelta(minutes=30), idle=idle, absolute=absolute)
    assert session_expired(created_at=T0, last_seen_at=T0 + timedelta(hours=11, minutes=59),
                           now=T0 + timedelta(hours=12), idle=idle, absolute=absolute)
