from datetime import date

from odoo.tests import freeze_time, tagged

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
