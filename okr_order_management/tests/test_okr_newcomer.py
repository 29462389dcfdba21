from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import Q4_END, Q4_MIDDLE, Q4_START, OkrCase, call_kw


@tagged("post_install", "-at_install")
class TestOkrNewcomer(OkrCase):
    """What a new user of the demo meets first: statuses, cycles, filters,
    messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = new_test_user(
            cls.env, login="okr_new_alice", groups="base.group_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="okr_new_manager",
            groups="base.group_user,okr_order_management.group_okr_manager",
        )

    def _status(self, record):
        self.env.flush_all()
        record.invalidate_recordset()
        return record.status

    # No pace status before the first measure

    def test_no_status_before_the_first_checkin(self):
        with freeze_time(Q4_MIDDLE):
            env = self.env(user=self.alice)
            objective = self._create_objective(env=env, user_id=self.alice.id)
            key_result = self._create_key_result(objective, 0.0, 100.0, env=env)
            parent = self._create_objective(
                "Company", progress_source="aligned", env=env, user_id=self.alice.id
            )
            objective.parent_id = parent
            # Half the cycle gone at 0 %: not "off track" the day it is created.
            for record in (key_result, objective, parent):
                self.assertEqual(self._status(record), "not_started")
            # Its first check-in, even at the start value, sets the pace.
            env["okr.checkin"].create(
                {"key_result_id": key_result.id, "value": 0.0, "confidence": 5}
            )
            for record in (key_result, objective, parent):
                self.assertEqual(self._status(record), "off_track")

    def test_objective_measured_by_one_of_its_key_results(self):
        with freeze_time(Q4_MIDDLE):
            objective = self._create_objective()
            measured = self._create_key_result(objective, 0.0, 100.0, 60.0)
            self._create_key_result(objective, 0.0, 100.0)
            self.assertEqual(self._status(measured), "on_track")
            # 30 % at half the cycle: its unmeasured key result still counts 0 %.
            self.assertEqual(self._status(objective), "at_risk")

    # Generate Quarters

    def test_generate_quarters_around_existing_cycles(self):
        # The demo's quarter, say.
        self.env["okr.cycle"].create(
            {"name": "Demo Q2", "date_start": "2031-04-01", "date_end": "2031-06-30"}
        )
        wizard = self.env["okr.cycle.generate"].with_user(self.manager)
        with freeze_time("2031-05-10"):
            action = wizard.create({"year": 2031}).action_generate()
        cycles = self.env["okr.cycle"].search(
            [("company_id", "=", self.company.id), ("date_start", ">=", "2031-01-01")],
            order="date_start",
        )
        self.assertEqual(
            cycles.mapped("name"), ["2031 Q1", "Demo Q2", "2031 Q3", "2031 Q4"]
        )
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            action["params"]["message"],
            "Created 2031 Q1, 2031 Q3, and 2031 Q4. Skipped 2031 Q2: cycles of "
            f"{self.company.name} already cover them (Demo Q2).",
        )
        (_id, _in, shown_ids) = action["params"]["next"]["domain"][0]
        self.assertEqual(sorted(shown_ids), sorted(cycles.ids))

    # Overlapping cycles

    def test_overlapping_active_cycles_are_warned_not_refused(self):
        # A company of its own: the demo's cycles stay out of the way.
        company = self.env["res.company"].create({"name": "OKR Overlap Co"})
        (self.manager | self.alice).company_ids |= company
        Cycle = self.env["okr.cycle"].with_company(company)

        def cycle(name, start, end):
            return Cycle.create(
                {
                    "name": name,
                    "date_start": start,
                    "date_end": end,
                    "company_id": company.id,
                }
            )

        quarter = cycle("2026 Q4", Q4_START, Q4_END)
        quarter.action_activate()
        year = cycle("2026", date(2026, 1, 1), Q4_END)
        later = cycle("2027 Q1", date(2027, 1, 1), date(2027, 3, 31))
        # The other company's active cycle of the same dates does not count.
        self.cycle.action_activate()
        self.assertEqual(year.overlap_cycle_ids, quarter)
        self.assertFalse(later.overlap_cycle_ids)
        as_manager = self.manager.with_company(company)
        action = year.with_user(as_manager).action_activate()
        self.assertEqual(year.state, "active")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn(
            "“2026” shares days with the active cycles 2026 Q4",
            action["params"]["message"],
        )
        self.assertIs(later.with_user(as_manager).action_activate(), True)
        self.env.invalidate_all()  # the next request, where the form shows it
        self.assertEqual(
            quarter.with_user(self.alice).with_company(company).overlap_cycle_ids,
            year,
        )

    def test_overlap_of_many_cycles_is_one_query(self):
        cycles = self.env["okr.cycle"].create(
            [
                {
                    "name": f"2030 Q{quarter}",
                    "date_start": date(2030, 3 * quarter - 2, 1),
                    "date_end": date(2030, 3 * quarter, 28),
                    "state": "active",
                }
                for quarter in range(1, 5)
            ]
        )
        self.env.flush_all()
        self.env.invalidate_all()
        cycles = cycles.with_user(self.alice)
        cycles.mapped("name")  # the cycles themselves are read
        with self.assertQueryCount(1):
            self.assertFalse(cycles.overlap_cycle_ids)

    # Check-in filters

    def test_checkin_filters_manual_and_automatic(self):
        objective = self._create_objective()
        key_result = self._create_key_result(objective, 0.0, 100.0)
        Checkin = self.env["okr.checkin"]
        manual = Checkin.create(
            {"key_result_id": key_result.id, "value": 10.0, "date": Q4_START}
        )
        automatic = Checkin.create(
            {
                "key_result_id": key_result.id,
                "value": 20.0,
                "date": date(2026, 10, 2),
                "source": "auto",
            }
        )
        arch = Checkin.with_user(self.alice).get_views([(False, "search")])["views"][
            "search"
        ]["arch"]
        filters = {
            node.get("name"): safe_eval(node.get("domain"))
            for node in etree.fromstring(arch).iter("filter")
            if node.get("name") in ("manual", "automatic")
        }
        as_alice = Checkin.with_user(self.alice)
        own = key_result.checkin_ids
        self.assertEqual(as_alice.search(filters["manual"]) & own, manual)
        self.assertEqual(as_alice.search(filters["automatic"]) & own, automatic)

    # Dates and numbers in the user's format

    def test_messages_in_the_users_format(self):
        self.env["res.lang"].create(
            {
                "name": "OKR Test",
                "code": "okr_TE",
                "iso_code": "okr_TE",
                "date_format": "%d.%m.%Y",
                "decimal_point": ",",
                "thousands_sep": ".",
                "grouping": "[3,0]",
                "active": True,
            }
        )
        self.alice.lang = "okr_TE"
        objective = self._create_objective(user_id=self.alice.id)
        # As the web client sends it: the user's language in the context.
        env = self.env(user=self.alice, context={"lang": "okr_TE"})
        with self.assertRaisesRegex(ValidationError, r"negative weight \(-1\.234,5\)"):
            self._create_key_result(objective, 0.0, 10.0, weight=-1234.5, env=env)
        with self.assertRaisesRegex(ValidationError, r"starts at its target \(12,5\)"):
            self._create_key_result(objective, 12.5, 12.5, env=env)
        key_result = self._create_key_result(objective, 0.0, 10.0, env=env)
        with freeze_time(Q4_MIDDLE), self.assertRaisesRegex(UserError, r"17\.11\.2026"):
            env["okr.checkin"].create(
                {"key_result_id": key_result.id, "value": 1.0, "date": "2026-11-17"}
            )


@tagged("post_install", "-at_install")
class TestOkrNewcomerRpc(HttpCase):
    """The same, as the web client of a plain OKR user."""

    def test_status_over_json_rpc(self):
        alice = new_test_user(self.env, login="okr_new_rpc", groups="base.group_user")
        cycle = self.env["okr.cycle"].create(
            {"name": "Now", "date_start": "2000-01-01", "date_end": "2999-12-31"}
        )
        self.authenticate(alice.login, alice.login)
        objective_id = call_kw(
            self, "okr.objective", "create", [{"name": "Mine", "cycle_id": cycle.id}]
        )["result"][0]
        kr_id = call_kw(
            self,
            "okr.key.result",
            "create",
            [{"name": "KR", "objective_id": objective_id, "target_value": 10.0}],
        )["result"][0]
        read = call_kw(self, "okr.key.result", "read", [kr_id], ["status"])
        self.assertEqual(read["result"][0]["status"], "not_started")
        call_kw(self, "okr.key.result", "write", [kr_id], {"current_value": 9.0})
        read = call_kw(self, "okr.key.result", "read", [kr_id], ["status"])
        self.assertEqual(read["result"][0]["status"], "on_track")
