"""What must never leak: every account number and password the suite sends, and where it looked.

Tests register each account number they put on the wire (valid or not); at the end of the
session the conftest scans every server log for them. Contract section 3 allows a log to show
the last four characters of a number, so only whole numbers (as sent, and normalized) count.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

_NON_WORD = re.compile(r"\W+")
# Short values occur in any log by chance (ports, timestamps); only numbers this long are traced.
MIN_TRACEABLE_LENGTH = 8
MIN_DISTINCT_CHARACTERS = 4

_lock = threading.Lock()
_account_numbers: set[str] = set()
_passwords: set[str] = set()
_log_paths: list[Path] = []


def _traceable(value: str) -> bool:
    return len(value) >= MIN_TRACEABLE_LENGTH and len(set(value)) >= MIN_DISTINCT_CHARACTERS


def sent_account_number(number: str) -> str:
    """Remember a number the suite sends; returns it, so builders can wrap their values."""
    normalized = _NON_WORD.sub("", number).upper()
    with _lock:
        for form in (number.strip(), normalized):
            if _traceable(form):
                _account_numbers.add(form)
    return number


def sent_password(password: str) -> str:
    with _lock:
        if _traceable(password):
            _passwords.add(password)
    return password


def server_log(path: Path) -> None:
    with _lock:
        _log_paths.append(path)


def log_paths() -> list[Path]:
    return list(_log_paths)


def account_numbers() -> set[str]:
    return set(_account_numbers)


def leaks_in(text: str, secrets: set[str] | None = None) -> list[str]:
    """The secrets (account numbers and passwords by default) found whole in ``text``."""
    if secrets is None:
        secrets = _account_numbers | _passwords
    return sorted(secret for secret in secrets if secret in text)


def masked(secret: str) -> str:
    """How a report names a leaked secret without leaking it again."""
    return f"…{secret[-4:]} ({len(secret)} characters)"
