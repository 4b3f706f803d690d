"""The events of one transaction, gathered while accounts change and written at once.

The bank-account service tells this module, for each registrant it merges into, the state of
the registrant's accounts before and after (``record_accounts``), each bank it creates
(``record_bank_created``), and each registrant whose full account numbers an answer carries
(``record_revealed``: one ``revealed`` event per registrant and request; the payment list
records one per page, ``record_revealed_page``). Nothing is written then: the events wait in
the cursor's pre-commit data and are created with one multi-row ``create`` when Odoo flushes
the cursor (before the commit, or when a savepoint is released). So they are written in the
transaction of the change:

- a request that fails is rolled back, with the events it gathered (never written);
- a savepoint that is rolled back clears the pending events with it (Odoo's flushing
  savepoints clear the pre-commit data on rollback), so a rejected bulk item leaves none;
- an account touched twice in one flush makes one event, from its first state to its last;
- a GET that reveals numbers writes its events too: Odoo flushes and commits the request's
  transaction when the route succeeds.

The events of one flush are written in ``rules.audit.write_order`` (banks created first, then
the accounts' events by registrant and account, then what the answer revealed), as the
standalone server writes them.

Which event an account makes is decided by ``rules.audit``. Who made the request, through
which route and under which request id is the ``RequestOrigin`` the registry app puts in the
environment's context (``with_origin``); other callers (imports, the Odoo UI, scripts) are
recorded as the Odoo user, method ``ORM``.
"""

import functools
from dataclasses import dataclass

from odoo import SUPERUSER_ID, api

from .rules.audit import (
    AccountState,
    Actor,
    EventKind,
    RequestOrigin,
    account_event_kind,
    changed_fields,
    masked_number,
    request_id,
    write_order,
)

ORIGIN_KEY = "g2p_bank_rest_api_request_origin"
_TRAIL = "g2p_bank_rest_api.audit_trail"


def with_origin(env, origin):
    """``env`` whose bank-account changes are recorded as made by ``origin``."""
    return env(context=dict(env.context, **{ORIGIN_KEY: origin}))


def origin_of(env):
    """The request origin in ``env``'s context, or the Odoo user's for other callers."""
    origin = env.context.get(ORIGIN_KEY)
    if origin is not None:
        return origin
    return RequestOrigin(
        actor=Actor(login=env.user.login or f"uid:{env.uid}"),
        method="ORM",
        route="g2p.bank.account.service",
        request_id=_transaction_request_id(env.cr),
    )


def _transaction_request_id(cr):
    return cr.precommit.data.setdefault(f"{_TRAIL}.request_id", request_id(None))


def account_state(account, primary):
    """What the trail records of ``account`` now (``primary``: it is the registrant's first active one)."""
    return AccountState(
        bank_name=account.bank_id.name or None,
        bic=account.bank_id.bic or None,
        acc_holder_name=account.acc_holder_name or None,
        primary=primary,
    )


def account_states(accounts):
    """{account id: (active, AccountState)} of one registrant's accounts (all of them, any order)."""
    ordered = sorted(accounts, key=lambda account: (account.sequence, account.id))
    primary_id = next((account.id for account in ordered if account.active), None)
    return {
        account.id: (bool(account.active), account_state(account, account.id == primary_id))
        for account in ordered
    }


@dataclass
class _Touch:
    origin: RequestOrigin
    registrant_id: int
    existed: bool
    was_active: bool
    before: AccountState | None
    is_active: bool = False
    after: AccountState | None = None
    bank_id: int | None = None
    number: str | None = None


class _Trail:
    def __init__(self):
        self.touched = {}  # {account id: _Touch}, in the order accounts were first touched
        self.others = []  # values of events that are not about an account (bank created, page revealed)
        self.revealed = {}  # {(request id, registrant id): values of its revealed event}


def _trail(env):
    data = env.cr.precommit.data
    trail = data.get(_TRAIL)
    if trail is None:
        trail = data[_TRAIL] = _Trail()
        env.cr.precommit.add(functools.partial(_write, env.cr, trail))
    return trail


def record_accounts(env, registrant, before, after_accounts):
    """Note the change of ``registrant``'s accounts: ``before`` is ``account_states`` of its
    accounts before the change, ``after_accounts`` all its accounts after it."""
    trail = _trail(env)
    origin = origin_of(env)
    after = account_states(after_accounts)
    for account in after_accounts:
        is_active, state = after[account.id]
        touch = trail.touched.get(account.id)
        if touch is None:
            was_active, old = before.get(account.id, (False, None))
            touch = _Touch(origin, registrant.id, account.id in before, was_active, old)
            trail.touched[account.id] = touch
        touch.is_active, touch.after = is_active, state
        touch.bank_id, touch.number = account.bank_id.id or None, account.sanitized_acc_number


def record_bank_created(env, banks, registrant=None):
    trail = _trail(env)
    origin = origin_of(env)
    for bank in banks:
        trail.others.append(
            {
                **_origin_values(origin),
                "kind": EventKind.BANK_CREATED.value,
                "registrant_id": registrant.id if registrant else False,
                "bank_id": bank.id,
            }
        )


def record_revealed(env, registrant_ids):
    """Note that the answer to this request carries full account numbers of these registrants:
    one ``revealed`` event per registrant, however many times the answer shows its accounts."""
    trail = _trail(env)
    origin = origin_of(env)
    for registrant_id in registrant_ids:
        key = (origin.request_id, registrant_id)
        if key not in trail.revealed:
            trail.revealed[key] = {
                **_origin_values(origin),
                "kind": EventKind.REVEALED.value,
                "registrant_id": registrant_id,
            }


def record_revealed_page(env, registrant_ids):
    """Note that this request's answer, a page of a list, carries full account numbers of these
    registrants (in page order): one ``revealed`` event with their count, first and last id."""
    listed = list(registrant_ids)
    if not listed:
        return
    _trail(env).others.append(
        {
            **_origin_values(origin_of(env)),
            "kind": EventKind.REVEALED.value,
            "registrant_id": False,
            "count": len(listed),
            "first_registrant_id": listed[0],
            "last_registrant_id": listed[-1],
        }
    )


def _origin_values(origin):
    return {
        "actor": origin.actor.login,
        "api_key": origin.actor.api_key or False,
        "method": origin.method,
        "route": origin.route,
        "request_id": origin.request_id,
    }


def _event_values(account_id, touch):
    if touch.existed and not touch.is_active:
        changes = {}
    else:
        changes = changed_fields(touch.before if touch.existed else None, touch.after)
    kind = account_event_kind(
        existed=touch.existed, was_active=touch.was_active, is_active=touch.is_active, changes=changes
    )
    if kind is None:
        return None
    return {
        **_origin_values(touch.origin),
        "kind": kind.value,
        "registrant_id": touch.registrant_id,
        "account_id": account_id,
        "account_ref": account_id,
        "bank_id": touch.bank_id or False,
        "acc_number": masked_number(touch.number) or False,
        "changes": {name: change.model_dump() for name, change in changes.items()} or False,
    }


def _order(event):
    return write_order(
        EventKind(event["kind"]),
        registrant_id=event.get("registrant_id") or None,
        account_id=event.get("account_id") or None,
        bank_id=event.get("bank_id") or None,
    )


def _write(cr, trail):
    values = [*trail.others, *trail.revealed.values()]
    for account_id, touch in trail.touched.items():
        event = _event_values(account_id, touch)
        if event is not None:
            values.append(event)
    if not values:
        return
    values.sort(key=_order)  # stable: events with one key keep the order they were noted in
    env = api.Environment(cr, SUPERUSER_ID, {})
    now = cr.now()
    events = env["g2p.bank.account.event"].create([{**event, "time": now} for event in values])
    events.flush_recordset()
