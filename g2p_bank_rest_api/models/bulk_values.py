"""What a bulk item writes: the values of a new individual, and the difference an item makes to
an existing one (nothing when it already holds everything the item says).

Plain functions over records and validated requests; they read, never write, so that the
caller can tell `unchanged` (no write at all: Odoo moves `write_date` on any write) from
`updated` before anything is stored.
"""

import re

from odoo import Command

from ..rules.individuals import INDIVIDUAL_FIELDS
from .bank_account_service import plan_for_accounts, stored_values

_NON_DIGITS = re.compile(r"\D")


def phone_digits(phone_no):
    """What makes two phone numbers the same number: their digits."""
    return _NON_DIGITS.sub("", phone_no or "")


def _given_fields(request):
    for name in INDIVIDUAL_FIELDS:
        value = getattr(request, name, None)
        if value not in (None, ""):
            yield name, value


def _first_phone(request):
    return next((phone.phone_no for phone in request.phone_numbers or () if phone.phone_no), None)


def _new_id_values(id_type_id, id_request):
    return {
        "id_type": id_type_id,
        "value": id_request.value,
        "expiry_date": id_request.expiry_date or False,
        "status": id_request.status or False,
        "description": id_request.description or False,
    }


def new_individual_values(request, id_type_ids, gender_value):
    """The values of `res.partner.create` for an item that creates an individual."""
    values = dict(_given_fields(request), is_registrant=True, is_group=False)
    if gender_value:
        values["gender"] = gender_value
    phone = _first_phone(request)
    if phone:
        values["phone"] = phone
    values["reg_ids"] = [
        Command.create(_new_id_values(id_type_id, id_request))
        for id_type_id, id_request in zip(id_type_ids, request.ids, strict=True)
    ]
    phones = {}
    for phone_request in request.phone_numbers or ():
        # One phone per number: the same number twice in an item is stored once.
        held = phones.setdefault(phone_digits(phone_request.phone_no), {"phone_no": phone_request.phone_no})
        if phone_request.date_collected:
            held["date_collected"] = phone_request.date_collected
    values["phone_number_ids"] = [Command.create(phone) for phone in phones.values()]
    return values


def individual_changes(partner, request, id_type_ids, gender_value):
    """The values of `partner.write` that make the partner hold what the item says ({} if none)."""
    values = {name: value for name, value in _given_fields(request) if partner[name] != value}
    if gender_value and partner.gender != gender_value:
        values["gender"] = gender_value
    phone = _first_phone(request)
    if phone and partner.phone != phone:
        values["phone"] = phone
    id_commands = _id_commands(partner, request, id_type_ids)
    if id_commands:
        values["reg_ids"] = id_commands
    phone_commands = _phone_commands(partner, request)
    if phone_commands:
        values["phone_number_ids"] = phone_commands
    return values


def _id_commands(partner, request, id_type_ids):
    held = {reg_id.id_type.id: reg_id for reg_id in partner.reg_ids}
    commands = []
    for id_type_id, id_request in zip(id_type_ids, request.ids, strict=True):
        reg_id = held.get(id_type_id)
        if reg_id is None:
            commands.append(Command.create(_new_id_values(id_type_id, id_request)))
            continue
        changes = {}
        if reg_id.value != id_request.value:
            changes["value"] = id_request.value
        for name in ("expiry_date", "status", "description"):
            value = getattr(id_request, name)
            if value not in (None, "") and reg_id[name] != value:
                changes[name] = value
        if changes:
            commands.append(Command.update(reg_id.id, changes))
    return commands


def _phone_commands(partner, request):
    held = {phone_digits(phone.phone_no): phone for phone in partner.phone_number_ids}
    new = {}
    commands = []
    for phone_request in request.phone_numbers or ():
        digits = phone_digits(phone_request.phone_no)
        phone = held.get(digits)
        if phone is not None:
            if phone_request.date_collected and phone.date_collected != phone_request.date_collected:
                commands.append(Command.update(phone.id, {"date_collected": phone_request.date_collected}))
            continue
        values = new.setdefault(digits, {"phone_no": phone_request.phone_no})
        if phone_request.date_collected:
            values["date_collected"] = phone_request.date_collected
    commands += [Command.create(values) for values in new.values()]
    return commands


def accounts_would_change(accounts, items, banks):
    """Whether merging ``items`` into the partner's ``accounts`` (archived included) writes anything.

    ``banks`` maps each item's bank key to the res.bank it names. The merge's own plan decides:
    a new account, an account to archive, or a field the plan writes whose stored value differs.
    """
    by_id = {account.id: account for account in accounts}
    plan = plan_for_accounts(accounts, items)
    for change in plan.changes:
        account = by_id.get(change.account_id)
        if account is None:
            return True
        written = change.written(banks[change.item.bank_key].id)
        if stored_values(account, written) != written:
            return True
    return bool(plan.archive_ids)
