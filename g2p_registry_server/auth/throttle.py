"""Login throttling: failed logins counted per login and per client address, in the database so
that every worker and machine shares them.

After `LOGIN_LIMIT` failures of one login within `WINDOW`, or `ADDRESS_LIMIT` from one client
address, that login or address is blocked: 60 seconds, doubling with each further failure, at
most 15 minutes. While blocked, every attempt answers 429, whatever the password, before any
password hash is computed. A success resets its login's count (not its address's: an attacker
who also holds one valid login must not clear the address counter with it). A count is forgotten
once its subject has had no failure for `QUIET` and is not blocked.

`penalty_seconds` is the rule; the rest reads and writes the counters. Callers own transactions.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import LoginThrottle

LOGIN_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = timedelta(seconds=60)
FIRST_PENALTY_SECONDS = 60
MAX_PENALTY_SECONDS = 15 * 60
QUIET = timedelta(seconds=MAX_PENALTY_SECONDS) + WINDOW
_LOGIN = "login:"
_ADDRESS = "address:"


class Throttled(Exception):
    """Too many failed logins: refuse for `retry_after` seconds (answered 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed logins; retry after {retry_after} seconds")
        self.retry_after = retry_after


def penalty_seconds(failures: int, limit: int) -> int | None:
    """How long a subject with `failures` counted failures is blocked; None below its limit."""
    if failures < limit:
        return None
    return min(FIRST_PENALTY_SECONDS * 2 ** min(failures - limit, 16), MAX_PENALTY_SECONDS)


def login_subject(username: str) -> str:
    return _LOGIN + username


def address_subject(address: str) -> str:
    return _ADDRESS + address


@dataclass(frozen=True)
class Attempt:
    """The counters one login attempt is judged by: its login's (none for a user name the
    database could not hold) and its client address's (none when unknown)."""

    login: str | None
    address: str | None

    @property
    def subjects(self) -> list[str]:
        return [subject for subject in (self.login, self.address) if subject is not None]

    @property
    def parameters(self) -> dict[str, str | None]:
        """The values of the statements' subject parameters (`_IN_ATTEMPT`); NULL matches none."""
        return {"throttle_login": self.login, "throttle_address": self.address}


def attempt(username: str | None, address: str | None) -> Attempt:
    return Attempt(
        login=login_subject(username) if username is not None else None,
        address=address_subject(address) if address else None,
    )


# Two plain parameters, not an expanding list: these run on every authenticated request, and a
# statement with a fixed shape is compiled once.
_IN_ATTEMPT = LoginThrottle.subject.in_([bindparam("throttle_login"), bindparam("throttle_address")])


def blocked_until_of() -> Any:
    """The latest end of a block among the attempt's subjects (`Attempt.parameters`): a scalar
    subquery, so that the query that authenticates a remembered password or a key reads it in
    the same round trip."""
    return select(func.max(LoginThrottle.blocked_until)).where(_IN_ATTEMPT).scalar_subquery()


def refuse_if_blocked(blocked_until: datetime | None, now: datetime) -> None:
    if blocked_until is not None and blocked_until > now:
        raise Throttled(max(1, math.ceil((blocked_until - now).total_seconds())))


@dataclass(frozen=True)
class Standing:
    blocked_until: datetime | None
    login_has_failed: bool  # whether a success must reset the login's counter


_STANDING = select(LoginThrottle.subject, LoginThrottle.blocked_until).where(_IN_ATTEMPT)


def standing(connection: Connection | Session, judged: Attempt) -> Standing:
    if not judged.subjects:
        return Standing(blocked_until=None, login_has_failed=False)
    rows = connection.execute(_STANDING, judged.parameters).all()
    blocks = [row.blocked_until for row in rows if row.blocked_until is not None]
    return Standing(
        blocked_until=max(blocks, default=None),
        login_has_failed=any(row.subject.startswith(_LOGIN) for row in rows),
    )


@dataclass(frozen=True)
class Limits:
    """Failures that block a login or a client address (`G2P_LOGIN_FAILURES_PER_LOGIN`,
    `G2P_LOGIN_FAILURES_PER_ADDRESS`; raise the latter when many clients share one address)."""

    per_login: int = LOGIN_LIMIT
    per_address: int = ADDRESS_LIMIT


def record_failure(session: Session, failed: Attempt, now: datetime, limits: Limits = Limits()) -> None:
    """Count one failure for each subject, and block those that reach their limit."""
    for subject in failed.subjects:
        limit = limits.per_login if subject.startswith(_LOGIN) else limits.per_address
        failures = _count_failure(session, subject, limit, now)
        penalty = penalty_seconds(failures, limit)
        if penalty is not None:
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.subject == subject)
                .values(blocked_until=now + timedelta(seconds=penalty))
            )


def _count_failure(session: Session, subject: str, limit: int, now: datetime) -> int:
    """One atomic upsert: the row stays locked until the transaction ends, so that concurrent
    failures of one subject are all counted."""
    table = LoginThrottle.__table__
    starts_afresh = or_(
        # Below the limit, failures older than the window no longer count.
        and_(table.c.failures < limit, table.c.first_failure_at < now - WINDOW),
        # Blocked or not, a subject quiet for long enough starts again.
        and_(
            table.c.last_failure_at < now - QUIET,
            or_(table.c.blocked_until.is_(None), table.c.blocked_until < now),
        ),
    )
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = insert(LoginThrottle).values(
        subject=subject, failures=1, first_failure_at=now, last_failure_at=now, blocked_until=None
    )
    statement = values.on_conflict_do_update(
        index_elements=[table.c.subject],
        set_={
            "failures": case((starts_afresh, 1), else_=table.c.failures + 1),
            "first_failure_at": case((starts_afresh, now), else_=table.c.first_failure_at),
            "last_failure_at": now,
            "blocked_until": case((starts_afresh, None), else_=table.c.blocked_until),
        },
    ).returning(table.c.failures)
    return session.execute(statement).scalar_one()


def forget_login(session: Session, username: str) -> None:
    """A success: its login's failures no longer count."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.subject == login_subject(username)))
