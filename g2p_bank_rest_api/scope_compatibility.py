"""Scopes for the users that existed before scopes did (contract section 5, compatibility).

Before version 17.0.1.2.0 the registry API checked nothing beyond the password: every user who
could log in could read and change everything, bank accounts included. So that the clients of
those days keep working unchanged, the upgrade to 17.0.1.2.0 gives every scope to:

- every active internal user (the API's integrations and operators run as internal users);
- every active user holding one of upstream's REST API groups (``g2p_registry_rest_api``'s
  "Rest API GET" / "Rest API POST"), which name API users even where they are portal users.

Not to portal or public users otherwise (website sign-ups must not be able to redirect
payments), nor to archived users and user templates (a template would hand every scope to the
users created from it). A new user gets only the groups it is given; Settings administrators
hold all of them (``base.group_system`` implies them).
"""

from odoo import Command

from .rules.scopes import SCOPE_GROUPS

UPSTREAM_API_GROUPS = (
    "g2p_registry_rest_api.group_g2p_rest_api_get",
    "g2p_registry_rest_api.group_g2p_rest_api_post",
)


def users_keeping_every_scope(env):
    """The users the upgrade gives every scope to (see the module's doc)."""
    users = env["res.users"].with_context(active_test=True).search([("share", "=", False)])
    for xmlid in UPSTREAM_API_GROUPS:
        group = env.ref(xmlid, raise_if_not_found=False)
        if group:
            users |= group.users.filtered("active")
    return users


def grant_every_scope_to_existing_users(env):
    """Give the groups of every scope to ``users_keeping_every_scope``; returns those users."""
    users = users_keeping_every_scope(env)
    groups = [env.ref(xmlid) for xmlid in SCOPE_GROUPS.values()]
    users.write({"groups_id": [Command.link(group.id) for group in groups]})
    return users
