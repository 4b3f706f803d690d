"""Unit tests of the pure pieces: date and text rules, phone sanitizing, age, settings, URL
normalization, password hashing and the verified-credentials cache."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import TypeAdapter, ValidationError

from g2p_registry_server.auth.api_keys import DISPLAY_LENGTH, key_digest, looks_like_key, new_key
from g2p_registry_server.auth.passwords import (
    HASH_COSTS,
    SANDBOX_COST,
    STANDARD_COST,
    hash_password,
    verify_password,
)
from g2p_registry_server.config import Settings
from g2p_registry_server.db import normalize_database_url
from g2p_registry_server.extensions import UnknownExtension, load_extensions
from g2p_registry_server.registrants.answers import age_in_years
from g2p_registry_server.registrants.fields import Address, Name, parse_date
from g2p_registry_server.registrants.service import sanitize_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2000-01-01", date(2000, 1, 1)), ("", None), (None, None), ("2024-02-29", date(2024, 2, 29))],
)
def test_parse_date_accepts_iso_days(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2023-02-29",
        "2000-1-1",
        "01/01/2000",
        "2000-01-01T00:00:00",
        20000101,
        "\uff12\uff10\uff10\uff10-01-01",
    ],
)
def test_parse_date_refuses_everything_else(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_name_rules():
    names = TypeAdapter(Name)
    assert names.validate_python("  Grace  ") == "Grace"
    for bad in ("", "   ", "a\x00b", "a\nb", "a\x7fb", "x" * 256, "\ud800"):
        with pytest.raises(ValidationError):
            names.validate_python(bad)


def test_address_keeps_line_breaks_but_not_other_controls():
    addresses = TypeAdapter(Address)
    assert addresses.validate_python("Plot 7\nKisumu") == "Plot 7\nKisumu"
    with pytest.raises(ValidationError):
        addresses.validate_python("Plot 7\x00")


@pytest.mark.parametrize(
    ("phone", "sanitized"),
    [("+254 712 345-678", "+254712345678"), ("(020) 123.456", "020123456"), (" +1 555", "+1555")],
)
def test_sanitize_phone(phone, sanitized):
    assert sanitize_phone(phone) == sanitized


def test_age_in_whole_years():
    assert age_in_years(date(2000, 6, 15), today=date(2024, 6, 14)) == "23"
    assert age_in_years(date(2000, 6, 15), today=date(2024, 6, 15)) == "24"
    assert age_in_years(None) is None


def test_postgresql_urls_use_psycopg():
    assert (
        normalize_database_url("postgresql://u:p@127.0.0.1:5/db") == "postgresql+psycopg://u:p@127.0.0.1:5/db"
    )
    assert normalize_database_url("sqlite:///./x.db") == "sqlite:///./x.db"


def test_settings(monkeypatch):
    monkeypatch.delenv("G2P_EXTENSIONS", raising=False)
    assert Settings().enabled_extensions is None
    monkeypatch.setenv("G2P_EXTENSIONS", "")
    assert Settings().enabled_extensions == []
    monkeypatch.setenv("G2P_EXTENSIONS", " bank, other ,")
    assert Settings().enabled_extensions == ["bank", "other"]
    monkeypatch.setenv("G2P_ADMIN_PASSWORD", "  ")
    assert Settings().admin_password is None
    monkeypatch.setenv("G2P_MAX_BODY_BYTES", "0")
    with pytest.raises(ValidationError):
        Settings()


def test_unknown_extension_is_named():
    with pytest.raises(UnknownExtension, match="no-such"):
        load_extensions(["no-such"])
    assert load_extensions([]) == []


def test_password_hashing():
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "correct horsE")
    # Unknown users are checked against a dummy hash and never pass.
    assert not verify_password(None, "correct horse")
    assert not verify_password("not a hash", "x")


def test_a_hash_is_verified_at_the_cost_it_was_stored_with():
    sandbox = hash_password("correct horse", cost=SANDBOX_COST)
    standard = hash_password("correct horse")
    assert sandbox.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert standard.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # Whatever the setting now says, each hash is checked with its own parameters.
    for cost in HASH_COSTS:
        assert verify_password(sandbox, "correct horse", cost=cost)
        assert verify_password(standard, "correct horse", cost=cost)
        assert not verify_password(sandbox, "correct horsE", cost=cost)
        assert not verify_password(None, "correct horse", cost=cost)


def test_the_hash_cost_setting_names_its_choices():
    assert Settings(password_hash_cost=" Sandbox ").password_hash_cost == SANDBOX_COST  # noqa: S106
    assert Settings().password_hash_cost == STANDARD_COST
    with pytest.raises(ValidationError, match="standard, sandbox"):
        Settings(password_hash_cost="cheap")  # noqa: S106


def test_no_column_an_answer_shows_has_a_server_default():
    """`views.written_view` answers a new registrant from its ORM object: a column it never set
    was inserted as NULL, which a server default would contradict."""
    from g2p_registry_server.registrants.models import Registrant
    from g2p_registry_server.registrants.views import _SCALARS

    assert [name for name in _SCALARS if Registrant.__table__.c[name].server_default is not None] == []


def test_api_keys_are_high_entropy_and_recognised():
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100
    for key in keys:
        assert looks_like_key(key) and len(key) == 47
        assert len(key_digest(key)) == 64 and key not in key_digest(key)
    assert DISPLAY_LENGTH == 12
    assert not looks_like_key("g2p_short")
    assert not looks_like_key("an ordinary password")
