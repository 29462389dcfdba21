from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import Q4_MIDDLE, OkrCase, create_okr_users
from .metric_common import MetricCase, local

RULE = "okr_order_management.okr_key_result_automation_off_track"
ACTIVITY_TYPE = "okr_order_management.mail_activity_type_off_track"


def off_track_activities(case, key_result):
    """The activities the shipped rule scheduled on ``key_result``."""
    return case.env["mail.activity"].search(
        [
            ("res_model", "=", "okr.key.result"),
            ("res_id", "=", key_result.id),
            ("activity_type_id", "=", case.env.ref(ACTIVITY_TYPE).id),
        ]
    )


@tagged("post_install", "-at_install")
class TestOkrAutomationRule(OkrCase):
    """The shipped rule “When a key result turns off track, schedule an
    activity for its owner”, on manual key results: check-ins and the daily
    status update move them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice, cls.bob, cls.manager = create_okr_users(cls.env)
        cls.objective = cls._create_objective(user_id=cls.alice.id)
        # Bob owns a key result of Alice's objective: the activity is his.
        cls.key_result = cls._create_key_result(
            cls.objective,
            0.0,
            100.0,
            name="Orders entered the same day",
            user_id=cls.bob.id,
        )

    def _checkin(self, value, day=Q4_MIDDLE, user=None):
        with freeze_time(day):
            self.env["okr.checkin"].with_user(user or self.bob).create(
                {"key_result_id": self.key_result.id, "value": value, "date": day}
            )
            self.env.flush_all()

    def test_rule_is_shipped_active_and_editable(self):
        rule = self.env.ref(RULE)
        self.assertTrue(rule.active)
        self.assertEqual(rule.trigger, "on_create_or_write")
        self.assertEqual(rule.trigger_field_ids.name, "status")
        self.assertEqual(rule.action_server_ids.state, "next_activity")
        self.assertEqual(rule.action_server_ids.activity_user_field_name, "user_id")
        data = (
            self.env["ir.model.data"]
            .search([("module", "=", "okr_order_management"), ("res_id", "=", rule.id)])
            .filtered(lambda xmlid: xmlid.model == "base.automation")
        )
        self.assertTrue(data.noupdate, "an update must keep the user's changes")

    def test_checkin_turning_off_track_schedules_one_activity(self):
        # Mid-cycle (pace 50 %): 10 % is off track.
        self._checkin(10.0)
        self.assertEqual(self.key_result.status, "off_track")
        activity = off_track_activities(self, self.key_result)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.bob)
        self.assertEqual(activity.date_deadline, date(2026, 11, 18))
        # Still off track: nothing more.
        self._checkin(12.0)
        self.assertEqual(self.key_result.status, "off_track")
        self.assertEqual(off_track_activities(self, self.key_result), activity)
        # Back on track, then off track again: a new turn, a new activity.
        self._checkin(50.0)
        self.assertEqual(self.key_result.status, "on_track")
        self._checkin(5.0, day=date(2026, 11, 17))
        self.assertEqual(len(off_track_activities(self, self.key_result)), 2)

    def test_at_risk_schedules_nothing(self):
        self._checkin(35.0)  # 15 points behind the pace
        self.assertEqual(self.key_result.status, "at_risk")
        self.assertFalse(off_track_activities(self, self.key_result))

    def test_first_checkin_at_the_start_value(self):
        """Measured for the first time, at 0 % mid-cycle: off track, once;
        the rules never leave a status computed from stale values."""
        self._checkin(0.0)
        self.assertEqual(self.key_result.status, "off_track")
        self.assertEqual(self.objective.status, "off_track")
        self.assertEqual(len(off_track_activities(self, self.key_result)), 1)

    def test_time_passing_turns_it_off_track(self):
        """The daily status update recomputes statuses: the rule sees it."""
        self._checkin(30.0, day=date(2026, 10, 20))
        self.assertEqual(self.key_result.status, "on_track")
        with freeze_time(date(2026, 12, 1)):
            self.env["okr.objective"]._cron_update_status()
        self.assertEqual(self.key_result.status, "off_track")
        self.assertEqual(len(off_track_activities(self, self.key_result)), 1)
        with freeze_time(date(2026, 12, 2)):
            self.env["okr.objective"]._cron_update_status()
        self.assertEqual(len(off_track_activities(self, self.key_result)), 1)

    def test_archived_rule_schedules_nothing(self):
        self.env.ref(RULE).active = False
        self._checkin(10.0)
        self.assertEqual(self.key_result.status, "off_track")
        self.assertFalse(off_track_activities(self, self.key_result))

    def test_readme_rule_emails_the_department_manager(self):
        """The README's example, built as it says: e-mail the department
        manager when an objective turns at risk."""
        head = new_test_user(self.env, login="okr_head", groups="base.group_user")
        department = self.env["hr.department"].create(
            {
                "name": "Customer Service",
                "manager_id": self.env["hr.employee"]
                .create({"name": "Head", "user_id": head.id})
                .id,
            }
        )
        self.objective.department_id = department
        template = self.env["mail.template"].create(
            {
                "name": "Objective at risk",
                "model_id": self.env["ir.model"]._get_id("okr.objective"),
                "subject": "{{ object.name }} is at risk",
                "use_default_to": False,
                "partner_to": (
                    "{{ object.department_id.manager_id.user_id.partner_id.id or '' }}"
                ),
                "body_html": "<p>Progress is behind the pace of the cycle.</p>",
            }
        )
        rule = self.env["base.automation"].create(
            {
                "name": "When an objective turns at risk, e-mail its manager",
                "model_id": self.env["ir.model"]._get_id("okr.objective"),
                "trigger": "on_create_or_write",
                "trigger_field_ids": [
                    Command.set(
                        self.env["ir.model.fields"]._get("okr.objective", "status").ids
                    )
                ],
                "filter_domain": "[('status', '=', 'at_risk')]",
            }
        )
        self.env["ir.actions.server"].create(
            {
                "name": "E-mail the department manager",
                "model_id": rule.model_id.id,
                "usage": "base_automation",
                "base_automation_id": rule.id,
                "state": "mail_post",
                "mail_post_method": "email",
                "template_id": template.id,
            }
        )
        self._checkin(35.0)
        self._checkin(33.0)  # stays at risk: no second e-mail
        self.assertEqual(self.objective.status, "at_risk")
        mail = self.env["mail.mail"].search(
            [
                ("model", "=", "okr.objective"),
                ("res_id", "=", self.objective.id),
                ("subject", "like", "is at risk"),
            ]
        )
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, head.partner_id)
        self.assertEqual(mail.subject, f"{self.objective.name} is at risk")


@tagged("post_install", "-at_install")
class TestOkrAutomationRuleRecompute(MetricCase):
    """The rule fires when the scheduled recompute (the engine, writing as the
    superuser through the ORM) moves a metric key result off track."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.company_user("okr_revenue_owner", "base.group_user")

    def test_cron_turning_off_track_schedules_one_activity(self):
        key_result = self.key_result(
            "revenue", "cycle_to_date", target_value=1000.0, user_id=self.owner.id
        )
        self.sell(self.customer_a, local(2026, 10, 5, 10, 0), price=100.0)
        # Mid-cycle: 100 of 1,000 (10 %) is far behind the pace (50 %).
        with self.at(local(2026, 11, 16, 9, 0)):
            self.env["okr.key.result"]._cron_recompute()
        self.assertEqual(key_result.current_value, 100.0)
        self.assertEqual(key_result.status, "off_track")
        activity = off_track_activities(self, key_result)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.owner)
        # The next runs find it still off track: no second activity.
        self.sell(self.customer_b, local(2026, 11, 16, 10, 0), price=50.0)
        for moment in (local(2026, 11, 16, 11, 0), local(2026, 11, 17, 9, 0)):
            with self.at(moment):
                self.env["okr.key.result"]._cron_recompute()
        self.assertEqual(key_result.current_value, 150.0)
        self.assertEqual(key_result.status, "off_track")
        self.assertEqual(off_track_activities(self, key_result), activity)

    def test_rules_are_looked_up_per_outcome_not_per_key_result(self):
        """The engine writes once per distinct outcome: the rules watching key
        results (base_automation looks them up at every write and computation
        of key results) cost it the same for 3 times the key results."""

        def batch():
            return (
                self.key_result("revenue", "cycle_to_date", target_value=1000.0)
                | self.key_result(
                    "revenue",
                    "cycle_to_date",
                    target_value=1000.0,
                    team_id=self.team_north.id,
                )
                | self.key_result("new_customers", "cycle_to_date", target_value=10.0)
            )

        Automation = type(self.env["base.automation"])
        lookup = Automation._get_actions

        def lookups(key_results, moment):
            """How many times the recompute looks the rules up."""
            looked_up = []

            def spy(automation, records, triggers):
                looked_up.append(records._name)
                return lookup(automation, records, triggers)

            with patch.object(Automation, "_get_actions", spy), self.at(moment):
                key_results._okr_recompute()
                self.env.flush_all()
            return len(looked_up)

        self.sell(self.customer_a, local(2026, 10, 5, 10, 0), price=100.0)
        one, three = batch(), batch() | batch() | batch()
        # First computations: off track, an activity each.
        lookups(one | three, local(2026, 11, 16, 9, 0))
        self.assertEqual(set((one | three).mapped("status")), {"off_track"})
        # Later runs: the same outcomes, still off track.
        count = lookups(one, local(2026, 11, 16, 10, 0))
        self.assertTrue(count)
        self.assertEqual(lookups(three, local(2026, 11, 16, 11, 0)), count)
        self.assertEqual(len(off_track_activities(self, three[-1])), 1)
