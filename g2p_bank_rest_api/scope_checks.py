"""Who may do what on the registry API (contract section 5): scopes, checked on every route.

The scopes and what a set of them shows of bank accounts are the shared rules'
(``rules.scopes``: ``Scope``, ``SCOPE_GROUPS``, ``bank_visibility``, ``carries_bank_details``),
as in the standalone server. A scope is a group of the "Registry API" category
(``security/registry_api_groups.xml``) on the authenticated user: the user whose password or
API key is the Basic password, not the endpoint's technical user the routes run as. An API key
carries its user's groups.

- ``requires_scope("bank:write")`` makes a FastAPI dependency that answers 403
  ``{"detail": "Missing scope bank:write"}`` when the caller lacks it. Routes declare theirs
  in their decorator (``dependencies=[Depends(requires_scope(...))]``).
- ``with_scope_checks(router)`` is how the registry app assembles every router, upstream's
  included: a route that declares no scope gets the registry's (``registry:read`` for GET,
  ``registry:write`` otherwise); a route that takes a body refuses bank accounts anywhere in it
  (a non-empty ``bank_ids``) without ``bank:write``; and every route documents its 403 in the
  OpenAPI document.
- ``caller_env`` is the registry app's ``authenticated_partner_env``: the environment of the
  request, knowing the banks the request names and how much of the bank accounts the caller
  may see (``rules.scopes.bank_visibility``), which the answers apply.

The checks run before the route: a refused request has written nothing.
"""

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.routing import APIRoute
from pydantic import BaseModel

from odoo.api import Environment

from odoo.addons.fastapi.dependencies import odoo_env

from .dependencies import Caller, authenticated_caller
from .models.bank_account_service import VISIBILITY_CONTEXT_KEY
from .request_banks import env_knowing_request_banks, request_body
from .rules.scopes import SCOPE_GROUPS, Scope, bank_visibility, carries_bank_details

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class MissingScope(BaseModel):
    """The answer of a refused request."""

    detail: str


def caller_scopes(
    caller: Annotated[Caller, Depends(authenticated_caller)],
    env: Annotated[Environment, Depends(odoo_env)],
) -> frozenset[str]:
    """The scopes of the authenticated user: the ones whose group it holds (implied ones included).

    Odoo caches group membership per user and clears that cache, in every worker, when a
    user's groups change: a group removed takes effect on the next request.
    """
    user = env["res.users"].sudo().browse(caller.user_id)
    return frozenset(scope.value for scope, group in SCOPE_GROUPS.items() if user.has_group(group))


def missing_scope(scope: str, reason: str = "") -> HTTPException:
    detail = f"Missing scope {scope}" + (f": {reason}" if reason else "")
    return HTTPException(status.HTTP_403_FORBIDDEN, detail)


class ScopeCheck:
    """A FastAPI dependency refusing (403) a caller without ``scope``."""

    def __init__(self, scope: str):
        if scope not in set(Scope):
            raise ValueError(f"Unknown scope {scope!r}: one of {', '.join(Scope)}")
        self.scope = Scope(scope).value

    def __call__(self, scopes: Annotated[frozenset[str], Depends(caller_scopes)]) -> None:
        if self.scope not in scopes:
            raise missing_scope(self.scope)

    def __repr__(self) -> str:
        return f"requires_scope({self.scope!r})"


@functools.cache
def requires_scope(scope: str) -> ScopeCheck:
    """The dependency requiring ``scope``: one per scope, so that FastAPI runs it once per request
    and ``with_scope_checks`` recognizes it."""
    return ScopeCheck(scope)


def bank_ids_need_bank_write(
    body: Annotated[Any, Depends(request_body)],
    scopes: Annotated[frozenset[str], Depends(caller_scopes)],
) -> None:
    """Refuse (403) a body carrying bank accounts from a caller without ``bank:write``: the whole
    request, before anything is written. An absent, null or empty ``bank_ids`` writes nothing
    and needs no scope (``rules.scopes.carries_bank_details``)."""
    if Scope.BANK_WRITE not in scopes and carries_bank_details(body):
        raise missing_scope(Scope.BANK_WRITE, "the request carries bank_ids")


def declared_scopes(route: APIRoute) -> list[str]:
    """The scopes a route's decorator requires through ``requires_scope``."""
    return [
        depends.dependency.scope
        for depends in route.dependencies
        if isinstance(depends.dependency, ScopeCheck)
    ]


def route_checks(route: APIRoute) -> tuple[list[str], bool]:
    """(scopes the route needs, whether a body's bank_ids need bank:write) once assembled."""
    methods = route.methods or set()
    scopes = declared_scopes(route) or [
        Scope.REGISTRY_READ.value if methods <= _READ_METHODS else Scope.REGISTRY_WRITE.value
    ]
    return scopes, bool(methods & _BODY_METHODS)


def _forbidden_answer(scopes: list[str], checks_bank_ids: bool) -> dict:
    text = f"Missing scope {' and '.join(scopes)}"
    if checks_bank_ids and Scope.BANK_WRITE not in scopes:
        text += f", or {Scope.BANK_WRITE} for a body that carries bank_ids"
    return {status.HTTP_403_FORBIDDEN: {"model": MissingScope, "description": text}}


def with_scope_checks(router: APIRouter) -> APIRouter:
    """A copy of ``router`` whose every route checks the caller's scopes (see the module's doc)."""
    checked = APIRouter()
    for route in router.routes:
        if not isinstance(route, APIRoute):
            # Never served unchecked: the registry app fails to build instead.
            raise TypeError(f"Cannot check the scopes of {route!r} in the registry API")
        scopes, checks_bank_ids = route_checks(route)
        extra = [] if declared_scopes(route) else [Depends(requires_scope(scope)) for scope in scopes]
        if checks_bank_ids:
            extra.append(Depends(bank_ids_need_bank_write))
        checked.include_router(
            APIRouter(routes=[route]),
            dependencies=extra,
            responses=_forbidden_answer(scopes, checks_bank_ids),
        )
    return checked


def caller_env(
    env: Annotated[Environment, Depends(env_knowing_request_banks)],
    scopes: Annotated[frozenset[str], Depends(caller_scopes)],
) -> Environment:
    """The request's environment, telling answers how much of the bank accounts to show."""
    return env(context=dict(env.context, **{VISIBILITY_CONTEXT_KEY: bank_visibility(scopes).value}))
