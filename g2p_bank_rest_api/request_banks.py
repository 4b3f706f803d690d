"""The banks one registry request names, looked up together.

A request can carry bank-account items for many registrants: a group and its members, several
individuals in ``PUT /update_individual``, a bulk batch. The registry's routes process them one
registrant at a time, so each would look its banks up on its own. Instead, a dependency of the
registry app reads, before the route runs, every bank the request body names (in any
``bank_ids`` list, at any depth) and registers them with the transaction. The first registrant
that needs a bank then looks up the banks of the whole request in one query; the others find
theirs in that answer.

The creation locks are shared too: the first registrant that needs a new bank takes the locks
of every named bank that nobody has and checks them at once. But a bank is only created when an
item being merged needs it, never on account of the body alone: an item that is rejected must
not leave a bank behind.

What is found, created and locked is kept by the request's ``bank_lookup.BankDirectory``, which
lives in the cursor's pre-commit data; Odoo empties those whenever it flushes the cursor,
savepoints included. After a savepoint, calls look their banks up on their own again: a
rolled-back savepoint can never leave behind the id of a bank it removed.
"""

from typing import Annotated, Any, NamedTuple

from fastapi import Depends, Request

from odoo.api import Environment

from odoo.addons.base.models.res_partner import Partner
from odoo.addons.fastapi.dependencies import authenticated_partner_env, authenticated_partner_impl

from . import audit_trail, shared_account_policy
from .models.bank_lookup import BankDirectory
from .rules import BankKey, normalize_bic
from .rules.audit import Actor, RequestOrigin, request_id

_SCOPE = "g2p_bank_rest_api.request_banks"


class NamedBank(NamedTuple):
    """A bank as an item of the body names it: what a lookup needs, read before validation."""

    bank_name: str
    bic: str | None


def current(cr):
    """The request's BankDirectory registered on the cursor, or None outside a registry API request."""
    return cr.precommit.data.get(_SCOPE)


def directory_of(cr):
    """The request's BankDirectory, or a new one for a call outside a request (or after a
    savepoint emptied the cursor's pre-commit data)."""
    return current(cr) or BankDirectory()


def named_banks(body):
    """{bank key: NamedBank} for every well-formed bank of every ``bank_ids`` item in ``body``.

    Malformed items are skipped: validation rejects them with a proper answer later, and a
    lookup of a name nobody will use costs nothing.
    """
    named = {}
    pending = [body]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            items = node.get("bank_ids")
            for item in items if isinstance(items, list) else ():
                bank = _named_bank(item)
                if bank:
                    named.setdefault(BankKey.of(bank.bic, bank.bank_name), bank)
            pending.extend(value for key, value in node.items() if key != "bank_ids")
    return named


def _named_bank(item):
    if not isinstance(item, dict):
        return None
    name, bic = item.get("bank_name"), item.get("bic")
    if not isinstance(name, str) or not name.strip():
        return None
    if isinstance(bic, str) and bic.strip():
        try:
            bic = normalize_bic(bic)
        except ValueError:
            return None
    else:
        bic = None
    return NamedBank(name.strip(), bic)


async def request_body(request: Request) -> Any:
    """The request's JSON body (already read and parsed by FastAPI), or None."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    try:
        return await request.json()
    except ValueError:  # not JSON (also UnicodeDecodeError): the route's own parsing answers it
        return None


def env_knowing_request_banks(
    partner: Annotated[Partner, Depends(authenticated_partner_impl)],
    body: Annotated[Any, Depends(request_body)],
    request: Request,
) -> Environment:
    """The authenticated partner's environment, with the request's banks registered on its cursor,
    and the request's origin (``audit_trail``) and the holders of its numbers
    (``shared_account_policy.RequestHolders``, read at the first check) in its context."""
    env = audit_trail.with_origin(authenticated_partner_env(partner), request_origin(request, partner))
    paths = request.state.bank_item_paths = shared_account_policy.item_paths(body)
    holders = shared_account_policy.RequestHolders(number for _, numbers, _ in paths for number in numbers)
    env = env(context=dict(env.context, **{shared_account_policy.REQUEST_HOLDERS: holders}))
    data = env.cr.precommit.data
    data[_SCOPE] = BankDirectory(named_banks(body))
    try:
        yield env
    finally:
        # The scope is the request's: later work in the same transaction (tests run many
        # requests in one) must look banks up again.
        data.pop(_SCOPE, None)


def request_origin(request: Request, partner: Partner) -> RequestOrigin:
    """Who makes this request, through which route, under which id (see ``request_id``)."""
    state = request.state
    login = (
        getattr(state, "actor_login", None) or partner.sudo().user_ids[:1].login or f"partner:{partner.id}"
    )
    route = request.scope.get("route")
    the_id = getattr(state, "request_id", None)
    if the_id is None:  # the app runs without its middleware (tests of routers alone)
        the_id = state.request_id = request_id(request.headers.get("X-Request-ID"))
    return RequestOrigin(
        actor=Actor(login=login, api_key=getattr(state, "api_key_name", None)),
        method=request.method,
        route=getattr(route, "path", None) or request.url.path,
        request_id=the_id,
    )
