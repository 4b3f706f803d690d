"""Test data and request bodies shared by the addon's tests."""

import os
import unittest
from unittest import mock

from odoo import Command
from odoo.modules.registry import DummyRLock
from odoo.tests.common import HttpCase

from odoo.addons.extendable_fastapi.tests.common import FastAPITransactionCase
from odoo.addons.fastapi.dependencies import authenticated_partner_env

from ..dependencies import Caller, authenticated_caller
from ..rules.scopes import SCOPE_GROUPS
from ..scope_checks import caller_env, with_scope_checks

ROOT = "/api/v1/registry"
ID_TYPE = "Bank API Test ID"
VALID_IBAN = "DE89 3704 0044 0532 0130 00"
VALID_IBAN_COMPACT = "DE89370400440532013000"
BAD_CHECKSUM_IBAN = "DE89370400440532013001"


def bank_item(bank_name, acc_number, **extra):
    return {"bank_name": bank_name, "acc_number": acc_number, **extra}


def individual_body(name, id_value=None, **extra):
    """A POST /individual body as the registry requires it (its nullable fields must be sent)."""
    body = {
        "name": name,
        "given_name": name.split(",")[-1].strip(),
        "ids": [{"id_type": ID_TYPE, "value": id_value}] if id_value else [],
        "gender": None,
        "birth_place": None,
    }
    body.update(extra)
    return body


def member_body(name, **extra):
    body = {"name": name, "email": None, "address": None, "gender": None, "birth_place": None}
    body.update(extra)
    return body


def update_body(id_value, **extra):
    body = {
        "updateId": id_value,
        "ids": [],
        "name": None,
        "given_name": None,
        "gender": None,
        "birth_place": None,
    }
    body.update(extra)
    return body


class RegistryDataMixin:
    """Reference data the registry's routes look up, and the API user."""

    @classmethod
    def _setup_registry_data(cls):
        env = cls.env
        cls.id_type = env["g2p.id.type"].create({"name": ID_TYPE})
        cls.group_kind = env["g2p.group.kind"].search([], limit=1) or env["g2p.group.kind"].create(
            {"name": "Household"}
        )
        cls.api_password = "bank-api-test-Pa55word"  # noqa: S105 - a throw-away test user
        # Every scope, as an existing user after the upgrade or a Settings administrator.
        cls.api_user = cls.scoped_user("bank_api_tester", *SCOPE_GROUPS)

    @classmethod
    def scoped_user(cls, login, *scopes):
        """An internal user (password ``api_password``) holding the groups of these scopes only."""
        env = cls.env
        groups = [env.ref("base.group_user").id, *(env.ref(SCOPE_GROUPS[scope]).id for scope in scopes)]
        return env["res.users"].create(
            {
                "name": f"Bank API tester {login}",
                "login": login,
                "password": cls.api_password,
                "groups_id": [Command.set(groups)],
            }
        )

    def accounts_of(self, registrant, active_test=False):
        """Every account of the registrant (archived included), primary first."""
        return (
            self.env["res.partner.bank"]
            .with_context(active_test=active_test)
            .search([("partner_id", "=", registrant.id)], order="sequence, id")
        )

    def banks_named(self, *names):
        return self.env["res.bank"].with_context(active_test=False).search([("name", "in", list(names))])


class BankApiCase(FastAPITransactionCase, RegistryDataMixin):
    """FastAPI test client on the registry's routers and ours, as the API user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_registry_data()
        cls.default_fastapi_running_user = cls.api_user
        cls.default_fastapi_authenticated_partner = cls.api_user.partner_id

    def client(self, router, caller=None):
        """A client of ``router`` as the registry app serves it (scopes checked, each request
        looking up the banks it names at once), authenticated as ``caller`` (the API user)."""
        caller = caller or self.api_user
        return self._create_test_client(
            router=with_scope_checks(router),
            partner=caller.partner_id,
            raise_server_exceptions=False,
            dependency_overrides={
                authenticated_partner_env: caller_env,
                authenticated_caller: lambda: Caller(caller.id, caller.partner_id.id),
            },
        )

    def assert_no_full_number(self, response, number):
        compact = "".join(number.split())
        self.assertNotIn(compact, response.text)
        self.assertNotIn(number, response.text)


@unittest.skipIf(os.getenv("SKIP_HTTP_CASE"), "HTTP cases skipped")
class RegistryHttpCase(HttpCase, RegistryDataMixin):
    """The registry API through Odoo's real HTTP dispatcher, with Basic auth: one transaction
    per request."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_registry_data()
        cls.env.ref("g2p_registry_rest_api.fastapi_endpoint_registry")._handle_registry_sync()

    def call(self, method, path, body=None, auth=True, params=None, headers=None):
        """``auth``: True for the API user's password, a (login, secret) pair, False for none."""
        if auth is True:
            auth = (self.api_user.login, self.api_password)
        # FastAPI runs Basic auth in a worker thread, where Odoo opens a second test cursor; in
        # test mode that cursor would wait forever for the lock the request thread holds. These
        # tests send one request at a time, so the lock can be lifted for the call.
        with mock.patch.object(self.registry, "test_lock", DummyRLock()):
            return self.opener.request(
                method,
                self.base_url() + ROOT + path,
                json=body,
                params=params,
                headers=headers,
                auth=auth or None,
                timeout=60,
            )
