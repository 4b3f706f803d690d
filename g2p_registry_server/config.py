"""Settings of the standalone registry server, read from `G2P_*` environment variables."""

from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .api.client_address import Network, parse_networks
from .auth.passwords import HASH_COSTS, STANDARD_COST

DEFAULT_DATABASE_URL = "sqlite:///./g2p_registry.db"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def _one_of(value: str, choices: Iterable[str]) -> str:
    if value not in choices:
        raise ValueError(f"must be one of {', '.join(choices)}")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="G2P_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    admin_password: str | None = Field(default=None, repr=False)
    # None means "every installed extension"; an empty string means "none".
    extensions: str | None = None
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    # Registry requests one worker process works on at once; the others wait their turn. With 1,
    # the default, a request's blocking work runs in the event loop's thread (`api.blocking`):
    # on 2 cores, the least CPU per request on SQLite and PostgreSQL alike (bench.concurrency);
    # concurrency comes from worker processes.
    requests_per_worker: int = Field(default=1, gt=0, le=32)
    log_level: str = "INFO"
    reference_data: Path | None = None
    # What a registrant may do with an account number another active registrant holds
    # (allow, flag, block_outside_group, block); the bank extension applies it.
    shared_account_policy: str = "flag"
    # Proxies whose X-Forwarded-For names the client (login throttling counts per client address):
    # comma-separated addresses or networks. Empty: the socket's peer is the client.
    trusted_proxies: str = ""
    # Failed logins that block a login, or a client address, for a while (login throttling).
    login_failures_per_login: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    # How costly new password hashes are (`auth.passwords`): "standard", or "sandbox" for
    # throw-away sandboxes and test databases only.
    password_hash_cost: str = STANDARD_COST

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        return _one_of(value.strip().upper(), LOG_LEVELS)

    @field_validator("shared_account_policy")
    @classmethod
    def _known_shared_account_policy(cls, value: str) -> str:
        # The policies are the shared rules' (one list for both runtimes).
        from g2p_bank_server.rules.shared_accounts import parse_policy

        try:
            return parse_policy(value).value
        except ValueError as error:
            raise ValueError(f"G2P_SHARED_ACCOUNT_POLICY: {error}") from None

    @field_validator("password_hash_cost")
    @classmethod
    def _known_hash_cost(cls, value: str) -> str:
        return _one_of(value.strip().lower(), HASH_COSTS)

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @field_validator("admin_password")
    @classmethod
    def _no_blank_admin_password(cls, value: str | None) -> str | None:
        # An empty variable is treated as unset: a blank admin password would be worse than a
        # generated one.
        if value is not None and not value.strip():
            return None
        return value

    @cached_property
    def enabled_extensions(self) -> list[str] | None:
        """The extension names asked for, or None when every installed one is wanted."""
        if self.extensions is None:
            return None
        return [name.strip() for name in self.extensions.split(",") if name.strip()]
