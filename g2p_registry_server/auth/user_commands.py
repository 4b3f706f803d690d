"""The `users` subcommands of the command line: list users with their scopes, change a user's
scopes, deactivate or reactivate a user. Every change counts from the user's next request, in
every worker (scopes and the active flag are read with each request's credentials)."""

import argparse
import sys

from sqlalchemy import select

from ..config import Settings
from ..extensions import deployment_scopes
from . import scopes as scope_rules
from .commands import handle, print_table, transaction
from .models import User
from .service import list_users, set_scopes


def valid_scopes(settings: Settings, names: list[str] | None) -> frozenset[str]:
    """The names given, each a scope of this deployment (else UnknownScope listing the valid ones)."""
    return scope_rules.parse_scope_names(names or (), list(deployment_scopes(settings.enabled_extensions)))


def shown(scopes: frozenset[str]) -> str:
    return ",".join(sorted(scopes)) or "-"


def add_scope_options(parser: argparse.ArgumentParser, *, what: str) -> None:
    parser.add_argument(
        "--add", action="append", metavar="SCOPE", help=f"give the {what} this scope (repeatable)"
    )
    parser.add_argument(
        "--remove", action="append", metavar="SCOPE", help=f"take this scope from the {what} (repeatable)"
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="SCOPE",
        help=f"the {what} holds exactly these scopes (repeatable; `--set none` for no scope)",
    )


def scope_changes(settings: Settings, args: argparse.Namespace) -> dict:
    if not (args.add or args.remove or args.set):
        raise ValueError("Say what to change: --add, --remove or --set")
    exactly = None
    if args.set is not None:
        exactly = frozenset() if args.set == ["none"] else valid_scopes(settings, args.set)
    return {
        "add": valid_scopes(settings, args.add),
        "remove": valid_scopes(settings, args.remove),
        "exactly": exactly,
    }


def _list(settings: Settings, _args: argparse.Namespace) -> int:
    with transaction(settings) as session:
        users = list_users(session)
        rows = [("ID", "USER", "ACTIVE", "SCOPES")]
        rows += [
            (str(u.id), u.username, "yes" if u.active else "no", shown(scope_rules.read_scopes(u.scopes)))
            for u in users
        ]
    print_table(rows)
    return 0


def _scopes(settings: Settings, args: argparse.Namespace) -> int:
    changes = scope_changes(settings, args)
    with transaction(settings) as session:
        held = set_scopes(session, username=args.username, **changes)
    if held is None:
        print(f"No user {args.username}", file=sys.stderr)
        return 1
    print(f"User {args.username} holds: {shown(held)}")
    return 0


def _set_active(settings: Settings, args: argparse.Namespace, *, active: bool) -> int:
    with transaction(settings) as session:
        user = session.scalars(select(User).where(User.username == args.username)).first()
        if user is not None:
            user.active = active
    if user is None:
        print(f"No user {args.username}", file=sys.stderr)
        return 1
    print(f"User {args.username} {'reactivated' if active else 'deactivated (its API keys too)'}")
    return 0


def add_user_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    users = commands.add_parser("users", help="list users, change their scopes, deactivate them")
    actions = users.add_subparsers(dest="users_command", required=True)

    handle(actions.add_parser("list", help="users with their scopes"), _list)

    scopes = actions.add_parser(
        "scopes", help="change a user's scopes (its keys keep only the scopes it still holds)"
    )
    scopes.add_argument("username")
    add_scope_options(scopes, what="user")
    handle(scopes, _scopes)

    deactivate = actions.add_parser("deactivate", help="refuse the user and its API keys at once")
    deactivate.add_argument("username")
    handle(deactivate, _deactivate)
    activate = actions.add_parser("activate", help="let a deactivated user in again")
    activate.add_argument("username")
    handle(activate, _activate)


def _deactivate(settings: Settings, args: argparse.Namespace) -> int:
    return _set_active(settings, args, active=False)


def _activate(settings: Settings, args: argparse.Namespace) -> int:
    return _set_active(settings, args, active=True)
