"""Scopes: what a user or an API key may do, one name per kind of access.

The registry owns the mechanism and its own two scopes; each extension declares the scopes it
adds (`Extension.scopes`), so that the registry runs, and checks its routes, without them. A
user holds scopes; an API key holds scopes too, and only those its user also holds count
(`effective_scopes`). Scopes are stored as one text column, names separated by spaces: the
query that authenticates a request reads them with the rest, at no extra cost.
"""

from collections.abc import Iterable, Mapping, Sequence

from ..errors import RegistryError

REGISTRY_READ = "registry:read"
REGISTRY_WRITE = "registry:write"

REGISTRY_SCOPES: dict[str, str] = {
    REGISTRY_READ: "the GET routes of individuals and groups, get_individual_ids",
    REGISTRY_WRITE: "POST /individual, POST /group, PUT /update_individual, bulk onboarding",
}


class MissingScope(RegistryError):
    """The caller does not hold the scope a request needs: 403, nothing written."""

    status_code = 403

    def __init__(self, scope: str, needed_for: str) -> None:
        super().__init__(f"Missing scope {scope}: needed for {needed_for}")
        self.scope = scope


class UnknownScope(ValueError):
    """A scope name this deployment does not define; the message lists the valid ones."""


def known_scopes(extension_scopes: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Every scope of this deployment with what it allows: the registry's, then the extensions'."""
    known = dict(REGISTRY_SCOPES)
    for scopes in extension_scopes:
        known.update(scopes)
    return known


def parse_scope_names(names: Iterable[str], known: Sequence[str]) -> frozenset[str]:
    given = [name.strip() for name in names]
    unknown = [name for name in given if name not in known]
    if unknown:
        raise UnknownScope(
            f"Unknown scope(s) {', '.join(repr(name) for name in unknown)}; valid scopes: {', '.join(known)}"
        )
    return frozenset(given)


def stored_scopes(scopes: Iterable[str]) -> str:
    return " ".join(sorted(set(scopes)))


def read_scopes(stored: str | None) -> frozenset[str]:
    return frozenset((stored or "").split())


def effective_scopes(user_scopes: str | None, key_scopes: str | None = None) -> frozenset[str]:
    """A user's scopes; with an API key, those of the key that its user also holds."""
    held = read_scopes(user_scopes)
    return held if key_scopes is None else held & read_scopes(key_scopes)


def with_implied(scopes: frozenset[str], implied: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The scopes held, with those they bring (`Extension.implied_scopes`)."""
    brought = [scope for held in scopes for scope in implied.get(held, ())]
    return scopes.union(brought) if brought else scopes


def require(scopes: frozenset[str] | None, scope: str, *, needed_for: str) -> None:
    """MissingScope unless `scopes` holds `scope`. None: not an API caller (the command line)."""
    if scopes is not None and scope not in scopes:
        raise MissingScope(scope, needed_for)
