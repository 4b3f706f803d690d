"""The checks of bulk items that need the registry: reference data, then who holds their IDs.

`check_references` rejects items naming unknown ID types or genders and values the registry
would refuse or silently cut; `match_items` finds, with one query for every ID of the request,
the individual each item updates (if any) and rejects IDs held by someone else or claimed twice
in the request. Both run before anything is written.
"""

import re

from .. import transaction_locks
from .bulk_values import phone_digits

# g2p.reg.id stores at most this many characters of a value (Odoo cuts longer ones silently,
# so a longer value would never match again).
MAX_ID_VALUE_LENGTH = 100
ID_STATUSES = ("valid", "invalid")
_ALREADY_ASSIGNED = "ID - {type} {value} is already assigned to another registrant."
_LOCK_NAMESPACE = "g2p_bank_rest_api.g2p_reg_id:"

_ID_HOLDERS = """
    SELECT reg.id_type, reg.value, partner.id, partner.is_group, partner.active, partner.is_registrant
      FROM unnest(%s::int[], %s::varchar[]) AS wanted(id_type, value)
      JOIN g2p_reg_id reg ON reg.id_type = wanted.id_type AND reg.value = wanted.value
      JOIN res_partner partner ON partner.id = reg.partner_id
"""


def check_references(env, items, reference, match_type):
    """Reject items naming unknown reference data; set each item's ID types and match value."""
    genders = reference["genders"]
    id_types = reference["id_types"]
    phone_model = env["g2p.phone.number"]
    for item in items:
        request = item.request
        if request.gender and request.gender not in genders:
            item.reject(
                ["gender"],
                f"Invalid gender. Gender - {request.gender} is not present in the database.",
                "unknown_gender",
            )
        seen = set()
        for position, id_request in enumerate(request.ids):
            id_type = id_types.get(id_request.id_type)
            loc = ["ids", position]
            if id_type is None:
                item.reject(
                    [*loc, "id_type"],
                    f"Invalid ID field. ID type - {id_request.id_type} is not present in the database.",
                    "unknown_id_type",
                )
                continue
            if id_type["id"] in seen:
                item.reject(
                    [*loc, "id_type"],
                    "ID Type must be unique: a registrant holds at most one ID of each type.",
                    "duplicate_id_type",
                )
            seen.add(id_type["id"])
            item.id_type_ids.append(id_type["id"])
            _check_id_value(item, loc, id_type, id_request)
            if id_type["id"] == match_type["id"]:
                item.match_value = id_request.value
        if item.match_value is None:
            item.reject(
                ["ids"],
                f"No ID of type {match_type['name']}: items are matched by their ID of that type.",
                "missing_match_id",
            )
        for position, phone in enumerate(request.phone_numbers or ()):
            _check_phone(item, ["phone_numbers", position, "phone_no"], phone.phone_no, phone_model)


def _check_id_value(item, loc, id_type, id_request):
    if len(id_request.value) > MAX_ID_VALUE_LENGTH:
        item.reject(
            [*loc, "value"], f"String should have at most {MAX_ID_VALUE_LENGTH} characters", "string_too_long"
        )
    elif id_type["id_validation"] and not re.match(id_type["id_validation"], id_request.value):
        item.reject([*loc, "value"], f"The provided {id_type['name']} ID is invalid.", "invalid_id_value")
    if id_request.status not in (None, "", *ID_STATUSES):
        item.reject([*loc, "status"], "Input should be 'valid' or 'invalid'", "literal_error")


def _check_phone(item, loc, phone_no, phone_model):
    if not phone_digits(phone_no):
        item.reject(loc, "A phone number needs digits.", "phone_number")
        return
    try:
        # What the phone's stored computation does, so that a number it would refuse is rejected
        # here rather than failing the write.
        phone_model._phone_format(number=phone_no, force_format="E164", raise_exception=True)
    except Exception:  # phone_validation raises UserError, phonenumbers its own errors
        item.reject(loc, "Invalid phone number.", "phone_number")


def match_items(env, items, match_type):
    """Find the individual each item updates and refuse IDs that someone else holds."""
    holders = _id_holders(env, [pair for item in items for pair in _pairs(item)])
    claimed_ids, claimed_registrants = {}, {}
    for item in items:
        pairs = _pairs(item)
        match_position = next(p for p, (type_id, _v) in enumerate(pairs) if type_id == match_type["id"])
        match_holders = holders.get(pairs[match_position], {})
        registrant_id = None
        if len(match_holders) > 1 or any(
            not (individual and active) for individual, active in match_holders.values()
        ):
            item.reject(
                ["ids", match_position, "value"],
                _ALREADY_ASSIGNED.format(type=match_type["name"], value=item.match_value),
                "id_assigned",
            )
            continue
        if match_holders:
            (registrant_id,) = match_holders
            if registrant_id in claimed_registrants:
                item.reject(
                    ["ids", match_position, "value"],
                    f"Same individual as item {claimed_registrants[registrant_id]} of this request.",
                    "duplicate_item",
                )
                continue
        for position, pair in enumerate(pairs):
            others = set(holders.get(pair, {})) - {registrant_id}
            if pair in claimed_ids:
                message = f"Same ID as item {claimed_ids[pair]} of this request."
                item.reject(["ids", position, "value"], message, "duplicate_item")
            elif others:
                item.reject(
                    ["ids", position, "value"],
                    _ALREADY_ASSIGNED.format(type=item.request.ids[position].id_type, value=pair[1]),
                    "id_assigned",
                )
        if item.accepted:
            claimed_ids.update(dict.fromkeys(pairs, item.index))
            if registrant_id:
                claimed_registrants[registrant_id] = item.index
                item.registrant_id = registrant_id
    accepted_items = [item for item in items if item.accepted]
    # One recordset for all: reading one individual then reads every one of them at once.
    partners = {partner.id: partner for partner in env["res.partner"].browse(claimed_registrants)}
    for item in accepted_items:
        if item.registrant_id:
            item.registrant = partners[item.registrant_id]
    _lock(env, accepted_items, holders)


def _pairs(item):
    ids = zip(item.id_type_ids, item.request.ids, strict=True)
    return [(type_id, id_request.value) for type_id, id_request in ids]


def _id_holders(env, pairs):
    """{(ID type id, value): {partner id: (is a registered individual, active)}} for held pairs."""
    env["g2p.reg.id"].flush_model(["id_type", "value", "partner_id"])
    env["res.partner"].flush_model(["is_group", "active", "is_registrant"])
    unique = sorted(set(pairs))
    env.cr.execute(_ID_HOLDERS, _columns(unique))
    holders = {}
    for type_id, value, partner_id, is_group, active, is_registrant in env.cr.fetchall():
        holders.setdefault((type_id, value), {})[partner_id] = (bool(is_registrant and not is_group), active)
    return holders


def _columns(pairs):
    """The query parameters of (ID type id, value) pairs: one array per column."""
    return [[type_id for type_id, _value in pairs], [value for _type_id, value in pairs]]


def _lock(env, items, holders):
    """Serialize with concurrent writers: the individuals updated (row locks, in id order) and the
    new ID values (one transaction lock per value; the request is retried if another request
    stored one of them after this transaction's snapshot was taken)."""
    partner_ids = {item.registrant.id for item in items if item.registrant}
    if partner_ids:
        transaction_locks.lock_partners(env, partner_ids)
    new_pairs = sorted({pair for item in items for pair in _pairs(item) if pair not in holders})
    if not new_pairs:
        return
    transaction_locks.hold_locks(env.cr, _LOCK_NAMESPACE, [_lock_text(pair) for pair in new_pairs])

    def stored(cr):
        cr.execute(_ID_HOLDERS, _columns(new_pairs))
        return cr.fetchall()

    # In this transaction none of them is stored (they are new): any the new one sees was
    # stored meanwhile (in tests both are one transaction, and see none).
    if transaction_locks.committed_now(env, stored):
        transaction_locks.retry_now(env.cr)


def _lock_text(pair):
    type_id, value = pair
    return f"{type_id}:{value}"
