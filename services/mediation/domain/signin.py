"""Sign-in rules of the mediators' web client, pure: the growing delay after wrong passwords, the
password a mediator may choose, and how long a session lives.

Wrong passwords: the first five within a minute cost nothing more than the hash; from then on the
account is locked for a delay that doubles with every further failure (30 s, 60 s, 2 min, ... at
most 15 min). A correct password does not open a locked account: the lock holds until it ends, so
guessing stays as slow as the delay whatever the guesses are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=1)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
QUIET_RESET = timedelta(hours=1)


@dataclass(frozen=True)
class Throttle:
    failures: int = 0
    first_failed_at: datetime | None = None
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> timedelta | None:
        """How long the account stays locked, or None when a sign-in may be tried."""
        if self.locked_until is not None and now < self.locked_until:
            return self.locked_until - now
        return None

    def failed(self, now: datetime) -> Throttle:
        """The throttle after one more wrong password at `now`."""
        # below the lock, failures older than a minute are forgotten; once locked, the count (and
        # so the delay) keeps growing until a correct sign-in or an hour of quiet after the lock
        fresh = (self.first_failed_at is None
                 or (self.failures < FREE_FAILURES and now - self.first_failed_at > FAILURE_WINDOW)
                 or (self.locked_until is not None and now - self.locked_until > QUIET_RESET))
        failures, first = (1, now) if fresh else (self.failures + 1, self.first_failed_at)
        locked_until = None
        if failures >= FREE_FAILURES:
            delay = min(FIRST_DELAY * (2 ** (failures - FREE_FAILURES)), MAX_DELAY)
            locked_until = now + delay
        return Throttle(failures=failures, first_failed_at=first, locked_until=locked_until)


def password_problems(password: str, repeated: str, *, mediator_id: str, current: str | None = None) -> dict[str, str]:
    """What is wrong with a new password, by form field, in the words the mediator reads."""
    problems: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        problems["new_password"] = f"新密码至少{MIN_PASSWORD_LENGTH}个字符。"
    elif password.strip().lower() == mediator_id.strip().lower() or (current is not None and password == current):
        problems["new_password"] = "新密码不能与调解员编号或初始密码相同。"
    elif len(set(password)) < 4:
        problems["new_password"] = "新密码过于简单，请混合使用字母、数字或符号。"
    if not problems and password != repeated:
        problems["repeat_password"] = "两次输入的新密码不一致。"
    return problems


def session_expired(*, created_at: datetime, last_seen_at: datetime, now: datetime, idle: timedelta,
                    absolute: timedelta) -> bool:
    """A session ends after `idle` without a request, and after `absolute` whatever happens."""
    return now - last_seen_at >= idle or now - created_at >= absolute
