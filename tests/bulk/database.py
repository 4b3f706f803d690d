"""What the database holds, read directly: row counts, and a dump of the registry's content
without ids or timestamps, to compare two databases filled by different runs."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from g2p_registry_server.db import normalize_database_url

COUNTED = ("registrant", "registrant_id", "phone_number", "bank", "bank_account")

_DUMP_QUERIES = {
    "registrants": """
        SELECT rid.value, r.name, r.given_name, r.family_name, r.gender, r.birthdate, r.phone, r.is_group
        FROM registrant r JOIN registrant_id rid ON rid.registrant_id = r.id
        JOIN id_type t ON t.id = rid.id_type_id AND t.name = 'National ID'""",
    "ids": """
        SELECT owner.value, t.name, rid.value, rid.expiry_date
        FROM registrant_id rid JOIN id_type t ON t.id = rid.id_type_id
        JOIN registrant_id owner ON owner.registrant_id = rid.registrant_id
        JOIN id_type ot ON ot.id = owner.id_type_id AND ot.name = 'National ID'""",
    "phones": """
        SELECT owner.value, p.phone_no, p.phone_sanitized
        FROM phone_number p JOIN registrant_id owner ON owner.registrant_id = p.registrant_id
        JOIN id_type ot ON ot.id = owner.id_type_id AND ot.name = 'National ID'""",
    "accounts": """
        SELECT owner.value, a.acc_number, a.normalized_number, a.acc_holder_name, a.sequence, a.active,
               b.name, b.bic
        FROM bank_account a JOIN bank b ON b.id = a.bank_id
        JOIN registrant_id owner ON owner.registrant_id = a.registrant_id
        JOIN id_type ot ON ot.id = owner.id_type_id AND ot.name = 'National ID'""",
    "banks": "SELECT name, name_key, bic FROM bank",
}


class Database:
    def __init__(self, url: str) -> None:
        self.engine = create_engine(normalize_database_url(url))

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in COUNTED
            }

    def dump(self) -> dict[str, list[tuple]]:
        with self.engine.connect() as connection:
            return {
                name: sorted(tuple(str(value) for value in row) for row in connection.execute(text(query)))
                for name, query in _DUMP_QUERIES.items()
            }

    def scalar(self, sql: str, **params: object):
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar_one()

    def execute(self, sql: str, **params: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql), params)

    def events(self, after: int = 0) -> list[dict]:
        """The audit trail's events after event ``after``, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT * FROM bank_account_event WHERE id > :after ORDER BY id"), {"after": after}
            )
            return [dict(row._mapping) for row in rows]

    def last_event_id(self) -> int:
        return self.scalar("SELECT coalesce(max(id), 0) FROM bank_account_event")

    def dispose(self) -> None:
        self.engine.dispose()
