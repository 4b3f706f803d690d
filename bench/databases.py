"""Throw-away databases for the benchmarks: SQLite files, or databases on a PostgreSQL server
(named by an admin URL, or a private cluster started for the run on 127.0.0.1)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from g2p_registry_server.config import Settings
from g2p_registry_server.db.migrate import upgrade_heads
from g2p_registry_server.startup import seed


def _postgres_bin() -> Path | None:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    found = shutil.which("initdb")
    return Path(found).parent if found else (candidates[-1].parent if candidates else None)


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextlib.contextmanager
def private_postgres() -> Iterator[str]:
    """A PostgreSQL cluster of its own for the run; yields its admin URL, removes it afterwards."""
    binaries = _postgres_bin()
    if binaries is None:
        raise SystemExit("PostgreSQL binaries (initdb) not found: install PostgreSQL or pass --postgres-url")
    root = Path(tempfile.mkdtemp(prefix="g2p-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = root / "data"
    subprocess.run(  # noqa: S603 - fixed arguments
        _as_postgres(
            [str(binaries / "initdb"), "-D", str(data), "-U", "g2p_bench", "-A", "trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root}"
    pg_ctl = str(binaries / "pg_ctl")
    subprocess.run(  # noqa: S603 - fixed arguments
        _as_postgres([pg_ctl, "-D", str(data), "-l", str(root / "server.log"), "-w", "-o", options, "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://g2p_bench@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(  # noqa: S603 - fixed arguments
            _as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


class Databases:
    """Makes fresh, migrated and seeded databases of one backend; drops them at the end."""

    def __init__(self, backend: str, workdir: Path, postgres_admin_url: str | None) -> None:
        self.backend, self.workdir, self.admin_url = backend, workdir, postgres_admin_url
        self._created: list[str] = []

    def _admin(self) -> psycopg.Connection:
        url = make_url(self.admin_url)
        return psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database,
            autocommit=True,
        )

    def create(self) -> str:
        url = self.create_empty()
        settings = Settings(database_url=url)
        upgrade_heads(settings)
        seed(settings)
        return url

    def create_empty(self) -> str:
        """A fresh database nothing has migrated (for a server of another revision)."""
        name = f"g2p_bench_{secrets.token_hex(4)}"
        if self.backend == "sqlite":
            url = f"sqlite:///{self.workdir / (name + '.db')}"
        else:
            with self._admin() as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            url = make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)
        self._created.append(url)
        return url

    def drop(self, url: str) -> None:
        """Drop one database now (a large one need not wait for the end of the run)."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(make_url(url).database + suffix).unlink(missing_ok=True)
        else:
            with self._admin() as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(make_url(url).database)
                    )
                )
        self._created.remove(url)

    def drop_all(self) -> None:
        if self.backend != "postgresql":
            return
        with self._admin() as admin:
            for url in self._created:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(make_url(url).database)
                    )
                )
