"""Command line of the standalone registry: `serve`, `migrate`, `seed`, `create-user`, `users`,
`api-key`, `openapi` (`python -m g2p_registry_server` or the `g2p-registry` script)."""

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from .config import Settings
from .logs import configure_logging


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from .serving import serve, server_config
    from .startup import prepare

    prepare(settings)
    serve(
        server_config(
            "g2p_registry_server.app:create_app_from_environment",
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=settings.log_level,
        )
    )
    return 0


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from .db.migrate import upgrade_heads

    upgrade_heads(settings)
    print("Database schema is up to date")
    return 0


def _seed(settings: Settings, args: argparse.Namespace) -> int:
    from .startup import seed

    added = seed(settings, args.file)
    print(f"Added {added} reference data entries")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != password:
        raise ValueError("Passwords do not match")
    return password


def _create_user(settings: Settings, args: argparse.Namespace) -> int:
    from .auth.service import create_user, set_password
    from .auth.user_commands import shown, valid_scopes
    from .db import make_engine, make_sessionmaker
    from .extensions import deployment_scopes

    if args.scope and args.update:
        raise ValueError("--update changes the password only; change scopes with `users scopes`")
    # A person's account: every scope of every installed extension unless some are named
    # (integrations get keys with less), as the first admin.
    scopes = valid_scopes(settings, args.scope) if args.scope else frozenset(deployment_scopes(None))
    password = _read_password(args)
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, write=True)() as session, session.begin():
            if args.update:
                done = set_password(
                    session,
                    username=args.username,
                    password=password,
                    hash_cost=settings.password_hash_cost,
                    min_length=8,
                )
                message = f"Password of user {args.username} changed" if done else "No such user"
            else:
                done = create_user(
                    session,
                    username=args.username,
                    password=password,
                    scopes=scopes,
                    hash_cost=settings.password_hash_cost,
                    min_length=8,
                )
                message = (
                    f"Created user {args.username} with scopes {shown(scopes)}"
                    if done
                    else f"User {args.username} exists already"
                )
    finally:
        engine.dispose()
    print(message, file=sys.stdout if done else sys.stderr)
    return 0 if done else 1


def _openapi(settings: Settings, args: argparse.Namespace) -> int:
    from extendable import context

    from .app import create_app

    app = create_app(settings)
    token = context.extendable_registry.set(app.state.extendable_registry)
    try:
        document = app.state.registry_app.openapi()
    finally:
        context.extendable_registry.reset(token)
    print(json.dumps(document, indent=args.indent, ensure_ascii=False))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="g2p-registry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, seed, create the first admin, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_serve)

    commands.add_parser("migrate", help="upgrade the database schema to all heads").set_defaults(
        handler=_migrate
    )

    seed = commands.add_parser("seed", help="add missing reference data (ID types, genders, kinds)")
    seed.add_argument(
        "--file", type=Path, help="JSON file of reference data (default: G2P_REFERENCE_DATA or built-in)"
    )
    seed.set_defaults(handler=_seed)

    user = commands.add_parser(
        "create-user", help="create an API user (or change its password with --update)"
    )
    user.add_argument("username")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user.add_argument("--update", action="store_true", help="change the password of an existing user")
    user.add_argument(
        "--scope",
        action="append",
        metavar="SCOPE",
        help="a scope the user holds (repeatable); without it, every scope of every installed extension",
    )
    user.set_defaults(handler=_create_user)

    from .auth.commands import add_api_key_commands
    from .auth.user_commands import add_user_commands

    add_user_commands(commands)
    add_api_key_commands(commands)

    openapi = commands.add_parser("openapi", help="print the OpenAPI document of the registry API")
    openapi.add_argument("--indent", type=int, default=2)
    openapi.set_defaults(handler=_openapi)
    for add_commands in _extension_commands():
        add_commands(commands)
    return parser


def _extension_commands() -> list:
    """The subcommands of the enabled extensions (`import`, `export`, ...)."""
    from .extensions import load_extensions

    try:
        extensions = load_extensions(Settings().enabled_extensions)
    except ValueError:
        # Bad settings: the command that runs reports them.
        return []
    return [add for loaded in extensions for add in loaded.extension.commands]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings()
        configure_logging(settings.log_level)
        return args.handler(settings, args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(
            f"error: the database refused the command ({type(exc).__name__}); has `migrate` run?",
            file=sys.stderr,
        )
        return 1
