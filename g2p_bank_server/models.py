"""Banks and registrants' bank accounts, stored on the registry's tables.

The constraints here are what make the contract hold under concurrency, not the code:

- a bank is identified by its BIC when it has one (unique ``bic``), and a BIC-less bank by its
  name key (unique ``name_key`` among banks without a BIC), so two requests that create the same
  new bank at the same time cannot both succeed in inserting it;
- an account is identified by its registrant and normalized number, archived accounts included
  (as Odoo's ``res.partner.bank`` constraint), so an account is never duplicated: it is updated
  or reactivated instead.
"""

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from g2p_bank_server.rules import DEFAULT_SEQUENCE
from g2p_registry_server.db import Base, utc_now

BANK_NAME_LENGTH = 255
# bank_name_key() case-folds, which may lengthen a name ("ß" becomes "ss").
BANK_NAME_KEY_LENGTH = 3 * BANK_NAME_LENGTH
ACCOUNT_NUMBER_LENGTH = 64
# upper() may lengthen a number the same way.
NORMALIZED_NUMBER_LENGTH = 3 * ACCOUNT_NUMBER_LENGTH
HOLDER_NAME_LENGTH = 255
EVENT_KIND_LENGTH = 32
# A login (150), a colon and an OS user name, for the import command's events.
ACTOR_LENGTH = 300
API_KEY_NAME_LENGTH = 100
METHOD_LENGTH = 16
ROUTE_LENGTH = 255
REQUEST_ID_LENGTH = 128


class Bank(Base):
    __tablename__ = "bank"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(BANK_NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(String(BANK_NAME_KEY_LENGTH), index=True)
    bic: Mapped[str | None] = mapped_column(String(11), unique=True)
    create_date: Mapped[datetime] = mapped_column(DateTime, default=utc_now)

    __table_args__ = (
        # Partial: a bank with a BIC may share its name with the BIC-less bank of that name
        # (several BICs of one bank, or a bank first known by name only).
        Index(
            "uq_bank_name_key_without_bic",
            "name_key",
            unique=True,
            sqlite_where=bic.is_(None),
            postgresql_where=bic.is_(None),
        ),
    )


class BankAccount(Base):
    __tablename__ = "bank_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registrant_id: Mapped[int] = mapped_column(ForeignKey("registrant.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("bank.id"), index=True)
    acc_number: Mapped[str] = mapped_column(String(ACCOUNT_NUMBER_LENGTH))
    # Indexed: the shared-account policy and report look numbers up across registrants.
    normalized_number: Mapped[str] = mapped_column(String(NORMALIZED_NUMBER_LENGTH), index=True)
    acc_holder_name: Mapped[str | None] = mapped_column(String(HOLDER_NAME_LENGTH))
    # The registrant's accounts are ordered by (sequence, id): the first active one is primary.
    sequence: Mapped[int] = mapped_column(Integer, default=DEFAULT_SEQUENCE)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    create_date: Mapped[datetime] = mapped_column(DateTime, default=utc_now)
    write_date: Mapped[datetime] = mapped_column(DateTime, default=utc_now, onupdate=utc_now)

    __table_args__ = (UniqueConstraint("registrant_id", "normalized_number"),)


class BankAccountEvent(Base):
    """One event of the audit trail of bank details (``g2p_bank_server.rules.audit``).

    Append-only: nothing updates or deletes an event, and database triggers refuse it (see the
    migration). Ids, not foreign keys: an event names what it was about, whatever becomes of it.
    """

    __tablename__ = "bank_account_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    time: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(EVENT_KIND_LENGTH))
    actor: Mapped[str] = mapped_column(String(ACTOR_LENGTH))
    api_key: Mapped[str | None] = mapped_column(String(API_KEY_NAME_LENGTH))
    method: Mapped[str] = mapped_column(String(METHOD_LENGTH))
    route: Mapped[str] = mapped_column(String(ROUTE_LENGTH))
    request_id: Mapped[str] = mapped_column(String(REQUEST_ID_LENGTH))
    registrant_id: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int | None] = mapped_column(Integer)
    bank_id: Mapped[int | None] = mapped_column(Integer)
    acc_number: Mapped[str | None] = mapped_column(String(ACCOUNT_NUMBER_LENGTH))
    # JSON text of {field: {"before": ..., "after": ...}}; empty for events without changes.
    changes: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int | None] = mapped_column(Integer)
    first_registrant_id: Mapped[int | None] = mapped_column(Integer)
    last_registrant_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # A registrant's history, newest first, paged by id.
        Index("ix_bank_account_event_registrant_id_id", "registrant_id", "id"),
    )
