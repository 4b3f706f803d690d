"""The audit trail of bank details, through Odoo's real HTTP dispatcher (contract section 6)."""

import re

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ID_TYPE, RegistryHttpCase, bank_item, individual_body, member_body, update_body

SUB_RESOURCE = "/registrant/{registrant_id}/bank_accounts"


@tagged("post_install", "-at_install")
class TestAuditTrail(RegistryHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.api_user.groups_id = [Command.link(cls.env.ref("g2p_bank_rest_api.group_audit_read").id)]

    def events(self, revealed=False, **domain):
        """The events matching ``domain``, oldest first; ``revealed`` ones only when asked."""
        conditions = [(name, "=", value) for name, value in domain.items()]
        if not revealed and "kind" not in domain:
            conditions.append(("kind", "!=", "revealed"))
        return self.env["g2p.bank.account.event"].search(conditions, order="id")

    def history(self, registrant_id, **params):
        response = self.call("GET", f"/registrant/{registrant_id}/bank_accounts/history", params=params)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_each_change_makes_its_event_with_actor_route_and_request_id(self):
        body = individual_body("AUDIT, JANE", "AU-1", bank_ids=[bank_item("Audit Bank", "AU-0001")])
        created = self.call("POST", "/individual", body, headers={"X-Request-ID": "req-audit-1"})
        self.assertEqual(created.status_code, 200, created.text)
        self.assertEqual(created.headers["X-Request-ID"], "req-audit-1")
        registrant_id = created.json()["id"]
        [first_id] = [account["id"] for account in created.json()["bank_ids"]]

        # The holder of the first account changes and a new primary account arrives.
        update = update_body(
            "AU-1",
            bank_ids=[
                bank_item("Audit Bank", "AU-0001", acc_holder_name="JANE AUDIT"),
                bank_item("Audit Bank", "AU-0002", primary=True),
            ],
        )
        updated = self.call("PUT", "/update_individual", [update], params={"id_type": ID_TYPE})
        self.assertEqual(updated.status_code, 200, updated.text)
        second_id = updated.json()[0]["bank_ids"][0]["id"]
        sub_resource = SUB_RESOURCE.format(registrant_id=registrant_id)
        deleted = self.call("DELETE", f"{sub_resource}/{second_id}")
        self.assertEqual(deleted.status_code, 204, deleted.text)
        again = self.call("POST", sub_resource, bank_item("Audit Bank", "AU-0002"))
        self.assertEqual(again.status_code, 200, again.text)

        page = self.history(registrant_id)
        self.assertIsNone(page["next_before"])
        events = list(reversed(page["items"]))  # oldest first, to read along the story
        ids = [event["id"] for event in events]
        self.assertEqual(ids, sorted(ids))
        # Each answer that carried the registrant's full numbers (not the DELETE's) is recorded.
        revealed = [event for event in events if event["kind"] == "revealed"]
        self.assertEqual(
            [event["request_id"] for event in revealed],
            ["req-audit-1", updated.headers["X-Request-ID"], again.headers["X-Request-ID"]],
        )
        for event in revealed:
            self.assertEqual(
                (event["registrant_id"], event["account_id"], event["acc_number"], event["count"]),
                (registrant_id, None, None, None),
            )
        events = [event for event in events if event["kind"] != "revealed"]
        by_request = {}
        for event in events:
            by_request.setdefault(event["request_id"], []).append(event)
        self.assertEqual(
            [[(event["kind"], event["account_id"]) for event in group] for group in by_request.values()],
            [
                [("bank_created", None), ("created", first_id)],
                # In rules.audit.write_order: by account.
                [("updated", first_id), ("created", second_id)],  # holder set, primary lost; the new primary
                [("updated", first_id), ("archived", second_id)],  # primary again
                [("updated", first_id), ("reactivated", second_id)],  # the older primary comes back first
            ],
        )
        created, update = by_request["req-audit-1"][1], by_request[updated.headers["X-Request-ID"]]
        self.assertEqual(
            created["changes"],
            {
                "bank_name": {"before": None, "after": "Audit Bank"},
                "primary": {"before": False, "after": True},
            },
        )
        self.assertEqual(
            update[0]["changes"],
            {
                "acc_holder_name": {"before": None, "after": "JANE AUDIT"},
                "primary": {"before": True, "after": False},
            },
        )
        self.assertEqual(update[1]["changes"]["primary"], {"before": False, "after": True})
        self.assertEqual(list(by_request.values())[2][1]["changes"], {})
        for event in events:
            self.assertTrue(event["time"].endswith(("Z", "+00:00")), event["time"])
            self.assertEqual(event["actor"], self.api_user.login)
            self.assertIsNone(event["api_key"])
            self.assertEqual(event["registrant_id"], registrant_id)
            self.assertNotIn("AU-000", str(event))
            if event["kind"] != "bank_created":
                self.assertRegex(event["acc_number"], r"^…\d{4}$")
        self.assertEqual(
            [(group[0]["method"], group[0]["route"]) for group in by_request.values()],
            [
                ("POST", "/individual"),
                ("PUT", "/update_individual"),
                ("DELETE", "/registrant/{registrant_id}/bank_accounts/{account_id}"),
                ("POST", "/registrant/{registrant_id}/bank_accounts"),
            ],
        )
        # Generated when the client sends none, returned in the answer.
        self.assertRegex(update[0]["request_id"], r"^[0-9a-f]{32}$")
        self.assertEqual(deleted.headers["X-Request-ID"], list(by_request)[2])

    def test_a_primary_move_updates_both_accounts_and_reactivation_lists_its_changes(self):
        registrant = self.env["res.partner"].create({"name": "AUDIT, MOVE", "is_registrant": True})
        sub_resource = SUB_RESOURCE.format(registrant_id=registrant.id)
        self.call(
            "PUT", sub_resource, [bank_item("Move Bank", "MOVE-0001"), bank_item("Move Bank", "MOVE-0002")]
        )
        moved = self.call("POST", sub_resource, bank_item("Move Bank", "MOVE-0002", primary=True))
        self.assertEqual(moved.status_code, 200, moved.text)
        request_id = moved.headers["X-Request-ID"]
        events = self.events(request_id=request_id)
        self.assertEqual(
            sorted((event.acc_number, event.kind, event.changes["primary"]["after"]) for event in events),
            [("…0001", "updated", False), ("…0002", "updated", True)],
        )
        # Archived, then given again with another holder: reactivated, with what changed.
        replaced = self.call("PUT", sub_resource, [bank_item("Move Bank", "MOVE-0002")])
        self.assertEqual(replaced.status_code, 200, replaced.text)
        self.assertEqual(
            self.events(request_id=replaced.headers["X-Request-ID"]).mapped("kind"), ["archived"]
        )
        back = self.call(
            "POST", sub_resource, bank_item("Move Bank", "MOVE-0001", acc_holder_name="NEW HOLDER")
        )
        [event] = self.events(request_id=back.headers["X-Request-ID"])
        self.assertEqual(event.kind, "reactivated")
        self.assertEqual(event.changes["acc_holder_name"], {"before": None, "after": "NEW HOLDER"})

    def test_group_members_and_banks_created_have_events(self):
        body = {
            "name": "AUDIT HOUSEHOLD",
            "registration_date": "2024-01-02",
            "ids": [],
            "kind": self.group_kind.name,
            "is_partial_group": False,
            "bank_ids": [bank_item("Audit Group Bank", "AG-0001")],
            "members": [member_body("AUDIT, MEMBER", bank_ids=[bank_item("Audit Member Bank", "AM-0001")])],
        }
        with self.assertLogs("odoo.sql_db", "DEBUG") as logs:
            response = self.call("POST", "/group", body)
        self.assertEqual(response.status_code, 200, response.text)
        # Every event of the request (banks, accounts, the answer's reveal) in one insert.
        inserts = [line for line in logs.output if 'INSERT INTO "g2p_bank_account_event"' in line]
        self.assertEqual(len(inserts), 1, inserts)
        self.assertEqual(
            self.events(request_id=response.headers["X-Request-ID"], revealed=True).mapped("kind"),
            ["bank_created", "bank_created", "created", "created", "revealed"],
        )
        events = self.events(request_id=response.headers["X-Request-ID"])
        member = self.env["res.partner"].search([("name", "=", "AUDIT, MEMBER")])
        self.assertEqual(
            sorted((event.kind, event.registrant_id.id, event.acc_number or "") for event in events),
            sorted(
                [
                    ("bank_created", member.id, ""),
                    ("bank_created", response.json()["id"], ""),
                    ("created", member.id, "…0001"),
                    ("created", response.json()["id"], "…0001"),
                ]
            ),
        )
        self.assertEqual(
            set(events.filtered(lambda event: event.kind == "bank_created").bank_id.mapped("name")),
            {"Audit Group Bank", "Audit Member Bank"},
        )

    def test_a_failed_request_leaves_no_event(self):
        body = {
            "name": "AUDIT ROLLBACK",
            "registration_date": "2024-01-02",
            "ids": [],
            "kind": "No Such Group Kind",
            "is_partial_group": False,
            "members": [member_body("AUDIT, ROLLBACK", bank_ids=[bank_item("Audit Rollback Bank", "AR-1")])],
        }
        with mute_logger("odoo.http"):
            response = self.call("POST", "/group", body, headers={"X-Request-ID": "req-audit-failed"})
        self.assertEqual(response.status_code, 400, response.text)
        self.assertEqual(response.headers["X-Request-ID"], "req-audit-failed")
        self.assertFalse(self.events(request_id="req-audit-failed"))

    def test_bulk_rejected_items_leave_no_event(self):
        good = individual_body("AUDIT, BULK", "AB-1", bank_ids=[bank_item("Audit Bulk Bank", "AB-0100")])
        bad = individual_body("AUDIT, BAD", "AB-2", bank_ids=[bank_item("Audit Bulk Bank", "x" * 65)])
        response = self.call("POST", "/bulk/individual", [good, bad], params={"id_type": ID_TYPE})
        self.assertEqual([item["status"] for item in response.json()], ["created", "rejected"])
        events = self.events(request_id=response.headers["X-Request-ID"])
        self.assertEqual(
            sorted((event.kind, event.acc_number or "") for event in events),
            [("bank_created", ""), ("created", "…0100")],
        )
        self.assertEqual(events.filtered(lambda e: e.kind == "created").route, "/bulk/individual")

    def test_api_key_name_is_recorded_and_implausible_request_ids_are_replaced(self):
        key = self.env["res.users.apikeys"].with_user(self.api_user)._generate("rpc", "payments-integration")
        registrant = self.env["res.partner"].create({"name": "AUDIT, KEY", "is_registrant": True})
        response = self.call(
            "POST",
            SUB_RESOURCE.format(registrant_id=registrant.id),
            bank_item("Key Bank", "KY-1"),
            auth=(self.api_user.login, key),
            headers={"X-Request-ID": "has spaces\tand tabs"},
        )
        self.assertEqual(response.status_code, 201, response.text)
        request_id = response.headers["X-Request-ID"]
        self.assertTrue(re.fullmatch(r"[0-9a-f]{32}", request_id), request_id)
        [event] = self.events(request_id=request_id, kind="created")
        self.assertEqual((event.actor, event.api_key), (self.api_user.login, "payments-integration"))

    def test_every_answer_carries_a_request_id_errors_included(self):
        with mute_logger("odoo.http"):
            for response in (
                self.call("GET", "/registrant/999999/bank_accounts", headers={"X-Request-ID": "r-404"}),
                self.call(
                    "GET", "/bank_account_events", params={"limit": 0}, headers={"X-Request-ID": "r-422"}
                ),
                self.call("GET", "/individual", params={"name": "NOBODY"}, headers={"X-Request-ID": "r-400"}),
            ):
                with self.subTest(status=response.status_code):
                    self.assertEqual(response.headers.get("X-Request-ID"), f"r-{response.status_code}")

    def test_history_pages_and_the_feed(self):
        registrant = self.env["res.partner"].create({"name": "AUDIT, PAGES", "is_registrant": True})
        sub_resource = SUB_RESOURCE.format(registrant_id=registrant.id)
        for number in ("PG-1", "PG-2", "PG-3"):
            self.call("POST", sub_resource, bank_item("Pages Bank", number))
        # 1 bank created, 3 accounts created, 3 answers revealing them.
        stored = self.events(registrant_id=registrant.id, revealed=True)
        self.assertEqual(len(stored), 7)
        first = self.history(registrant.id, limit=2)
        self.assertEqual(len(first["items"]), 2)
        self.assertGreater(first["items"][0]["id"], first["items"][1]["id"])
        second = self.history(registrant.id, limit=3, before=first["next_before"])
        rest = self.history(registrant.id, limit=2, before=second["next_before"])
        self.assertIsNone(rest["next_before"])
        listed = [event["id"] for event in first["items"] + second["items"] + rest["items"]]
        self.assertEqual(listed, sorted(listed, reverse=True))
        self.assertEqual(listed, list(reversed(stored.ids)))

        oldest = stored[0]
        feed = self.call("GET", "/bank_account_events", params={"after": oldest.id - 1, "limit": 500}).json()
        self.assertEqual(feed["items"][0]["id"], oldest.id)
        ids = [event["id"] for event in feed["items"]]
        self.assertEqual(ids, sorted(ids))
        self.assertEqual(feed["last_id"], ids[-1])
        empty = self.call("GET", "/bank_account_events", params={"after": ids[-1]}).json()
        self.assertEqual(empty, {"items": [], "last_id": None})

    def test_bad_parameters_and_unknown_registrants(self):
        registrant = self.env["res.partner"].create({"name": "AUDIT, PARAMS", "is_registrant": True})
        with mute_logger("odoo.http"):
            for path, params, expected in (
                (f"/registrant/{registrant.id}/bank_accounts/history", {"limit": 0}, 422),
                (f"/registrant/{registrant.id}/bank_accounts/history", {"limit": 501}, 422),
                (f"/registrant/{registrant.id}/bank_accounts/history", {"before": "x"}, 422),
                ("/registrant/999999/bank_accounts/history", {}, 404),
                ("/bank_account_events", {"after": -1}, 422),
                ("/bank_accounts/shared", {"limit": 501}, 422),
            ):
                with self.subTest(path=path, params=params):
                    response = self.call("GET", path, params=params)
                    self.assertEqual(response.status_code, expected, response.text)

    def test_without_the_audit_group_the_routes_answer_403(self):
        self.api_user.groups_id = [Command.unlink(self.env.ref("g2p_bank_rest_api.group_audit_read").id)]
        registrant = self.env["res.partner"].create({"name": "AUDIT, DENIED", "is_registrant": True})
        with mute_logger("odoo.http"):
            for path in (
                f"/registrant/{registrant.id}/bank_accounts/history",
                "/bank_account_events",
                "/bank_accounts/shared",
            ):
                with self.subTest(path=path):
                    response = self.call("GET", path)
                    self.assertEqual(response.status_code, 403, response.text)
                    self.assertIn("audit:read", response.json()["detail"])


@tagged("post_install", "-at_install")
class TestEventsAreAppendOnly(RegistryHttpCase):
    def test_nobody_changes_or_deletes_an_event_superuser_included(self):
        registrant = self.env["res.partner"].create({"name": "AUDIT, ORM", "is_registrant": True})
        self.env["g2p.bank.account.service"].merge_items(registrant, [bank_item("Orm Bank", "OR-1")])
        self.env.cr.flush()  # the events are written when the transaction is flushed
        events = self.env["g2p.bank.account.event"].sudo().search([("registrant_id", "=", registrant.id)])
        self.assertEqual(sorted(events.mapped("kind")), ["bank_created", "created"])
        self.assertEqual(set(events.mapped("method")), {"ORM"})
        for model in (events, events.sudo(), events.with_user(self.api_user)):
            with self.subTest(superuser=model.env.su), self.assertRaises(UserError):
                model.write({"kind": "archived"})
            with self.subTest(superuser=model.env.su), self.assertRaises(UserError):
                model.unlink()

    def test_only_the_audit_group_reads_events(self):
        self.api_user.groups_id = [Command.unlink(self.env.ref("g2p_bank_rest_api.group_audit_read").id)]
        model = self.env["g2p.bank.account.event"]
        self.assertFalse(model.with_user(self.api_user).check_access_rights("read", raise_exception=False))
        self.api_user.groups_id = [Command.link(self.env.ref("g2p_bank_rest_api.group_audit_read").id)]
        model = model.with_user(self.api_user)
        self.assertTrue(model.check_access_rights("read", raise_exception=False))
        for operation in ("write", "create", "unlink"):
            self.assertFalse(model.check_access_rights(operation, raise_exception=False), operation)


@tagged("post_install", "-at_install")
class TestBankHistoryOnForms(RegistryHttpCase):
    def test_the_history_tab_is_shown_to_the_audit_group_only(self):
        audit_group = self.env.ref("g2p_bank_rest_api.group_audit_read")
        for xmlid in ("g2p_registry_individual.view_individuals_form", "g2p_registry_group.view_groups_form"):
            view = self.env.ref(xmlid)
            for member in (False, True):
                self.api_user.groups_id = [(Command.link if member else Command.unlink)(audit_group.id)]
                with self.subTest(view=xmlid, audit_group=member):
                    arch = self.env["res.partner"].with_user(self.api_user).get_views([(view.id, "form")])
                    arch = arch["views"]["form"]["arch"]
                    self.assertEqual("bank_account_event_ids" in arch, member)
                    self.assertEqual('name="bank_history"' in arch, member)


@tagged("post_install", "-at_install")
class TestRevealedEvents(RegistryHttpCase):
    """Every answer carrying full numbers is recorded (contract section 5): a ``revealed`` event
    per registrant of the answer holding an account, one per page of the payment list; none
    when the answer shows no full number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partners = cls.env["res.partner"]
        cls.holder = partners.create(
            {
                "name": "REVEAL, HOLDER",
                "given_name": "HOLDER",
                "is_registrant": True,
                "bank_ids": [
                    Command.create({"acc_number": "RV-0001-HOLDER"}),
                    Command.create({"acc_number": "RV-0002-HOLDER"}),
                ],
            }
        )
        cls.without_account = partners.create(
            {"name": "REVEAL, NO ACCOUNT", "given_name": "NO ACCOUNT", "is_registrant": True}
        )
        cls.masked_reader = cls.scoped_user("reveal_masked_reader", "registry:read", "bank:read")
        cls.registry_reader = cls.scoped_user("reveal_registry_reader", "registry:read")
        cls.revealer = cls.scoped_user("reveal_revealer", "registry:read", "bank:reveal")

    def revealed(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return self.env["g2p.bank.account.event"].search(
            [("request_id", "=", response.headers["X-Request-ID"]), ("kind", "=", "revealed")], order="id"
        )

    def as_user(self, user, path, params=None):
        return self.call("GET", path, auth=(user.login, self.api_password), params=params)

    def test_a_registrant_answer_with_full_numbers_is_recorded_once(self):
        for user in (self.api_user, self.revealer):  # bank:reveal alone shows full numbers too
            for path in (f"/individual/{self.holder.id}", f"/registrant/{self.holder.id}/bank_accounts"):
                with self.subTest(user=user.login, path=path):
                    response = self.as_user(user, path)
                    self.assertIn("RV-0001-HOLDER", response.text)
                    [event] = self.revealed(response)
                    self.assertEqual(
                        (event.registrant_id, event.account_id.id, event.acc_number, event.count),
                        (self.holder, False, False, 0),
                    )
                    self.assertEqual((event.actor, event.method), (user.login, "GET"))
                    self.assertIn(
                        event.route, ("/individual/{_id}", "/registrant/{registrant_id}/bank_accounts")
                    )

    def test_no_event_when_no_full_number_is_shown(self):
        for user, path in (
            (self.masked_reader, f"/individual/{self.holder.id}"),
            (self.masked_reader, f"/registrant/{self.holder.id}/bank_accounts"),
            (self.registry_reader, f"/individual/{self.holder.id}"),
            (self.api_user, f"/individual/{self.without_account.id}"),
            (self.api_user, f"/registrant/{self.without_account.id}/bank_accounts"),
        ):
            with self.subTest(user=user.login, path=path):
                response = self.as_user(user, path)
                self.assertNotIn("RV-0001-HOLDER", response.text)
                self.assertFalse(self.revealed(response))

    def test_a_search_records_each_registrant_carrying_an_account(self):
        response = self.as_user(self.api_user, "/individual", params={"name": "REVEAL, "})
        self.assertEqual(len(response.json()), 2)
        self.assertEqual(self.revealed(response).registrant_id, self.holder)

    def test_write_answers_are_recorded_and_the_delete_is_not(self):
        sub_resource = SUB_RESOURCE.format(registrant_id=self.holder.id)
        added = self.call("POST", sub_resource, bank_item("Reveal Bank", "RV-0003-HOLDER"))
        self.assertEqual(added.status_code, 201, added.text)
        [event] = self.env["g2p.bank.account.event"].search(
            [("request_id", "=", added.headers["X-Request-ID"]), ("kind", "=", "revealed")]
        )
        self.assertEqual(event.registrant_id, self.holder)
        # Written with the account's events, in rules.audit.write_order: what was revealed last.
        kinds = self.env["g2p.bank.account.event"].search(
            [("request_id", "=", added.headers["X-Request-ID"])], order="id"
        )
        self.assertEqual(kinds.mapped("kind"), ["bank_created", "created", "revealed"])
        deleted = self.call("DELETE", f"{sub_resource}/{added.json()['id']}")
        self.assertEqual(deleted.status_code, 204, deleted.text)
        self.assertEqual(
            self.env["g2p.bank.account.event"]
            .search([("request_id", "=", deleted.headers["X-Request-ID"])])
            .mapped("kind"),
            ["archived"],
        )
        masked = self.call(
            "POST",
            sub_resource,
            bank_item("Reveal Bank", "RV-0004-HOLDER"),
            auth=(
                self.scoped_user("reveal_masked_writer", "bank:read", "bank:write").login,
                self.api_password,
            ),
        )
        self.assertEqual(masked.status_code, 201, masked.text)
        self.assertTrue(masked.json()["masked"])
        self.assertEqual(
            self.env["g2p.bank.account.event"]
            .search([("request_id", "=", masked.headers["X-Request-ID"])])
            .mapped("kind"),
            ["created"],
        )

    def test_the_payment_list_records_one_event_per_page(self):
        other = self.env["res.partner"].create(
            {
                "name": "REVEAL, PAYEE",
                "is_registrant": True,
                "bank_ids": [Command.create({"acc_number": "RV-0009-PAYEE"})],
            }
        )
        response = self.as_user(self.api_user, "/payment_accounts", params={"limit": 1000})
        items = [item for item in response.json()["items"] if item["account"]]
        self.assertIn(other.id, [item["registrant_id"] for item in items])
        [event] = self.revealed(response)
        self.assertEqual(
            (event.registrant_id.id, event.count, event.first_registrant_id, event.last_registrant_id),
            (False, len(items), items[0]["registrant_id"], items[-1]["registrant_id"]),
        )
        self.assertFalse(event.acc_number)
