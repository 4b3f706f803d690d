"""Extensions of the registry, discovered through the `g2p_registry_server.extensions` entry-point
group, and the extendable registry that assembles their schema and processing classes.

An extension package declares its extendable classes and its tables when it is imported; the
entry point loads its `Extension` object. Only the enabled extensions' modules take part in the
extendable registry, so an installed but disabled extension changes nothing.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from extendable import context
from extendable.registry import ExtendableClassesRegistry
from fastapi import APIRouter
from starlette.types import ASGIApp

ENTRY_POINT_GROUP = "g2p_registry_server.extensions"


@dataclass(frozen=True)
class Extension:
    name: str
    routers: Sequence[APIRouter] = ()
    migrations: str | None = None  # path of the extension's Alembic versions folder
    # Each adds subcommands to the command line: called with argparse's subparsers; a subcommand
    # sets `handler(settings, args) -> exit status` as its default, like the registry's own.
    commands: Sequence[Callable[[Any], None]] = ()
    # Pure ASGI middleware classes (called with the app) wrapped around the whole server,
    # outermost: they see every request and answer, refused ones included.
    middleware: Sequence[Callable[[ASGIApp], ASGIApp]] = ()
    # The scopes it adds to the registry's, each with what it allows (`auth.scopes`); its routes
    # require them with `api.deps.require_scope`.
    scopes: Mapping[str, str] = field(default_factory=dict)
    # Scopes that bring others with them, as Odoo's implied groups (bank:reveal brings bank:read):
    # a caller holding the key holds the values too.
    implied_scopes: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedExtension:
    extension: Extension
    module: str  # the top-level module of the package that declares it


class UnknownExtension(ValueError):
    pass


def installed_extensions() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_extensions(enabled: Sequence[str] | None) -> list[LoadedExtension]:
    """Import the extensions named in `enabled` (all installed ones when None), sorted by name."""
    available = installed_extensions()
    names = sorted(available) if enabled is None else list(dict.fromkeys(enabled))
    unknown = [name for name in names if name not in available]
    if unknown:
        raise UnknownExtension(
            f"Unknown extension(s) {', '.join(unknown)}; installed: {', '.join(sorted(available)) or 'none'}"
        )
    loaded = []
    for name in names:
        entry_point = available[name]
        extension = entry_point.load()
        if not isinstance(extension, Extension):
            raise TypeError(f"Entry point {name!r} does not load a g2p_registry_server Extension")
        loaded.append(LoadedExtension(extension=extension, module=entry_point.module.split(".")[0]))
    return loaded


def deployment_scopes(enabled: Sequence[str] | None) -> dict[str, str]:
    """Every scope of a deployment whose enabled extensions are `enabled` (None: all installed)."""
    from .auth.scopes import known_scopes

    return known_scopes(loaded.extension.scopes for loaded in load_extensions(enabled))


def build_extendable_registry(extensions: Sequence[LoadedExtension]) -> ExtendableClassesRegistry:
    """Assemble the final schema and processing classes of the registry and its extensions.

    Must run after the extensions are imported and before any router is included: FastAPI
    captures the request and answer models when a route is added.
    """
    # Importing these declares the registry's own extendable classes.
    from .registrants import processing, schemas  # noqa: F401

    matchings = ["g2p_registry_server", "g2p_registry_server.*"]
    for loaded in extensions:
        matchings += [loaded.module, f"{loaded.module}.*"]
    registry = ExtendableClassesRegistry()
    registry.init_registry(matchings)
    return registry


def activate(registry: ExtendableClassesRegistry) -> None:
    """Make `registry` the one extendable classes resolve against in this context."""
    context.extendable_registry.set(registry)
