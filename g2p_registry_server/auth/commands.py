"""The `api-key` subcommands of the command line: create, list and revoke integrations' keys, and
change their scopes.

`create` prints the key alone on standard output
(`KEY=$(g2p-registry api-key create svc --scope registry:read)`), and what it is on standard
error: the key is shown this once and stored only as a digest. A new key states its scopes
(`--scope`, repeatable) or takes every scope its user holds (`--all-scopes`): an integration's
key should hold only what it needs, so neither is assumed.
"""

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..config import Settings
from ..db import make_engine, make_sessionmaker, utc_now
from . import api_keys
from .models import User
from .scopes import read_scopes


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, write=True)() as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _create(settings: Settings, args: argparse.Namespace) -> int:
    from .user_commands import shown, valid_scopes

    if bool(args.scope) == args.all_scopes:
        raise ValueError("Say what the key may do: --scope SCOPE (repeatable) or --all-scopes")
    scopes = valid_scopes(settings, args.scope) if args.scope else None
    with transaction(settings) as session:
        if scopes is None:
            user = session.scalars(select(User).where(User.username == args.username)).first()
            scopes = read_scopes(user.scopes) if user is not None else frozenset()
        created = api_keys.create_api_key(
            session, username=args.username, scopes=scopes, name=args.name, expires_days=args.expires_days
        )
    info = created.info
    print(
        f"Created API key {info.id} ({info.prefix}) for user {info.username}, "
        f"scopes: {shown(info.scopes)}, expires: {_when(info.expires_at)}. "
        "It is shown only now; use it as the Basic password.",
        file=sys.stderr,
    )
    print(created.key, flush=True)
    return 0


def _list(settings: Settings, args: argparse.Namespace) -> int:
    with transaction(settings) as session:
        keys = api_keys.list_api_keys(session, username=args.username)
    from .user_commands import shown

    now = utc_now()
    rows = [("ID", "PREFIX", "USER", "NAME", "CREATED", "EXPIRES", "SCOPES", "STATUS")]
    rows += [
        (
            str(k.id),
            k.prefix,
            k.username,
            k.name,
            _when(k.create_date),
            _when(k.expires_at),
            shown(k.scopes),
            k.status(now),
        )
        for k in keys
    ]
    print_table(rows)
    return 0


def print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def _scopes(settings: Settings, args: argparse.Namespace) -> int:
    from .user_commands import scope_changes, shown

    changes = scope_changes(settings, args)
    with transaction(settings) as session:
        info = api_keys.set_key_scopes(session, reference=args.key, **changes)
    if info is None:
        print("No such API key", file=sys.stderr)
        return 1
    print(f"API key {info.id} ({info.prefix}) of user {info.username} holds: {shown(info.scopes)}")
    return 0


def _revoke(settings: Settings, args: argparse.Namespace) -> int:
    with transaction(settings) as session:
        info = api_keys.revoke_api_key(session, reference=args.key)
    if info is None:
        print("No such API key", file=sys.stderr)
        return 1
    print(f"Revoked API key {info.id} ({info.prefix}) of user {info.username}")
    return 0


def add_api_key_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    api_key = commands.add_parser(
        "api-key", help="API keys of integrations (sent as the password of HTTP Basic)"
    )
    actions = api_key.add_subparsers(dest="api_key_command", required=True)

    create = actions.add_parser("create", help="create a key for a user and print it (shown once)")
    create.add_argument("username")
    create.add_argument("--name", default="", help="what the key is for, e.g. the integration's name")
    create.add_argument("--expires-days", type=int, help="the key stops working after this many days")
    create.add_argument(
        "--scope", action="append", metavar="SCOPE", help="a scope the key holds (repeatable)"
    )
    create.add_argument(
        "--all-scopes", action="store_true", help="the key holds every scope its user holds now"
    )
    handle(create, _create)

    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
    listing.add_argument("username", nargs="?", help="only this user's keys")
    handle(listing, _list)

    revoke = actions.add_parser("revoke", help="revoke a key at once, in every worker")
    revoke.add_argument("key", metavar="KEY_ID_OR_PREFIX", help="the key's id, its prefix, or the key")
    handle(revoke, _revoke)

    from .user_commands import add_scope_options

    scopes = actions.add_parser("scopes", help="change a key's scopes (at most its user's)")
    scopes.add_argument("key", metavar="KEY_ID_OR_PREFIX", help="the key's id, its prefix, or the key")
    add_scope_options(scopes, what="key")
    handle(scopes, _scopes)


def handle(parser: argparse.ArgumentParser, handler: Callable[[Settings, argparse.Namespace], int]) -> None:
    parser.set_defaults(handler=handler)
